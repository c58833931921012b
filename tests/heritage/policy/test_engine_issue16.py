"""Issue 16, priorities and appraisal: hard-ruled items keep their significance and "copy first" tops the
digitisation queue; the queue ranks digitisation units and says "rescan"; a selection list does not judge
the historical archive from before its validity; "review now" is not "review later"; the default policy
carries the masterplan's figures."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.access import AccessFacts, Viewer, download_edge
from heritage.cli import main
from heritage.closure import current_rules
from heritage.models import File, FileRole
from heritage.policy import service
from heritage.policy.engine import DECISIONS, Facts, decide, priority
from heritage.policy.loader import SCHEMA_FILE, default_document, merge
from heritage.policy.model import Policy, compile_policy
from heritage.policy.reports import digitisation_queue
from heritage.runtime import Runtime
from tests.helpers import make_image
from tests.heritage.policy import builders

TODAY = date(2026, 6, 15)
FABRICA = {
    "historic": 2,
    "artistic": 1,
    "scientific_research_informative": 2,
    "history_of_science_university": 2,
    "use_teaching_research": 2,
}
NITRATE = {"historic": 3, "history_of_science_university": 2, "use_exhibition_public": 2}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return compile_policy(default_document().data)


def test_a_protected_masterpiece_keeps_its_significance(policy: Policy) -> None:
    """The Fabrica (topstuk_listed) scored 0.0 in the digitisation queue."""
    facts = Facts("fabrica", flags=frozenset({"topstuk_listed"}), significance=FABRICA, requests_per_year=40)
    d = decide(policy, facts, TODAY)
    assert (d.decision, d.rule) == ("retain_permanent", "protected")
    assert d.significance == 47.3
    p = priority(policy, facts, d.significance)
    assert p.factors["significance"] == 0.473


def test_copy_first_puts_the_nitrate_film_at_the_top(policy: Policy) -> None:
    """The nitrate film told "copy first" ranked 34th."""
    nitrate = Facts(
        "nitrate",
        material="film_nitrate",
        unsafe_hazards=("flammable_solid_nitrate",),
        location="LEU-CD-R1",
        significance=NITRATE,
        deterioration="active_decay",
    )
    d = decide(policy, nitrate, TODAY)
    assert (d.decision, d.rule, d.significance) == ("urgent_review", "hazard_without_safe_storage", 34.0)
    p = priority(policy, nitrate, d.significance)
    assert (p.score, p.first, p.factors["copy_first"]) == (100.0, "hazard_without_safe_storage", 1.0)
    assert p.factors["weighted_score"] < 100.0 and p.factors["significance"] == 0.34
    busiest = priority(
        policy,
        Facts("b", deterioration="active_decay", requests_per_year=50, fragile=True, rights_class="public_domain"),
        100.0,
    )
    assert busiest.score is not None and busiest.score < p.score
    stored_safely = priority(policy, Facts("n2", material="film_nitrate", significance=NITRATE), 34.0)
    assert stored_safely.first is None and stored_safely.score is not None and stored_safely.score < 100.0


def test_only_digitisation_units_are_ranked(policy: Policy) -> None:
    for level in ("fonds", "series", "collection"):
        assert priority(policy, Facts("x", level=level), None).gate == "not_a_digitisation_unit"
    for level in ("file", "item", "volume", "object", "specimen"):
        assert priority(policy, Facts("x", level=level), None).score is not None
    everything = compile_policy(merge(default_document().data, {"digitisation_priority": {"units": []}}))
    assert priority(everything, Facts("x", level="fonds"), None).score is not None


def test_failed_scans_are_ranked_for_a_rescan(policy: Policy) -> None:
    failed = priority(policy, Facts("x", level="file", failed_scans=True), None)
    assert failed.rescan and failed.factors["rescan"] == 1.0 and failed.score is not None
    fine = priority(policy, Facts("x", level="file"), None)
    assert not fine.rescan and "rescan" not in fine.factors


STUDENT_FILE_1903 = {"deregistration": date(1903, 12, 31), "closing": date(1903, 12, 31)}


def test_a_selection_list_does_not_judge_the_historical_archive_before_its_validity(policy: Policy) -> None:
    """1903 student files in the historical archive got "review overdue" from a modern selection list."""
    old = decide(policy, Facts("s", series="EDU-04", dates=STUDENT_FILE_1903, transferred=True), TODAY)
    assert (old.decision, old.rule) == ("retain_permanent", "selection_list.historical_archive")
    assert old.inputs["valid_from"] == "2018-05-25" and "does not judge it" in old.explanation
    # the same file still with its creator is judged (it must be appraised before any transfer)
    held = decide(policy, Facts("s", series="EDU-04", dates=STUDENT_FILE_1903), TODAY)
    assert (held.decision, held.rule, held.due) == ("review_at", "selection_list.S", date(1905, 12, 31))
    # a record closed under the list is judged by it, wherever it is kept
    modern = {"deregistration": date(2020, 6, 30)}
    new = decide(policy, Facts("s", series="EDU-04", dates=modern, transferred=True), TODAY)
    assert (new.decision, new.rule) == ("review_at", "selection_list.S")
    # a V row too; a B row keeps the item as before
    exams = decide(policy, Facts("e", series="EDU-01", dates={"end_of_academic_year": date(1950, 9, 30)}), TODAY)
    assert exams.decision == "destroy_proposed"
    archived = decide(
        policy,
        Facts("e", series="EDU-01", dates={"end_of_academic_year": date(1950, 9, 30)}, transferred=True),
        TODAY,
    )
    assert archived.rule == "selection_list.historical_archive"
    minutes = decide(policy, Facts("m", series="GOV-01", dates={"closing": date(1903, 1, 1)}, transferred=True), TODAY)
    assert (minutes.decision, minutes.rule) == ("retain_permanent", "selection_list.B")


def test_a_row_no_longer_in_force_does_not_judge_later_records(policy: Policy) -> None:
    rows = [{"series_id": "FIN-01", "retention": "P10Y", "disposition": "V", "valid_to": "2000-12-31"}]
    superseded = compile_policy(merge(default_document().data, {"retention_schedule": {"rows": rows}}))
    later = decide(superseded, Facts("f", series="FIN-01", dates={"closing": date(2005, 1, 1)}), TODAY)
    assert later.rule.startswith("significance.")
    earlier = decide(superseded, Facts("f", series="FIN-01", dates={"closing": date(1995, 1, 1)}), TODAY)
    assert (earlier.decision, earlier.rule) == ("destroy_proposed", "selection_list.V")


def test_review_now_and_review_later_are_distinct(policy: Policy) -> None:
    later = decide(policy, Facts("l", significance=FABRICA, appraised_on=date(2024, 1, 1)), TODAY)
    assert (later.decision, later.due) == ("review_at", date(2034, 1, 1))
    for facts in (
        Facts("u"),
        Facts("c", significance={"historic": 3, "artistic": 2, "scientific_research_informative": 1}),
        Facts("w", significance={"historic": 1}),
        Facts("t", series="HR-01"),
    ):
        now = decide(policy, facts, TODAY)
        assert (now.decision, now.due) == ("review_now", TODAY), now.rule
    assert {"review_at", "review_now"} <= set(DECISIONS)
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$defs"]["decision"]["enum"] == list(DECISIONS)


def test_the_default_policy_carries_the_masterplan_figures(policy: Policy) -> None:
    assert policy.materials["metal"].rh == (30.0, 40.0)  # at most 40 % RH, not 45
    assert policy.materials["furniture_wood"].rh == (40.0, 60.0)  # the EN 15757 fallback, not 40-65
    assert policy.materials["mineral_pyritic"].rh is not None and policy.materials["mineral_pyritic"].rh[1] <= 40
    for material in ("photo_print_colour", "film_colour_acetate"):
        assert policy.materials[material].t == (-18.0, -5.0) and policy.materials[material].rh == (30.0, 40.0)
        assert policy.materials[material].light_category == "high"
    assert policy.materials["herbarium_sheet"].rh == (40.0, 55.0)
    assert policy.materials["optical_disc"].t == (15.0, 20.0)
    assert policy.materials["digital_carrier"].obsolescence_risk == "high"
    document = policy.document
    assert set(document["ashrae_control_classes"]) == {"AA", "A1", "A2", "B", "C", "D"}
    assert document["ashrae_control_classes"]["C"]["rh_band"] == [25, 75]
    pests = document["pest_protocols"]
    assert {"id": "fast", "t": -30, "duration": "PT72H", "evidence": "V", "ref": "2a"} in pests["freeze"]
    assert pests["quarantine_on_entry"]["herbarium_sheet"] == "fast"
    assert "magnetic_tape_polyester" in pests["never_freeze"]


def test_orphan_works_are_online_at_full_resolution() -> None:
    """Orphan works were capped at 800 px online; the masterplan caps only third-party in-copyright works."""
    rules = current_rules()
    public, item = Viewer(), AccessFacts("x", None, "public", None)

    def edge(uri: str) -> int:
        return download_edge(public, item, uri, rules.download_limits, rules.download_default)

    assert edge("http://rightsstatements.org/vocab/InC-OW-EU/1.0/") == rules.download_default
    assert edge("http://rightsstatements.org/vocab/NoC-NC/1.0/") == rules.download_default
    assert edge("http://rightsstatements.org/vocab/InC/1.0/") == 800


@pytest.mark.db
def test_the_queue_on_a_catalogue(runtime: Runtime, tmp_path: Path) -> None:
    """Evaluated and ranked from the database: a fonds is not ranked beside its files; a nitrate film in
    the paper store is copied first; a file whose master failed the guideline says rescan; a 1903 student
    file in the central archive is kept."""
    scan = make_image(tmp_path / "r1.tif", fmt="TIFF")
    data = scan.read_bytes()
    sha256, md5 = hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()
    key = runtime.storage.put_master(scan, sha256)
    with runtime.transaction() as session:
        places = builders.tree(session)
        fonds = builders.item(session, "rector", "R", level="fonds", location=places["paper"])
        series = builders.item(session, "rector", "R.4", parent=fonds, level="series", series="EDU-04")
        student = builders.item(session, "rector", "R.4.1", parent=series, date_from=1898, date_to=1903)
        lent = builders.item(session, "rector", "R.4.2", parent=series, date_from=1898, date_to=1903, custody="creator")
        scanned = builders.item(session, "rector", "R.1", parent=fonds, level="file", requests_per_year=12)
        film = builders.item(
            session,
            "rector",
            "R.6.1",
            parent=fonds,
            level="item",
            material="film_nitrate",
            significance=NITRATE,
            deterioration="active_decay",
        )
        session.add(
            File(
                id="f-failed",
                item_id=scanned.id,
                role=FileRole.MASTER.value,
                original_name="r1.tif",
                storage_key=key,
                sha256=sha256,
                md5=md5,
                size=len(data),
                quality={"passed": False, "problems": ["resolution below the guideline"]},
                derivatives_ready=True,
            )
        )
        ids = {"fonds": fonds.id, "student": student.id, "lent": lent.id, "scanned": scanned.id, "film": film.id}
    with runtime.transaction() as session:
        decisions = {d.item: d for d in service.evaluate(session, today=TODAY)}
        queue = digitisation_queue(session)
    assert (decisions[ids["student"]].decision, decisions[ids["student"]].rule) == (
        "retain_permanent",
        "selection_list.historical_archive",
    )
    # `custody: creator` says the file never reached the historical archive: the list judges it
    assert decisions[ids["lent"]].rule == "selection_list.S"
    rows = {r["item"]: r for r in queue}
    assert ids["fonds"] not in rows
    assert queue[0]["item"] == ids["film"] and queue[0]["action"] == "copy_first" and queue[0]["significance"] == 34.0
    assert (rows[ids["scanned"]]["rescan"], rows[ids["scanned"]]["action"], rows[ids["scanned"]]["level"]) == (
        True,
        "rescan",
        "file",
    )
    runner = CliRunner(env={**runtime.settings.as_env(), "REDIS_URL": ""})
    text = runner.invoke(main, ["policy", "digitisation"])
    assert text.exit_code == 0 and text.output.splitlines()[0].endswith("(copy first)"), text.output
    assert any(line.endswith("(rescan)") and ids["scanned"] in line for line in text.output.splitlines())
    result = runner.invoke(main, ["policy", "digitisation", "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)[0]
    assert {"item", "title", "collection", "priority", "factors"} <= set(first)
    assert {"level", "rescan", "copy_first", "significance", "action"} <= set(first)
