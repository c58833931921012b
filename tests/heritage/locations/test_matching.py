"""`heritage locations suggest|check|move|history|inventory`: hard rules (environment, hazards, capacity,
light) before the score; every move an event; inventory checks name what is missing and unexpected."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, InventoryCheck, Item, Location, Movement
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


@pytest.fixture
def items(runtime: Runtime) -> dict[str, str]:
    with runtime.transaction() as session:
        places = builders.tree(session)
        spirit = builders.item(
            session, "zoo", "Z1", domain="science", material="fluid_specimen", location=places["paper"]
        )
        nitrate = builders.item(session, "film", "N1", material="film_nitrate", location=places["nitrate"])
        paper = builders.item(
            session,
            "faculty",
            "P1",
            unit="faculty-science",
            material="paper_archive",
            size={"linear_m": 2},
            location=places["basement"],
        )
        other = builders.item(
            session, "faculty", "P2", unit="faculty-science", material="paper_archive", location=places["basement"]
        )
        return {"spirit": spirit.id, "nitrate": nitrate.id, "paper": paper.id, "other": other.id}


def _suggest(runner: CliRunner, item: str) -> dict:
    result = runner.invoke(main, ["locations", "suggest", item, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_spirit_specimens_go_only_to_the_flammables_store(runner: CliRunner, items: dict[str, str]) -> None:
    result = _suggest(runner, items["spirit"])
    assert list(result) == ["candidates", "rejected"]
    assert [c["location"] for c in result["candidates"]] == ["LEU-CD-ETH"]
    assert (
        set(result["candidates"][0]) == {"location", "score", "reasons"} and 0 < result["candidates"][0]["score"] <= 1
    )
    rejected = {r["location"]: " ".join(r["reasons"]) for r in result["rejected"]}
    assert "needs a dedicated store (flammables_store, mechanical_ventilation)" in rejected["LEU-CD-R1"]
    assert "may not be kept where below_ground" in rejected["LEU-WET-ARCH"]
    assert "dedicated store (nitrate_vault) for other hazards only" in rejected["LEU-CD-NITR"]
    assert rejected["LEU-CD-LEES"] == "a reading room is for consulting, not keeping"


def test_paper_is_refused_where_full_too_cold_or_lit_beyond_its_budget(
    runner: CliRunner, items: dict[str, str]
) -> None:
    result = _suggest(runner, items["paper"])
    rejected = {r["location"]: " ".join(r["reasons"]) for r in result["rejected"]}
    assert "not enough room: linear_m 0 free, 2 needed" in rejected["LEU-CD-R2"]
    assert "temperature 4 °C (setpoint) is outside 14-19 °C for paper_archive" in rejected["LEU-CD-KOEL"]
    assert "more than the whole medium budget of 150,000 lx·h" in rejected["LEU-WET-ZAAL"]
    codes = [c["location"] for c in result["candidates"]]
    assert codes[0] == "LEU-WET-ARCH" and "LEU-CD-R1" in codes  # its own unit's room first, the depot as well
    assert "its current location" in result["candidates"][0]["reasons"]


def test_measured_readings_outrank_the_setpoint(runner: CliRunner, items: dict[str, str], tmp_path) -> None:
    log = tmp_path / "basement.csv"
    rows = ["timestamp;temperatuur (°C);RV (%)"] + [
        f"2026-0{m}-1{d} 12:00;{18 + m * 0.5:.1f};{50 + m * 3},0".replace(".", ",")
        for m in range(1, 9)
        for d in range(0, 3)
    ]
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    imported = runner.invoke(main, ["locations", "import-readings", "LEU-WET-ARCH", str(log)])
    assert imported.exit_code == 0, imported.output
    assert "24 readings added" in imported.output
    rejected = {r["location"]: " ".join(r["reasons"]) for r in _suggest(runner, items["other"])["rejected"]}
    assert "(measured P5-P95) is outside 40-55 % for paper_archive" in rejected["LEU-WET-ARCH"]
    check = runner.invoke(main, ["locations", "check", "--json"])
    assert check.exit_code == 1
    flagged = {v["item"]: v for v in json.loads(check.stdout)}
    assert items["paper"] in flagged and items["spirit"] in flagged and items["nitrate"] not in flagged
    assert "needs a dedicated store" in " ".join(flagged[items["spirit"]]["reasons"])


def test_a_malformed_logger_file_is_refused_whole(
    runner: CliRunner, runtime: Runtime, items: dict[str, str], tmp_path
) -> None:
    log = tmp_path / "bad.csv"
    log.write_text(
        "timestamp,t,rh\n2026-01-01 10:00,18,50\nyesterday,18,50\n2026-01-01 12:00,18,150\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["locations", "import-readings", "LEU-WET-ARCH", str(log)])
    assert result.exit_code == 1
    assert f"{log}:3: time 'yesterday' is not a date and time" in result.output
    assert f"{log}:4: RH 150 is not a percentage" in result.output and "nothing was imported" in result.output
    with runtime.sessions() as session:
        from heritage.models import EnvironmentReading

        assert session.scalars(select(EnvironmentReading)).all() == []


def test_moves_are_events_with_who_when_from_to_and_why(
    runner: CliRunner, runtime: Runtime, items: dict[str, str]
) -> None:
    no_reason = runner.invoke(main, ["locations", "move", items["spirit"], "LEU-CD-ETH", "--reason", " "])
    assert no_reason.exit_code == 1 and "needs a reason" in no_reason.output
    moved = runner.invoke(
        main, ["locations", "move", items["spirit"], "LEU-CD-ETH", "--reason", "out of the paper store", "--by", "kim"]
    )
    assert moved.exit_code == 0 and "warning" not in moved.output
    risky = runner.invoke(
        main, ["locations", "move", items["paper"], "LEU-CD-KOEL", "--reason", "flood in the basement", "--by", "kim"]
    )
    assert risky.exit_code == 0 and "warning: LEU-CD-KOEL breaks a rule" in risky.output
    history = json.loads(runner.invoke(main, ["locations", "history", items["spirit"], "--json"]).stdout)
    assert history["current"] == "LEU-CD-ETH"
    assert [(m["from"], m["to"], m["by"], m["reason"]) for m in history["moves"]] == [
        ("LEU-CD-R1", "LEU-CD-ETH", "kim", "out of the paper store")
    ]
    with runtime.sessions() as session:
        assert len(session.scalars(select(Movement)).all()) == 2
        basement = session.scalar(select(Location).where(Location.code == "LEU-WET-ARCH"))
        assert basement.attributes["used"] == {"linear_m": 3.0}  # the 2 m of P1 left the room
        event = session.scalar(select(Event).where(Event.type == "movement", Event.item_id == items["paper"]))
        assert event is not None and event.outcome == "warning" and event.data["to_location"] == "LEU-CD-KOEL"


def test_an_inventory_check_reports_missing_unexpected_and_unknown(
    runner: CliRunner, runtime: Runtime, items: dict[str, str], tmp_path
) -> None:
    scanned = tmp_path / "shelf.txt"
    scanned.write_text("P1\n" + items["spirit"] + "\nXX-404\n", encoding="utf-8")
    result = runner.invoke(main, ["locations", "inventory", "LEU-WET-ARCH", str(scanned), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report == {
        "location": "LEU-WET-ARCH",
        "scanned": 3,
        "missing": [items["other"]],
        "unexpected": [items["spirit"]],
        "unknown": ["XX-404"],
    }
    with runtime.sessions() as session:
        check = session.scalar(select(InventoryCheck))
        assert check is not None and check.missing == [items["other"]]
        assert session.get(Item, items["spirit"]).location_id is not None  # a check reports, it moves nothing
