"""`heritage ingest --dry-run`: the sheet, the files, their formats, duplicates and the metadata are checked
as a real run checks them, the report is written and the exit status is the real run's; nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, inspect, select, text

from heritage.cli import main
from heritage.runtime import Runtime
from tests.helpers import make_image, write_sheet
from tests.security.test_decompression_bomb import bomb_png

pytestmark = pytest.mark.db


def _snapshot(runtime: Runtime) -> tuple[dict[str, int], dict[str, int]]:
    """Rows per table, and every file of the data directory with its size (the database's own files aside)."""
    with runtime.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        rows = {t: conn.execute(select(func.count()).select_from(text(f'"{t}"'))).scalar_one() for t in tables}
    data = runtime.settings.data_dir
    files = {
        p.relative_to(data).as_posix(): p.stat().st_size
        for p in data.rglob("*")
        if p.is_file() and not p.name.startswith("heritage.sqlite")
    }
    return rows, files


def troubled_batch(folder: Path, stored_elsewhere: Path) -> Path:
    make_image(folder / "scans" / "goed.jpg", seed=1)
    make_image(folder / "scans" / "kopie-a.jpg", seed=2)
    (folder / "scans" / "kopie-b.jpg").write_bytes((folder / "scans" / "kopie-a.jpg").read_bytes())
    (folder / "scans" / "raadsel.dat").write_bytes(bytes(range(256)) * 8)
    (folder / "scans" / "bom.png").write_bytes(bomb_png())
    (folder / "scans" / "leeg.tif").write_bytes(b"")
    (folder / "scans" / "elders.png").write_bytes(stored_elsewhere.read_bytes())
    make_image(folder / "scans" / "los.jpg", seed=3)
    rows = [
        ("T1", "scans/goed.jpg", "1921"),
        ("T2", "scans/kopie-a.jpg|scans/kopie-b.jpg", "31-02-1921"),
        ("T3", "scans/raadsel.dat", "1921"),
        ("T4", "scans/bom.png", "1921"),
        ("T5", "scans/leeg.tif", "1921"),
        ("T6", "scans/ontbreekt.jpg", "1921"),
        ("T7", "scans/elders.png", "1921"),
        ("T8", "../buiten.jpg", "1921"),
    ]
    write_sheet(
        folder / "sheet.csv",
        [{"identifier": i, "title": f"Stuk {i}", "date": d, "files": f} for i, f, d in rows],
    )
    return folder


def test_dry_run_checks_what_a_real_run_checks_and_stores_nothing(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    earlier = tmp_path / "eerder"
    make_image(earlier / "al-binnen.png", seed=4, fmt="PNG")
    assert runner.invoke(main, ["ingest", str(earlier), "--collection", "eerder"]).exit_code == 0
    batch = troubled_batch(tmp_path / "batch", earlier / "al-binnen.png")
    before = _snapshot(runtime)
    out = tmp_path / "dry.json"
    dry = runner.invoke(main, ["ingest", str(batch), "--collection", "proef", "--dry-run", "--report", str(out)])
    assert dry.exit_code == 1, dry.output
    assert _snapshot(runtime) == before, "a dry run stored something"
    report = json.loads(out.read_text())
    assert report["dry_run"] is True and report["status"] == "dry_run"
    statuses = {f["path"]: (f["status"], f["reason"]) for f in report["files"]}
    assert statuses["scans/goed.jpg"] == ("checked", None)
    assert statuses["scans/kopie-a.jpg"] == ("checked", None)
    assert statuses["scans/kopie-b.jpg"] == ("failed", "duplicate of scans/kopie-a.jpg in this batch (same SHA-256)")
    assert statuses["scans/raadsel.dat"][1].startswith("unsupported format")
    assert statuses["scans/bom.png"][1].startswith("decompression bomb")
    assert statuses["scans/leeg.tif"] == ("failed", "empty file (0 bytes)")
    assert statuses["scans/ontbreekt.jpg"] == ("failed", "file does not exist")
    assert statuses["scans/elders.png"][1].startswith("duplicate: already stored as file")
    assert statuses["../buiten.jpg"][1].startswith("path leaves the batch folder")
    assert report["counts"] == {"checked": 2, "already_ingested": 0, "failed": 7}
    assert report["items_created"] == 8 and report["unlisted"] == ["scans/los.jpg"]
    assert report["warnings"] == [
        "sheet.csv:3: identifier 'T2': date '31-02-1921' does not exist: month 2 of 1921 has no day 31"
    ]
    assert {h["identifier"] for h in report["held_back"]} == {"T2", "T3", "T4", "T5", "T6", "T7", "T8"}
    assert "proef (dry run, nothing stored): 8 items would be created" in dry.output
    assert "failed: scans/bom.png: decompression bomb" in dry.output

    real_out = tmp_path / "real.json"
    real = runner.invoke(main, ["ingest", str(batch), "--collection", "proef", "--report", str(real_out)])
    assert real.exit_code == dry.exit_code
    real_report = json.loads(real_out.read_text())
    assert {f["path"]: f["reason"] for f in real_report["files"] if f["status"] == "failed"} == {
        path: reason for path, (status, reason) in statuses.items() if status == "failed"
    }, "the dry run refuses what the real run refuses, for the same reason"
    assert real_report["warnings"] == report["warnings"] and real_report["unlisted"] == report["unlisted"]


def test_dry_run_of_an_ingested_batch_says_already_ingested(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    for i in range(2):
        make_image(batch / f"p{i}.jpg", seed=i)
    write_sheet(batch / "sheet.csv", [{"title": f"Blad {i}", "files": f"p{i}.jpg"} for i in range(2)])
    assert runner.invoke(main, ["ingest", str(batch), "--collection", "klaar"]).exit_code == 0
    before = _snapshot(runtime)
    out = tmp_path / "dry.json"
    dry = runner.invoke(main, ["ingest", str(batch), "--collection", "klaar", "--dry-run", "--report", str(out)])
    assert dry.exit_code == 0, dry.output
    report = json.loads(out.read_text())
    assert report["counts"] == {"checked": 0, "already_ingested": 2, "failed": 0}
    assert (report["items_created"], report["items_updated"]) == (0, 2)
    assert _snapshot(runtime) == before


def test_dry_run_refuses_bad_metadata_as_a_real_run_does(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "a.jpg")
    write_sheet(
        batch / "sheet.csv",
        [
            {"identifier": "X", "title": "Goed", "access": "public", "closed_until": "", "files": "a.jpg"},
            {"identifier": "Y", "title": "", "access": "geheim", "closed_until": "binnenkort", "files": ""},
        ],
    )
    before = _snapshot(runtime)
    dry = runner.invoke(main, ["ingest", str(batch), "--collection", "fout", "--dry-run"])
    assert dry.exit_code == 1
    assert "sheet.csv:3: row has no title" in dry.output
    assert "sheet.csv:3: unknown access 'geheim'" in dry.output
    assert "sheet.csv:3: closed_until 'binnenkort' is not a date (YYYY-MM-DD)" in dry.output
    assert _snapshot(runtime) == before
    real = runner.invoke(main, ["ingest", str(batch), "--collection", "fout"])
    assert (real.exit_code, real.output) == (dry.exit_code, dry.output)
    write_sheet(batch / "sheet.csv", [{"identifier": "X", "title": "Goed", "files": "a.jpg"}])
    bad_slug = runner.invoke(main, ["ingest", str(batch), "--collection", "geen spaties", "--dry-run"])
    assert bad_slug.exit_code == 1 and "collection slug 'geen spaties'" in bad_slug.output
    assert _snapshot(runtime) == before
