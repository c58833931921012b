"""Darwin Core fidelity on real records (issue 17): archives in a folder of their zip, legacy DwC 1.4 terms,
coordinates and elevation, checklists with names, collecting dates, collectors and places, and all of it
written back by `convert`."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from ingest.discover import discover
from metadata_schemas import registry, schemas
from metadata_schemas.registry import ParsedRecord

TEXT = "http://rs.tdwg.org/dwc/text/"
DIGIR = "http://digir.net/schema/conceptual/darwin/2003/1.0/"


def zipped(folder: Path, out: Path, inside: str = "") -> Path:
    """A zip of `folder`'s files, under the folder `inside` of the zip (as a zip made by hand holds them)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.iterdir()):
            zf.write(path, inside + path.name)
    return out


def parsed(path: Path) -> list[ParsedRecord]:
    standard = registry.detect(path)
    assert standard.name == "dwc"
    return list(standard.parse(path))


def occurrence_archive(real: Path, folder: Path) -> Path:
    """The checklist's occurrences (740 real rows: coordinates, elevation, dates, collectors, localities) as
    the core of an archive of their own: its Occurrence extension's descriptor made the core."""
    source = real / "dwc" / "bdj_spiders_checklist_980_unzipped"
    meta = etree.parse(str(source / "meta.xml")).getroot()
    extension = next(e for e in meta.findall(f"{{{TEXT}}}extension") if e.get("rowType", "").endswith("Occurrence"))
    archive = etree.Element(f"{{{TEXT}}}archive", nsmap={None: TEXT})
    extension.tag = f"{{{TEXT}}}core"
    coreid = extension.find(f"{{{TEXT}}}coreid")
    extension.replace(coreid, etree.Element(f"{{{TEXT}}}id", index="0"))
    archive.append(extension)
    folder.mkdir()
    (folder / "meta.xml").write_bytes(etree.tostring(archive))
    shutil.copy(source / "occurrences.csv", folder / "occurrences.csv")
    return folder


# --- archives in a zip --------------------------------------------------------------------------------------


@pytest.mark.parametrize("inside", ["", "bdj_checklist/", "export/2014/bdj_checklist/"])
def test_an_archive_in_a_folder_of_its_zip_is_read(
    inside: str, real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    path = zipped(real / "dwc" / "bdj_spiders_checklist_980_unzipped", tmp_path / "checklist.zip", inside)
    records = parsed(path)
    assert len(records) == 356 + 740  # the taxa, then the specimens of its Occurrence extension
    assert registry.get("dwc").validate(path) == []
    assert records[1].core.title == "Agelena labyrinthica"


def test_an_archive_zipped_again_is_read_and_its_problems_name_the_inner_zip(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    inner = zipped(real / "dwc" / "bdj_spiders_checklist_980_unzipped", tmp_path / "checklist.zip", "bdj/")
    outer = tmp_path / "sent.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "checklist.zip")
        zf.writestr("README.txt", "the checklist, zipped")
    assert len(parsed(outer)) == 356 + 740
    # a problem inside says where it is: the outer zip, the inner zip, the folder
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf, zipfile.ZipFile(inner) as src:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as again:
            for name in src.namelist():
                if not name.endswith("taxa.csv"):
                    again.writestr(name, src.read(name))
        zf.writestr("checklist.zip", buffer.getvalue())
    problems = registry.get("dwc").validate(broken)
    assert any("checklist.zip!bdj/meta.xml" in p.source and "'taxa.csv' is missing" in p.message for p in problems)


def test_ingest_takes_the_archive_in_a_folder_of_its_zip_and_reports_a_zip_that_is_none(
    real: Path, tmp_path: Path
) -> None:
    source = real / "dwc" / "bdj_spiders_checklist_980_unzipped"
    batch = tmp_path / "batch"
    batch.mkdir()
    zipped(source, batch / "checklist.zip", "bdj_checklist/")
    plan = discover(batch)
    assert (plan.kind, plan.standard, len(plan.items)) == ("standard", "dwc", 356 + 740)
    assert plan.warnings == []

    # the data files without their descriptor: no archive, kept as one item, and the report says so
    other = tmp_path / "other"
    other.mkdir()
    with zipfile.ZipFile(other / "tables.zip", "w") as zf:
        for name in ("taxa.csv", "occurrences.csv"):
            zf.write(source / name, f"bdj/{name}")
    plan = discover(other)
    assert [i.files for i in plan.items] == [["tables.zip"]]
    assert [(w.file, w.line) for w in plan.warnings] == [("tables.zip", None)]
    assert "not a Darwin Core Archive" in plan.warnings[0].message


# --- what a record holds ------------------------------------------------------------------------------------


def test_a_checklist_gives_each_taxon_its_name_rank_and_classification(real: Path) -> None:
    records = parsed(real / "dwc" / "bdj_spiders_checklist_980_dwca.zip")[:356]
    named = [r for r in records if r.core.taxon is not None]
    assert len(named) == 323  # every row with a genus and an epithet; the rest have neither
    first = records[1].core
    assert first.title == "Agelena labyrinthica"
    assert first.taxon is not None
    assert (first.taxon.scientific_name, first.taxon.rank) == ("Agelena labyrinthica", "species")
    assert first.taxon.classification == {"genus": "Agelena", "specificEpithet": "labyrinthica"}
    assert all(r.core.title == r.core.taxon.scientific_name for r in named if r.core.taxon)


def test_a_checklists_specimens_are_records_under_their_taxon(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    """The checklist's Occurrence extension holds where, when and by whom each specimen was collected."""
    records = parsed(real / "dwc" / "bdj_spiders_checklist_980_dwca.zip")
    specimens = records[356:]
    assert len(specimens) == 740 and all(r.core.coordinates is not None for r in specimens)
    first = specimens[0]
    assert (first.local_id, first.parent_local_id, first.line) == ("980-Occurrence-1", "980-sp2", 2)
    assert first.core.title == "Agelena labyrinthica"
    assert first.core.taxon is not None and first.core.taxon.scientific_name_authorship == "(Clerck, 1757)"
    assert first.core.coordinates is not None and first.core.coordinates.elevation == 225
    assert first.core.dates[0].type == "collected"
    notes = {(n.type, n.text) for n in first.core.typed_notes}
    assert {
        ("typeStatus", "Other material"),
        ("habitat", "forest"),
        ("sex", "1 female"),
        ("locationID", "SI01"),
    } <= notes
    # written back as a checklist with an Occurrence extension, and read back the same
    out = tmp_path / "out.zip"
    with out.open("wb") as fh:
        registry.get("dwc").serialise([r.core for r in records], fh)
    with zipfile.ZipFile(out) as zf:
        meta = etree.fromstring(zf.read("meta.xml"))
    assert [e.get("rowType").rsplit("/", 1)[1] for e in meta] == ["Taxon", "Occurrence"]
    again = parsed(out)
    assert [(r.local_id, r.parent_local_id) for r in again] == [(r.local_id, r.parent_local_id) for r in records]


def test_a_treatments_descriptions_are_typed_notes_written_back_as_descriptions(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    """Plazi's treatment archive: the GBIF Description extension (diagnosis, materials examined, ...)."""
    records = parsed(real / "dwc" / "plazi_draposa_treatment_dwca.zip")
    kinds = {n.type for r in records for n in r.core.typed_notes}
    assert {"diagnosis", "materials_examined", "verbatimLabel", "typeStatus"} <= kinds
    out = tmp_path / "out.zip"
    with out.open("wb") as fh:
        registry.get("dwc").serialise([r.core for r in records], fh)
    assert registry.get("dwc").validate(out) == []
    with zipfile.ZipFile(out) as zf:
        assert "diagnosis" in zf.read("description.txt").decode()
    again = parsed(out)
    assert [r.core.typed_notes for r in again] == [r.core.typed_notes for r in records]


def test_occurrences_keep_coordinates_elevation_dates_collectors_and_places(real: Path, tmp_path: Path) -> None:
    records = parsed(occurrence_archive(real, tmp_path / "occurrences"))
    assert len(records) == 740
    first = records[0].core
    assert [(p.label, p.kind) for p in first.places] == [("Slovenia", "country"), ("Biš", "locality")]
    assert first.coordinates is not None
    assert (first.coordinates.latitude, first.coordinates.longitude) == (46.5374, 15.8963)
    assert (first.coordinates.elevation, first.coordinates.elevation_max) == (225, 225)
    assert [(d.text, d.type, d.start) for d in first.dates] == [("2011-07-22", "collected", 2011)]
    assert [(a.name, a.role) for a in first.agents] == [("Kostanjšek, RTŠB 2011", "collector")]
    assert [p.label for p in first.places] == ["Slovenia", "Biš"]
    ranged = records[1].core.dates[0]
    assert (ranged.text, ranged.start, ranged.end, ranged.type) == ("2011-06-23/2012-06-21", 2011, 2012, "collected")
    assert all(r.core.coordinates is not None for r in records)


def test_convert_writes_coordinates_and_classification_back(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    for source in (
        occurrence_archive(real, tmp_path / "occurrences"),
        real / "dwc" / "lsu_puma_concolor_occurrences.csv",
    ):
        records = list(registry.detect(source).parse(source))
        out = tmp_path / f"{source.stem}-out.zip"
        with out.open("wb") as fh:
            registry.get("dwc").serialise([r.core for r in records], fh)
        assert registry.get("dwc").validate(out) == []
        assert [r.core.to_dict() for r in registry.get("dwc").parse(out)] == [r.core.to_dict() for r in records]
        with zipfile.ZipFile(out) as zf:
            terms = {f.get("term") for f in etree.fromstring(zf.read("meta.xml")).iter(f"{{{TEXT}}}field")}
            data = zf.read("occurrence.txt").decode()
        names = {t.rsplit("/", 1)[1] for t in terms}
        assert {"decimalLatitude", "minimumElevationInMeters", "phylum", "genus", "country", "locality"} <= names
        assert "parentNameUsageID" not in data.splitlines()[0]  # an occurrence's parent is no taxon
    assert "\t-71.82897\t-40.6\t" in data  # a puma's coordinates (APN-NH-493), as the export gave them


def test_same_standard_conversion_keeps_every_cell_of_a_real_export(
    real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    """The LSU export (DwC 1.4 column names) to a Darwin Core Archive: every cell is found again, institution
    and collection codes and coordinates (`-49.0` as written) included."""
    import csv
    from collections import Counter

    source = real / "dwc" / "lsu_puma_concolor_occurrences.csv"
    records = list(registry.get("dwc_csv").parse(source))
    out = tmp_path / "out.zip"
    with out.open("wb") as fh:
        registry.get("dwc").serialise([r.core for r in records], fh)
    before = Counter(c for row in list(csv.reader(source.open(encoding="cp1252")))[1:] for c in row if c.strip())
    with zipfile.ZipFile(out) as zf:
        text = zf.read("occurrence.txt").decode()
    after = Counter(c for row in list(csv.reader(io.StringIO(text), delimiter="\t"))[1:] for c in row if c.strip())
    lost = before - after
    assert lost == Counter(), lost.most_common(5)


# --- legacy terms -------------------------------------------------------------------------------------------


def test_legacy_dwc_14_columns_of_a_real_export_are_read(real: Path) -> None:
    records = list(registry.get("dwc_csv").parse(real / "dwc" / "lsu_puma_concolor_occurrences.csv"))
    placed = [r.core for r in records if r.core.coordinates is not None]
    assert len(placed) == 801  # every row with DecimalLatitude and DecimalLongitude
    first = records[0].core
    assert first.taxon is not None
    assert first.taxon.classification == {
        "kingdom": "Animalia",
        "phylum": "Chordata",
        "class": "Mammalia",
        "order": "Carnivora",
        "family": "Felidae",
        "genus": "Puma",
    }
    assert first.identifiers == ["14451"] and [p.label for p in first.places] == ["Peru"]


def test_legacy_dwc_14_terms_in_the_old_namespace_of_meta_xml_are_read(real: Path, tmp_path: Path) -> None:
    """The real LSU export described by a DwC 1.4 descriptor (terms in the DiGIR namespace), and one row with
    the 1.4 collecting terms no real record here has (EarliestDateCollected, Collector, Locality, ...)."""
    folder = tmp_path / "legacy"
    folder.mkdir()
    shutil.copy(real / "dwc" / "lsu_puma_concolor_occurrences.csv", folder / "occurrences.csv")
    columns = (real / "dwc" / "lsu_puma_concolor_occurrences.csv").read_text(encoding="cp1252").splitlines()[0]
    fields = "".join(
        f'<field index="{n}" term="{DIGIR}{"CatalogNumber" if c == "CatalogueNumber" else c}"/>'
        for n, c in enumerate(columns.split(","))
    )
    (folder / "meta.xml").write_text(
        f'<archive xmlns="{TEXT}"><core encoding="windows-1252" fieldsTerminatedBy="," ignoreHeaderLines="1"'
        f' rowType="{DIGIR}Occurrence"><files><location>occurrences.csv</location></files>'
        f'<id index="2"/>{fields}</core></archive>',
        encoding="utf-8",
    )
    records = parsed(folder)
    assert len(records) == 3391
    first = records[0].core
    assert first.taxon is not None and first.taxon.classification["order"] == "Carnivora"
    assert (first.identifiers, first.type, first.title) == (["14451"], "Specimen", "Puma concolor (14451)")
    assert sum(r.core.coordinates is not None for r in records) == 801

    names = ["GlobalUniqueIdentifier", "ScientificName", "Collector", "EarliestDateCollected"]
    names += ["LatestDateCollected", "Country", "Locality", "DecimalLatitude", "DecimalLongitude"]
    names += ["MinimumElevationInMeters", "MaximumElevationInMeters", "CoordinateUncertaintyInMeters"]
    values = ["urn:x:1", "Puma concolor", "J. Smith", "1961-03-02", "1961-03-09", "Peru", "Cuzco", "-13.5"]
    values += ["-71.9", "3400", "3500", "250"]
    fields = "".join(f'<field index="{n}" term="{DIGIR}{name}"/>' for n, name in enumerate(names))
    (folder / "meta.xml").write_text(
        f'<archive xmlns="{TEXT}"><core fieldsTerminatedBy="\\t" rowType="{DIGIR}Occurrence">'
        f'<files><location>row.txt</location></files><id index="0"/>{fields}</core></archive>',
        encoding="utf-8",
    )
    (folder / "row.txt").write_text("\t".join(values) + "\n", encoding="utf-8")
    core = parsed(folder)[0].core
    assert core.local_id == "urn:x:1"
    assert [(d.text, d.type, d.start, d.end) for d in core.dates] == [
        ("1961-03-02/1961-03-09", "collected", 1961, 1961)
    ]
    assert [(a.name, a.role) for a in core.agents] == [("J. Smith", "collector")]
    assert [p.label for p in core.places] == ["Peru", "Cuzco"]
    assert core.coordinates is not None
    coordinates = core.coordinates
    assert (coordinates.latitude, coordinates.longitude, coordinates.uncertainty) == (-13.5, -71.9, 250)
    assert (coordinates.elevation, coordinates.elevation_max) == (3400, 3500)


def test_year_month_day_make_the_date_collected(tmp_path: Path) -> None:
    path = tmp_path / "occurrences.csv"
    path.write_text(
        "occurrenceID,scientificName,year,month,day,vernacularName,decimalLatitude,decimalLongitude\n"
        "x1,Puma concolor,1990,5,1,cougar | puma,,\n"
        "x2,Puma concolor,1991,,,,13°30'S,71°54'W\n",
        encoding="utf-8",
    )
    first, second = registry.get("dwc_csv").parse(path)
    core = first.core
    assert [(d.text, d.type, d.start) for d in core.dates] == [("1990-05-01", "collected", 1990)]
    assert core.taxon is not None and core.taxon.vernacular_names == ["cougar", "puma"]
    # coordinates that are no decimal degrees are kept as written, and said
    assert second.core.coordinates is None and [d.text for d in second.core.dates] == ["1991"]
    assert second.fields["coordinates"] == "latitude: 13°30'S; longitude: 71°54'W"
    assert [(p.line, "kept as written" in p.message) for p in second.problems] == [(3, True)]
