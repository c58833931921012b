"""`heritage locations import FILE`: locations as data the board keeps. Created or updated by code, each
change an event, a re-import changes nothing; a file with any problem changes nothing and names each
problem as FILE:LINE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.locations.service import FUNCTIONS
from heritage.models import Event, Location
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db

HEADER = (
    "code,name,name_en,kind,parent,building,functions,capacity,capacity_unit,used,floor_load,t,rh,flags,"
    "security_level,max_lux,lit_hours_exhibition,lit_hours_teaching,lit_hours_administration\n"
)
CASTLE = (
    HEADER
    + """ARE-HALL-V1,Vitrine 1,Case 1,case,ARE-HALL,,,,,,,18,45,,,50,,,
ARE,Kasteel van Arenberg,Arenberg Castle,building,,,,,,,,,,listed_building,S2,,,,
ARE-HALL,Grote zaal,Great hall,room,,ARE,exhibition;teaching;administration,,,,4,20,50,,,150,1500,700,300
ARE-DEP,Depot,Depot,room,,ARE,storage,400,drawers,10,7.5,17,50,below_ground,S3,,,,
"""
)


def _write(tmp_path: Path, text: str, name: str = "locations.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _events(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Event).where(Event.type.like("location %"))) or 0


def test_the_castle_is_imported_with_its_functions_and_its_case(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    path = _write(tmp_path, CASTLE)
    result = runner.invoke(main, ["locations", "import", str(path), "--by", "registrar"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{path}: 4 created, 0 updated, 0 unchanged"
    with runtime.sessions() as session:
        locs = {loc.code: loc for loc in session.scalars(select(Location))}
        hall, case, depot = locs["ARE-HALL"], locs["ARE-HALL-V1"], locs["ARE-DEP"]
        assert hall.parent_id == locs["ARE"].id and case.parent_id == hall.id  # the case came before its room
        assert hall.attributes["functions"] == ["exhibition", "teaching", "administration"]
        assert hall.attributes["light"] == {
            "max_lux": 150,
            "schedules": {"exhibition": 1500, "teaching": 700, "administration": 300},
        }
        assert (case.kind, case.attributes["light"], case.attributes["env_setpoint"]) == (
            "case",
            {"max_lux": 50},
            {"t": 18, "rh": 45},
        )
        assert depot.attributes["capacity"] == {"drawers": 400} and depot.attributes["used"] == {"drawers": 10}
        assert depot.attributes["floor_load_kn_m2"] == 7.5 and depot.attributes["security_level"] == "S3"
        assert locs["ARE"].attributes["flags"] == ["listed_building"]
    assert _events(runtime) == 4
    again = runner.invoke(main, ["locations", "import", str(path)])
    assert again.exit_code == 0 and "0 created, 0 updated, 4 unchanged" in again.output
    assert _events(runtime) == 4  # a re-import changes nothing, records nothing
    changed = _write(
        tmp_path,
        CASTLE.replace("ARE-DEP,Depot,Depot,room,,ARE,storage,400", "ARE-DEP,Depot,Depot,room,,ARE,storage,500"),
    )
    result = runner.invoke(main, ["locations", "import", str(changed), "--by", "registrar"])
    assert result.exit_code == 0 and "0 created, 1 updated, 3 unchanged" in result.output
    with runtime.sessions() as session:
        depot = session.scalar(select(Location).where(Location.code == "ARE-DEP"))
        assert depot is not None and depot.attributes["capacity"] == {"drawers": 500}
        event = session.scalars(select(Event).where(Event.type == "location updated")).one()
        assert event.agent == "registrar" and event.data["changes"]["capacity"] == [{"drawers": 400}, {"drawers": 500}]


def test_a_file_with_any_problem_changes_nothing(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "code,name,kind,parent,functions,capacity,capacity_unit,rh,security_level,lit_hours_exhibition\n"
        "GOOD,Good room,room,,storage,10,linear_m,50,S2,\n"
        "V9,Loose case,case,,,,,,,\n"
        "BAD,Bad room,room,NOWHERE,storing,ten,linear_m,150,S9,\n"
        "DAMP,Damp room,room,,storage,,,150,,\n"
        "SHELF,Shelf,shelf,,storage,5,,,,\n"
        "LIT,Lit room,room,,exhibition,,,,,9000\n"
        "GOOD,Again,room,,,,,,,\n",
    )
    result = runner.invoke(main, ["locations", "import", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().removeprefix("error: ").splitlines()
    assert lines[0] == f"{path}:3: parent: a case stands in a room; name the room as its parent"
    assert lines[1:6] == [  # every problem of the row, not only the first
        f"{path}:4: parent: location 'NOWHERE' does not exist",
        f"{path}:4: functions: storing is not a function (one of {', '.join(FUNCTIONS)})",
        f"{path}:4: capacity: 'ten' is not a number",
        f"{path}:4: rh: 150 is outside 0-100 %",
        f"{path}:4: security_level: 'S9' is not one of the policy's levels (S0, S1, S2, S3, S4)",
    ]
    assert lines[6] == f"{path}:5: rh: 150 is outside 0-100 %"
    assert lines[7].startswith(f"{path}:6: capacity_unit: a capacity needs its unit")
    assert lines[8] == f"{path}:7: lit_hours_exhibition: 9000 is outside 0-8784 h"
    assert lines[9] == f"{path}:8: code 'GOOD' is on line 2 already"
    assert "nothing was imported" in result.output
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Location)) == 0  # not even the good row
    assert _events(runtime) == 0


def test_unknown_columns_and_bad_values_are_named(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    unknown = _write(tmp_path, "code,name,kind,colour\nA,A,room,red\n", "unknown.csv")
    result = runner.invoke(main, ["locations", "import", str(unknown)])
    assert result.exit_code == 1 and f"{unknown}:1: unknown column 'colour'" in result.output
    values = _write(
        tmp_path,
        "code,name,kind,functions,capacity,capacity_unit,security_level\n"
        "A,A,hall,storage,,,\nB,B,room,storing,,,\nC,C,room,storage,10,boxes,\nD,D,room,storage,,,S9\n",
        "values.csv",
    )
    result = runner.invoke(main, ["locations", "import", str(values)])
    assert result.exit_code == 1
    assert f"{values}:2: kind: 'hall' is not one of site, building, room, case, cabinet, shelf" in result.output
    assert f"{values}:3: functions: storing is not a function" in result.output
    assert f"{values}:4: capacity_unit: 'boxes' is not a unit of capacity" in result.output
    assert f"{values}:5: security_level: 'S9' is not one of the policy's levels" in result.output
    missing = runner.invoke(main, ["locations", "import", str(tmp_path / "none.csv")])
    assert missing.exit_code == 1 and "cannot read the file" in missing.output


def test_an_imported_drawer_depot_refuses_five_km_of_paper(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    assert runner.invoke(main, ["locations", "import", str(_write(tmp_path, CASTLE))]).exit_code == 0
    with runtime.transaction() as session:
        item = builders.item(session, "archive", "A1", material="paper_archive", size={"linear_m": 5000})
    result = runner.invoke(main, ["locations", "suggest", item.id, "--json"])
    rejected = {r["location"]: r["reasons"] for r in json.loads(result.stdout)["rejected"]}
    assert "capacity counted in drawers; the item's extent 5,000 linear_m cannot be compared" in rejected["ARE-DEP"]
