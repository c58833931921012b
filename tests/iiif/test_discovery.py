"""IIIF Change Discovery 1.0: the stream at /iiif/discovery/activity/all-changes, its pages in time order,
and the activities an aggregator needs to sync: Create, Update, Delete for manifests and collections."""

from __future__ import annotations

from typing import Any

import pytest

from heritage.catalogue import ensure_collection, upsert_item
from heritage.models import File, Item
from heritage.runtime import Runtime
from iiif.discovery import collection_document, page_document
from metadata_schemas.core import CoreRecord

STREAM = "/iiif/discovery/activity/all-changes"
BASE = "https://heritage.example.org"


def crawl(get) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """The stream and every page from first to last through `next`, checking the links on the way."""
    stream = get(None)
    assert stream["@context"] == "http://iiif.io/api/discovery/1/context.json"
    assert stream["type"] == "OrderedCollection"
    pages = []
    page = get(stream["first"]["id"])
    while True:
        assert page["type"] == "OrderedCollectionPage"
        assert page["partOf"] == {"id": stream["id"], "type": "OrderedCollection"}
        assert page["startIndex"] == sum(len(p["orderedItems"]) for p in pages)
        if pages:
            assert page["prev"]["id"] == pages[-1]["id"]
        else:
            assert "prev" not in page
        pages.append(page)
        if "next" not in page:
            break
        page = get(page["next"]["id"])
    assert pages[-1]["id"] == stream["last"]["id"]
    activities = [a for p in pages for a in p["orderedItems"]]
    assert len(activities) == stream["totalItems"]
    times = [a["endTime"] for a in activities]
    assert times == sorted(times)  # oldest first, so a client reads back from `last`
    for activity in activities:
        assert activity["type"] in {"Create", "Update", "Delete"}
        assert activity["object"]["type"] in {"Manifest", "Collection"}
    return stream, activities


@pytest.mark.slow
def test_demo_stream_over_http(demo_client) -> None:  # type: ignore[no-untyped-def]
    def get(url: str | None) -> dict[str, Any]:
        response = demo_client.get(url.replace("http://localhost", "") if url else STREAM)
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.mimetype == "application/ld+json"
        return response.get_json()

    _stream, activities = crawl(get)
    manifests = [a["object"]["id"] for a in activities if a["object"]["type"] == "Manifest" and a["type"] != "Delete"]
    assert manifests
    for url in manifests + [a["object"]["id"] for a in activities if a["object"]["type"] == "Collection"]:
        assert demo_client.get(url.replace("http://localhost", "")).status_code == 200, url
    missing = demo_client.get(f"{STREAM}/page/999")
    assert missing.status_code == 404 and missing.get_json()["error"]["status"] == 404


def add(runtime: Runtime, slug: str, local_id: str, *, access: str = "public", image: bool = False) -> str:
    with runtime.transaction() as session:
        collection = ensure_collection(session, slug, domain="museum")
        item, _ = upsert_item(
            session,
            collection,
            CoreRecord(title=f"Object {local_id}", local_id=local_id),
            local_id=local_id,
            parent=None,
            position=0,
            standard="csv",
            original=None,
            source=None,
            fields={"access": access},
        )
        if image and not item.files:
            item.files.append(
                File(
                    id=f"f{item.id}",
                    role="master",
                    original_name=f"{local_id}.tif",
                    storage_key="masters/none",
                    sha256="0" * 64,
                    md5="0" * 32,
                    size=1,
                    width=100,
                    height=100,
                    derivatives_ready=True,
                )
            )
        return item.id


@pytest.mark.db
def test_activities_follow_the_catalogue(runtime: Runtime) -> None:
    def stream() -> list[dict[str, Any]]:
        with runtime.transaction() as session:

            def get(url: str | None) -> dict[str, Any]:
                if url is None:
                    return collection_document(session, BASE, size=3)
                return page_document(session, BASE, int(url.rsplit("/", 1)[1]), size=3)

            return crawl(get)[1]

    vase = add(runtime, "vases", "V1", image=True)
    add(runtime, "vases", "V2")  # no images: no manifest, so no activity of its own
    for n in range(5):
        add(runtime, f"room-{n}", f"R{n}")
    activities = stream()
    assert len(activities) == 1 + 6  # one manifest, six collections: three pages of three
    manifest = f"{BASE}/iiif/presentation/3/{vase}/manifest"
    assert {"type": "Create", "object": {"id": manifest, "type": "Manifest"}} == {
        k: v for k, v in activities[0].items() if k != "endTime"
    }

    with runtime.transaction() as session:
        session.get(Item, vase).title = "Vase, restored"
    last = stream()[-2:]
    assert {(a["type"], a["object"]["id"]) for a in last} == {
        ("Update", manifest),
        ("Update", f"{BASE}/iiif/presentation/3/collection/vases"),
    }

    add(runtime, "vases", "V1", access="closed")
    assert [(a["type"], a["object"]["id"]) for a in stream() if a["object"]["type"] == "Manifest"] == [
        ("Delete", manifest)
    ]
    with runtime.transaction() as session:
        assert page_document(session, BASE, 0)["orderedItems"]
        with pytest.raises(LookupError):
            page_document(session, BASE, 1)
