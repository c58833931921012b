"""Governance that cannot be bypassed (issue 16): approvals and refusals by accounts whose role the policy
names, hard rules that no override passes, a legal hold lifted only by an administrator, a protected piece's
external permission, and what happens after approval: the disposal record, the certificate of destruction,
the destruction list and the tombstone."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.errors import BadRequest, Forbidden
from heritage.models import Approval, Disposal, DisposalDocument, Event, Item, Refusal, Revision
from heritage.policy import service
from heritage.runtime import Runtime
from tests.helpers import add_user
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


@pytest.fixture
def catalogue(runtime: Runtime) -> dict[str, str]:
    return board_catalogue(runtime)


def board_catalogue(runtime: Runtime) -> dict[str, str]:
    """A faculty series due for destruction (one file held), a central-archive file due too, the Vesalius
    Fabrica (a listed topstuk) and a duplicate object proposed for deaccession; the accounts of a board."""
    with runtime.transaction() as session:
        places = builders.tree(session)
        fonds = builders.item(
            session, "faculty", "F", level="fonds", unit="faculty-science", location=places["basement"]
        )
        series = builders.item(
            session, "faculty", "F.1", parent=fonds, level="series", unit="faculty-science", series="FIN-01"
        )
        old = builders.item(
            session, "faculty", "F.1.1", parent=series, date_from=2010, date_to=2010, unit="faculty-science"
        )
        other = builders.item(
            session, "faculty", "F.1.4", parent=series, date_from=2009, date_to=2009, unit="faculty-science"
        )
        held = builders.item(
            session,
            "faculty",
            "F.1.3",
            parent=series,
            date_from=2011,
            date_to=2011,
            unit="faculty-science",
            flags=["legal_hold"],
        )
        # the rectorate's own accounts, still its current records (not yet in the historical archive: the
        # selection list judges them)
        central = builders.item(
            session, "rectorate", "R.1", date_from=2008, date_to=2008, series="FIN-01", custody="creator"
        )
        fabrica = builders.item(
            session,
            "museum",
            "VES-1543",
            domain="museum",
            level="object",
            material="paper",
            significance={"historic": 3, "scientific_research_informative": 3},
            flags=["topstuk_listed"],
        )
        duplicate = builders.item(
            session,
            "museum",
            "M1",
            domain="museum",
            significance={"historic": 1},
            flags=["duplicate"],
            material="metal",
        )
        ids = {
            "old": old.id,
            "other": other.id,
            "held": held.id,
            "series": series.id,
            "central": central.id,
            "fabrica": fabrica.id,
            "duplicate": duplicate.id,
        }
    catalogue_unit = "faculty-science"
    add_user(runtime, "dean", "collection_manager", catalogue_unit)
    add_user(runtime, "otherdean", "collection_manager", "central-archive")
    add_user(runtime, "ua", "archivist", "central-archive")
    add_user(runtime, "cm", "collection_manager", "central-archive")
    add_user(runtime, "cons", "conservator")
    add_user(runtime, "board", "board_member")
    add_user(runtime, "root", "administrator")
    add_user(runtime, "lezer", "reader")
    with runtime.transaction() as session:
        service.evaluate(session, today=date(2026, 6, 15))
    return ids


def _events(runtime: Runtime, item_id: str) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Event.type).where(Event.item_id == item_id).order_by(Event.id)))


def test_the_fabrica_cannot_be_overridden_into_deaccession(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    """The issue's case: override <the Fabrica> deaccession_candidate --reason "sell it", then three typed names."""
    fabrica = catalogue["fabrica"]
    result = runner.invoke(main, ["policy", "override", fabrica, "deaccession_candidate", "--reason", "sell it"])
    assert result.exit_code == 1
    assert "hard rule protected (flag topstuk_listed) forbids it" in result.output
    assert "Topstukkenraad" in result.output  # the permission it would need first
    for role, name in (("central_collection_manager", "Jan"), ("conservator", "Piet"), ("governing_body", "Joris")):
        typed = runner.invoke(main, ["policy", "approve", fabrica, "--role", role, "--by", name])
        assert typed.exit_code == 1 and "no destruction or deaccession proposal" in typed.output
    with runtime.sessions() as session:
        assert service.effective_decision(session, fabrica)[0] == "retain_permanent"
        assert session.scalars(select(Approval).where(Approval.subject == fabrica)).all() == []
    assert "policy override" not in _events(runtime, fabrica)


def test_a_legal_hold_file_never_reaches_destruction_approved(runtime: Runtime, catalogue: dict[str, str]) -> None:
    held, old = catalogue["held"], catalogue["old"]
    with runtime.transaction() as session:
        with pytest.raises(BadRequest, match=r"hard rule legal_hold \(flag legal_hold\) forbids it.*lift-hold"):
            service.override(session, held, "destroy_proposed", reason="clear the shelf", agent="dean")
        service.approve(session, old, role="creator_unit_head", person="dean")
    # the hold comes on the whole series after the first approval: the second one is refused, and so is a disposal
    with runtime.transaction() as session:
        series = session.get(Item, catalogue["series"])
        series.attributes = {**series.attributes, "flags": ["litigation"]}
    with runtime.transaction() as session:
        with pytest.raises(BadRequest, match=r"cannot be approved: hard rule legal_hold \(flag litigation\)"):
            service.approve(session, old, role="university_archivist", person="ua")
        state = service.proposal(session, old)[2]
        assert state is not None and not state.approved
    assert "destruction approved" not in _events(runtime, old)


def test_a_frozen_decision_holds_until_the_item_is_evaluated_again(runtime: Runtime, catalogue: dict[str, str]) -> None:
    """The hold disappears from the attributes without lift-hold and without an evaluation: the engine's frozen
    decision still forbids an override into destruction."""
    held = catalogue["held"]
    with runtime.transaction() as session:
        item = session.get(Item, held)
        item.attributes = {**item.attributes, "flags": []}
    with runtime.transaction() as session:
        with pytest.raises(BadRequest, match=r"hard rule legal_hold \(flag legal_hold\) forbids it"):
            service.override(session, held, "destroy_proposed", reason="shelf space", agent="dean")
        service.evaluate(session, item_id=held, today=date(2026, 6, 15))
    with runtime.transaction() as session:
        assert service.override(session, held, "destroy_proposed", reason="shelf space", agent="dean").active


def test_approvers_are_accounts_holding_the_role_for_the_item(runtime: Runtime, catalogue: dict[str, str]) -> None:
    old, central = catalogue["old"], catalogue["central"]
    with runtime.transaction() as session:
        with pytest.raises(BadRequest, match="'Dean Smith' is not an account"):
            service.approve(session, old, role="creator_unit_head", person="Dean Smith")
        with pytest.raises(Forbidden, match="otherdean may not act as creator_unit_head for item"):
            service.approve(session, old, role="creator_unit_head", person="otherdean")  # another unit's head
        with pytest.raises(Forbidden, match="lezer may not act as university_archivist"):
            service.approve(session, old, role="university_archivist", person="lezer")
        with pytest.raises(Forbidden, match="dean may not act as university_archivist"):
            service.approve(session, old, role="university_archivist", person="dean")  # a faculty's manager
    # one account in two roles: the central archivist heads the unit of the rectorate's file and is the archivist
    with runtime.transaction() as session:
        assert set(service.roles_of(session, service.account(session, "ua"), session.get(Item, central))) >= {
            "creator_unit_head",
            "university_archivist",
        }
        service.approve(session, central, role="creator_unit_head", person="ua")
    with runtime.transaction() as session, pytest.raises(Forbidden, match=r"ua already approved .* distinct persons"):
        service.approve(session, central, role="university_archivist", person="UA")  # any spelling of the name
    with runtime.transaction() as session:
        from heritage import auth

        auth.set_active(session, "root", False)
    with runtime.transaction() as session, pytest.raises(Forbidden, match="account root is disabled"):
        service.approve(session, central, role="university_archivist", person="root")


def test_the_cli_names_the_account_or_exits_1(runner: CliRunner, catalogue: dict[str, str]) -> None:
    typed = runner.invoke(main, ["policy", "approve", catalogue["old"], "--role", "creator_unit_head", "--by", "x y"])
    assert typed.exit_code == 1 and "'x y' is not an account" in typed.output
    wrong = runner.invoke(
        main, ["policy", "approve", catalogue["old"], "--role", "creator_unit_head", "--by", "otherdean"]
    )
    assert wrong.exit_code == 1 and "may not act as creator_unit_head" in wrong.output


def test_a_refusal_refuses_the_proposal(runner: CliRunner, runtime: Runtime, catalogue: dict[str, str]) -> None:
    old = catalogue["old"]
    no_reason = runner.invoke(main, ["policy", "refuse", old, "--role", "university_archivist", "--reason", " "])
    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.output
    result = runner.invoke(
        main,
        ["policy", "refuse", old, "--role", "university_archivist", "--by", "ua", "--reason", "still consulted"],
    )
    assert result.exit_code == 0, result.output
    with runtime.sessions() as session:
        assert service.proposal_status(session, old) == "refused"
        assert service.effective_decision(session, old)[0] == "destroy_proposed"  # the decision stays on record
        refusal = session.scalar(select(Refusal).where(Refusal.subject == old))
        assert refusal is not None and (refusal.role, refusal.person) == ("university_archivist", "ua")
    late = runner.invoke(main, ["policy", "approve", old, "--role", "creator_unit_head", "--by", "dean"])
    assert late.exit_code == 1 and "was refused by ua (university_archivist)" in late.output
    assert "proposal refused" in _events(runtime, old)


def test_lifting_a_legal_hold_is_an_administrators_event(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    held = catalogue["held"]
    by_staff = runner.invoke(main, ["policy", "lift-hold", held, "--reason", "case closed", "--by", "ua"])
    assert by_staff.exit_code == 1 and "may not lift a legal hold: an administrator does" in by_staff.output
    no_hold = runner.invoke(main, ["policy", "lift-hold", catalogue["old"], "--reason", "x", "--by", "root"])
    assert no_hold.exit_code == 1 and "has no legal hold of its own" in no_hold.output
    result = runner.invoke(main, ["policy", "lift-hold", held, "--reason", "case 2024/17 closed", "--by", "root"])
    assert result.exit_code == 0, result.output
    assert "its decision is now destroy_proposed" in result.output  # re-evaluated at once
    with runtime.sessions() as session:
        item = session.get(Item, held)
        assert "legal_hold" not in item.attributes.get("flags", [])
        revision = session.scalar(select(Revision).where(Revision.item_id == held, Revision.kind == "lift-hold"))
        assert revision is not None and revision.by == "root" and revision.reason == "case 2024/17 closed"
        event = session.scalar(select(Event).where(Event.type == "legal hold lifted", Event.item_id == held))
        assert event is not None and event.agent == "root"


def test_a_listed_topstuk_needs_the_ministers_permission(runtime: Runtime, catalogue: dict[str, str]) -> None:
    fabrica = catalogue["fabrica"]
    with runtime.transaction() as session:
        with pytest.raises(Forbidden, match="may not record an external approval"):
            service.record_external_approval(
                session, fabrica, authority="minister", reference="x", granted_on=date(2026, 5, 1), person="lezer"
            )
        with pytest.raises(BadRequest, match="needs no external permission"):
            service.record_external_approval(
                session,
                catalogue["duplicate"],
                authority="minister",
                reference="x",
                granted_on=date(2026, 5, 1),
                person="root",
            )
        service.record_external_approval(
            session,
            fabrica,
            authority="Vlaamse minister van Cultuur",
            reference="MB 2026/113",
            granted_on=date(2026, 5, 1),
            person="cm",
        )
    with runtime.transaction() as session:
        service.override(session, fabrica, "deaccession_candidate", reason="transfer to KBR", agent="cm")
        for role, person in (("central_collection_manager", "cm"), ("conservator", "cons")):
            assert not service.approve(session, fabrica, role=role, person=person).approved
        state = service.approve(session, fabrica, role="governing_body", person="board")
        assert state.approved and state.external_needed == []
    # without the permission the same approvals do not complete: the duplicate needs none, the Fabrica one
    with runtime.sessions() as session:
        policy = service.PolicyStore.load(session).for_catalogue_item(session.get(Item, fabrica))
        session.execute(service.ExternalApproval.__table__.delete().where(service.ExternalApproval.subject == fabrica))
        roles = policy.approvals["deaccession_candidate"][0]
        bare = service.approval_state(session, fabrica, "deaccession_candidate", roles, policy)
        assert not bare.approved and "Topstukkenraad" in bare.external_needed[0]
        session.rollback()


def test_approval_carry_out_certificate_list_and_tombstone(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str], client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    old, other = catalogue["old"], catalogue["other"]
    early = runner.invoke(main, ["policy", "carry-out", old, "--route", "destruction", "--by", "dean"])
    assert early.exit_code == 1 and "not fully approved: still needed: creator_unit_head, university_archivist" in (
        early.output
    )
    for item in (old, other):
        assert (
            runner.invoke(main, ["policy", "approve", item, "--role", "creator_unit_head", "--by", "dean"]).exit_code
            == 0
        )
        assert (
            runner.invoke(main, ["policy", "approve", item, "--role", "university_archivist", "--by", "ua"]).exit_code
            == 0
        )
    sale = runner.invoke(main, ["policy", "carry-out", old, "--route", "sale", "--by", "dean"])
    assert sale.exit_code == 1 and "a destroy_proposed is carried out by destruction" in sale.output
    board = runner.invoke(main, ["policy", "carry-out", old, "--route", "destruction", "--by", "board"])
    assert board.exit_code == 1 and "may not carry out" in board.output
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 shredded by Vernietiging NV")
    done = runner.invoke(
        main,
        [
            "policy",
            "carry-out",
            old,
            "--route",
            "destruction",
            "--by",
            "dean",
            "--document",
            str(receipt),
            "--note",
            "shredded",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "certificate of destruction" in done.output
    again = runner.invoke(main, ["policy", "carry-out", old, "--route", "destruction", "--by", "dean"])
    assert again.exit_code == 1 and "disposed of already" in again.output
    with runtime.sessions() as session:
        row = session.scalar(select(Disposal).where(Disposal.item_id == old))
        assert row is not None and row.route == "destruction" and row.person == "dean"
        assert row.title == "F.1.1 title" and row.identifiers["local_id"] == "F.1.1"
        assert [(a["role"], a["person"]) for a in row.approvals] == [
            ("creator_unit_head", "dean"),
            ("university_archivist", "ua"),
        ]
        assert row.decision["rule"] == "selection_list.V"
        doc = session.scalar(select(DisposalDocument).where(DisposalDocument.disposal_id == row.id))
        assert doc is not None and doc.name == "receipt.pdf" and doc.content == receipt.read_bytes()
        item = session.get(Item, old)
        assert item is not None and item.withdrawn_at is not None  # a tombstone: the row and its history stay
        assert f"certificate of destruction {row.id}" in item.withdrawn_reason
        certificate_id = row.id
        assert service.proposal_status(session, old) == "carried_out"
        assert service.proposal_status(session, other) == "approved"
    assert _events(runtime, old)[-5:] == [
        "approval",
        "approval",
        "destruction approved",
        "deaccession",  # the editing service's withdrawal
        "destruction carried out",
    ]
    listed = runner.invoke(main, ["policy", "destruction-list", "--csv"])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["certificate"], r["item"], r["destroyed_by"]) for r in rows] == [(str(certificate_id), old, "dean")]
    assert rows[0]["approved_by"] == "creator_unit_head (dean); university_archivist (ua)"
    before = runner.invoke(main, ["policy", "destruction-list", "--csv", "--to", "2000-01-01"])
    assert list(csv.DictReader(io.StringIO(before.stdout))) == []
    backwards = runner.invoke(main, ["policy", "destruction-list", "--from", "2026-02-01", "--to", "2026-01-01"])
    assert backwards.exit_code == 1 and "is after --to" in backwards.output
    assert client.get(f"/items/{old}").status_code == 410


def test_a_deaccession_by_sale_keeps_its_deed(runtime: Runtime, catalogue: dict[str, str]) -> None:
    duplicate = catalogue["duplicate"]
    with runtime.transaction() as session:
        for role, person in (
            ("central_collection_manager", "cm"),
            ("conservator", "cons"),
            ("governing_body", "board"),
        ):
            service.approve(session, duplicate, role=role, person=person)
    with runtime.transaction() as session:
        with pytest.raises(BadRequest, match="a sale is recorded with its document"):
            service.carry_out(session, duplicate, route="sale", person="cm")
        row = service.carry_out(
            session, duplicate, route="sale", person="cm", documents=[("deed.pdf", b"sold to Museum M")]
        )
        assert (row.kind, row.route) == ("deaccession_candidate", "sale")
        assert [d.name for d in service.documents_of(session, row.id)] == ["deed.pdf"]
    with runtime.sessions() as session:
        assert service.destruction_list(session) == []  # a sale is no destruction
        with pytest.raises(service.NotFound):
            service.certificate(session, row.id)
        assert "deaccession carried out" in _events(runtime, duplicate)


def test_the_migration_makes_the_tables_the_models_describe(runtime: Runtime) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from heritage import db
    from heritage.models import Base

    ours = {"refusals", "external_approvals", "disposals", "disposal_documents"}
    assert ours <= set(inspect(runtime.engine).get_table_names())
    db.downgrade(runtime.engine, "i15_auth_0001")
    assert not ours & set(inspect(runtime.engine).get_table_names())
    assert "user_id" not in {c["name"] for c in inspect(runtime.engine).get_columns("approvals")}
    db.upgrade(runtime.engine)
    with runtime.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if any(t in repr(d) for t in (*ours, "approvals"))] == []


def test_the_board_roles_are_account_roles(runner: CliRunner, runtime: Runtime) -> None:
    for name, role in (("cons", "conservator"), ("board", "board_member")):
        result = runner.invoke(
            main, ["user", "add", name, "--role", role, "--password-stdin"], input="correct horse battery\n"
        )
        assert result.exit_code == 0 and f"added {name} ({role})" in result.output


def test_a_policy_role_that_approves_needs_account_roles(tmp_path: Path) -> None:
    from heritage.policy.loader import check, read_file

    default = Path(service.__file__).parent / "data" / "default.yaml"
    text = default.read_text(encoding="utf-8").replace(", user_roles: [board_member]", "")
    bad = tmp_path / "policy.yaml"
    bad.write_text(text, encoding="utf-8")
    problems = [str(p) for p in check(read_file(bad))]
    assert len(problems) == 1 and "role 'governing_body' approves deaccession_candidate but no account" in problems[0]
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(text.replace("user_roles: [conservator]", "user_roles: [janitor]"), encoding="utf-8")
    assert any("'janitor' is not one of" in str(p) for p in check(read_file(wrong)))
