"""What the report, the console summary and the batch page say beside the failures: files the sheet does not
list, the reasons of failed quality checks, impossible dates (FILE:LINE, with the sheet line and identifier
in every message about a row)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from tests.helpers import add_user, make_image, sign_in, write_sheet

pytestmark = pytest.mark.db


def _ingest(runner: CliRunner, batch: Path, out: Path, *extra: str) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    result = runner.invoke(main, ["ingest", str(batch), "--collection", "vondsten", "--report", str(out), *extra])
    return result.exit_code, result.output, json.loads(out.read_text())


def unlisted_batch(folder: Path) -> Path:
    make_image(folder / "scans" / "a.jpg", seed=1)
    make_image(folder / "scans" / "vergeten.jpg", seed=2)
    make_image(folder / "scans" / "extra" / "bijlage.png", seed=3, fmt="PNG")
    make_image(folder / "los.tif", seed=4, fmt="TIFF")
    (folder / "scans" / ".DS_Store").write_bytes(b"\0\1")
    write_sheet(folder / "sheet.csv", [{"identifier": "A", "title": "Akte", "files": "scans/a.jpg"}])
    write_sheet(folder / "zz-oude-sheet.csv", [{"identifier": "A", "title": "Akte (oud)", "files": "scans/a.jpg"}])
    return folder


UNLISTED = ["los.tif", "scans/extra/bijlage.png", "scans/vergeten.jpg"]


def test_a_scan_the_sheet_does_not_list_is_reported(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    code, output, report = _ingest(runner, unlisted_batch(tmp_path / "batch"), tmp_path / "r.json")
    assert code == 0, output
    assert report["unlisted"] == UNLISTED
    for path in UNLISTED:
        assert f"not in the sheet: {path} (left out; --include-unlisted takes it in)" in output
    assert "3 files not in the sheet" in output
    assert [f["path"] for f in report["files"]] == ["scans/a.jpg"]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 1


def test_include_unlisted_takes_them_in_as_items_of_their_own(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    batch = unlisted_batch(tmp_path / "batch")
    command = (runner, batch, tmp_path / "r.json", "--include-unlisted")
    code, output, report = _ingest(*command)
    assert code == 0, output
    assert "not in the sheet: scans/vergeten.jpg (taken in as an item of its own)" in output
    assert {f["path"]: f["status"] for f in report["files"]} == {"scans/a.jpg": "stored"} | dict.fromkeys(
        UNLISTED, "stored"
    )
    with runtime.sessions() as session:
        assert sorted(session.scalars(select(Item.title))) == ["Akte", "bijlage", "los", "vergeten"]
    code, output, report = _ingest(*command)  # and a rerun finds them again
    assert code == 0 and report["counts"] == {"stored": 0, "already_ingested": 4, "failed": 0}, output
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 4


def test_quality_reasons_are_in_the_report_and_the_summary(runner: CliRunner, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "laag.jpg", (640, 480), seed=1)  # JPEG, no resolution, no ICC profile
    Image.new("RGB", (640, 480), "white").save(batch / "leeg.png", dpi=(300, 300))
    write_sheet(
        batch / "sheet.csv",
        [
            {"identifier": "Q1", "title": "Laag", "files": "laag.jpg"},
            {"identifier": "Q2", "title": "Leeg", "files": "leeg.png"},
        ],
    )
    code, output, report = _ingest(runner, batch, tmp_path / "r.json")
    assert code == 0, output
    reasons = {f["path"]: f["quality_reasons"] for f in report["files"]}
    assert any(r.startswith("resolution: no resolution declared") for r in reasons["laag.jpg"])
    assert "colour_profile_present: no embedded ICC profile" in reasons["laag.jpg"]
    assert any(r.startswith("not_blank: luminance spread 0") for r in reasons["leeg.png"])
    assert "quality: laag.jpg: " in output and "(sheet.csv:2, identifier 'Q1')" in output
    assert "quality: leeg.png: " in output and "not_blank: luminance spread 0" in output
    assert "2 files failed quality checks" in output


def dates_batch(folder: Path) -> Path:
    make_image(folder / "a.jpg", seed=1)
    write_sheet(
        folder / "sheet.csv",
        [
            {"identifier": "D1", "title": "Onmogelijke dag", "date": "31-02-1921", "files": "a.jpg"},
            {"identifier": "D2", "title": "Woorden", "date": "volgend jaar misschien", "files": ""},
            {"identifier": "", "title": "Toekomst", "date": "2999", "files": ""},
            {"identifier": "D4", "title": "Gewoon", "date": "ca. 1650", "files": "ontbreekt.jpg"},
        ],
    )
    return folder


def test_impossible_dates_are_warnings_located_by_line_and_identifier(runner: CliRunner, tmp_path: Path) -> None:
    code, output, report = _ingest(runner, dates_batch(tmp_path / "batch"), tmp_path / "r.json")
    assert code == 1, output  # ontbreekt.jpg does not exist; the dates only warn
    assert report["warnings"] == [
        "sheet.csv:2: identifier 'D1': date '31-02-1921' does not exist: month 2 of 1921 has no day 31",
        "sheet.csv:3: identifier 'D2': date 'volgend jaar misschien' cannot be read as a date",
        "sheet.csv:4: no identifier: date '2999' lies in the future (2999)",
    ]
    for warning in report["warnings"]:
        assert f"warning: {warning}" in output
    assert "failed: ontbreekt.jpg: file does not exist (sheet.csv:5, identifier 'D4')" in output
    missing = next(f for f in report["files"] if f["path"] == "ontbreekt.jpg")
    assert (missing["line"], missing["identifier"]) == (5, "D4")


def test_the_batch_page_shows_every_finding(
    runner: CliRunner, runtime: Runtime, client: FlaskClient, tmp_path: Path
) -> None:
    batch = dates_batch(tmp_path / "batch")
    make_image(batch / "los.jpg", seed=9)
    code, output, report = _ingest(runner, batch, tmp_path / "r.json")
    assert code == 1, output  # ontbreekt.jpg
    add_user(runtime, "archivaris", "archivist", "central-archive")
    assert sign_in(client, "archivaris").status_code == 303
    page = client.get(f"/archivist/batches/{report['batch']}?lang=en").get_data(as_text=True)
    assert "sheet.csv:2: identifier &#39;D1&#39;: date &#39;31-02-1921&#39; does not exist" in page
    assert "Not in the sheet" in page and "los.jpg" in page
    assert "Held back from the public" in page and "Gewoon" in page
    assert "Colour profile present: no embedded ICC profile" in page  # the check's name, not its code
    nl = client.get(f"/archivist/batches/{report['batch']}?lang=nl").get_data(as_text=True)
    assert "Niet in de sheet" in nl and "Achtergehouden voor het publiek" in nl and "Waarschuwingen" in nl
    assert "Kleurprofiel aanwezig: no embedded ICC profile" in nl and "ze zijn weggelaten" in nl
