"""Loans out: the checks name the object whose light budget the loan would exceed, approval is refused without an
override, a protected piece waits for its external permission, dispatch and return need condition checks, the
return audits what came back; each step is an event on the loan and in every object's history."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage import catalogue
from heritage.cli import main
from heritage.errors import BadRequest
from heritage.models import Event, Item, Location
from heritage.museum import condition, loans
from heritage.runtime import Runtime
from tests.helpers import add_user
from tests.heritage.museum.builders import VENUE, World, world

pytestmark = pytest.mark.db

START = date.today() + timedelta(days=10)


def _create(runtime: Runtime, w: World, days: int = 45) -> int:
    with runtime.transaction() as session:
        loan = loans.create(
            session,
            direction="out",
            party="Museum aan de Stroom",
            venue=VENUE,
            date_from=START,
            date_to=START + timedelta(days=days - 1),
            items=w.ids,
            agent="registrar",
        )
        return loan.id


@pytest.fixture
def w(runtime: Runtime) -> World:
    with runtime.transaction() as session:
        made = world(session)
    add_user(runtime, "registrar", "collection_manager", "central-archive")  # the policy's loan approver
    return made


def test_the_checks_name_the_drawing_whose_light_budget_the_loan_exceeds(runtime: Runtime, w: World) -> None:
    loan_id = _create(runtime, w)
    with runtime.sessions() as session:
        results = loans.checks(session, loan_id)
    failed = [c for c in results if not c.ok]
    assert [(c.item, c.rule) for c in failed] == [(w.drawing, "light")]
    assert "15,000" in failed[0].reason and "45 days" in failed[0].reason
    # the painting (low) and the model (medium) stay within their budgets; the venue meets every climate need
    assert {(c.item, c.rule) for c in results if c.ok} >= {
        (w.painting, "light"),
        (w.model, "light"),
        (w.model, "venue"),
    }
    with runtime.transaction() as session, pytest.raises(BadRequest, match=f"{w.drawing} \\(light\\): light budget"):
        loans.approve(session, loan_id, agent="registrar")
    with runtime.sessions() as session:
        assert loans.get_loan(session, loan_id).state == "requested"
    # a shorter loan passes: 20 days at 411 lx·h a day is 8,219 of the 15,000
    with runtime.transaction() as session:
        short = loans.create(
            session,
            direction="out",
            party="M",
            venue=VENUE,
            date_from=START + timedelta(days=200),
            date_to=START + timedelta(days=219),
            items=[w.drawing],
            agent="registrar",
        )
        assert all(c.ok for c in loans.checks(session, short.id))


def test_a_loan_walks_from_request_to_closed_with_each_step_in_the_objects_histories(
    runtime: Runtime, w: World
) -> None:
    loan_id = _create(runtime, w)
    with runtime.transaction() as session:
        loans.approve(
            session, loan_id, agent="registrar", override="the borrower shows it at 20 lux, agreed in writing"
        )
        with pytest.raises(BadRequest, match="without its terms, insurance or indemnity, insurance value"):
            loans.agree(session, loan_id, agent="registrar")
    with runtime.transaction() as session:
        loans.update_terms(
            session,
            loan_id,
            agent="registrar",
            terms="Shown at 20 lux at most.",
            insurance_kind="indemnity",
            insurance_value="250000",
        )
        loans.agree(session, loan_id, agent="registrar")
    with runtime.transaction() as session:
        condition.record(session, w.drawing, condition="good", by="conservator", loan_id=loan_id, stage="dispatch")
        with pytest.raises(BadRequest, match=f"no dispatch condition check of {w.painting}, {w.model}"):
            loans.dispatch(session, loan_id, agent="registrar")
    with runtime.transaction() as session:
        for item in w.ids:
            condition.record(session, item, condition="good", by="conservator", loan_id=loan_id, stage="dispatch")
        loans.dispatch(session, loan_id, agent="registrar")
        venue = session.scalar(select(Location).where(Location.code == VENUE))
        assert {session.get(Item, i).location_id for i in w.ids} == {venue.id}  # type: ignore[union-attr]
        loans.receive(session, loan_id, agent="registrar")
    with runtime.transaction() as session, pytest.raises(BadRequest, match="no return condition check"):
        loans.return_objects(session, loan_id, agent="registrar", scanned=w.ids)
    with runtime.transaction() as session:
        for item in w.ids:
            condition.record(session, item, condition="fair", by="conservator", loan_id=loan_id, stage="return")
        with pytest.raises(BadRequest, match=f"the audit did not find {w.model}"):
            loans.return_objects(session, loan_id, agent="registrar", scanned=[w.drawing, w.painting])
    with runtime.transaction() as session:
        loans.return_objects(session, loan_id, agent="registrar", scanned=[w.drawing, w.painting, "model"])
        home = session.scalar(select(Location.id).where(Location.code == "LEU-CD-R1"))
        assert {session.get(Item, i).location_id for i in w.ids} == {home}  # type: ignore[union-attr]
        loans.close(session, loan_id, agent="registrar")
    with runtime.sessions() as session:
        loan = loans.get_loan(session, loan_id)
        assert loan.state == "closed" and loan.override_reason.startswith("the borrower")  # type: ignore[union-attr]
        steps = [e.type for e in loans.history(session, loan)]
        assert steps == [
            "loan requested",
            "loan approved",
            "loan terms",
            "loan agreed",
            "loan dispatched",
            "loan on_loan",
            "loan returned",
            "loan closed",
        ]
        for item in w.ids:
            mine = [e.type for e in session.scalars(select(Event).where(Event.item_id == item).order_by(Event.id))]
            assert [t for t in mine if t.startswith("loan ")] == steps
            assert mine.count("condition check") == 2 + (item == w.drawing) and mine.count("movement") == 2
        approved = next(e for e in loans.history(session, loan) if e.type == "loan approved")
        assert approved.outcome == "warning" and approved.data["failed"][0]["item"] == w.drawing


def test_a_protected_piece_waits_for_the_permission_the_policy_names(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        w = world(session, drawing_flags=["topstuk_listed"])
    add_user(runtime, "registrar", "collection_manager", "central-archive")
    loan_id = _create(runtime, w, days=10)
    with runtime.transaction() as session:
        with pytest.raises(BadRequest, match="needs the permission of Vlaamse minister"):
            loans.approve(session, loan_id, agent="registrar", override="an override does not answer the law")
        with pytest.raises(BadRequest, match="needs no external permission"):
            loans.record_permission(
                session, loan_id, w.painting, authority="x", reference="y", granted_on=date.today(), person="registrar"
            )
    with runtime.transaction() as session:
        loans.record_permission(
            session,
            loan_id,
            w.drawing,
            authority="Vlaamse minister",
            reference="TS/2026/14",
            granted_on=date.today(),
            person="registrar",
        )
        loans.approve(session, loan_id, agent="registrar")
        assert loans.get_loan(session, loan_id).state == "approved"


def test_bad_requests_are_named_and_change_nothing(runtime: Runtime, w: World) -> None:
    cases = [
        ({"direction": "sideways"}, "direction 'sideways'"),
        ({"party": " "}, "borrower"),
        ({"date_to": START - timedelta(days=1)}, "is before --from"),
        ({"items": []}, "at least one object"),
        ({"items": [w.drawing, w.drawing]}, "named twice"),
        ({"insurance_kind": "hope"}, "--insurance 'hope'"),
        ({"insurance_value": "-3"}, "negative"),
    ]
    base = {"direction": "out", "party": "M", "venue": VENUE, "date_from": START, "date_to": START, "items": w.ids}
    for change, message in cases:
        with runtime.transaction() as session, pytest.raises(BadRequest, match=message):
            loans.create(session, agent="r", **{**base, **change})
    with runtime.sessions() as session:
        assert loans.list_loans(session) == []
    loan_id = _create(runtime, w)
    with runtime.transaction() as session, pytest.raises(BadRequest, match="is on loan"):
        loans.create(session, agent="r", **base)
    with runtime.transaction() as session, pytest.raises(BadRequest, match="'dispatch' needs a loan that is agreed"):
        loans.dispatch(session, loan_id, agent="r")
    with runtime.transaction() as session, pytest.raises(BadRequest, match="condition 'shiny'"):
        condition.record(session, w.drawing, condition="shiny", by="c")
    with runtime.transaction() as session, pytest.raises(BadRequest, match="belongs to a loan"):
        condition.record(session, w.drawing, condition="good", by="c", stage="dispatch")
    with runtime.sessions() as session:
        home = session.scalar(select(Location.id).where(Location.code == "LEU-CD-R1"))
        assert catalogue.get_item(session, w.drawing).location_id == home


def test_the_cli_walks_a_loan_with_json(runner: CliRunner, runtime: Runtime, w: World) -> None:
    def run(*args: str) -> dict:  # type: ignore[type-arg]
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if "--json" in args else {}

    created = run(
        "loans",
        "create",
        "--party",
        "Museum aan de Stroom",
        "--venue",
        VENUE,
        "--from",
        START.isoformat(),
        "--to",
        (START + timedelta(days=44)).isoformat(),
        "--item",
        ",".join(w.ids),
        "--terms",
        "20 lux",
        "--insurance",
        "insurance",
        "--value",
        "1000",
        "--by",
        "registrar",
        "--json",
    )
    loan = str(created["id"])
    check = runner.invoke(main, ["loans", "check", loan, "--json"])
    assert check.exit_code == 1
    assert [c["item"] for c in json.loads(check.stdout)["checks"] if not c["ok"]] == [w.drawing]
    refused = runner.invoke(main, ["loans", "approve", loan, "--by", "registrar"])
    assert refused.exit_code == 1 and f"{w.drawing} (light)" in refused.stderr
    approved = run("loans", "approve", loan, "--by", "registrar", "--override", "20 lux agreed", "--json")
    assert approved["state"] == "approved"
    run("loans", "agree", loan)
    for item in w.ids:
        run("condition", "record", item, "--condition", "good", "--loan", loan, "--stage", "dispatch")
    run("loans", "dispatch", loan)
    run("loans", "receive", loan)
    assert run("loans", "list", "--on-loan", "--json")["loans"][0]["state"] == "on_loan"
    for item in w.ids:
        run("condition", "record", item, "--condition", "good", "--loan", loan, "--stage", "return")
    run("loans", "return", loan, "--scanned", ",".join(w.ids))
    shown = run("loans", "close", loan, "--json")
    assert shown["state"] == "closed" and shown["next_action"] is None
    listed = run("loans", "list", "--json")["loans"]
    assert listed == [
        {
            "id": int(loan),
            "direction": "out",
            "state": "closed",
            "venue": VENUE,
            "from": START.isoformat(),
            "to": (START + timedelta(days=44)).isoformat(),
            "objects": w.ids,
        }
    ]
    checks = run("condition", "list", w.drawing, "--json")["checks"]
    assert [c["stage"] for c in checks] == ["return", "dispatch"]
    missing = runner.invoke(main, ["loans", "show", "999"])
    assert missing.exit_code == 1 and "loan 999 does not exist" in missing.stderr


def test_a_loan_in_comes_to_our_gallery_and_goes_back(runtime: Runtime, w: World) -> None:
    with runtime.transaction() as session:
        loan = loans.create(
            session,
            direction="in",
            party="Rubenshuis",
            venue="LEU-WET-ZAAL",
            date_from=START,
            date_to=START + timedelta(days=9),
            items=[w.painting],
            agent="registrar",
            terms="as lent",
            insurance_kind="insurance",
            insurance_value=1000,
        )
        loans.approve(session, loan.id, agent="registrar")
        loans.agree(session, loan.id, agent="registrar")
        loans.dispatch(session, loan.id, agent="registrar")  # the lender sends it: no check of ours needed
        loans.receive(session, loan.id, agent="registrar")
        hall = session.scalar(select(Location.id).where(Location.code == "LEU-WET-ZAAL"))
        assert session.get(Item, w.painting).location_id == hall  # type: ignore[union-attr]
        assert [x.id for x in loans.due_back(session, START + timedelta(days=5), within_days=30)] == [loan.id]
        condition.record(session, w.painting, condition="good", by="c", loan_id=loan.id, stage="return")
        with pytest.raises(BadRequest, match=f"the audit did not find {w.painting}"):
            loans.return_objects(session, loan.id, agent="registrar", scanned=[w.model])
        loans.return_objects(session, loan.id, agent="registrar", scanned=[w.painting])
        assert loans.close(session, loan.id, agent="registrar").state == "closed"


def test_the_cli_and_the_api_keep_their_english_words(runner: CliRunner, runtime: Runtime, w: World) -> None:
    """Refusals name the CLI's options and checks keep their sentences, whatever a page makes of them."""
    before = (START - timedelta(days=1)).isoformat()
    create = ["loans", "create", "--party", "M", "--venue", VENUE, "--from", START.isoformat(), "--item", w.drawing]
    late = runner.invoke(main, [*create, "--to", before])
    assert late.exit_code == 1 and late.stderr == f"error: --to {before} is before --from {START.isoformat()}\n"
    hope = runner.invoke(main, [*create, "--to", START.isoformat(), "--insurance", "hope"])
    assert hope.exit_code == 1 and hope.stderr == "error: --insurance 'hope' is not one of: insurance, indemnity\n"
    wrong_day = runner.invoke(main, ["condition", "record", w.model, "--condition", "good", "--date", "7 May"])
    assert wrong_day.stderr == "error: --date '7 May' is not a date (YYYY-MM-DD)\n"
    no_loan = runner.invoke(main, ["condition", "record", w.model, "--condition", "good", "--stage", "dispatch"])
    assert no_loan.stderr == "error: a dispatch check belongs to a loan (--loan)\n"
    with runtime.transaction() as session, pytest.raises(BadRequest) as refused:
        condition.treat(session, w.model, treatment="cleaned", materials=[" "], by="c")
    assert str(refused.value) == "a treatment names the materials used (--material, one or more)"
    loan_id = _create(runtime, w)
    lines = runner.invoke(main, ["loans", "check", str(loan_id)]).stdout.splitlines()
    assert f"ok   {w.painting} venue: venue {VENUE} meets its climate and security needs" in lines
    assert [line for line in lines if line.startswith("FAIL")] == [
        f"FAIL {w.drawing} light: light budget: 45 days at the venue (411 lx·h a day) bring its rolling 12-month "
        f"dose to 18,493 lx·h by {START + timedelta(days=44)}, over the high budget of 15,000 lx·h"
    ]
    checks = json.loads(runner.invoke(main, ["loans", "check", str(loan_id), "--json"]).stdout)["checks"]
    assert {tuple(c) for c in checks} == {("item", "title", "rule", "ok", "reason", "overridable")}
    with runtime.transaction() as session:
        loans.approve(session, loan_id, agent="registrar", override="20 lux agreed")
        loans.update_terms(
            session, loan_id, agent="registrar", terms="t", insurance_kind="indemnity", insurance_value=1
        )
        loans.agree(session, loan_id, agent="registrar")
        event = session.scalars(select(Event).where(Event.type == "loan approved", Event.item_id.is_(None))).one()
        assert [set(c) for c in event.data["failed"]] == [{"item", "title", "rule", "ok", "reason", "overridable"}]
    early = runner.invoke(main, ["loans", "dispatch", str(loan_id)])
    assert early.stderr == (
        f"error: loan {loan_id} cannot be dispatched: no dispatch condition check of {', '.join(w.ids)} "
        f"(heritage condition record ITEM --loan {loan_id} --stage dispatch)\n"
    )
