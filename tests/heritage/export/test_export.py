"""`heritage export`: a collection as one document in each standard, valid against its official schema,
the item tree nested where the standard has one, closed items left out, failures leaving nothing."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from heritage.cli import main
from heritage.export.formats import EXPORTS
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.helpers import small_batch, write_sheet
from tests.xsd import errors

EAD = "urn:isbn:1-931666-22-9"
SCHEMAS = {
    "ead": [(EAD, "http://www.loc.gov/ead/ead.xsd")],
    "ead3": [("http://ead3.archivists.org/schema/", "http://ead3.archivists.org/schema/ead3.xsd")],
    "marcxml": [("http://www.loc.gov/MARC21/slim", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd")],
    "mods": [("http://www.loc.gov/mods/v3", "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd")],
    "lido": [("http://www.lido-schema.org", "http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd")],
    "dc": [
        ("http://www.openarchives.org/OAI/2.0/", "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"),
        ("http://www.openarchives.org/OAI/2.0/oai_dc/", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"),
    ],
}
DWC_TEXT = ("http://rs.tdwg.org/dwc/text/", "http://rs.tdwg.org/dwc/text/tdwg_dwc_text.xsd")


@pytest.fixture(scope="module")
def demo_runner(demo_runtime: Runtime) -> CliRunner:
    return CliRunner(env={**demo_runtime.settings.as_env(), "REDIS_URL": ""})


def public_count(runtime: Runtime, slug: str) -> int:
    from sqlalchemy import select

    from heritage.access import PUBLIC, Visibility, visibility
    from heritage.models import Collection, Item

    with runtime.sessions() as session:
        items = session.scalars(select(Item).join(Collection).where(Collection.slug == slug)).all()
        return sum(visibility(PUBLIC, i) > Visibility.NONE for i in items)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fmt", "slug"),
    [
        ("ead", "rectoraat"),
        ("ead3", "faculteit-wetenschappen"),
        ("marcxml", "bijzondere-collecties"),
        ("mods", "bijzondere-collecties"),
        ("lido", "kasteel-arenberg"),
        ("dc", "zoologie-coleoptera"),
    ],
)
def test_xml_exports_validate(demo_runner, demo_runtime, tmp_path: Path, fmt: str, slug: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"{slug}.xml"
    result = demo_runner.invoke(main, ["export", "--collection", slug, "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    expected = public_count(demo_runtime, slug)
    assert f"exported {expected} items from {slug} as {fmt}" in result.output
    document = out.read_bytes()
    assert errors(document, *SCHEMAS[fmt]) == []
    root = etree.fromstring(document)
    records = {"ead": "c", "ead3": "c", "marcxml": "record", "mods": "mods", "lido": "lido", "dc": "record"}[fmt]
    assert sum(1 for e in root.iter() if etree.QName(e).localname == records) == expected


@pytest.mark.slow
def test_finding_aid_nests_the_item_tree(demo_runner, demo_runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from heritage.models import Item

    out = tmp_path / "rectoraat.xml"
    assert (
        demo_runner.invoke(main, ["export", "--collection", "rectoraat", "--format", "ead", "-o", str(out)]).exit_code
        == 0
    )
    root = etree.parse(str(out)).getroot()
    with demo_runtime.sessions() as session:
        child = session.scalars(select(Item).where(Item.parent_id.is_not(None), Item.access == "public")).first()
        parent = child.parent
        if parent.collection.slug != "rectoraat":
            pytest.skip("the demo's first child is elsewhere")
    component = root.find(f".//{{{EAD}}}c[@id='i-{child.id}']")
    assert component.getparent().get("id") == f"i-{parent.id}"
    assert component.findtext(f"{{{EAD}}}did/{{{EAD}}}unittitle") == child.title


@pytest.mark.slow
def test_darwin_core_archive_for_gbif(demo_runner, demo_runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "coleoptera.zip"
    args = ["export", "--collection", "zoologie-coleoptera", "--format", "dwca", "-o", str(out)]
    assert demo_runner.invoke(main, args).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        assert set(archive.namelist()) == {"meta.xml", "eml.xml", "occurrence.txt"}
        assert archive.getinfo("occurrence.txt").date_time[0] >= 2024
        assert errors(archive.read("meta.xml"), DWC_TEXT) == []
        eml = etree.fromstring(archive.read("eml.xml"))
        assert eml.findtext("dataset/title")
        rows = list(csv.reader(archive.read("occurrence.txt").decode().splitlines(), delimiter="\t"))
    meta = etree.fromstring(zipfile.ZipFile(out).read("meta.xml"))
    assert len(rows[0]) == len(meta.findall(".//{http://rs.tdwg.org/dwc/text/}field")) + 1
    # the specimens are the occurrences; the collection record (ZOO-COL) is described in eml.xml
    assert len(rows) - 1 == public_count(demo_runtime, "zoologie-coleoptera") - 1
    assert "Collectie Coleoptera (kevers)" in archive_eml(out)
    basis = rows[0].index("basisOfRecord")
    assert {r[basis] for r in rows[1:]} <= {"PreservedSpecimen", "PhysicalObject", "HumanObservation"}
    # and our own reader takes it back
    from metadata_schemas import registry

    assert registry.detect(out).name == "dwc"
    assert len(list(registry.get("dwc").parse(out))) == len(rows) - 1


def archive_eml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("eml.xml").decode()


def small_collection(runtime: Runtime, tmp_path: Path) -> Path:
    batch = small_batch(tmp_path / "batch")
    rows = list(csv.DictReader((batch / "sheet.csv").open(encoding="utf-8")))
    rows.append(
        {"identifier": "F1.9", "parent": "F1", "level": "file", "title": "Gesloten dossier", "access": "closed"}
    )
    write_sheet(batch / "sheet.csv", rows)
    report = ingest(runtime, batch, "pedel")
    assert not report.failed
    return batch


@pytest.mark.db
def test_bag_holds_masters_metadata_and_events_and_validates(runtime: Runtime, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import bagit

    small_collection(runtime, tmp_path)
    out = tmp_path / "pedel-bag"
    result = runner.invoke(main, ["export", "--collection", "pedel", "--format", "bagit", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 4 items" in result.output  # the closed file stays out
    bag = bagit.Bag(str(out))
    bag.validate()  # every checksum, the Payload-Oxum, the tag manifest
    masters = sorted(p.name for p in (out / "data" / "masters").rglob("*") if p.is_file())
    assert masters == ["0001-a1.tif", "0001-b1.jpg", "0002-b2.png"]
    assert (out / "data" / "metadata" / "finding-aid.xml").is_file()
    assert errors((out / "data" / "metadata" / "finding-aid.xml").read_bytes(), *SCHEMAS["ead"]) == []
    records = list(csv.DictReader((out / "data" / "metadata" / "records.csv").open(encoding="utf-8")))
    assert [r["identifier"] for r in records] == ["F1", "F1.1", "F1.1.1", "F1.1.2"]
    assert records[3]["files"].split("|")[1].endswith("0002-b2.png")
    assert all((out / "data" / "metadata" / f).resolve().is_file() for f in records[3]["files"].split("|"))
    events = (out / "data" / "events.jsonl").read_text().splitlines()
    assert events and all('"item"' in line for line in events)
    assert bag.info["External-Identifier"] == "pedel"

    everything = tmp_path / "all.csv"
    args = ["export", "--collection", "pedel", "--format", "csv", "--scope", "all", "-o", str(everything)]
    assert runner.invoke(main, args).exit_code == 0
    assert "Gesloten dossier" in everything.read_text()


@pytest.mark.db
def test_a_master_that_fails_fixity_stops_the_bag_and_leaves_nothing(runtime: Runtime, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from heritage.models import File

    small_collection(runtime, tmp_path)
    with runtime.sessions() as session:
        stored = session.scalars(select(File).where(File.original_name.like("%a1.tif"))).first()
        path = runtime.storage.master_path(stored.storage_key)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")  # bit rot
    out = tmp_path / "bag"
    result = runner.invoke(main, ["export", "--collection", "pedel", "--format", "bagit", "-o", str(out)])
    assert result.exit_code == 1
    assert "a1.tif" in result.output and "fixity" in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bag")] == []


@pytest.mark.db
def test_item_tree_export_and_bad_input(runtime: Runtime, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from heritage.models import Item

    small_collection(runtime, tmp_path)
    with runtime.sessions() as session:
        series = session.scalars(select(Item).where(Item.local_id == "F1.1")).one()
        closed = session.scalars(select(Item).where(Item.local_id == "F1.9")).one()
    out = tmp_path / "series.xml"
    result = runner.invoke(main, ["export", "--item", series.id, "--format", "ead", "-o", str(out)])
    assert result.exit_code == 0, result.output
    root = etree.parse(str(out)).getroot()
    assert root.findtext(f".//{{{EAD}}}archdesc/{{{EAD}}}did/{{{EAD}}}unittitle") == "Brieven"
    assert len(root.findall(f".//{{{EAD}}}c")) == 2

    def fails(args: list[str], code: int, message: str) -> None:
        result = runner.invoke(main, ["export", *args])
        assert result.exit_code == code, result.output
        assert message in result.output

    fails(["--collection", "pedel", "--format", "pdf", "-o", str(tmp_path / "x")], 2, "one of ead, ead3")
    fails(["--format", "csv", "-o", str(tmp_path / "x")], 2, "exactly one of --collection")
    fails(
        ["--collection", "pedel", "--item", series.id, "--format", "csv", "-o", str(tmp_path / "x")], 2, "exactly one"
    )
    fails(["--collection", "nope", "--format", "csv", "-o", str(tmp_path / "x")], 1, "collection 'nope' does not exist")
    fails(["--collection", "pedel", "--format", "csv", "-o", str(out)], 1, "exists")
    fails(["--collection", "pedel", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv")], 1, "is not a folder")
    fails(["--item", closed.id, "--format", "csv", "-o", str(tmp_path / "c.csv")], 1, "does not exist")
    assert not (tmp_path / "c.csv").exists()


def test_every_format_is_registered_once_with_a_writer() -> None:
    assert list(EXPORTS) == ["ead", "ead3", "marcxml", "mods", "lido", "dc", "dwca", "csv", "bagit", "mets-premis"]
    assert all((f.write_file is None) != (f.write_folder is None) for f in EXPORTS.values())
