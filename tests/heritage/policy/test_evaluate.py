"""`heritage policy evaluate|apply|override|approve`: decisions stored with their policy version, overrides
and approvals as events, a malformed policy never applied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.models import Approval, Event, Item, PolicyDecision, PolicyVersion
from heritage.runtime import Runtime
from tests.helpers import add_user
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


@pytest.fixture
def catalogue(runtime: Runtime) -> dict[str, str]:
    """A faculty archive: a series of accounting records (two due for destruction), a held file, a scored object."""
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
        new = builders.item(
            session, "faculty", "F.1.2", parent=series, date_from=2022, date_to=2022, unit="faculty-science"
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
        obj = builders.item(
            session,
            "museum",
            "M1",
            domain="museum",
            significance={"historic": 1},
            flags=["duplicate"],
            material="metal",
        )
        return {"old": old.id, "new": new.id, "held": held.id, "object": obj.id, "series": series.id}


def test_evaluate_json_is_a_list_of_explained_decisions(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    result = runner.invoke(main, ["policy", "evaluate", "--json", "--today", "2026-06-15"])
    assert result.exit_code == 0, result.output
    decisions = {d["item"]: d for d in json.loads(result.stdout)}
    assert all(
        list(d) == ["item", "decision", "rule", "explanation", "inputs", "policy_version"] for d in decisions.values()
    )
    assert decisions[catalogue["old"]]["decision"] == "destroy_proposed"
    assert decisions[catalogue["old"]]["inputs"]["due"] == "2020-12-31"
    assert decisions[catalogue["new"]]["decision"] == "retain_until"
    assert decisions[catalogue["held"]]["decision"] == "frozen"
    assert decisions[catalogue["object"]]["decision"] == "deaccession_candidate"
    version = decisions[catalogue["old"]]["policy_version"]
    with runtime.sessions() as session:
        stored = session.get(PolicyDecision, catalogue["old"])
        assert stored is not None and (stored.decision, stored.policy_version) == ("destroy_proposed", version)
        assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "appraisal")) == len(
            decisions
        )
    one = runner.invoke(main, ["policy", "evaluate", "--item", catalogue["held"], "--json"])
    assert [d["decision"] for d in json.loads(one.stdout)] == ["frozen"]


def test_evaluate_names_an_unknown_collection(runner: CliRunner, catalogue: dict[str, str]) -> None:
    result = runner.invoke(main, ["policy", "evaluate", "--collection", "nope"])
    assert result.exit_code == 1 and "collection 'nope' does not exist" in result.output


def test_an_override_is_an_event_and_shows_in_the_decision(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    runner.invoke(main, ["policy", "evaluate"])
    result = runner.invoke(
        main,
        [
            "policy",
            "override",
            catalogue["object"],
            "retain_permanent",
            "--reason",
            "gift of the founder",
            "--by",
            "an",
        ],
    )
    assert result.exit_code == 0, result.output
    decision = json.loads(runner.invoke(main, ["policy", "evaluate", "--item", catalogue["object"], "--json"]).stdout)[
        0
    ]
    assert (decision["decision"], decision["rule"]) == ("retain_permanent", "override")
    assert (
        decision["inputs"]["engine_decision"] == "deaccession_candidate"
        and "gift of the founder" in decision["explanation"]
    )
    with runtime.sessions() as session:
        event = session.scalar(select(Event).where(Event.type == "policy override"))
        assert event is not None and (event.item_id, event.agent) == (catalogue["object"], "an")
    empty = runner.invoke(main, ["policy", "override", catalogue["object"], "frozen", "--reason", "  "])
    assert empty.exit_code == 1 and "needs a reason" in empty.output
    wrong = runner.invoke(main, ["policy", "override", catalogue["object"], "burn", "--reason", "x"])
    assert wrong.exit_code == 1 and "decision 'burn': one of" in wrong.output


def test_destruction_needs_two_distinct_people_in_the_roles_the_policy_names(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str]
) -> None:
    add_user(runtime, "dean", "collection_manager", "faculty-science")
    add_user(runtime, "archivist", "archivist", "central-archive")
    runner.invoke(main, ["policy", "evaluate"])
    item = catalogue["old"]
    not_proposed = runner.invoke(
        main, ["policy", "approve", catalogue["new"], "--role", "university_archivist", "--by", "archivist"]
    )
    assert not_proposed.exit_code == 1 and "no destruction or deaccession proposal" in not_proposed.output
    wrong_role = runner.invoke(main, ["policy", "approve", item, "--role", "conservator", "--by", "archivist"])
    assert wrong_role.exit_code == 1 and "creator_unit_head, university_archivist" in wrong_role.output
    typed = runner.invoke(main, ["policy", "approve", item, "--role", "creator_unit_head", "--by", "the dean"])
    assert typed.exit_code == 1 and "'the dean' is not an account" in typed.output
    first = runner.invoke(main, ["policy", "approve", item, "--role", "creator_unit_head", "--by", "dean"])
    assert first.exit_code == 0 and "still needed: university_archivist" in first.output
    second = runner.invoke(main, ["policy", "approve", item, "--role", "university_archivist", "--by", "archivist"])
    assert second.exit_code == 0 and "approved by every role" in second.output
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Approval).where(Approval.subject == item)) == 2
        assert (
            session.scalar(select(Event).where(Event.type == "destruction approved", Event.item_id == item)) is not None
        )
        assert session.get(Item, item) is not None  # the engine and the approvals never destroy anything


def test_a_collection_override_changes_decisions_and_their_version(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path
) -> None:
    override = tmp_path / "museum.yaml"
    override.write_text(
        "schema: heritage-policy-override/1\npolicy: {id: museum-rules, version: 1.0.0}\n"
        "deaccession: {candidate_below: 5}\n",
        encoding="utf-8",
    )
    applied = runner.invoke(main, ["policy", "apply", str(override), "--collection", "museum", "--by", "registrar"])
    assert applied.exit_code == 0 and "now in force for collection:museum" in applied.output
    decision = json.loads(runner.invoke(main, ["policy", "evaluate", "--item", catalogue["object"], "--json"]).stdout)[
        0
    ]
    assert decision["decision"] == "review_now"  # SI 6.7 is no longer below the museum's threshold of 5: a review now
    assert "+collection:museum@1.0.0#" in decision["policy_version"]
    override.write_text(override.read_text().replace("candidate_below: 5", "candidate_below: 8"), encoding="utf-8")
    clash = runner.invoke(main, ["policy", "apply", str(override), "--collection", "museum"])
    assert clash.exit_code == 1 and "a changed policy needs a new version" in clash.output
    assert f"{override}:2:" in clash.output


def test_a_malformed_policy_is_not_applied(
    runner: CliRunner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path
) -> None:
    runner.invoke(main, ["policy", "versions"])
    with runtime.sessions() as session:
        before = session.scalar(select(func.count()).select_from(PolicyVersion))
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema: heritage-policy-override/1\npolicy: {id: x, version: 2.0.0}\n"
        "significance:\n  thresholds: {retain_permanent_core: high}\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["policy", "apply", str(bad)])
    assert (
        result.exit_code == 1
        and f"{bad}:4: significance.thresholds.retain_permanent_core: 'high' is not of type 'number'" in result.output
    )
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PolicyVersion)) == before
