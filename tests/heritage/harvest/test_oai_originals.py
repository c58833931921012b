"""OAI-PMH serves an item in its own standard as its original record, and an edited one as the original
with the edit in place: the rest of a real MODS record is not lost to the core record (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from heritage import auth
from heritage.catalogue import ensure_collection, upsert_item
from heritage.editing import update_item
from heritage.harvest.oai import Repository, respond
from heritage.runtime import Runtime
from metadata_schemas import checking
from tests.conftest import shared_path
from tests.helpers import add_user

pytestmark = pytest.mark.db

MODS = "http://www.loc.gov/mods/v3"
NS = {"m": MODS}
REPO = Repository(
    base_url="https://heritage.example.org/oai",
    site_url="https://heritage.example.org",
    name="Test",
    admin_email="archive@example.org",
    secret=b"s3cret",
    page_size=5,
)


def _add(runtime: Runtime) -> str:
    record = next(checking.records(shared_path("fixtures", "real", "mods") / "fsu_modsCollection_flvc.xml"))
    with runtime.transaction() as session:
        collection = ensure_collection(session, "blueprints", title="Blueprints", domain="library")
        item, _ = upsert_item(
            session,
            collection,
            record.core,
            local_id="FSU-1",
            parent=None,
            position=0,
            standard="mods",
            original=record.original,
            source=None,
            fields={"access": "public"},
        )
        return item.id


def _mods(runtime: Runtime, item_id: str) -> etree._Element:
    args = {"verb": ["GetRecord"], "identifier": [f"oai:heritage.example.org:{item_id}"], "metadataPrefix": ["mods"]}
    with runtime.transaction() as session:
        root = etree.fromstring(respond(session, args, REPO))
    found = root.find(".//m:mods", NS)
    assert found is not None, etree.tostring(root)[:500]
    return found


def _texts(element: etree._Element) -> list[str]:
    return [" ".join(el.text.split()) for el in element.iter() if isinstance(el.tag, str) and (el.text or "").strip()]


def test_an_unedited_item_is_served_as_its_original(runtime: Runtime) -> None:
    item_id = _add(runtime)
    served = _mods(runtime, item_id)
    assert served.find(".//{info:flvc/manifest/v1}owningInstitution") is not None  # no core field holds it


def test_an_edited_item_is_its_original_with_the_edit(runtime: Runtime, tmp_path: Path) -> None:
    item_id = _add(runtime)
    before = _texts(_mods(runtime, item_id))
    add_user(runtime, "root", "administrator")
    with runtime.transaction() as session:
        viewer = auth.viewer_of(session, auth.get_user(session, "root"), None)
        update_item(
            session, item_id, {"title": "Blauwdruk van het toneel"}, viewer=viewer, agent="root", base_version=None
        )
    served = _mods(runtime, item_id)
    assert served.findtext("m:titleInfo/m:title", namespaces=NS) == "Blauwdruk van het toneel"
    after = _texts(served)
    old_title = [t for t in before if t not in after]
    assert len(old_title) == 1  # only the title changed
    assert [t for t in after if t not in before] == ["Blauwdruk van het toneel"]
