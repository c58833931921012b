"""`heritage catalogue update FILE`: the export's CSV (or some of its columns) read back, per row the fields
that change, --dry-run changing nothing, any problem `FILE:LINE: message` and nothing changed."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from heritage.cli import main
from heritage.editing import history, values_of
from heritage.models import Item, Revision
from heritage.runtime import Runtime
from heritage.search import SearchQuery

pytestmark = pytest.mark.db


def _export(runner, tmp_path: Path) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    out = tmp_path / "export.csv"
    result = runner.invoke(
        main, ["export", "--collection", "pedel", "--format", "csv", "-o", str(out), "--scope", "all"]
    )
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _revisions(runtime: Runtime) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(Revision)) or 0


def test_the_export_read_back_unchanged_changes_nothing(runner, runtime: Runtime, catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _export(runner, tmp_path)
    assert {"heritage_id", "title", "title_nl", "identifiers", "notes.nl", "genres", "archives.container"} <= set(
        rows[0]
    )
    result = runner.invoke(main, ["catalogue", "update", str(_write(tmp_path / "same.csv", rows))])
    assert result.exit_code == 0, result.output
    assert "updated 0 item(s)" in result.output and _revisions(runtime) == 0


def test_edited_cells_are_shown_then_saved(runner, runtime: Runtime, catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = _export(runner, tmp_path)
    by_id = {r["heritage_id"]: r for r in rows}
    file1 = by_id[catalogue["F1.1.1"]]
    file1["title"] = "Reglement van de pedel"
    file1["creator"] = "Jan Peeters (creator) <auth:7>|Piet Smit (author)"
    file1["archives.container"] = "Doos 3"
    file1["date"] = "31-02-1921"
    sheet = _write(tmp_path / "edited.csv", rows)
    dry = runner.invoke(main, ["catalogue", "update", str(sheet), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    line = next(n for n, r in enumerate(rows, 2) if r is file1)
    assert f"{sheet}:{line}: {catalogue['F1.1.1']} 'Règlement van de pedel'" in dry.output
    assert "  title: 'Règlement van de pedel' -> 'Reglement van de pedel'" in dry.output
    assert "  archives.container: (empty) -> 'Doos 3'" in dry.output
    assert "  agents: 'Jan Peeters (creator)' -> 'Jan Peeters (creator) <auth:7>|Piet Smit (author)'" in dry.output
    assert f"{sheet}:{line}: warning: dates: date '31-02-1921' does not exist" in dry.stderr
    assert "dry run: 1 item(s) would change; nothing was changed" in dry.output and _revisions(runtime) == 0
    done = runner.invoke(main, ["catalogue", "update", str(sheet), "--by", "els"])
    assert done.exit_code == 0, done.output
    assert "updated 1 item(s)" in done.output
    with runtime.sessions() as s:
        item = s.get(Item, catalogue["F1.1.1"])
        values = values_of(item)
        assert values["title"] == "Reglement van de pedel" and values["archives.container"] == "Doos 3"
        assert values["agents"] == [
            {"name": "Jan Peeters", "role": "creator", "id": "auth:7"},
            {"name": "Piet Smit", "role": "author", "id": None},
        ]
        [rev] = history(s, item.id)
        assert rev.by == "els" and rev.reason == f"sheet {sheet}, line {line}"
    hits = runtime.index.search(SearchQuery(q="Reglement", per_page=10)).hits
    assert catalogue["F1.1.1"] in {h["id"] for h in hits}


def test_a_subset_of_columns_by_field_name(runner, runtime: Runtime, catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = _write(
        tmp_path / "few.csv",
        [{"heritage_id": catalogue["F1.1.2"], "titles.en": "Register of the beadle", "extent": "2 bladen"}],
    )
    result = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert result.exit_code == 0, result.output
    with runtime.sessions() as s:
        values = values_of(s.get(Item, catalogue["F1.1.2"]))
        assert values["titles.en"] == "Register of the beadle" and values["extent"] == "2 bladen"
        assert values["title"] == "Register van de pedel"  # columns not in the sheet stay as they were


def test_any_problem_changes_nothing(runner, runtime: Runtime, catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = _write(
        tmp_path / "bad.csv",
        [
            {"heritage_id": catalogue["F1.1.1"], "title": "Goed", "access": "public", "museum.material": ""},
            {"heritage_id": "nosuchitem00", "title": "x", "access": "public", "museum.material": ""},
            {"heritage_id": catalogue["F1.1.2"], "title": "y", "access": "geheim", "museum.material": ""},
            {"heritage_id": catalogue["F1.1.1"], "title": "z", "access": "public", "museum.material": ""},
            {"heritage_id": catalogue["F1"], "title": "w", "access": "public", "museum.material": "brons"},
        ],
    )
    result = runner.invoke(main, ["catalogue", "update", str(sheet)])
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith(f"{sheet}:")]
    assert problems[0] == f"{sheet}:3: no item 'nosuchitem00'"
    assert problems[1].startswith(f"{sheet}:4: access: 'geheim' is not one of the choices")
    assert problems[2] == f"{sheet}:5: item {catalogue['F1.1.1']} is on line 2 already"
    assert problems[3].startswith(f"{sheet}:6: 'museum.material' is a field of another domain")
    assert "4 problem(s); nothing was changed" in result.stderr and _revisions(runtime) == 0
    header = _write(tmp_path / "header.csv", [{"title": "x", "colour": "red"}])
    result = runner.invoke(main, ["catalogue", "update", str(header)])
    assert result.exit_code == 1
    assert (
        f"{header}:1: no heritage_id column" in result.stderr
        and f"{header}:1: unknown column 'colour'" in result.stderr
    )


def test_by_checks_who_may_edit(runner, runtime: Runtime, catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = _write(tmp_path / "s.csv", [{"heritage_id": catalogue["F1.1.1"], "extent": "1 stuk"}])
    result = runner.invoke(main, ["catalogue", "update", str(sheet), "--by", "piet"])
    assert result.exit_code == 1 and f"{sheet}:2: you may not edit item" in result.stderr
    result = runner.invoke(main, ["catalogue", "update", str(sheet), "--by", "nobody"])
    assert result.exit_code == 1 and "nobody" in result.stderr
    assert _revisions(runtime) == 0
