"""An export in the standard the records came in writes each item as its original record (issue 17): a
real finding aid ingested and exported as EAD keeps its containers, notes and links, and still validates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from heritage.cli import main
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.conftest import shared_path
from tests.xsd import errors

pytestmark = pytest.mark.db

EAD = "urn:isbn:1-931666-22-9"


def _count(root: etree._Element, name: str) -> int:
    return sum(1 for _ in root.iter(f"{{{EAD}}}{name}"))


def test_an_ead_export_of_an_ingested_finding_aid_keeps_its_containers_and_notes(
    runtime: Runtime, runner: CliRunner, tmp_path: Path
) -> None:
    source = shared_path("fixtures", "real", "ead", "duke_rubenstein_strykerdeena_ead2002_c01-c04.xml")
    batch = tmp_path / "duke"
    batch.mkdir()
    shutil.copyfile(source, batch / "ead.xml")
    report = ingest(runtime, batch, "duke")
    assert report.exit_code == 0, (report.problems, report.failed)
    out = tmp_path / "export.xml"
    result = runner.invoke(main, ["export", "--collection", "duke", "--format", "ead", "-o", str(out)])
    assert result.exit_code == 0, result.output
    exported = etree.parse(str(out)).getroot()
    original = etree.parse(str(source)).getroot()
    assert errors(etree.tostring(exported), (EAD, "http://www.loc.gov/ead/ead.xsd")) == []
    for name in ("container", "bioghist", "scopecontent", "unitdate"):
        assert _count(exported, name) >= _count(original, name) > 0, name
