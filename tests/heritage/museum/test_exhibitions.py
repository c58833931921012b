"""Exhibitions as a registrar runs them from the command line: made from a file, filled, installed (each object
moved to its room), its light over the run judged against each object's budget, and closed (each returned)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, Item
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


@pytest.fixture
def objects(runtime: Runtime) -> dict[str, str]:
    """A drawing and a bronze in the paper store; the lit hall (50 lux, 4000 h a year) to show them in."""
    with runtime.transaction() as session:
        places = builders.tree(session)
        ids = {}
        for name, material in (("drawing", "manuscript_fugitive_media"), ("bronze", "metal")):
            item = builders.item(session, "museum", name, domain="museum", material=material, location=places["paper"])
            ids[name] = item.id
    return ids


def _spec(tmp_path: Path, start: date, end: date) -> Path:
    path = tmp_path / "show.toml"
    path.write_text(
        f"""slug = "tekeningen"
title = "Tekeningen"
title_en = "Drawings"
from = {start.isoformat()}
to = {end.isoformat()}

[[objects]]
item = "drawing"
room = "LEU-WET-ZAAL"
label = "Een tekening"
label_en = "A drawing"
""",
        encoding="utf-8",
    )
    return path


def _json(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_exhibition_is_loaded_filled_installed_and_closed(
    runner: CliRunner, runtime: Runtime, objects: dict[str, str], tmp_path: Path
) -> None:
    start = date.today()
    path = _spec(tmp_path, start, start + timedelta(days=90))
    assert _json(runner, "exhibitions", "load", str(path)) == {"slug": "tekeningen", "changed": True}
    assert _json(runner, "exhibitions", "load", str(path))["changed"] is False  # the same file again: no change
    shown = _json(runner, "exhibitions", "add-object", "tekeningen", "bronze", "--room", "LEU-WET-ZAAL")
    assert [o["item"] for o in shown["objects"]] == [objects["drawing"], objects["bronze"]]
    light = {o["item"]: o for o in shown["light"]}
    # 50 lux x 4000 h = 200,000 lx·h a year, 548 a day: the high budget (15,000) lasts 27 days of a 90-day run
    drawing = light[objects["drawing"]]
    assert (drawing["light_category"], drawing["budget_lxh"], drawing["status"]) == ("high", 15000, "rotate")
    assert drawing["rotate_on"] == (start + timedelta(days=27)).isoformat()
    assert light[objects["bronze"]]["status"] == "no_limit"

    installed = _json(runner, "exhibitions", "install", "tekeningen")
    assert {(m["item"], m["to"], m["moved"]) for m in installed["moves"]} == {
        (objects["drawing"], "LEU-WET-ZAAL", True),
        (objects["bronze"], "LEU-WET-ZAAL", True),
    }
    history = _json(runner, "locations", "history", objects["drawing"])
    assert history["current"] == "LEU-WET-ZAAL" and history["moves"][0]["reason"] == "exhibition tekeningen: installed"
    again = runner.invoke(main, ["exhibitions", "install", "tekeningen"])
    assert again.exit_code != 0 and "tekeningen is installed, not planned" in again.output

    closed = _json(runner, "exhibitions", "close", "tekeningen")
    assert len(closed["moves"]) == 2 and all(m["moved"] for m in closed["moves"])
    with runtime.sessions() as session:
        drawing_row = session.get(Item, objects["drawing"])
        assert drawing_row is not None and drawing_row.location_id is not None
        home = _json(runner, "locations", "history", objects["drawing"])
        assert home["moves"][0]["reason"] == "exhibition tekeningen: returned"
        assert home["current"] == home["moves"][1]["from"]
        rows = session.scalars(select(Event).where(Event.type.like("exhibition%")).order_by(Event.id))
        kinds = [e.type for e in rows]
    assert kinds == ["exhibition created", "exhibition changed", "exhibition installed", "exhibition closed"]
    listed = _json(runner, "exhibitions", "list")["exhibitions"]
    assert [(e["slug"], e["state"], e["objects"]) for e in listed] == [("tekeningen", "closed", 2)]


def test_a_run_within_the_budget_fits(runner: CliRunner, objects: dict[str, str], tmp_path: Path) -> None:
    start = date.today() + timedelta(days=10)
    _json(runner, "exhibitions", "load", str(_spec(tmp_path, start, start + timedelta(days=20))))
    shown = _json(runner, "exhibitions", "show", "tekeningen")
    assert [(o["status"], o["rotate_on"], o["used_lxh"]) for o in shown["light"]] == [("fits", None, 0)]
    assert abs(shown["light"][0]["run_lxh"] - 21 * 200000 / 365) < 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "x1", "--title", "T", "--title-en", "T"], "slug 'x1' must be 3-64"),
        (["create", "show-a", "--title", "T", "--title-en", "T", "--from", "2027-01-01"], "give both 'from' and 'to'"),
        (["create", "show-a", "--title", "T", "--title-en", "", "--from", "2027-02-01", "--to", "2027-01-01"],
         "'title_en' is required"),
        (["create", "show-a", "--title", "T", "--title-en", "T", "--from", "2027-02-01", "--to", "2027-01-01"],
         "'to' (2027-01-01) is before 'from' (2027-02-01)"),
        (["add-object", "nothing-here", "drawing"], "exhibition 'nothing-here' does not exist"),
        (["install", "nothing-here"], "exhibition 'nothing-here' does not exist"),
    ],
)  # fmt: skip
def test_mistakes_are_named_and_change_nothing(
    runner: CliRunner, runtime: Runtime, objects: dict[str, str], args: list[str], message: str
) -> None:
    result = runner.invoke(main, ["exhibitions", *args])
    assert result.exit_code != 0 and message in result.output
    assert _json(runner, "exhibitions", "list") == {"exhibitions": []}


def test_objects_and_rooms_are_checked(runner: CliRunner, objects: dict[str, str]) -> None:
    assert runner.invoke(main, ["exhibitions", "create", "online", "--title", "O", "--title-en", "O"]).exit_code == 0
    cases = [
        (["online", "no-such-item"], "object 1: no item has the id or identifier 'no-such-item'"),
        (["online", "drawing", "--room", "LEU-WET-ZAAL"], "an exhibition online only has no rooms"),
    ]
    for args, message in cases:
        result = runner.invoke(main, ["exhibitions", "add-object", *args])
        assert result.exit_code != 0 and message in result.output
    assert runner.invoke(main, ["exhibitions", "add-object", "online", "drawing"]).exit_code == 0
    twice = runner.invoke(main, ["exhibitions", "add-object", "online", "drawing"])
    assert twice.exit_code != 0 and "is already in this exhibition" in twice.output
    install = runner.invoke(main, ["exhibitions", "install", "online"])
    assert install.exit_code != 0 and "online only: nothing to install" in install.output
    image = runner.invoke(main, ["exhibitions", "add-page", "online", "--title", "P", "--title-en", "P",
                                 "--image", "drawing:1:full:Een|One"])  # fmt: skip
    assert image.exit_code != 0 and "has no image page 1 (0 pages)" in image.output


def test_the_migration_makes_the_tables_the_models_describe(runtime: Runtime) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from heritage import db
    from heritage.models import Base

    ours = {"exhibitions", "exhibition_objects", "exhibition_pages"}
    assert ours <= set(inspect(runtime.engine).get_table_names())
    db.downgrade(runtime.engine, "i19_ocr_0001")
    assert not ours & set(inspect(runtime.engine).get_table_names())
    db.upgrade(runtime.engine)
    with runtime.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if any(t in repr(d) for t in ours)] == []
