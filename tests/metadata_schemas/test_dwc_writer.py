"""Records of other standards written as Darwin Core and read back (issue 17, round 2): an archival
component keeps the record it is part of, a place its gazetteer id; a Darwin Core Archive whose meta.xml maps
columns its rows lack is mended, and a meta.xml without its data file says which file is missing."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.metadata_cli import metadata
from metadata_schemas import checking, dwc_terms, registry, schemas
from metadata_schemas.core import CoreRecord, Note, Term


def _round_trip(source: Path, tmp_path: Path) -> tuple[list, list]:
    before = [r.core for r in registry.detect(source).parse(source)]
    out = tmp_path / "out.zip"
    with out.open("wb") as fh:
        registry.get("dwc").serialise(before, fh)
    assert registry.get("dwc").validate(out) == []
    return before, [r.core for r in registry.get("dwc").parse(out)]


@pytest.mark.parametrize(
    "name",
    [
        "ead/duke_rubenstein_strykerdeena_ead2002_c01-c04.xml",
        "ead3/princeton_C1571_ead3.xml",
        "mets/slub_oai_pmh_getrecord_mets.xml",
        "mods/harvard_librarycloud_oai_listrecords_mods.xml",
    ],
)
def test_the_record_a_component_is_part_of_survives_darwin_core(
    name: str, real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    before, after = _round_trip(real / name, tmp_path)
    assert any(c.parent for c in before)
    assert [(c.local_id, c.parent) for c in after] == [(c.local_id, c.parent) for c in before]


@pytest.mark.parametrize(
    "name", ["lido/kenom_numismatics_20records_lido.xml", "lido/technikmuseum-berlin_ddb_lido.xml"]
)
def test_places_keep_their_gazetteer_ids_through_darwin_core(
    name: str, real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    before, after = _round_trip(real / name, tmp_path)
    assert any(p.id for c in before for p in c.places)
    assert [[(p.label, p.id) for p in c.places] for c in after] == [[(p.label, p.id) for p in c.places] for c in before]


def test_associated_occurrences_and_place_ids_of_darwin_core_itself_stay_as_written() -> None:
    """Only the `(part of) ID` that opens the cell is the parent; ids that do not pair with the places
    stay a note; a row written from these reads back with the same cells."""
    row = {
        "occurrenceID": "o1",
        "associatedOccurrences": "(sibling of) urn:x:2 | (part of) urn:x:3",
        "higherGeography": "Europe | Belgium",
        "higherGeographyID": "http://sws.geonames.org/6255148/",
    }
    core, _ = dwc_terms.to_core(row)
    assert core.parent is None
    assert Note("associatedOccurrences", row["associatedOccurrences"]) in core.typed_notes
    assert all(p.id is None for p in core.places)
    written = dwc_terms.from_core(core, part_of=True)
    assert {k: written[k] for k in row if k != "occurrenceID"} == {k: v for k, v in row.items() if k != "occurrenceID"}

    core.parent = "urn:x:9"
    core.typed_notes = [n for n in core.typed_notes if n.type != "higherGeographyID"]
    core.places = [Term("Europe", "http://sws.geonames.org/6255148/", kind="higherGeography"), Term("Belgium")]
    written = dwc_terms.from_core(core, part_of=True)
    assert written["associatedOccurrences"] == "(part of) urn:x:9 | " + row["associatedOccurrences"]
    assert written["higherGeographyID"] == "http://sws.geonames.org/6255148/ | "
    columns = {k: v for k, v in written.items() if v and k in dwc_terms.COLUMNS}  # an occurrence core's
    again, _ = dwc_terms.to_core({"occurrenceID": "o1", **columns})
    assert again.parent == "urn:x:9"
    assert [n.text for n in again.typed_notes if n.type == "associatedOccurrences"] == [row["associatedOccurrences"]]
    assert [(p.label, p.id) for p in again.places] == [
        ("Europe", "http://sws.geonames.org/6255148/"),
        ("Belgium", None),
    ]


@pytest.fixture
def cli(tmp_path: Path, real: Path) -> CliRunner:
    return CliRunner(env={"HERITAGE_DATA": str(tmp_path / "data"), "HERITAGE_SCHEMAS": str(real / "xsd")})


def test_a_descriptor_mapping_columns_the_rows_lack_is_mended_and_its_data_kept(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    """GBIF's export whose meta.xml maps 235 columns for rows of 234: the mapping of the missing column
    goes (a warning at its line of meta.xml); occurrence.txt comes back byte for byte."""
    source = real / "dwc" / "invalid" / "dwca-malformed-descriptor"
    out = tmp_path / "out.zip"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "dwc", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    warning = f"{source}/meta.xml:241: dropped the mapping of column 234"
    assert warning in result.stderr
    assert checking.check(out).problems == []
    with zipfile.ZipFile(out) as zf:
        assert zf.read("occurrence.txt") == (source / "occurrence.txt").read_bytes()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("dwca-io_extension-core-id-missing_meta.xml", ":3: core data file 'taxa.txt' is missing"),
        ("dwca-io_meta-file-location-missing_meta.xml", ":3: core has no <files><location>"),
    ],
)
def test_a_descriptor_without_its_data_file_says_which_and_where(
    name: str, message: str, cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "dwc" / "invalid" / name
    result = cli.invoke(metadata, ["convert", str(source), "--to", "mods", "-o", str(tmp_path / "out.xml")])
    assert result.exit_code != 0
    assert f"{source}{message}" in str(result.exception)  # `heritage` prints it as `error: FILE:LINE: ...`


@pytest.mark.parametrize(
    "name", ["lido/kenom_numismatics_20records_lido.xml", "ead/duke_rubenstein_strykerdeena_ead2002_c01-c04.xml"]
)
def test_roles_kinds_date_types_and_note_headings_survive_darwin_core(
    name: str, real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    """Darwin Core has no column for them: they travel in dynamicProperties and come back, and that
    note is gone again once read."""
    before, after = _round_trip(real / name, tmp_path)

    def qualified(core: CoreRecord) -> tuple:
        return (
            [(a.name, a.role, a.kind) for a in core.agents],
            [(d.text, d.type, d.start, d.end) for d in core.dates],
            sorted(
                (n.type, " ".join(n.text.split()), n.label or "") for n in core.typed_notes
            ),  # a cell has no line breaks
        )

    assert any(a.role not in ("collector", None) for c in before for a in c.agents)
    assert [qualified(c) for c in after] == [qualified(c) for c in before]


def test_a_publishers_own_dynamic_properties_stay_a_note() -> None:
    for text in ('{"heightInMeters":1.5}', '{"recordedBy":[{}],"other":1}', "sex=female"):
        core, _ = dwc_terms.to_core({"occurrenceID": "o1", "recordedBy": "A. Smith", "dynamicProperties": text})
        assert [(n.type, n.text) for n in core.typed_notes] == [("dynamicProperties", text)]
        assert dwc_terms.from_core(core)["dynamicProperties"] == text


def test_values_holding_pipes_are_not_cut_at_the_list_separator(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    """The SAA kitchen-sink finding aid (Archivists' Toolkit output) ends its values with `|||`: a
    Darwin Core list cell is cut only at a lone `|`, so `Series I |||` and `Bowers, Kate, 1963- |||` stay whole."""
    before, after = _round_trip(real / "ead" / "saa_kitchen_sink_AT_output_enumerated_cs.xml", tmp_path)
    assert any("|||" in i for c in before for i in c.identifiers)
    assert [c.identifiers for c in after] == [c.identifiers for c in before]
    assert [[a.name for a in c.agents] for c in after] == [[a.name for a in c.agents] for c in before]
    assert dwc_terms.split("A. Smith|B. Jones | C. Brown") == ["A. Smith", "B. Jones", "C. Brown"]
