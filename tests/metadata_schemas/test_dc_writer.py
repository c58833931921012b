"""Issue 17, round 2: what the Dublin Core writer keeps of a real record (LIDO, MODS, METS, EAD, MARC into
oai_dc), and how it reads back into the same core fields."""

from __future__ import annotations

from pathlib import Path

from metadata_schemas import checking, registry, schemas
from metadata_schemas.core import CoreRecord


def _cores(path: Path) -> list[CoreRecord]:
    return [r.core for r in checking.records(path)]


def _words(text: str) -> str:
    return " ".join(text.split())


def _to_dc(cores: list[CoreRecord], tmp_path: Path) -> list[CoreRecord]:
    out = tmp_path / "out-dc.xml"
    with out.open("wb") as fh:
        checking.convert(cores, "dc", fh)  # raises unless the output validates against oai_dc.xsd
    return [r.core for r in registry.get("dc").parse(out)]


def test_authority_uris_of_subjects_places_and_names_survive_oai_dc(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    source = _cores(real / "lido" / "technikmuseum-berlin_ddb_lido.xml")[0]
    back = _to_dc([source], tmp_path)[0]
    ids = {t.label: (t.id, t.scheme) for t in back.subjects}
    assert ids["Mühle"] == ("https://d-nb.info/gnd/4040457-2", "gnd")
    assert ids["Mill (grinding)"] == ("https://d-nb.info/gnd/4040457-2", "gnd")
    assert ids["Zellenrad (Wasserrad)"] == (None, None)  # a museum's local id is no URI: DC has no place
    assert all(not t.label.startswith("http") for t in back.subjects)
    assert [(p.label, p.id) for p in back.places] == [(p.label, p.id) for p in source.places]
    fsu = _cores(real / "mods" / "fsu_modsCollection_flvc.xml")
    agents = [(a.name, a.id) for c in _to_dc(fsu, tmp_path) for a in c.agents]
    assert ("J.R. Clancy (Firm)", "http://id.loc.gov/authorities/names/no2011169175") in agents
    assert [(a.name, a.id) for c in fsu for a in c.agents] == agents


def test_lido_record_with_nothing_to_say_is_written_validly_to_dc_and_mods(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    """n4o's broken LIDO record has no descriptive part: DC gets an empty oai_dc:dc (oai_dc.xsd allows it),
    MODS an empty title (MODS needs one child); no "[untitled]" is invented, the LIDO reader says why."""
    records = list(checking.records(real / "lido" / "invalid" / "n4o_LIDO-invalid.xml"))
    assert any("no lido:descriptiveMetadata" in p.message for p in records[0].problems)
    cores = [r.core for r in records]
    back = _to_dc(cores, tmp_path)  # raised "no Dublin Core element in this record" before
    assert not back[0].title and not back[0].identifiers
    out = tmp_path / "out.mods.xml"
    with out.open("wb") as fh:
        checking.convert(cores, "mods", fh)  # raised "Missing child element(s)" before
    assert not [r.core.title for r in registry.get("mods").parse(out) if r.core.title]


def test_dc_record_of_foreign_elements_is_still_a_problem(tmp_path: Path, xsd: schemas.SchemaSet) -> None:
    path = tmp_path / "wrong.xml"
    path.write_text(
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"><title>x</title></oai_dc:dc>',
        encoding="utf-8",
    )
    assert any("no Dublin Core element" in p.message for p in registry.get("dc").validate(path))


def test_lido_materials_location_coordinates_and_parts_go_where_lido_to_dc_puts_them_and_come_back(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    source = _cores(real / "lido" / "fotomarburg_fontana-del-moro_lido-v1.1.xml")[0]
    out = tmp_path / "out-dc.xml"
    with out.open("wb") as fh:
        checking.convert([source], "dc", fh)
    text = out.read_text(encoding="utf-8")
    assert "<dc:format>Material: marble (rock)</dc:format>" in text
    assert "<dc:coverage>Coordinates: 41.8981 12.4731</dc:coverage>" in text
    back = next(r.core for r in registry.get("dc").parse(out))
    assert [m.label for m in back.materials] == [m.label for m in source.materials]
    assert back.physical_locations == source.physical_locations
    assert back.coordinates is not None and (back.coordinates.latitude, back.coordinates.longitude) == (
        41.8981,
        12.4731,
    )
    assert [p.title for p in back.parts] == [p.title for p in source.parts]
    assert back.extent == source.extent and back.description == source.description  # prefixed values kept apart


def test_ead_notes_keep_their_type_through_dc(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    source = _cores(real / "ead3" / "princeton_C1571_ead3.xml")
    back = _to_dc(source, tmp_path)
    noted = [(n.type, _words(n.text)) for c in source for n in c.typed_notes if n.type not in ("source", "relation")]
    assert len(noted) > 10
    # one dc:description per note; its paragraph breaks become spaces (DC has one paragraph per element)
    assert [(n.type, _words(n.text)) for c in back for n in c.typed_notes] == noted
    assert [c.description for c in back] == [c.description for c in source]


def test_lido_measurements_material_ids_and_part_identifiers_come_back_from_dc(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    coins = _cores(real / "lido" / "kenom_numismatics_20records_lido.xml")
    back = _to_dc(coins, tmp_path)
    dims = [(m.type, m.value, m.unit) for m in coins[0].measurements]
    assert dims and all(unit for _, _, unit in dims)
    assert [(m.type, m.value, m.unit) for m in back[0].measurements if m.unit] == dims
    assert [(t.label, t.id) for t in back[0].materials] == [(t.label, t.id) for t in coins[0].materials]
    assert any(t.id for t in back[0].materials)
    museum = _cores(real / "lido" / "deutsches-museum_ddb_lido.xml")
    parts = [(p.title, p.identifiers) for c in museum for p in c.parts]
    assert parts and any(ids for _, ids in parts)
    assert [(p.title, p.identifiers) for c in _to_dc(museum, tmp_path) for p in c.parts] == parts


def test_darwin_core_elevation_and_uncertainty_survive_dc_coverage(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    source = _cores(real / "dwc" / "bdj_spiders_checklist_980_unzipped") + _cores(
        real / "dwc" / "invalid" / "dwca-malformed-descriptor"
    )
    points = [c.coordinates for c in source if c.coordinates is not None]
    assert any(p.elevation_max is not None for p in points) and any(p.uncertainty for p in points)
    back = [c.coordinates for c in _to_dc(source, tmp_path) if c.coordinates is not None]
    assert [(p.latitude, p.longitude, p.elevation, p.elevation_max, p.uncertainty, p.datum) for p in back] == [
        (p.latitude, p.longitude, p.elevation, p.elevation_max, p.uncertainty, p.datum) for p in points
    ]
