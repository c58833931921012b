"""A standard metadata file whose records point at the scans: METS (MODS inside) and EAD 2002 batches."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import File, Item
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.conftest import shared_path
from tests.helpers import make_image, write_sheet
from tests.ingest.checks import assert_masters_identical, assert_store_clean

pytestmark = pytest.mark.db

SCANS = [
    "loc_clara-barton-diary-1849_folder-target.jpg",
    "loc_clara-barton-diary-1849_handwritten-spread.jpg",
    "loc_pp_fishmonger_c1921.jpg",
]

METS = """<?xml version="1.0" encoding="UTF-8"?>
<mets:mets xmlns:mets="http://www.loc.gov/METS/" xmlns:mods="http://www.loc.gov/mods/v3"
           xmlns:xlink="http://www.w3.org/1999/xlink" LABEL="Dagboek">
  <mets:dmdSec ID="DMD_VOL">
    <mets:mdWrap MDTYPE="MODS"><mets:xmlData><mods:mods>
      <mods:identifier type="local">DIARY-1849</mods:identifier>
      <mods:titleInfo><mods:title>Dagboek van Clara Barton, 1849</mods:title></mods:titleInfo>
      <mods:originInfo><mods:dateCreated>1849</mods:dateCreated></mods:originInfo>
    </mods:mods></mets:xmlData></mets:mdWrap>
  </mets:dmdSec>
  <mets:dmdSec ID="DMD_PHOTO">
    <mets:mdWrap MDTYPE="MODS"><mets:xmlData><mods:mods>
      <mods:identifier type="local">FISH-1921</mods:identifier>
      <mods:titleInfo><mods:title>Vishandelaar</mods:title></mods:titleInfo>
    </mods:mods></mets:xmlData></mets:mdWrap>
  </mets:dmdSec>
  <mets:fileSec><mets:fileGrp USE="MASTER">
    <mets:file ID="F1" MIMETYPE="image/jpeg"><mets:FLocat LOCTYPE="URL" xlink:href="scans/{0}"/></mets:file>
    <mets:file ID="F2" MIMETYPE="image/jpeg"><mets:FLocat LOCTYPE="URL" xlink:href="scans/{1}"/></mets:file>
    <mets:file ID="F3" MIMETYPE="image/jpeg"><mets:FLocat LOCTYPE="URL" xlink:href="scans/{2}"/></mets:file>
  </mets:fileGrp></mets:fileSec>
  <mets:structMap TYPE="PHYSICAL">
    <mets:div ID="PHYS_0" TYPE="physSequence">
      <mets:div ID="P1" TYPE="page" ORDER="1"><mets:fptr FILEID="F1"/></mets:div>
      <mets:div ID="P2" TYPE="page" ORDER="2"><mets:fptr FILEID="F2"/></mets:div>
      <mets:div ID="P3" TYPE="page" ORDER="3"><mets:fptr FILEID="F3"/></mets:div>
    </mets:div>
  </mets:structMap>
  <mets:structMap TYPE="LOGICAL">
    <mets:div ID="LOG_1" TYPE="collection" LABEL="Aanwinst">
      <mets:div ID="LOG_2" TYPE="volume" DMDID="DMD_VOL"/>
      <mets:div ID="LOG_3" TYPE="item" DMDID="DMD_PHOTO"/>
    </mets:div>
  </mets:structMap>
  <mets:structLink>
    <mets:smLink xlink:from="LOG_2" xlink:to="P1"/>
    <mets:smLink xlink:from="LOG_2" xlink:to="P2"/>
    <mets:smLink xlink:from="LOG_3" xlink:to="P3"/>
  </mets:structLink>
</mets:mets>
"""

EAD = """<?xml version="1.0" encoding="UTF-8"?>
<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink">
  <eadheader><eadid>BE-KUL-PEDEL</eadid>
    <filedesc><titlestmt><titleproper>Archief van de pedel</titleproper></titlestmt></filedesc></eadheader>
  <archdesc level="fonds">
    <did><unitid>PEDEL</unitid><unittitle>Archief van de pedel</unittitle><unitdate>1849-1921</unitdate></did>
    <dsc>
      <c01 level="series" id="s1">
        <did><unitid>PEDEL-1</unitid><unittitle>Dagboeken</unittitle></did>
        <c02 level="file" id="f1">
          <did><unitid>PEDEL-1-1</unitid><unittitle>Dagboek 1849</unittitle><unitdate>1849</unitdate>
            <dao xlink:href="scans/{0}"/><dao xlink:href="scans/{1}"/></did>
        </c02>
      </c01>
      <c01 level="file" id="f2">
        <did><unitid>PEDEL-2</unitid><unittitle>Foto van een vishandelaar</unittitle>
          <dao xlink:href="scans/{2}"/></did>
      </c01>
    </dsc>
  </archdesc>
</ead>
"""


def _scans(batch: Path) -> None:
    (batch / "scans").mkdir(parents=True)
    for name in SCANS:
        shutil.copyfile(shared_path("fixtures", "real", "images", name), batch / "scans" / name)


def _pages(runtime: Runtime, title: str) -> list[str]:
    with runtime.sessions() as s:
        item = s.scalar(select(Item).where(Item.title == title))
        assert item is not None, title
        return [f.original_name for f in item.files]


def test_mets_batch_links_structure_to_real_scans(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "mets-batch"
    _scans(batch)
    (batch / "mets.xml").write_text(METS.format(*SCANS), encoding="utf-8")
    report = ingest(runtime, batch, "mets")
    assert report.standard == "mets" and report.exit_code == 0, (report.failed, report.problems)
    assert _pages(runtime, "Dagboek van Clara Barton, 1849") == [f"scans/{SCANS[0]}", f"scans/{SCANS[1]}"]
    assert _pages(runtime, "Vishandelaar") == [f"scans/{SCANS[2]}"]
    with runtime.sessions() as s:
        assert all(f.derivatives_ready for f in s.scalars(select(File)))
    assert assert_masters_identical(runtime, batch) == 3
    assert_store_clean(runtime)


def test_ead_batch_builds_the_tree_and_attaches_scans(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "ead-batch"
    _scans(batch)
    (batch / "finding-aid.xml").write_text(EAD.format(*SCANS), encoding="utf-8")
    report = ingest(runtime, batch, "ead")
    assert report.standard == "ead" and report.exit_code == 0, (report.failed, report.problems)
    assert _pages(runtime, "Dagboek 1849") == [f"scans/{SCANS[0]}", f"scans/{SCANS[1]}"]
    with runtime.sessions() as s:
        diary = s.scalar(select(Item).where(Item.title == "Dagboek 1849"))
        assert [a.title for a in (diary.parent, diary.parent.parent)] == ["Dagboeken", "Archief van de pedel"]
    again = ingest(runtime, batch, "ead")
    assert again.items_created == 0 and {f.status for f in again.files} == {"already_ingested"}
    assert_store_clean(runtime)


ROWS = [
    {"identifier": "VL-1", "title": "Vlinderdoos 1", "date": "1901", "files": "scans/a.tif|scans/b.tif"},
    {"identifier": "VL-2", "title": "Vlinderdoos 2", "date": "1902", "files": "scans/c.tif"},
]


@pytest.mark.parametrize(
    ("fmt", "name", "standard"),
    [
        ("marcxml", "records.xml", "marcxml"),
        ("mods", "records.xml", "mods"),
        ("lido", "objects.xml", "lido"),
        ("ead3", "finding-aid.xml", "ead3"),
        ("dwc", "specimens.zip", "dwc"),
        ("dwc", "", "dwc"),  # the archive unpacked into the batch folder
    ],
)
def test_records_of_each_standard_point_at_their_scans(
    runtime: Runtime, runner: CliRunner, tmp_path: Path, fmt: str, name: str, standard: str
) -> None:
    """A batch described in MARCXML (856 $u), MODS (location/url), LIDO (linkResource), EAD3 (dao) or a
    Darwin Core Archive (associatedMedia), written by `heritage metadata convert` from a sheet: each record's
    scans become its pages, in order."""
    batch = tmp_path / "batch"
    for i, scan in enumerate("abc"):
        make_image(batch / "scans" / f"{scan}.tif", (500, 400), seed=i, fmt="TIFF")
    sheet = write_sheet(tmp_path / "sheet.csv", ROWS)
    target = batch / name if name else tmp_path / "archive.zip"
    converted = runner.invoke(main, ["metadata", "convert", str(sheet), "--to", fmt, "-o", str(target)])
    assert converted.exit_code == 0, converted.output
    if not name:
        with zipfile.ZipFile(target) as archive:
            archive.extractall(batch)
    report = ingest(runtime, batch, "specimens")
    assert report.standard == standard and report.exit_code == 0, (report.failed, report.problems)
    assert _pages(runtime, "Vlinderdoos 1") == ["scans/a.tif", "scans/b.tif"]
    assert _pages(runtime, "Vlinderdoos 2") == ["scans/c.tif"]
    assert assert_masters_identical(runtime, batch) == 3
    assert_store_clean(runtime)
