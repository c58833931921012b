"""The Darwin Core Archive export, read back with GBIF's own reader (python-dwca-reader): specimens are the
occurrences, the collection describes the dataset, every column is a Darwin Core term, the taxon is
complete where the record says enough."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.cli import main
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.helpers import write_sheet

dwca = pytest.importorskip("dwca", reason="python-dwca-reader (test extra) reads the archive back")

DWC = "http://rs.tdwg.org/dwc/terms/"
# Terms of the Darwin Core list added after python-dwca-reader's copy of it was made (DwC 2021-07, 2023-09).
NEWER_TERMS = {DWC + "recordedByID", DWC + "identifiedByID", DWC + "subfamily", DWC + "verbatimLabel"}


def beetles(folder: Path) -> Path:
    folder.mkdir(parents=True)
    write_sheet(
        folder / "sheet.csv",
        [
            {
                "identifier": "ZOO",
                "parent": "",
                "level": "collection",
                "title": "Collectie Coleoptera",
                "date": "1880-1960",
                "description": "Genaalde kevers uit België.",
                "taxon": "",
                "creator": "",
            },
            {
                "identifier": "ZOO-1",
                "parent": "ZOO",
                "level": "specimen",
                "title": "Carabus auratus (Carabidae)",
                "date": "1923-05",
                "taxon": "Carabus auratus",
                "creator": "Jan Peeters (collector)",
            },
            {
                "identifier": "ZOO-2",
                "parent": "ZOO",
                "level": "specimen",
                "title": "Lucanus cervus (Lucanidae)",
                "date": "1931-07-12",
                "taxon": "Lucanus cervus",
                "creator": "",
            },
        ],
    )
    return folder


@pytest.mark.db
def test_exported_archive_lists_specimens_with_darwin_core_terms_only(
    runtime: Runtime, runner: CliRunner, tmp_path: Path
) -> None:
    from dwca.darwincore.terms import TERMS
    from dwca.read import DwCAReader

    report = ingest(runtime, beetles(tmp_path / "batch"), "kevers")
    assert not report.failed
    out = tmp_path / "kevers.zip"
    result = runner.invoke(main, ["export", "--collection", "kevers", "--format", "dwca", "-o", str(out)])
    assert result.exit_code == 0, result.output

    with DwCAReader(str(out)) as archive:
        assert archive.core_file.file_descriptor.type == DWC + "Occurrence"
        columns = set(archive.core_file.file_descriptor.terms)
        rows = {row.data[DWC + "catalogNumber"]: row.data for row in archive}
        abstract = " ".join(p.text or "" for p in archive.metadata.findall("dataset/abstract/para"))
    # every column is a term of the Darwin Core list: no dcterms:title, no taxon term for the archival parent
    assert columns - set(TERMS) - NEWER_TERMS == set()
    assert DWC + "parentNameUsageID" not in columns
    # the collection is no occurrence: only the two specimens, each with its scientific name
    assert sorted(rows) == ["ZOO-1", "ZOO-2"]
    carabus = rows["ZOO-1"]
    assert carabus[DWC + "scientificName"] == "Carabus auratus"
    assert (carabus[DWC + "family"], carabus[DWC + "kingdom"]) == ("Carabidae", "Animalia")
    assert (carabus[DWC + "genus"], carabus[DWC + "specificEpithet"]) == ("Carabus", "auratus")
    assert carabus[DWC + "taxonRank"] == "species"
    assert carabus[DWC + "recordedBy"] == "Jan Peeters"
    assert carabus[DWC + "eventDate"] == "1923-05"
    assert carabus[DWC + "collectionCode"] == "kevers"
    # the collection describes the dataset instead
    assert "Collectie Coleoptera" in abstract and "Genaalde kevers uit België." in abstract
    assert "2 occurrence records." in abstract
