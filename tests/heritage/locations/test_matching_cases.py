"""The location-matching bugs of issue 16, each under the case that showed it: capacity compared in unlike
units, no sensor tolerance, setpoint-only rooms scored as measured ones, the least bad listed alphabetically,
no floor load; and the ethics approval human remains need before display."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Location
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


def _suggest(runner: CliRunner, item: str) -> dict[str, Any]:
    result = runner.invoke(main, ["locations", "suggest", item, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _rooms(session: Any, **rooms: dict[str, Any]) -> dict[str, Location]:
    builders.catalogue.ensure_unit(session, "central-archive", "Universiteitsarchief", kind="central_archive")
    site = builders.location(session, "S", kind="site")
    building = builders.location(session, "S-B", site, kind="building", unit="central-archive", security_level="S3")
    return {code: builders.location(session, code, building, **attrs) for code, attrs in rooms.items()}


def test_five_km_of_paper_is_not_suggested_for_a_depot_counted_in_drawers(runner: CliRunner, runtime: Runtime) -> None:
    paper = {"functions": ["storage"], "env_setpoint": {"t": 16, "rh": 48}}
    with runtime.transaction() as session:
        _rooms(
            session,
            **{
                "DRAWERS": {**paper, "capacity": {"drawers": 400}, "used": {"drawers": 10}},
                "BOXES": {**paper, "capacity": {"m3": 800}, "used": {"m3": 100}},
                "SHELVES": {**paper, "capacity": {"linear_m": 6000}, "used": {"linear_m": 500}},
            },
        )
        item = builders.item(session, "archive", "A1", material="paper_archive", size={"linear_m": 5000})
    result = _suggest(runner, item.id)
    rejected = {r["location"]: r for r in result["rejected"]}
    assert rejected["DRAWERS"]["reasons"] == [
        "capacity counted in drawers; the item's extent 5,000 linear_m cannot be compared"
    ]
    assert rejected["DRAWERS"]["rules"] == ["capacity_units"]
    # 5,000 linear_m are 500 m3 of standard archive boxes (units.toml): 700 m3 are free
    boxes = next(c for c in result["candidates"] if c["location"] == "BOXES")
    assert any("5,000 linear_m counted as 500 m3 (standard archive boxes" in r for r in boxes["reasons"])
    assert "SHELVES" in [c["location"] for c in result["candidates"]]


def test_a_converted_extent_that_does_not_fit_is_refused(runner: CliRunner, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        _rooms(
            session,
            BOXES={"functions": ["storage"], "env_setpoint": {"t": 16, "rh": 48}, "capacity": {"m3": 300}},
        )
        item = builders.item(session, "archive", "A1", material="paper_archive", size={"linear_m": 5000})
    (rejected,) = _suggest(runner, item.id)["rejected"]
    assert rejected["reasons"] == ["not enough room: m3 300 free, 500 needed"]


def test_a_logger_p5_of_39_9_passes_a_40_to_60_band_within_the_sensor_tolerance(
    runner: CliRunner, runtime: Runtime
) -> None:
    room = {"functions": ["storage"], "env_setpoint": {"t": 18, "rh": 50}}
    with runtime.transaction() as session:
        _rooms(
            session,
            JUST={**room, "measured": {"t_p5": 17.0, "t_p95": 20.0, "rh_p5": 39.9, "rh_p95": 55.0}},
            DRY={**room, "measured": {"t_p5": 17.0, "t_p95": 20.0, "rh_p5": 38.5, "rh_p95": 55.0}},
        )
        item = builders.item(session, "museum", "M1", domain="museum", material="mixed_museum_object")
    result = _suggest(runner, item.id)
    (just,) = result["candidates"]
    assert just["location"] == "JUST"
    assert "RH 39.9-55 % (measured P5-P95) is within the 1 % sensor tolerance of 40-60 %" in just["reasons"]
    (dry,) = result["rejected"]
    assert dry["reasons"] == ["RH 38.5-55 % (measured P5-P95) is outside 40-60 % for mixed_museum_object"]


def test_the_sensor_tolerance_is_the_policys(runner: CliRunner, runtime: Runtime, tmp_path) -> None:
    override = tmp_path / "strict.yaml"
    override.write_text(
        "schema: heritage-policy-override/1\npolicy: {id: strict, version: 1.0.0}\n"
        "matching: {sensor_tolerance: {rh: 0}}\n",
        encoding="utf-8",
    )
    room = {"functions": ["storage"], "env_setpoint": {"t": 18, "rh": 50}}
    with runtime.transaction() as session:
        _rooms(session, JUST={**room, "measured": {"t_p5": 17.0, "t_p95": 20.0, "rh_p5": 39.9, "rh_p95": 55.0}})
        item = builders.item(session, "museum", "M1", domain="museum", material="mixed_museum_object")
    applied = runner.invoke(main, ["policy", "apply", str(override), "--collection", "museum", "--by", "registrar"])
    assert applied.exit_code == 0, applied.output
    (dry,) = _suggest(runner, item.id)["rejected"]
    assert "RH 39.9-55 % (measured P5-P95) is outside 40-60 %" in dry["reasons"][0]


def test_a_room_known_only_by_its_setpoint_scores_below_a_measured_one(runner: CliRunner, runtime: Runtime) -> None:
    room = {"functions": ["storage"], "env_setpoint": {"t": 17, "rh": 50}}
    with runtime.transaction() as session:
        _rooms(
            session,
            A_PROMISED=room,
            B_MEASURED={**room, "measured": {"t_p5": 17.0, "t_p95": 17.0, "rh_p5": 50.0, "rh_p95": 50.0}},
        )
        item = builders.item(session, "museum", "M1", domain="museum", material="mixed_museum_object")
    promised, measured = sorted(_suggest(runner, item.id)["candidates"], key=lambda c: c["location"])
    assert "setpoint only, not measured" in promised["reasons"]
    assert "setpoint only, not measured" not in measured["reasons"]
    assert measured["score"] == pytest.approx(promised["score"] + 0.1, abs=0.001)


def test_when_nothing_fits_the_least_bad_are_ranked_by_how_far_they_miss(runner: CliRunner, runtime: Runtime) -> None:
    store = {"functions": ["storage"]}
    with runtime.transaction() as session:
        _rooms(
            session,
            A_HOT={**store, "env_setpoint": {"t": 26, "rh": 50}},  # 1 degree too warm
            B_FAR={**store, "env_setpoint": {"t": 30, "rh": 70}},  # 5 degrees and 10 % RH off
            C_READING={"functions": ["reading_room"], "env_setpoint": {"t": 20, "rh": 50}},
            D_DAMP={**store, "env_setpoint": {"t": 20, "rh": 63}},  # 3 % RH too damp
        )
        item = builders.item(session, "museum", "M1", domain="museum", material="mixed_museum_object")
    result = runner.invoke(main, ["locations", "suggest", item.id])
    assert result.exit_code == 0
    assert "no location meets every hard rule" in result.stderr
    rejected = _suggest(runner, item.id)["rejected"]
    assert [r["location"] for r in rejected] == ["A_HOT", "D_DAMP", "B_FAR", "C_READING"]
    assert [r["miss"] for r in rejected[:3]] == [1.0, 3.0, 15.0]
    assert rejected[0]["rules"] == ["env_t"] and rejected[1]["rules"] == ["env_rh"]
    assert rejected[2]["rules"] == ["env_rh", "env_t"]
    assert rejected[3]["rules"] == ["placeable"]


def test_a_floor_is_not_loaded_beyond_its_limit(runner: CliRunner, runtime: Runtime) -> None:
    room = {"functions": ["storage"], "env_setpoint": {"t": 18, "rh": 50}}
    with runtime.transaction() as session:
        rooms = _rooms(
            session,
            ATTIC={**room, "floor_load_kn_m2": 2.0},
            GROUND={**room, "floor_load_kn_m2": 10.0},
            HALL={**room, "floor_load_kn_m2": 5.0, "area_m2": 100, "used": {"kg": 45000}},
        )
        builders.location(session, "ATTIC-CASE", rooms["ATTIC"], kind="case", env_setpoint={"t": 18, "rh": 50})
        press = builders.item(
            session,
            "museum",
            "PRESS",
            domain="museum",
            material="mixed_museum_object",
            size={"kg": 400, "footprint_m2": 1},
        )
        safe = builders.item(
            session, "museum", "SAFE", domain="museum", material="mixed_museum_object", size={"kg": 6000}
        )
    result = _suggest(runner, press.id)
    rejected = {r["location"]: r for r in result["rejected"]}
    # 400 kg x 9.81 / 1000 on 1 m² = 3.9 kN/m²
    assert rejected["ATTIC"]["reasons"] == ["floor load: 400 kg on 1 m² is 3.9 kN/m², more than the 2 kN/m² of ATTIC"]
    assert rejected["ATTIC-CASE"]["rules"] == ["floor_load"]  # a case stands on its room's floor
    assert {"GROUND", "HALL"} <= {c["location"] for c in result["candidates"]}
    # no footprint: the room's whole load, 51,000 kg x 9.81 / 1000 on 100 m² = 5.003 kN/m² > 5
    rejected = {r["location"]: r for r in _suggest(runner, safe.id)["rejected"]}
    assert rejected["HALL"]["reasons"] == [
        "floor load: 51,000 kg in all on 100 m² is 5.0 kN/m², more than the 5 kN/m² of HALL"
    ]
    assert "GROUND" not in rejected  # neither footprint nor area known: not judged


def test_human_remains_on_display_need_an_ethics_approval(runner: CliRunner, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        rooms = _rooms(
            session,
            HALL={
                "functions": ["exhibition"],
                "env_setpoint": {"t": 18, "rh": 48},
                "light": {"max_lux": 50, "schedules": {"exhibition": 1000}},
            },
            STORE={"functions": ["storage"], "env_setpoint": {"t": 18, "rh": 48}},
        )
        skull = builders.item(
            session,
            "museum",
            "SKULL",
            domain="museum",
            material="human_remains",
            flags=["human_remains"],
            location=rooms["HALL"],
        )
        approved = builders.item(
            session,
            "museum",
            "MUMMY",
            domain="museum",
            material="human_remains",
            flags=["human_remains"],
            ethics_approval={"by": "Ethics committee", "date": "2026-03-01", "reference": "EC-2026-07"},
        )
    result = _suggest(runner, skull.id)
    (hall,) = [r for r in result["rejected"] if r["location"] == "HALL"]
    assert "human remains on display need an ethics approval" in hall["reasons"]
    assert "ethics_approval" in hall["rules"]
    assert [c["location"] for c in result["candidates"]] == ["STORE"]
    assert "HALL" in [c["location"] for c in _suggest(runner, approved.id)["candidates"]]
    check = runner.invoke(main, ["locations", "check", "--json"])
    assert check.exit_code == 1
    found = {v["item"]: v for v in json.loads(check.stdout)}
    assert found[skull.id]["reasons"] == ["human remains on display need an ethics approval"]
    assert approved.id not in found


def test_an_items_own_light_category_overrides_its_materials(runner: CliRunner, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        _rooms(
            session,
            HALL={
                "functions": ["exhibition"],
                "env_setpoint": {"t": 18, "rh": 50},
                "light": {"max_lux": 50, "schedules": {"exhibition": 1000}},  # 50,000 lx·h a year
            },
        )
        plain = builders.item(session, "museum", "PLAIN", domain="museum", material="mixed_museum_object")
        dyed = builders.item(
            session, "museum", "DYED", domain="museum", material="mixed_museum_object", light_category="high"
        )
    assert [c["location"] for c in _suggest(runner, plain.id)["candidates"]] == ["HALL"]
    (hall,) = _suggest(runner, dyed.id)["rejected"]
    assert "more than the whole high budget of 15,000 lx·h" in hall["reasons"][0]


def test_a_move_counts_the_extent_in_the_rooms_unit(runner: CliRunner, runtime: Runtime) -> None:
    paper = {"functions": ["storage"], "env_setpoint": {"t": 16, "rh": 48}}
    with runtime.transaction() as session:
        _rooms(session, BOXES={**paper, "capacity": {"m3": 800}, "used": {"m3": 100}})
        item = builders.item(session, "archive", "A1", material="paper_archive", size={"linear_m": 50})
    moved = runner.invoke(main, ["locations", "move", item.id, "BOXES", "--reason", "transfer"])
    assert moved.exit_code == 0, moved.output
    with runtime.sessions() as session:
        room = session.scalars(select(Location).where(Location.code == "BOXES")).one()
        assert room.attributes["used"] == {"m3": 105}  # 50 linear_m of archive boxes = 5 m3


def test_policy_check_refuses_a_sensor_tolerance_beyond_reason(runner: CliRunner, tmp_path) -> None:
    override = tmp_path / "loose.yaml"
    override.write_text(
        "schema: heritage-policy-override/1\npolicy: {id: loose, version: 1.0.0}\n"
        "matching:\n  sensor_tolerance: {rh: 25}\n  setpoint_only_penalty: 3\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["policy", "check", str(override)])
    assert result.exit_code == 1
    assert f"{override}:4:" in result.output and f"{override}:5:" in result.output
