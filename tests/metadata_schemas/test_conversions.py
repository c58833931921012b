"""Converting between standards: whatever the source, the output validates against its own schema and
keeps what the target can hold (titles, the tree, scans)."""

from __future__ import annotations

from pathlib import Path

import pytest

from metadata_schemas import checking, registry, schemas

SOURCES = [
    "marcxml/dnb_99records.xml",
    "marc/stanford_30records_utf8.mrc",
    "mods/harvard_librarycloud_oai_listrecords_mods.xml",
    "dc/harvard_librarycloud_oai_listsets_dc.xml",
    "ead3/princeton_C1571_ead3.xml",
    "ead/nyu_voorhis_ead2002_no-namespace.xml",
    "lido/fotomarburg_fontana-del-moro_lido-v1.1.xml",
    "mets/slub_oai_pmh_getrecord_mets.xml",
    "dwc/bdj_spiders_checklist_980_dwca.zip",
    "dwc/lsu_puma_concolor_occurrences.csv",
]
TARGETS = ["dc", "ead", "ead3", "marcxml", "mods", "lido", "mets", "dwc", "marc"]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("source", SOURCES)
def test_conversion_output_validates_against_its_own_schema(
    source: str, target: str, real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    cores = [r.core for r in checking.records(real / source)][:60]
    out = tmp_path / ("out.zip" if target == "dwc" else "out")
    with out.open("wb") as fh:
        checking.convert(cores, target, fh)  # raises if the output does not validate
    standard = registry.detect(out)
    assert standard.name == target
    assert standard.validate(out) == []
    again = list(standard.parse(out))
    assert len(again) == len(cores)

    # LIDO must write a title ('(untitled)' where there is none); MARC drops ISBD punctuation at the end.
    def bare(title: str) -> str:
        return title.rstrip(" /:;,.=")

    titled = [bare(c.title) for c in cores if c.title]
    assert [bare(r.core.title) for r in again if r.core.title not in ("", "(untitled)")][:5] == titled[:5]


def test_the_tree_survives_ead_to_mets_and_back(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    records = list(checking.records(real / "ead3" / "princeton_C1571_ead3.xml"))
    mets = tmp_path / "mets.xml"
    with mets.open("wb") as fh:
        checking.convert([r.core for r in records], "mets", fh)
    back = list(registry.get("mets").parse(mets))
    assert [(r.local_id, r.parent_local_id) for r in back] == [(r.local_id, r.parent_local_id) for r in records]
    assert back[0].files == records[0].files == ["bioghist-images/shieldlogo.jpg"]


@pytest.mark.parametrize("target", ["dc", "ead3", "lido", "mods", "mets"])
def test_dutch_and_english_titles_stand_side_by_side_through_a_conversion(
    target: str, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = tmp_path / "mods.xml"
    source.write_text(
        '<mods xmlns="http://www.loc.gov/mods/v3" version="3.8">'
        '<titleInfo lang="dut"><title>Herbarium van de Kruidtuin</title></titleInfo>'
        '<titleInfo type="translated" lang="eng"><title>Herbarium of the Botanical Garden</title></titleInfo>'
        "<originInfo><dateCreated>18e eeuw</dateCreated></originInfo>"
        '<subject authority="aat" valueURI="http://vocab.getty.edu/aat/300025837"><topic>herbaria</topic></subject>'
        "</mods>",
        encoding="utf-8",
    )
    core = next(checking.records(source)).core
    assert core.titles == {"nl": "Herbarium van de Kruidtuin", "en": "Herbarium of the Botanical Garden"}
    assert (core.dates[0].start, core.dates[0].end) == (1700, 1799)
    assert (core.subjects[0].id, core.subjects[0].scheme) == ("http://vocab.getty.edu/aat/300025837", "aat")
    out = tmp_path / "out.xml"
    with out.open("wb") as fh:
        checking.convert([core], target, fh)
    again = next(registry.detect(out).parse(out)).core
    assert again.title == "Herbarium van de Kruidtuin"
    assert again.titles == core.titles
