"""The same command again resumes a batch: rows without an identifier are recognised by the batch and the
files they name, so a rerun makes no new items, no new batch files and no "duplicate" failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.models import BatchFile, Event, Item
from heritage.runtime import Runtime
from tests.helpers import make_image, write_sheet
from tests.ingest.checks import assert_no_duplicates, assert_store_clean

pytestmark = pytest.mark.db


def unidentified_batch(folder: Path, rows: int = 3) -> Path:
    """A sheet without an identifier column: one scan per row, plus a row that names no file."""
    sheet = []
    for i in range(rows):
        make_image(folder / "scans" / f"p{i}.jpg", (320, 240), seed=i)
        sheet.append({"title": f"Blad {i}", "date": "1921", "files": f"scans/p{i}.jpg"})
    sheet.append({"title": "Omslag zonder scan", "date": "1921", "files": ""})
    write_sheet(folder / "sheet.csv", sheet)
    return folder


def _counts(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.sessions() as session:
        items = session.scalar(select(func.count()).select_from(Item))
        files = session.scalar(select(func.count()).select_from(BatchFile))
        paths = session.scalar(select(func.count(func.distinct(BatchFile.path))))
    return items, files, paths


def test_sheet_without_identifiers_run_twice_finds_its_own_items(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    batch = unidentified_batch(tmp_path / "batch")
    report = tmp_path / "report.json"
    command = ["ingest", str(batch), "--collection", "zonder", "--report", str(report)]
    first = runner.invoke(main, command)
    assert first.exit_code == 0, first.output
    second = runner.invoke(main, command)
    assert second.exit_code == 0, second.output
    assert "duplicate" not in second.output
    data = json.loads(report.read_text())
    assert data["counts"] == {"stored": 0, "already_ingested": 3, "failed": 0}
    assert (data["items_created"], data["items_updated"]) == (0, 4)
    assert _counts(runtime) == (4, 3, 3)
    assert_no_duplicates(runtime)
    assert_store_clean(runtime)


def test_an_edited_description_keeps_the_item_of_a_row_without_identifier(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    """The title and date of a row change between runs; its item (found by the file it names) is updated."""
    batch = unidentified_batch(tmp_path / "batch", rows=2)
    command = ["ingest", str(batch), "--collection", "zonder"]
    assert runner.invoke(main, command).exit_code == 0
    with runtime.sessions() as session:
        before = session.scalar(select(Item.id).where(Item.title == "Blad 1"))
    write_sheet(
        batch / "sheet.csv",
        [
            {"title": "Blad 0", "date": "1921", "files": "scans/p0.jpg"},
            {"title": "Blad een, herzien", "date": "1922", "files": "scans/p1.jpg"},
            {"title": "Omslag zonder scan", "date": "1921", "files": ""},
        ],
    )
    result = runner.invoke(main, command)
    assert result.exit_code == 0, result.output
    with runtime.sessions() as session:
        assert session.get(Item, before).title == "Blad een, herzien"
    assert _counts(runtime) == (3, 2, 2)


def test_a_file_refused_on_every_run_has_each_event_once(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    """Each step's event is written once per outcome, however often a rerun takes the file again."""
    batch = tmp_path / "batch"
    make_image(batch / "good.png", seed=1)
    (batch / "mystery.dat").write_bytes(bytes(range(256)) * 8)
    for _ in range(3):
        result = runner.invoke(main, ["ingest", str(batch), "--collection", "weigering"])
        assert result.exit_code == 1 and "failed: mystery.dat: unsupported format" in result.output
    with runtime.sessions() as session:
        about = session.execute(
            select(Event.type, Event.outcome, func.count())
            .where(Event.detail.like("mystery.dat%"))
            .group_by(Event.type, Event.outcome)
        ).all()
    assert sorted(about) == [
        ("format_identification", "success", 1),
        ("message_digest_calculation", "success", 1),
        ("validation", "failure", 1),
    ]
    with runtime.sessions() as session:
        digests = session.scalar(
            select(func.count()).select_from(Event).where(Event.type == "message_digest_calculation")
        )
    assert digests == 2
