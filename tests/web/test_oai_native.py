"""Records that came in as MODS, MARCXML or LIDO go out in that format as they came (when valid against
its schema), beside oai_dc, in a museum or library collection of a fresh catalogue."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.pipeline import ingest
from tests.conftest import shared_path
from tests.xsd import errors

pytestmark = pytest.mark.db

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"o": OAI}


@pytest.fixture
def xsd_runtime(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    from metadata_schemas import schemas

    settings = Settings.load(
        {
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "schemas_dir": shared_path("fixtures", "real", "xsd"),
        },
        environ={},
    )
    runtime = Runtime.open(settings)
    yield runtime
    runtime.close()
    schemas.activate(None)


@pytest.mark.parametrize(
    ("fixture", "prefix", "domain", "namespace", "schema"),
    [
        (
            "mods/harvard_librarycloud_oai_listrecords_mods.xml",
            "mods",
            "library",
            "http://www.loc.gov/mods/v3",
            "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd",
        ),
        (
            "marcxml/stanford_30records_utf8.marc.xml",
            "marcxml",
            "library",
            "http://www.loc.gov/MARC21/slim",
            "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
        ),
        (
            "lido/kenom_numismatics_20records_lido.xml",
            "lido",
            "museum",
            "http://www.lido-schema.org",
            "http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd",
        ),
        (
            "mods/nypl_mods.xml",
            "mods",
            "archive",  # invalid original: written from its core record instead
            "http://www.loc.gov/mods/v3",
            "http://www.loc.gov/standards/mods/v3/mods-3-8.xsd",
        ),
    ],
)
def test_originals_are_disseminated_in_their_own_format(  # type: ignore[no-untyped-def]
    xsd_runtime, tmp_path: Path, fixture: str, prefix: str, domain: str, namespace: str, schema: str
) -> None:
    from web import create_app

    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(shared_path("fixtures", "real", *fixture.split("/")), batch / Path(fixture).name)
    if "nypl" in fixture:  # a record that is not valid as it came goes in while no schemas folder is active
        from metadata_schemas import schemas

        schemas.activate(None)
        assert not ingest(xsd_runtime, batch, "records", domain=domain).failed
        schemas.activate(shared_path("fixtures", "real", "xsd"))
    else:
        assert not ingest(xsd_runtime, batch, "records", domain=domain).failed
    client = create_app(runtime=xsd_runtime).test_client()
    response = client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}")
    assert errors(response.data, (OAI, "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"), (namespace, schema)) == []
    root = etree.fromstring(response.data)
    records = root.findall(".//o:record", NS)
    assert records, response.data[:500]
    originals = {}
    with xsd_runtime.sessions() as session:
        from heritage.models import Item

        for item in session.query(Item):
            originals[item.id] = item.primary_record.original
    verbatim = 0
    for record in records:
        item_id = record.findtext("o:header/o:identifier", namespaces=NS).rsplit(":", 1)[1]
        payload = record.find("o:metadata", NS)[0]
        original = etree.fromstring(originals[item_id].encode())
        same = etree.tostring(payload, method="c14n", exclusive=True) == etree.tostring(
            original, method="c14n", exclusive=True
        )
        verbatim += same
    if "nypl" in fixture:
        assert verbatim == 0  # not valid as it came: the crosswalked record went out, valid
    else:
        assert verbatim == len(records)
    dc = client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc")
    assert dc.data.count(b"<header>") == len(records)
