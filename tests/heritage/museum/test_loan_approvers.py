"""A loan is approved by the people the policy names (`approvals.loan_out`, `approvals.loan_in`): an account that
may take none of the roles for every object is refused with the roles named and nothing changes; an older policy
without them leaves approval to the surfaces' registrars, as before."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from heritage.cli import main
from heritage.errors import BadRequest, Forbidden
from heritage.museum import loans
from heritage.policy.loader import default_document
from heritage.policy.store import apply_file
from heritage.runtime import Runtime
from tests.helpers import add_user
from tests.heritage.museum.builders import VENUE, World, world
from tests.heritage.policy import builders

pytestmark = pytest.mark.db

START = date.today() + timedelta(days=200)


def _loan(runtime: Runtime, w: World, direction: str = "out") -> int:
    """A loan of the painting and the model, whose checks pass (no override needed)."""
    with runtime.transaction() as session:
        return loans.create(
            session,
            direction=direction,
            party="Museum aan de Stroom",
            venue=VENUE if direction == "out" else "LEU-WET-ZAAL",
            date_from=START,
            date_to=START + timedelta(days=9),
            items=[w.painting, w.model],
            agent="registrar",
        ).id


@pytest.fixture
def w(runtime: Runtime) -> World:
    with runtime.transaction() as session:
        made = world(session)
    add_user(runtime, "registrar", "collection_manager", "central-archive")
    add_user(runtime, "archivaris", "archivist", "central-archive")
    add_user(runtime, "faculteit", "collection_manager", "faculty-science")
    return made


def _state(runtime: Runtime, loan_id: int) -> str:
    with runtime.sessions() as session:
        return loans.get_loan(session, loan_id).state


def test_only_the_policys_approvers_approve_a_loan_out(runtime: Runtime, w: World) -> None:
    loan_id = _loan(runtime, w)
    with runtime.sessions() as session:
        assert loans.approvers(session, loans.get_loan(session, loan_id)) == ("central_collection_manager",)
    for who in ("archivaris", "faculteit"):  # an archivist; a faculty's collection manager (not the central one)
        with runtime.transaction() as session, pytest.raises(Forbidden) as refused:
            loans.approve(session, loan_id, agent=who)
        assert f"{who} may not approve for {w.painting}, {w.model}" in str(refused.value)
        assert "central collection manager" in str(refused.value)  # in words, not the code
        assert refused.value.said.params["roles"] == "central_collection_manager"  # type: ignore[attr-defined]
    with runtime.transaction() as session, pytest.raises(BadRequest, match="'nobody' is not an account"):
        loans.approve(session, loan_id, agent="nobody")
    assert _state(runtime, loan_id) == "requested"
    with runtime.sessions() as session:
        assert [e.type for e in loans.history(session, loans.get_loan(session, loan_id))] == ["loan requested"]
    with runtime.transaction() as session:
        loans.approve(session, loan_id, agent="registrar")
    assert _state(runtime, loan_id) == "approved"


def test_a_loan_in_is_approved_by_the_receiving_units_collection_manager(runtime: Runtime, w: World) -> None:
    loan_id = _loan(runtime, w, "in")
    with runtime.transaction() as session, pytest.raises(Forbidden, match="to unit collection manager, central"):
        loans.approve(session, loan_id, agent="faculteit")  # the objects are the central archive's
    with runtime.transaction() as session:
        skull = builders.item(
            session, "zoology", "skull", domain="museum", material="mixed_museum_object", unit="faculty-science"
        )
        lent = loans.create(
            session,
            direction="in",
            party="Naturalis",
            venue="LEU-WET-ZAAL",
            date_from=START,
            date_to=START + timedelta(days=9),
            items=[skull.id],
            agent="faculteit",
        )
        assert loans.approvers(session, lent) == ("unit_collection_manager", "central_collection_manager")
        loans.approve(session, lent.id, agent="faculteit")  # the receiving unit's collection manager
    assert _state(runtime, lent.id) == "approved"
    with runtime.transaction() as session:
        loans.approve(session, loan_id, agent="registrar")
    assert _state(runtime, loan_id) == "approved"


def test_the_cli_refuses_an_approver_the_policy_does_not_name(runner: CliRunner, runtime: Runtime, w: World) -> None:
    loan_id = str(_loan(runtime, w))
    refused = runner.invoke(main, ["loans", "approve", loan_id, "--by", "archivaris"])
    assert refused.exit_code == 1 and "central collection manager" in refused.stderr
    assert _state(runtime, int(loan_id)) == "requested"
    assert runner.invoke(main, ["loans", "approve", loan_id, "--by", "registrar"]).exit_code == 0
    assert _state(runtime, int(loan_id)) == "approved"


def test_a_policy_without_loan_approvers_leaves_it_to_the_registrars(
    runtime: Runtime, w: World, tmp_path: Path
) -> None:
    data = copy.deepcopy(default_document().data)  # the shipped default is cached: leave it whole
    del data["approvals"]["loan_out"], data["approvals"]["loan_in"]
    data["policy"]["version"] = "0.9.0"
    older = tmp_path / "older.yaml"
    older.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with runtime.transaction() as session:
        apply_file(session, older, agent="els")
    loan_id = _loan(runtime, w)
    with runtime.transaction() as session:
        assert loans.approvers(session, loans.get_loan(session, loan_id)) == ()
        loans.approve(session, loan_id, agent="archivaris")
    assert _state(runtime, loan_id) == "approved"
