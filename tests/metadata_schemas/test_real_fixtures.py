"""Every real record in ../shared/fixtures/real is detected by content, parsed, and (when valid)
round-tripped: parse -> serialise -> valid against its XSD -> parse again gives the same core records."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from metadata_schemas import registry, schemas
from tests.conftest import SHARED

REAL = SHARED / "fixtures" / "real"

# (path, standard, records) of every positive fixture; a folder or meta.xml stands for an unzipped archive.
POSITIVE = [
    ("dc/aspace_oai_getrecord_resource_dc.xml", "dc", 1),
    ("dc/harvard_librarycloud_oai_listsets_dc.xml", "dc", 50),
    ("dc/indiana_oai_dc_dcterms_record.xml", "dc", 1),
    ("dc/sickle_oai_getrecord_utf8.xml", "dc", 1),
    ("dc/sickle_oai_listrecords_dc.xml", "dc", 1),
    ("ead/duke_rubenstein_strykerdeena_ead2002_c01-c04.xml", "ead", 103),
    ("ead/nlm_alphaomegaalpha_ead2002.xml", "ead", 39),
    ("ead/nyu_voorhis_ead2002_no-namespace.xml", "ead", 531),
    ("ead/saa_kitchen_sink_AT_output_enumerated_cs.xml", "ead", 72),
    ("ead/stanford_sc0097_ead2002_large.xml", "ead", 1141),
    ("ead3/ncsu_mc00084_ead3_large.xml", "ead3", 2105),
    ("ead3/ncsu_mc00353_ead3_diacritics.xml", "ead3", 2637),
    ("ead3/princeton_C1571_ead3.xml", "ead3", 13),
    ("ead3/saa_EAD3test_c01-c04.xml", "ead3", 15),
    ("marcxml/aspace_authority_records_no-namespace.xml", "marcxml", 3),
    ("marcxml/dnb_99records.xml", "marcxml", 99),
    ("marcxml/loc_chronam_title_sru-wrapped.xml", "marcxml", 1),
    ("marcxml/nlm_99records_nfd-diacritics.xml", "marcxml", 99),
    ("marcxml/stanford_30records_utf8.marc.xml", "marcxml", 30),
    ("marc/pymarc_batch_10records.mrc", "marc", 10),
    ("marc/pymarc_marc8_encoded.mrc", "marc", 1),
    ("marc/stanford_30records_utf8.mrc", "marc", 30),
    ("mods/aspace_oai_getrecord_mods.xml", "mods", 1),
    ("mods/fsu_modsCollection_flvc.xml", "mods", 3),
    ("mods/harvard_librarycloud_oai_listrecords_mods.xml", "mods", 10),
    ("mods/nypl_mods.xml", "mods", 1),
    ("lido/deutsches-museum_ddb_lido.xml", "lido", 1),
    ("lido/fotomarburg_fontana-del-moro_lido-v1.1.xml", "lido", 3),
    ("lido/kenom_numismatics_20records_lido.xml", "lido", 20),
    ("lido/technikmuseum-berlin_ddb_lido.xml", "lido", 1),
    ("mets/slub_mets_mods_dfg-viewer.xml", "mets", 1),
    ("mets/slub_oai_pmh_getrecord_mets.xml", "mets", 8),
    ("mets/ulb-halle_oai_getrecord_mets.xml", "mets", 1),
    ("dwc/bdj_spiders_checklist_980_dwca.zip", "dwc", 1096),
    ("dwc/bdj_spiders_checklist_980_unzipped", "dwc", 1096),
    ("dwc/bdj_spiders_checklist_980_unzipped/meta.xml", "dwc", 1096),
    ("dwc/dwca-simple-dir", "dwc", 4),
    ("dwc/plazi_draposa_treatment_dwca.zip", "dwc", 57),
    ("dwc/lsu_puma_concolor_occurrences.csv", "dwc_csv", 3391),
]
# Real exports with real defects (PROVENANCE.md says so): they parse and round-trip, and validation names
# the defect. The value is a phrase of the problem reported.
KNOWN_DEFECTS = {
    "ead/nlm_alphaomegaalpha_ead2002.xml": "originalsloc",
    "mods/aspace_oai_getrecord_mods.xml": "titleinfo",
    "mods/nypl_mods.xml": "supplied",
    "dc/sickle_oai_listrecords_dc.xml": "Character content",
    "dwc/plazi_draposa_treatment_dwca.zip": "metadata.xml",
}


def _cores(standard: registry.Standard, path: Path) -> list[dict]:
    return [r.core.to_dict() for r in standard.parse(path)]


@pytest.mark.parametrize(("name", "standard", "count"), POSITIVE, ids=[p[0] for p in POSITIVE])
def test_real_record_is_detected_parsed_and_round_tripped(
    name: str, standard: str, count: int, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    path = REAL / name
    detected = registry.detect(path)
    assert detected.name == standard

    records = list(detected.parse(path))
    assert len(records) == count
    assert [r.position for r in records] == list(range(1, count + 1))
    assert all(r.original for r in records), "every record keeps its original"
    assert all(r.core.to_dict().keys() - {"local_id", "parent", "level"} for r in records), "no empty record"
    if standard in ("ead", "ead3", "mets"):
        ids = [r.local_id for r in records]
        assert len(set(ids)) == len(ids) and None not in ids
        assert {r.parent_local_id for r in records[1:]} <= set(ids), "every level hangs in the tree"

    problems = detected.validate(path)
    if name in KNOWN_DEFECTS:
        assert any(KNOWN_DEFECTS[name] in p.message for p in problems), problems
    else:
        assert problems == []

    out = tmp_path / ("out.zip" if standard == "dwc" else "out")
    with out.open("wb") as fh:
        detected.serialise([r.core for r in records], fh)
    assert registry.detect(out).name == standard
    assert detected.validate(out) == []
    assert _cores(detected, out) == [r.core.to_dict() for r in records]


def test_fixtures_list_covers_every_positive_file() -> None:
    if not REAL.exists():
        pytest.skip(f"../shared is not here ({REAL} missing): the real fixtures live there")
    listed = {p[0] for p in POSITIVE}
    for folder in ("dc", "ead", "ead3", "marcxml", "marc", "mods", "lido", "mets", "dwc"):
        for path in (REAL / folder).iterdir():
            if path.name != "invalid":
                assert path.relative_to(REAL).as_posix() in listed


def test_serialised_dwc_archive_is_a_zip_with_a_valid_descriptor(real: Path, xsd: schemas.SchemaSet) -> None:
    import zipfile

    records = [r.core for r in registry.get("dwc_csv").parse(real / "dwc" / "lsu_puma_concolor_occurrences.csv")]
    buffer = io.BytesIO()
    registry.get("dwc").serialise(records[:5], buffer)
    with zipfile.ZipFile(buffer) as zf:
        assert {"meta.xml", "occurrence.txt", "eml.xml"} <= set(zf.namelist())
