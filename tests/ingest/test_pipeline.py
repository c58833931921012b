"""Ingest: a batch goes in checked, stored once, described, derived and indexed; reruns change nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.models import Event, File, Item
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from ingest.pipeline import ingest
from tests.helpers import make_image, small_batch, write_sheet

pytestmark = pytest.mark.db


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_batch_builds_tree_stores_masters_byte_identical_and_indexes(runtime: Runtime, tmp_path: Path) -> None:
    batch = small_batch(tmp_path / "batch")
    report = ingest(runtime, batch, "pedel")
    assert report.exit_code == 0 and report.items_created == 4
    with runtime.sessions() as s:
        register = s.scalar(select(Item).where(Item.local_id == "F1.1.2"))
        assert register is not None
        assert [a.local_id for a in [register.parent, register.parent.parent]] == ["F1.1", "F1"]
        assert [f.original_name for f in register.files] == ["scans/b1.jpg", "scans/b2.png"]
        for f in register.files:
            stored = runtime.storage.master_path(f.storage_key)
            assert _sha(stored) == f.sha256 == _sha(batch / f.original_name)
            assert stored.read_bytes() == (batch / f.original_name).read_bytes()
            assert f.derivatives_ready and f.width and f.technical["mode"] == "RGB"
        kinds = {e.type for e in s.scalars(select(Event).where(Event.item_id == register.id))}
        assert {
            "description",
            "message_digest_calculation",
            "format_identification",
            "metadata_extraction",
            "ingestion",
            "creation",
        } <= kinds
        tif = s.scalar(select(File).where(File.original_name == "scans/a1.tif"))
        assert tif.puid == "fmt/353" and tif.format_name == "Tagged Image File Format"
    result = runtime.index.search(SearchQuery(q="reglement"))  # accent folding: finds "Règlement"
    assert [h["title"] for h in result.hits] == ["Règlement van de pedel"]


def test_rerun_is_idempotent(runtime: Runtime, tmp_path: Path) -> None:
    batch = small_batch(tmp_path / "batch")
    ingest(runtime, batch, "pedel")
    with runtime.sessions() as s:
        before = (s.scalar(select(func.count()).select_from(Item)), s.scalar(select(func.count()).select_from(File)))
    again = ingest(runtime, batch, "pedel")
    assert again.items_created == 0 and again.items_updated == 4
    assert {f.status for f in again.files} == {"already_ingested"}
    with runtime.sessions() as s:
        after = (s.scalar(select(func.count()).select_from(Item)), s.scalar(select(func.count()).select_from(File)))
    assert before == after == (4, 3)


def test_bad_files_are_reported_and_put_aside(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "good.jpg", seed=5)
    (batch / "empty.jpg").write_bytes(b"")
    good = (batch / "good.jpg").read_bytes()
    (batch / "truncated.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    (batch / "copy.jpg").write_bytes(good)
    outside = tmp_path / "secret.jpg"
    make_image(outside, seed=9)
    (batch / "link.jpg").symlink_to(outside)
    write_sheet(
        batch / "sheet.csv",
        [
            {"identifier": "A", "title": "Goed", "files": "good.jpg"},
            {"identifier": "B", "title": "Leeg", "files": "empty.jpg"},
            {"identifier": "C", "title": "Kapot", "files": "truncated.jpg"},
            {"identifier": "D", "title": "Dubbel", "files": "copy.jpg"},
            {"identifier": "E", "title": "Uitbraak", "files": "../secret.jpg"},
            {"identifier": "F", "title": "Link", "files": "link.jpg"},
        ],
    )
    report = ingest(runtime, batch, "bad")
    reasons = {f.path: f.reason for f in report.failed}
    assert report.exit_code == 1
    assert [f.path for f in report.files if f.status == "stored"] == ["good.jpg"]
    assert "empty" in reasons["empty.jpg"]
    assert "corrupt" in reasons["truncated.jpg"]
    assert "duplicate" in reasons["copy.jpg"]
    assert "leaves the batch folder" in reasons["../secret.jpg"]
    assert "outside the batch folder" in reasons["link.jpg"]


def test_decompression_bomb_is_refused(runtime: Runtime, tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from heritage.settings import Settings

    small = Runtime.open(
        Settings.load(
            {"data_dir": settings.data_dir, "database_url": settings.database_url, "max_image_pixels": 1000}, environ={}
        )
    )
    batch = tmp_path / "batch"
    make_image(batch / "item" / "big.png", (100, 100))
    report = ingest(small, batch, "bombs")
    assert report.failed and "decompression bomb" in (report.failed[0].reason or "")
    small.close()


def test_folder_conventions_without_sheet(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "volume-1" / "002.jpg", seed=2)
    make_image(batch / "volume-1" / "001.jpg", seed=1)
    make_image(batch / "loose.png", seed=3)
    report = ingest(runtime, batch, "folders")
    assert report.exit_code == 0 and report.items_created == 2
    with runtime.sessions() as s:
        volume = s.scalar(select(Item).where(Item.local_id == "volume-1"))
        assert [f.original_name for f in volume.files] == ["volume-1/001.jpg", "volume-1/002.jpg"]


def test_cli_ingest_creates_collection_writes_report_and_exits_by_outcome(runner: CliRunner, tmp_path: Path) -> None:
    batch = small_batch(tmp_path / "batch")
    report_path = tmp_path / "report.json"
    result = runner.invoke(main, ["ingest", str(batch), "--collection", "nieuw", "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "4 items created" in result.output
    report = json.loads(report_path.read_text())
    assert report["counts"] == {"stored": 3, "already_ingested": 0, "failed": 0}
    (batch / "scans" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated jpeg")
    write_sheet(batch / "sheet.csv", [{"identifier": "X", "title": "Broken", "files": "scans/broken.jpg"}])
    result = runner.invoke(main, ["ingest", str(batch), "--collection", "nieuw"])
    assert result.exit_code == 1
    missing = runner.invoke(main, ["ingest", str(tmp_path / "nope"), "--collection", "nieuw"])
    assert missing.exit_code == 2 and "no such file" in missing.output
    wrong = runner.invoke(main, ["ingest", str(batch), "--collection", "nieuw", "--format", "tei"])
    assert wrong.exit_code == 2 and "--format 'tei': one of auto, folder, bagit" in wrong.output


def test_invalid_sheet_is_refused_with_lines_and_nothing_stored(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    write_sheet(
        batch / "sheet.csv",
        [{"identifier": "A", "title": "Een", "level": "planet"}, {"identifier": "A", "title": "Twee", "parent": "Z"}],
    )
    result = runner.invoke(main, ["ingest", str(batch), "--collection", "fout"])
    assert result.exit_code == 1
    assert "sheet.csv:2: unknown level 'planet'" in result.output
    assert "sheet.csv:3: identifier 'A' repeats line 2" in result.output
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == 0
