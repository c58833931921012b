"""Issue 17 for MODS, LIDO, METS and Dublin Core: what a real record says reaches the core record and the
outputs (constituent works, names, notes, events, materials, measurements, every title, languages)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from metadata_schemas import checking, registry, schemas
from metadata_schemas.core import Container, CoreRecord, Parallel
from metadata_schemas.mods import MODS

# A manuscript described the way the Parker Library (Cambridge, Corpus Christi College) describes its
# Anglo-Saxon codices in MODS: the works inside are constituent relatedItems, and only they name authors.
MANUSCRIPT = """<?xml version="1.0" encoding="UTF-8"?>
<mods xmlns="http://www.loc.gov/mods/v3" version="3.8">
  <titleInfo><title>Homilies and laws in Old English</title></titleInfo>
  <typeOfResource manuscript="yes">text</typeOfResource>
  <originInfo><dateCreated>s. xi med.</dateCreated></originInfo>
  <physicalDescription><form type="material">parchment</form><extent>ii + 178 pages</extent></physicalDescription>
  <note type="provenance">Given to the college by Matthew Parker in 1575.</note>
  <note>Written in Old English and Latin.</note>
  <location><physicalLocation>Parker Library</physicalLocation><shelfLocator>MS 201</shelfLocator></location>
  <relatedItem type="constituent">
    <titleInfo><title>Sermo Lupi ad Anglos</title><subTitle>Leofan men, gecnawað þæt soð is</subTitle></titleInfo>
    <name type="personal">
      <namePart>Wulfstan</namePart><namePart type="termsOfAddress">Archbishop of York</namePart>
      <namePart type="date">d. 1023</namePart>
      <role><roleTerm type="text" authority="marcrelator">author</roleTerm></role>
    </name>
    <part><extent unit="pages"><start>82</start><end>85</end></extent></part>
  </relatedItem>
  <relatedItem type="constituent">
    <titleInfo><title>Þis is seo gesetnys ðe ƿe Ælfric awendon</title></titleInfo>
    <name type="personal"><namePart type="family">Ælfric</namePart><namePart type="given">of Eynsham</namePart></name>
    <note>Incipit: Her onginð seo æ þe God sette</note>
  </relatedItem>
</mods>
"""

DC_TWO_TITLES = """<?xml version="1.0" encoding="UTF-8"?>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:title>Rapport annuel 1912</dc:title>
  <dc:title>Jaarverslag over 1912</dc:title>
  <dc:title xml:lang="en">Annual report 1912</dc:title>
  <dc:identifier>rep-1912</dc:identifier>
</oai_dc:dc>
"""


def _one(path: Path, position: int = 0) -> CoreRecord:
    return list(checking.records(path))[position].core


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _convert(cores: list[CoreRecord], target: str, tmp_path: Path) -> tuple[Path, list[CoreRecord]]:
    out = tmp_path / f"out-{target}.xml"
    with out.open("wb") as fh:
        checking.convert(cores, target, fh)  # raises unless the output validates against its schema
    return out, [r.core for r in registry.get(target).parse(out)]


# --- MODS ------------------------------------------------------------------------------------------


def test_mods_constituent_works_become_parts_with_their_old_english_letters(
    tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    core = _one(_write(tmp_path, "ms.xml", MANUSCRIPT))
    assert [p.title for p in core.parts] == [
        "Sermo Lupi ad Anglos : Leofan men, gecnawað þæt soð is",
        "Þis is seo gesetnys ðe ƿe Ælfric awendon",
    ]
    assert core.parts[0].extent == "82-85"
    assert core.parts[1].note == "Incipit: Her onginð seo æ þe God sette"
    letters = "".join(p.title + (p.note or "") for p in core.parts)
    assert all(letter in letters for letter in "Þðƿæ")
    # the record names no author of its own: its works' authors are its agents, not none
    assert [(a.name, a.role, a.kind) for a in core.agents] == [
        ("Wulfstan, Archbishop of York, d. 1023", "author", "person"),
        ("Ælfric, of Eynsham", None, "person"),
    ]
    _out, [back] = _convert([core], "mods", tmp_path)
    assert back.parts == core.parts
    assert back.agents == core.agents


def test_mods_notes_keep_their_type_and_the_record_its_location_and_material(
    tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    core = _one(_write(tmp_path, "ms.xml", MANUSCRIPT))
    assert [(n.type, n.text) for n in core.typed_notes] == [
        ("provenance", "Given to the college by Matthew Parker in 1575."),
        ("general", "Written in Old English and Latin."),
    ]
    assert core.physical_locations == ["Parker Library", "MS 201"]
    assert [m.label for m in core.materials] == ["parchment"]
    assert core.dates[0].type == "created"
    out, [back] = _convert([core], "mods", tmp_path)
    assert back.typed_notes == core.typed_notes
    assert b'<note type="provenance">' in out.read_bytes()


def test_real_mods_notes_are_typed(real: Path) -> None:
    core = _one(real / "mods" / "nypl_mods.xml")
    assert ("statement of responsibility", "I. Corner sculp. (Literary Magazine).") in [
        (n.type, n.text) for n in core.typed_notes
    ]
    aspace = _one(real / "mods" / "aspace_oai_getrecord_mods.xml")
    assert {"biographical", "general"} <= {n.type for n in aspace.typed_notes}


def test_real_mods_family_and_given_name_parts_read_as_family_comma_given(real: Path) -> None:
    cores = [r.core for r in checking.records(real / "mods" / "fsu_modsCollection_flvc.xml")]
    agents = [(a.name, a.role, a.kind) for c in cores for a in c.agents]
    assert ("Loss, Florence", "Editor", "person") in agents  # namePart family + given, was "Loss Florence"
    assert ("Broward NOW", "Creator", "corporate") in agents


# --- METS ------------------------------------------------------------------------------------------


def test_mets_title_and_subtitle_stay_apart(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    records = list(checking.records(real / "mets" / "slub_oai_pmh_getrecord_mets.xml"))
    core = records[0].core
    subtitle = "ein Führer für Reisende; mit Kartenbeilagen und Illustrationen in Holzschnitt"
    assert core.title == f"Die Sächsisch-Böhmische Schweiz : {subtitle}"  # was "... Schweiz ein Führer ..."
    out, back = _convert([r.core for r in records], "mets", tmp_path)
    title_info = etree.parse(str(out)).find(f".//{{{MODS}}}titleInfo")
    assert title_info is not None
    assert title_info.findtext(f"{{{MODS}}}title") == "Die Sächsisch-Böhmische Schweiz"
    assert title_info.findtext(f"{{{MODS}}}subTitle") == subtitle
    assert back[0].title == core.title


def test_mets_names_use_display_form_else_family_comma_given(real: Path) -> None:
    core = _one(real / "mets" / "slub_mets_mods_dfg-viewer.xml")
    names = [(a.name, a.kind) for a in core.agents if a.role != "publisher"]
    assert names == [
        ("Burgsdorf, Friedrich August Ludwig von", "person"),  # displayForm, not "Burgsdorf Friedrich August Ludwig"
        ("Gatterer, Christoph Wilhelm Jakob", "person"),
        ("SLUB Dresden", "corporate"),
    ]
    library = "Sächsische Landesbibliothek - Staats- und Universitätsbibliothek Dresden"
    assert core.physical_locations == [library, "Fbc 19"]


# --- LIDO ------------------------------------------------------------------------------------------


def test_lido_object_without_production_event_is_dated_by_its_other_events(real: Path) -> None:
    core = _one(real / "lido" / "technikmuseum-berlin_ddb_lido.xml")
    assert [(d.text, d.start, d.type) for d in core.dates] == [("27.05.1902", 1902, "Gezeichnet")]
    assert [e.type for e in core.events] == ["Gezeichnet", "Beauftragt", "Event (non-specified)"]


def test_lido_every_event_materials_techniques_and_measurements_are_kept(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    core = _one(real / "lido" / "kenom_numismatics_20records_lido.xml")
    assert [(e.type, e.date.text if e.date else None) for e in core.events] == [
        ("Acquisition", "August 2005"),
        ("Production", "7.1921"),
        ("Publication", "01.07.1921"),
        ("Use", "1.7.1921-31.12.1921"),
    ]
    assert [(d.text, d.type) for d in core.dates] == [("7.1921", "Production"), ("01.07.1921", "Publication")]
    assert [(m.label, m.id) for m in core.materials] == [("Papier", "http://d-nb.info/gnd/4044522-7")]
    assert [t.label for t in core.techniques] == ["Autotypie", "Buchdruck"]
    assert [(m.type, m.value, m.unit) for m in core.measurements] == [("height", "58", "mm"), ("width", "92", "mm")]
    inscriptions = [(n.type, n.label) for n in core.typed_notes]
    assert inscriptions[:3] == [("inscription", "front"), ("inscription_description", "front"), ("inscription", "back")]
    assert "Nordseebad Büsum" in core.typed_notes[0].text
    _out, [back] = _convert([core], "lido", tmp_path)
    assert (back.events, back.materials, back.techniques) == (core.events, core.materials, core.techniques)
    assert back.measurements == core.measurements
    assert back.typed_notes == core.typed_notes
    _out, [as_mods] = _convert([core], "mods", tmp_path)
    assert (as_mods.materials, as_mods.techniques) == (core.materials, core.techniques)


def test_lido_object_materials_outside_events_are_kept(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    core = _one(real / "lido" / "fotomarburg_fontana-del-moro_lido-v1.1.xml")
    assert [(m.label, m.scheme) for m in core.materials] == [("marble (rock)", "aat")]
    _out, [back] = _convert([core], "lido", tmp_path)
    assert back.materials == core.materials and back.events == core.events


def test_typed_mods_dates_keep_their_type_through_lido(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    core = _one(real / "mets" / "ulb-halle_oai_getrecord_mets.xml")
    assert {d.type for d in core.dates} == {"issued"}
    _out, [back] = _convert([core], "lido", tmp_path)
    assert back.dates == core.dates


# --- Dublin Core -----------------------------------------------------------------------------------


def test_dc_second_title_is_kept_as_an_alternative_title(tmp_path: Path, xsd: schemas.SchemaSet) -> None:
    core = _one(_write(tmp_path, "dc.xml", DC_TWO_TITLES))
    assert core.title == "Rapport annuel 1912"
    assert core.titles == {"en": "Annual report 1912"}
    assert [(n.type, n.text) for n in core.typed_notes] == [("alternative_title", "Jaarverslag over 1912")]
    out, [back] = _convert([core], "dc", tmp_path)
    assert out.read_text(encoding="utf-8").count("<dc:title") == 3
    assert back.typed_notes == core.typed_notes
    _out, [as_mods] = _convert([core], "mods", tmp_path)
    assert as_mods.typed_notes == core.typed_notes  # titleInfo type="alternative"


# --- languages -------------------------------------------------------------------------------------


def test_languages_come_from_the_record_and_are_none_when_it_gives_none(real: Path) -> None:
    fontana = _one(real / "lido" / "fotomarburg_fontana-del-moro_lido-v1.1.xml")
    assert fontana.titles == {
        "de": "Fontana del Moro",
        "it": "Fontana del Moro",
        "en": "Fontana del Moro (Rome, Italy)",
    }
    slub = _one(real / "mets" / "slub_oai_pmh_getrecord_mets.xml")
    assert slub.titles == {}  # the MODS title has no @lang: no language is assumed
    assert all(n.lang is None for n in _one(real / "mods" / "nypl_mods.xml").typed_notes)


# A record as LoC's MARC to MODS stylesheet writes an 880 field: the Hebrew title and name stand in
# altRepGroups beside their romanised forms.
ALTERNATE_SCRIPT = """<?xml version="1.0" encoding="UTF-8"?>
<mods xmlns="http://www.loc.gov/mods/v3" version="3.8">
  <titleInfo altRepGroup="01"><title>Sefer ha-zikhronot</title></titleInfo>
  <titleInfo altRepGroup="01" script="Hebr" lang="heb"><title>ספר הזכרונות</title></titleInfo>
  <name type="personal" altRepGroup="02"><namePart>Cohen, David</namePart></name>
  <name type="personal" altRepGroup="02" script="Hebr"><namePart>כהן, דוד</namePart></name>
</mods>
"""


def test_mods_alternate_script_values_are_parallels_and_written_back(tmp_path: Path, xsd: schemas.SchemaSet) -> None:
    core = _one(_write(tmp_path, "heb.xml", ALTERNATE_SCRIPT))
    assert core.title == "Sefer ha-zikhronot"
    assert [(a.name, a.kind) for a in core.agents] == [("Cohen, David", "person")]  # the twin is no second agent
    assert [(p.field, p.value, p.script, p.romanised) for p in core.parallels] == [
        ("title", "ספר הזכרונות", "Hebr", "Sefer ha-zikhronot"),
        ("agents", "כהן, דוד", "Hebr", "Cohen, David"),
    ]
    assert core.parallels[0].lang == "he"
    core.parallels.append(Parallel("subjects", "חסידות", "Hebr", "he", "Hasidism"))  # as MARC reads an 880 650
    _out, [back] = _convert([core], "mods", tmp_path)
    assert back.parallels == core.parallels
    assert back.typed_notes == []  # the parallels' notes are no notes of the record
    assert back.title == core.title and back.agents == core.agents


def test_lido_repository_and_its_point_are_kept(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    core = _one(real / "lido" / "fotomarburg_fontana-del-moro_lido-v1.1.xml")
    assert core.physical_locations == ["Rom, Piazza Navona, Südseite"]
    assert core.coordinates is not None
    assert (core.coordinates.latitude, core.coordinates.longitude) == (41.8981, 12.4731)
    for target in ("lido", "mods"):
        _out, [back] = _convert([core], target, tmp_path)
        assert back.physical_locations == core.physical_locations
        assert back.coordinates is not None
        assert (back.coordinates.latitude, back.coordinates.longitude) == (41.8981, 12.4731)


def test_real_dc_source_relation_and_alternative_title_are_kept(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    core = _one(real / "dc" / "indiana_oai_dc_dcterms_record.xml")
    notes = [(n.type, n.text) for n in core.typed_notes]
    assert ("alternative_title", "Heuchera villosa Michx.") in notes  # dcterms:alternative
    assert ("relation", "Butler University Friesner Herbarium Digital Collection") in notes
    assert {"source", "relation", "alternative_title"} <= {n.type for n in core.typed_notes}
    for target in ("dc", "mods"):
        _out, [back] = _convert([core], target, tmp_path)
        assert sorted((n.type, n.text) for n in back.typed_notes) == sorted(notes)


def test_real_mods_host_title_is_kept_as_a_relation(real: Path) -> None:
    core = _one(real / "mods" / "harvard_librarycloud_oai_listrecords_mods.xml")
    assert ("relation", "Alfred Riocreux botanical watercolors") in [(n.type, n.text) for n in core.typed_notes]


def test_containers_are_written_as_mods_part_details_and_read_back(tmp_path: Path, xsd: schemas.SchemaSet) -> None:
    core = CoreRecord(
        title="Letters, 1849",
        containers=[Container("box", "2", "Mixed Materials"), Container("folder", "3", parent="2")],
    )
    for target in ("mods", "mets"):
        out, [back] = _convert([core], target, tmp_path)
        assert back.containers == core.containers
    assert b'<detail type="folder" level="2">' in out.read_bytes().replace(b"mods:", b"")


MAP = """<?xml version="1.0" encoding="UTF-8"?>
<mods xmlns="http://www.loc.gov/mods/v3" version="3.8">
  <titleInfo><title>Map of the Hudson Valley</title></titleInfo>
  <subject><cartographics><scale>Scale 1:250,000</scale><coordinates>(W 74°--W 73°/N 42°--N 41°)</coordinates>
  </cartographics></subject>
</mods>
"""


def test_mods_cartographics_are_kept(tmp_path: Path, xsd: schemas.SchemaSet) -> None:
    core = _one(_write(tmp_path, "map.xml", MAP))
    assert [(n.type, n.text) for n in core.typed_notes] == [
        ("scale", "Scale 1:250,000"),
        ("coordinates", "(W 74°--W 73°/N 42°--N 41°)"),  # not decimal: kept as written, not dropped
    ]
    _out, [back] = _convert([core], "mods", tmp_path)
    assert back.typed_notes == core.typed_notes


def test_lido_related_works_are_parts_or_relations(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    core = _one(real / "lido" / "fotomarburg_fontana-del-moro_lido-v1.1.xml")
    assert [(p.title, p.identifiers) for p in core.parts] == [
        ("http://www.bildindex.de/document/obj20344012?part=1", ["DE-Mb112/object/obj20344012,T,001"]),
        ("http://www.bildindex.de/document/obj20344012?part=2", ["DE-Mb112/object/obj20344012,T,002"]),
    ]
    relations = [(n.text, n.label) for n in core.typed_notes if n.type == "relation"]
    assert ("http://www.worldcat.org/oclc/953798500", "is documented in") in relations
    for target in ("lido", "mods"):
        _out, [back] = _convert([core], target, tmp_path)
        assert [(p.title, p.identifiers) for p in back.parts] == [(p.title, p.identifiers) for p in core.parts]
        assert [(n.text, n.label) for n in back.typed_notes if n.type == "relation"] == relations
