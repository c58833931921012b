"""Format identification by PRONOM signatures (FIDO) at ingest, and the format-risk report by collection and unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, File
from heritage.preservation import pronom
from heritage.preservation.risks import status_of
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.conftest import shared_path
from tests.helpers import make_image, write_sheet

pytestmark = pytest.mark.db


def test_fido_names_the_pronom_format_by_content_not_by_name(tmp_path: Path) -> None:
    tif = make_image(tmp_path / "scan.jpg", fmt="TIFF")  # a TIFF named .jpg
    match = pronom.identify(tif)
    assert match is not None and match.puid == "fmt/353" and match.signatures.startswith("formats-v")
    (tmp_path / "note.bin").write_bytes(b"\x00\x01 nothing known")
    assert pronom.identify(tmp_path / "note.bin") is None


def test_masterplan_statuses_follow_format_and_compression() -> None:
    assert status_of("fmt/353", None, "raw")[0] == "preferred"
    assert status_of("fmt/353", None, "tiff_lzw")[0] == "accepted"
    assert status_of("fmt/353", None, "jpeg")[0] == "not preferred"
    assert status_of("fmt/43", None, None)[0] == "not preferred"
    assert status_of("fmt/477", None, None)[0] == "accepted"
    assert status_of(None, "Mailbox (mbox)", None)[0] == "preferred"
    assert status_of(None, "Unknown binary", None)[0] == "unidentified"


def test_the_risk_report_lists_files_not_in_a_preferred_format_by_collection_and_unit(
    runtime: Runtime, runner: CliRunner, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "a.tif", fmt="TIFF")
    Image.open(batch / "a.tif").save(batch / "b.tif", compression="tiff_lzw")
    make_image(batch / "c.jpg", seed=2)
    write_sheet(
        batch / "sheet.csv",
        [
            {"identifier": "A", "title": "a", "files": "a.tif"},
            {"identifier": "B", "title": "b", "files": "b.tif"},
            {"identifier": "C", "title": "c", "files": "c.jpg"},
        ],
    )
    assert ingest(runtime, batch, "scans", unit="faculty-arts", parallel=1).exit_code == 0
    with runtime.sessions() as session:
        files = {f.original_name: f for f in session.scalars(select(File))}
        assert files["c.jpg"].technical["pronom"]["puid"] == "fmt/43"
        identification = session.scalars(select(Event).where(Event.type == "format_identification")).all()
        assert all(e.data["pronom"]["puid"] for e in identification)
    result = runner.invoke(main, ["preservation", "risks", "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["files"] == 3 and found["at_risk"] == 1
    [group] = found["groups"]
    assert (group["collection"], group["unit"], group["at_risk"]) == ("scans", "faculty-arts", 1)
    assert {(f["status"], f["files"]) for f in group["formats"]} == {
        ("preferred", 1),
        ("accepted", 1),
        ("not preferred", 1),
    }
    [risky] = found["files_at_risk"]
    assert (risky["path"], risky["puid"], risky["risk"]) == ("c.jpg", "fmt/43", "high")
    text = runner.invoke(main, ["preservation", "risks"])
    assert "scans (faculty-arts): 1 of 3 files at risk" in text.output


def test_a_jpeg_compressed_tiff_failing_the_guideline_is_not_called_preferred(runtime: Runtime, tmp_path: Path) -> None:
    """Issue 17: a real photograph (LoC) saved as a JPEG-compressed TIFF was labelled a preferred, low-risk
    preservation format; the label now follows the compression and the guideline's check."""
    batch = tmp_path / "batch"
    batch.mkdir()
    with Image.open(shared_path("fixtures", "real", "images", "loc_pp_fishmonger_c1921.jpg")) as photo:
        small = photo.convert("RGB").resize((600, 400))
        small.save(batch / "jpeg.tif", compression="jpeg")
        small.save(batch / "plain.tif")
    write_sheet(
        batch / "sheet.csv",
        [
            {"identifier": "J", "title": "j", "files": "jpeg.tif"},
            {"identifier": "P", "title": "p", "files": "plain.tif"},
        ],
    )
    assert ingest(runtime, batch, "scans", unit="faculty-arts", parallel=1).exit_code == 0
    with runtime.sessions() as session:
        files = {f.original_name: f for f in session.scalars(select(File))}
    jpeg, plain = files["jpeg.tif"].quality, files["plain.tif"].quality
    assert files["jpeg.tif"].technical["compression"] == "jpeg"
    assert "compression" in jpeg["failed"]
    assert (jpeg["preferred_format"], jpeg["format_status"], jpeg["format_risk"]) == (False, "not preferred", "high")
    assert (plain["preferred_format"], plain["format_status"], plain["format_risk"]) == (True, "preferred", "low")
