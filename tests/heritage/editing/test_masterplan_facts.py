"""The masterplan's facts on the record (issue 16, "Facts on the record"): significance per RCE criterion,
statement, material, light category, flags, hazards, series, trigger dates and size, edited through the one
editing service (revision, event, version, history, revert), checked against the policy in force, and the item
evaluated again in the same transaction so that its stored decision says what the new facts mean."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from heritage.cli import main
from heritage.editing import history, revert, update_item, values_of
from heritage.errors import BadRequest, StaleVersion
from heritage.models import Event, Item, PolicyDecision, Revision
from heritage.policy.service import evaluate
from heritage.runtime import Runtime
from tests.heritage.editing.conftest import viewer

pytestmark = pytest.mark.db

ALL_HIGH = {
    "historic": "high",
    "artistic": "high",
    "scientific_research_informative": "high",
    "history_of_science_university": "high",
    "social_spiritual_community": "high",
    "experience_aesthetic": "high",
    "use_teaching_research": "high",
    "use_exhibition_public": "high",
}


def _save(runtime: Runtime, item_id: str, values: dict[str, Any], base: int | None = None, who: str = "els") -> Any:
    with runtime.transaction() as session:
        return update_item(session, item_id, values, viewer=viewer(runtime, who), agent=who, base_version=base)


def _decision(runtime: Runtime, item_id: str) -> PolicyDecision | None:
    with runtime.sessions() as s:
        return s.get(PolicyDecision, item_id)


def _attributes(runtime: Runtime, item_id: str) -> dict[str, Any]:
    with runtime.sessions() as s:
        return dict(s.get(Item, item_id).attributes or {})


def _evaluated(runtime: Runtime) -> None:
    with runtime.transaction() as s:
        evaluate(s)


def test_a_significance_assessment_is_stored_and_decides_at_once(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    _evaluated(runtime)
    before = _decision(runtime, item_id)
    assert before is not None and before.rule == "significance.unscored"
    saved = _save(
        runtime,
        item_id,
        {"masterplan.significance": ALL_HIGH, "masterplan.significance_statement": "Het enige reglement."},
        base=1,
    )
    assert saved.revision == 1 and saved.version == 2
    assert [c.field for c in saved.changes] == [
        "masterplan.significance",
        "masterplan.significance_statement",
        "masterplan.appraised_on",
    ]
    attrs = _attributes(runtime, item_id)
    assert attrs["significance"] == dict.fromkeys(ALL_HIGH, 3)  # stored 3/2/1/0
    assert attrs["significance_statement"] == "Het enige reglement."
    assert attrs["appraised_on"] == date.today().isoformat()  # set to today: no date was given
    after = _decision(runtime, item_id)
    assert after is not None and after.decision == "retain_permanent" and after.rule == "significance.core"
    assert "significance index" in after.explanation
    with runtime.sessions() as s:
        assert values_of(s.get(Item, item_id))["masterplan.significance"] == ALL_HIGH
        event = s.scalar(select(Event).where(Event.type == "metadata_modification", Event.item_id == item_id))
        assert event.data["fields"] == [c.field for c in saved.changes]


def test_a_given_assessment_date_is_kept(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    _save(
        runtime,
        item_id,
        {"masterplan.significance": {"historic": 2, "artistic": "none"}, "masterplan.appraised_on": "2020-05-01"},
    )
    assert _attributes(runtime, item_id)["appraised_on"] == "2020-05-01"
    assert _attributes(runtime, item_id)["significance"] == {"historic": 2, "artistic": 0}
    with runtime.sessions() as s:
        assert values_of(s.get(Item, item_id))["masterplan.significance"] == {"historic": "medium", "artistic": "none"}


def test_every_fact_is_stored_where_the_rules_read_it(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    _save(
        runtime,
        item_id,
        {
            "masterplan.material": "paper_archive",
            "masterplan.light_category": "high",
            "masterplan.flags": ["topstuk_listed", "donor_restriction"],
            "masterplan.hazards": ["formaldehyde"],
            "masterplan.series": "EDU-01",
            "masterplan.dates": {"closing": "1921-06-30"},
            "masterplan.size": {"linear_m": "0,4", "drawers": 2},
            "masterplan.modifiers": {"rarity_representativeness": "rare"},
        },
    )
    attrs = _attributes(runtime, item_id)
    assert attrs["material"] == "paper_archive" and attrs["light_category"] == "high"
    assert attrs["flags"] == ["donor_restriction", "topstuk_listed"] and attrs["hazards"] == ["formaldehyde"]
    assert attrs["series"] == "EDU-01" and attrs["dates"] == {"closing": "1921-06-30"}
    assert attrs["size"] == {"linear_m": 0.4, "drawers": 2}
    assert attrs["modifiers"] == {"rarity_representativeness": "rare"}
    decision = _decision(runtime, item_id)
    assert decision is not None and decision.rule != "significance.unscored"  # the flags decide now


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"masterplan.material": "kryptonite"}, "masterplan.material: 'kryptonite' is not a material type"),
        ({"masterplan.significance": {"historic": 4}}, "masterplan.significance: historic: 4 is not high, medium"),
        ({"masterplan.significance": {"beauty": "high"}}, "masterplan.significance: 'beauty' is not a criterion"),
        ({"masterplan.flags": ["precious"]}, "masterplan.flags: 'precious' is not a flag"),
        ({"masterplan.dates": {"closing": "30-06-1921"}}, "masterplan.dates: closing: '30-06-1921' is not a date"),
        ({"masterplan.light_category": "dim"}, "masterplan.light_category: 'dim' is not a light category"),
        ({"masterplan.series": "XX-99"}, "masterplan.series: 'XX-99' is not a selection-list series"),
        ({"masterplan.size": {"linear_m": "a lot"}}, "masterplan.size: linear_m: 'a lot' is not a number"),
        ({"masterplan.appraised_on": "yesterday"}, "masterplan.appraised_on: 'yesterday' is not a date"),
    ],
)
def test_refused_values_name_the_field_and_store_nothing(
    runtime: Runtime, catalogue: dict[str, str], values: dict[str, Any], says: str
) -> None:
    item_id = catalogue["F1.1.1"]
    with pytest.raises(BadRequest) as refused:
        _save(runtime, item_id, {"title": "Changed too", **values}, base=1)
    assert says in str(refused.value) and refused.value.field == next(iter(values))
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item.version == 1 and item.title != "Changed too" and not item.attributes
        assert s.scalar(select(Revision).where(Revision.item_id == item_id)) is None


def test_a_legal_hold_is_added_but_not_lifted_by_an_edit(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    _save(runtime, item_id, {"masterplan.flags": ["legal_hold"]})
    decision = _decision(runtime, item_id)
    assert decision is not None and "legal_hold" in decision.explanation
    for flags in ([], ["topstuk_listed"]):
        with pytest.raises(BadRequest) as refused:
            _save(runtime, item_id, {"masterplan.flags": flags})
        assert str(refused.value) == (
            "masterplan.flags: lifting a legal hold is done by an administrator with a reason: "
            f"heritage policy lift-hold {item_id} --reason ..."
        )
    assert _attributes(runtime, item_id)["flags"] == ["legal_hold"]
    _save(runtime, item_id, {"masterplan.flags": ["legal_hold", "topstuk_listed"]})  # adding beside it is fine
    assert _attributes(runtime, item_id)["flags"] == ["legal_hold", "topstuk_listed"]


def test_a_stale_version_is_refused_for_facts_too(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    _save(runtime, item_id, {"masterplan.material": "paper_archive"}, base=1)
    with pytest.raises(StaleVersion) as stale:
        _save(runtime, item_id, {"masterplan.material": "textile"}, base=1)
    assert stale.value.theirs["masterplan.material"] == "paper_archive"
    assert _attributes(runtime, item_id)["material"] == "paper_archive"


def test_history_shows_the_change_and_revert_restores_and_reevaluates(
    runtime: Runtime, catalogue: dict[str, str]
) -> None:
    item_id = catalogue["F1.1.1"]
    _save(runtime, item_id, {"masterplan.material": "paper_archive"})
    _save(runtime, item_id, {"masterplan.significance": ALL_HIGH})
    assert _decision(runtime, item_id).decision == "retain_permanent"  # type: ignore[union-attr]
    with runtime.sessions() as s:
        newest = history(s, item_id)[0]
    assert newest.changes[0].as_dict() == {"field": "masterplan.significance", "before": {}, "after": ALL_HIGH}
    with runtime.transaction() as s:
        saved = revert(s, item_id, 1, viewer=viewer(runtime, "els"), agent="els")
    assert {c.field for c in saved.changes} == {"masterplan.significance", "masterplan.appraised_on"}
    attrs = _attributes(runtime, item_id)
    assert "significance" not in attrs and "appraised_on" not in attrs and attrs["material"] == "paper_archive"
    decision = _decision(runtime, item_id)
    assert decision is not None and decision.rule == "significance.unscored"


def test_a_series_set_on_a_series_reevaluates_its_parts(runtime: Runtime, catalogue: dict[str, str]) -> None:
    _evaluated(runtime)
    assert _decision(runtime, catalogue["F1.1.1"]).rule == "significance.unscored"  # type: ignore[union-attr]
    _save(runtime, catalogue["F1.1"], {"masterplan.flags": ["legal_hold"]})
    part = _decision(runtime, catalogue["F1.1.1"])
    assert part is not None and "legal_hold" in part.explanation  # the hold on the series holds its files


def _sheet(path: Path, header: list[str], *rows: list[str]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_the_csv_update_sets_facts_by_column(  # type: ignore[no-untyped-def]
    runner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path
) -> None:
    item_id = catalogue["F1.1.1"]
    header = [
        "heritage_id",
        "masterplan.material",
        "masterplan.significance.historic",
        "masterplan.significance.artistic",
        "masterplan.flags",
        "masterplan.series",
        "masterplan.dates.closing",
        "masterplan.size.linear_m",
    ]
    flags = "topstuk_listed; donor_restriction"
    sheet = _sheet(
        tmp_path / "facts.csv",
        header,
        [item_id, "paper_archive", "high", "medium", flags, "EDU-01", "1921-06-30", "0.4"],
    )
    result = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert result.exit_code == 0, result.output
    assert "masterplan.material: (empty) -> 'paper_archive'" in result.output
    attrs = _attributes(runtime, item_id)
    assert attrs["material"] == "paper_archive" and attrs["significance"] == {"historic": 3, "artistic": 2}
    assert attrs["flags"] == ["donor_restriction", "topstuk_listed"] and attrs["series"] == "EDU-01"
    assert attrs["dates"] == {"closing": "1921-06-30"} and attrs["size"] == {"linear_m": 0.4}
    assert attrs["appraised_on"] == date.today().isoformat()
    assert _decision(runtime, item_id) is not None  # evaluated on save
    again = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert again.exit_code == 0 and "updated 0 item(s)" in again.output  # the same cells change nothing


@pytest.mark.parametrize(
    ("column", "cell", "says"),
    [
        ("masterplan.material", "kryptonite", "masterplan.material: 'kryptonite' is not a material type"),
        ("masterplan.significance.historic", "4", "masterplan.significance: historic: '4' is not high"),
        ("masterplan.flags", "legal_hold; precious", "masterplan.flags: 'precious' is not a flag"),
        ("masterplan.dates.closing", "someday", "masterplan.dates: closing: 'someday' is not a date"),
    ],
)
def test_the_csv_update_refuses_bad_cells_by_file_and_line(  # type: ignore[no-untyped-def]
    runner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path, column: str, cell: str, says: str
) -> None:
    sheet = _sheet(
        tmp_path / "bad.csv",
        ["heritage_id", "title", column],
        [catalogue["F1.1.2"], "Still fine", ""],
        [catalogue["F1.1.1"], "Changed", cell],
    )
    result = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert result.exit_code == 1
    assert f"{sheet}:3: {says}" in result.output
    with runtime.sessions() as s:
        assert s.scalar(select(Revision)) is None
        assert not s.get(Item, catalogue["F1.1.1"]).attributes


def test_a_csv_cannot_lift_a_legal_hold(runner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    item_id = catalogue["F1.1.1"]
    _save(runtime, item_id, {"masterplan.flags": ["legal_hold"]})
    sheet = _sheet(tmp_path / "lift.csv", ["heritage_id", "masterplan.flags"], [item_id, ""])
    result = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert result.exit_code == 1 and f"{sheet}:2: masterplan.flags: lifting a legal hold" in result.output
    assert _attributes(runtime, item_id)["flags"] == ["legal_hold"]


def test_a_new_item_may_carry_facts_and_is_evaluated(runtime: Runtime, catalogue: dict[str, str]) -> None:
    from heritage.editing import create_item

    with runtime.transaction() as s:
        saved = create_item(
            s,
            parent_id=catalogue["F1.1"],
            values={"title": "Nieuw dossier", "masterplan.flags": ["legal_hold"], "masterplan.material": "textile"},
            viewer=viewer(runtime, "els"),
            agent="els",
        )
    attrs = _attributes(runtime, saved.item_id)
    assert attrs["flags"] == ["legal_hold"] and attrs["material"] == "textile"
    decision = _decision(runtime, saved.item_id)
    assert decision is not None and "legal_hold" in decision.explanation
    with pytest.raises(BadRequest), runtime.transaction() as s:
        create_item(
            s,
            parent_id=catalogue["F1.1"],
            values={"title": "Fout", "masterplan.material": "kryptonite"},
            viewer=viewer(runtime, "els"),
            agent="els",
        )


def test_the_choices_are_those_of_the_policy_in_force_for_the_item(
    runtime: Runtime, catalogue: dict[str, str], tmp_path: Path
) -> None:
    from heritage.policy.store import apply_file

    item_id = catalogue["F1.1.1"]
    override = tmp_path / "pedel.yaml"
    override.write_text(
        "schema: heritage-policy-override/1\npolicy: {id: pedel-rules, version: 1.0.0}\n"
        "material_types:\n  - id: wax_moulage\n    label: Wax moulages\n"
        "    env: {t: [15, 20], rh: [40, 55]}\n    light_category: medium\n",
        encoding="utf-8",
    )
    with runtime.transaction() as s:
        who = viewer(runtime, "els")
        update_item(s, item_id, {"masterplan.material": "paper_archive"}, viewer=who, agent="els", base_version=None)
        with pytest.raises(BadRequest):  # not a material of the default policy
            update_item(s, item_id, {"masterplan.material": "wax_moulage"}, viewer=who, agent="els", base_version=None)
        apply_file(s, override, collection="pedel", agent="els")
        update_item(s, item_id, {"masterplan.material": "wax_moulage"}, viewer=who, agent="els", base_version=None)
    assert _attributes(runtime, item_id)["material"] == "wax_moulage"


@pytest.mark.parametrize(
    "header",
    [
        ["heritage_id", "masterplan.significance", "masterplan.significance.historic"],
        ["heritage_id", "masterplan.significance.historic", "masterplan.significance"],
    ],
)
def test_a_fact_set_whole_and_by_part_is_refused(  # type: ignore[no-untyped-def]
    runner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path, header: list[str]
) -> None:
    sheet = _sheet(tmp_path / "twice.csv", header, [catalogue["F1.1.1"], "historic: high", "low"])
    result = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert result.exit_code == 1 and f"{sheet}:1: columns" in result.output
    assert "both set masterplan.significance" in result.output


def test_a_whole_fact_column_reads_name_value_pairs(  # type: ignore[no-untyped-def]
    runner, runtime: Runtime, catalogue: dict[str, str], tmp_path: Path
) -> None:
    item_id = catalogue["F1.1.1"]
    sheet = _sheet(
        tmp_path / "whole.csv",
        ["heritage_id", "masterplan.significance", "masterplan.dates"],
        [item_id, "historic: high; artistic: none", "closing: 1921-06-30"],
    )
    result = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert result.exit_code == 0, result.output
    attrs = _attributes(runtime, item_id)
    assert attrs["significance"] == {"historic": 3, "artistic": 0} and attrs["dates"] == {"closing": "1921-06-30"}
    bad = _sheet(tmp_path / "bad.csv", ["heritage_id", "masterplan.dates"], [item_id, "1921-06-30"])
    refused = runner.invoke(main, ["catalogue", "update", str(bad)])
    assert refused.exit_code == 1 and f"{bad}:2: masterplan.dates: '1921-06-30' is not name: value" in refused.output


def test_a_revert_does_not_lift_a_legal_hold_either(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    _save(runtime, item_id, {"masterplan.material": "paper_archive"})
    _save(runtime, item_id, {"masterplan.flags": ["legal_hold"]})
    with pytest.raises(BadRequest) as refused, runtime.transaction() as s:
        revert(s, item_id, 1, viewer=viewer(runtime, "els"), agent="els")
    assert "lifting a legal hold is done by an administrator" in str(refused.value)
    assert _attributes(runtime, item_id)["flags"] == ["legal_hold"]
