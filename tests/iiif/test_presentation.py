"""Presentation API 3 over the whole demo catalogue: every manifest and collection validates against the
official JSON schema, and carries what viewers and harvesters rely on."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft7Validator
from sqlalchemy import select

from heritage.access import PUBLIC
from heritage.models import Collection, Item
from heritage.runtime import Runtime
from iiif.presentation import build_collection, build_item_collection, image_tree
from tests.conftest import shared_path

BASE = "http://localhost"


@cache
def _validator() -> Draft7Validator:
    schema = json.loads(shared_path("fixtures", "iiif", "iiif_3_0.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema)


def _valid(document: dict[str, Any]) -> None:
    validator = _validator()
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    leaves = []
    for error in errors:
        leaves += [f"{list(c.absolute_path)}: {c.message}" for c in (error.context or [error])]
    assert not errors, f"{document.get('id')}: {leaves[:10]}"


def _crawl(client, url: str, seen: dict[str, dict[str, Any]]) -> None:  # type: ignore[no-untyped-def]
    """Follow a collection down to every manifest, like a harvester."""
    if url in seen:
        return
    response = client.get(url.removeprefix(BASE))
    assert response.status_code == 200, url
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    assert document["id"] == url
    seen[url] = document
    for member in document.get("items", []) if document["type"] == "Collection" else []:
        _crawl(client, member["id"], seen)


def test_every_manifest_and_collection_of_the_demo_validates(demo_client, demo_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, dict[str, Any]] = {}
    _crawl(demo_client, f"{BASE}/iiif/presentation/3/collections", seen)
    for collection in demo_client.get("/api/collections").get_json()["collections"]:
        _crawl(demo_client, collection["iiif"], seen)
    manifests = [d for d in seen.values() if d["type"] == "Manifest"]
    collections = [d for d in seen.values() if d["type"] == "Collection"]
    for document in seen.values():
        _valid(document)
    with demo_runtime.sessions() as s:
        items = s.scalars(select(Item)).all()
        public_with_images = {
            i.id for i in items if i.access == "public" and any(f.derivatives_ready and f.width for f in i.files)
        }
    assert {m["id"].split("/")[-2] for m in manifests} >= public_with_images
    assert len(collections) > 6  # the top, one per collection, and the archival levels between


def test_a_manifest_has_what_museums_and_viewers_need(demo_client, demo_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    with demo_runtime.sessions() as s:
        register = s.scalars(select(Item).where(Item.local_id == "BE-KUL-UA-R.1.6")).one()
        item_id, parent_id = register.id, register.parent_id
    manifest = demo_client.get(f"/iiif/presentation/3/{item_id}/manifest").get_json()
    # the record does not say the language of its Dutch title: "none"; its English title is "en" (issue 17)
    assert set(manifest["label"]) == {"none", "en"}
    assert manifest["label"]["en"] == ["Register of the minutes of the Academic Council, 1860-1864"]
    assert manifest["rights"] == "http://rightsstatements.org/vocab/NoC-NC/1.0/"
    assert manifest["requiredStatement"]["value"]["nl"][0].startswith("KU Leuven Erfgoed")
    assert manifest["provider"][0]["type"] == "Agent"
    assert manifest["homepage"][0]["id"] == f"{BASE}/items/{item_id}"
    assert manifest["seeAlso"][0]["id"] == f"{BASE}/api/items/{item_id}/record"
    assert manifest["seeAlso"][0]["format"] == "text/csv"
    assert manifest["behavior"] == ["paged"] and manifest["viewingDirection"] == "left-to-right"
    assert manifest["partOf"] == [{"id": f"{BASE}/iiif/presentation/3/{parent_id}/collection", "type": "Collection"}]
    assert manifest["navDate"] == "1860-01-01T00:00:00Z"
    labels = [pair["label"]["en"][0] for pair in manifest["metadata"]]
    assert {"Date", "Creator", "Identifier", "Subject", "Place", "Language"} <= set(labels)
    canvases = manifest["items"]
    assert len(canvases) == 12
    service = canvases[0]["items"][0]["items"][0]["body"]["service"][0]
    assert service["type"] == "ImageService3" and service["profile"] == "level2"
    info = demo_client.get(service["id"].removeprefix(BASE) + "/info.json").get_json()
    assert (info["width"], info["height"]) == (canvases[0]["width"], canvases[0]["height"])
    assert manifest["thumbnail"][0]["service"][0]["id"] == service["id"]
    # the register's years are its sections
    ranges = manifest["structures"]
    assert [r["label"]["none"][0] for r in ranges] == ["1860", "1861", "1862", "1863", "1864"]
    assert [len(r["items"]) for r in ranges] == [2, 3, 3, 3, 1]
    assert ranges[1]["items"][0] == {"id": canvases[2]["id"], "type": "Canvas"}


def test_a_book_has_its_chapters_as_ranges(demo_client, demo_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    with demo_runtime.sessions() as s:
        book = s.scalars(select(Item.id).where(Item.local_id == "BC-VES-1543")).one()
    manifest = demo_client.get(f"/iiif/presentation/3/{book}/manifest").get_json()
    assert [r["label"]["none"][0] for r in manifest["structures"]] == ["Titelblad", "Liber I", "Liber II", "Liber III"]
    assert manifest["rights"] == "http://creativecommons.org/publicdomain/mark/1.0/"


def test_collections_nest_fonds_series_file_and_page(demo_client, demo_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    top = demo_client.get("/iiif/presentation/3/collection/rectoraat").get_json()
    assert top["partOf"][0]["id"] == f"{BASE}/iiif/presentation/3/collections"
    fonds = top["items"]
    assert [m["type"] for m in fonds] == ["Collection"]
    series = demo_client.get(fonds[0]["id"].removeprefix(BASE)).get_json()["items"]
    assert {m["type"] for m in series} == {"Collection"}
    files = demo_client.get(series[0]["id"].removeprefix(BASE)).get_json()["items"]
    assert files and {m["type"] for m in files} == {"Manifest"}
    assert all("thumbnail" in m for m in files)
    with demo_runtime.sessions() as s:
        rectoraat = s.scalars(select(Collection).where(Collection.slug == "rectoraat")).one()
        tree = image_tree(s, rectoraat, PUBLIC)
        closed = s.scalars(select(Item).where(Item.collection_id == rectoraat.id, Item.access == "closed")).all()
        assert closed and not {c.id for c in closed} & set(tree.items) & tree.manifests
        # the same tree, paged one member a page: nested page collections that validate
        fonds_item = s.get(Item, fonds[0]["id"].split("/")[-2])
        paged = build_item_collection(fonds_item, tree, BASE, page_size=1)
        assert [m["type"] for m in paged["items"]] == ["Collection"] * len(paged["items"])
        assert paged["items"][0]["id"].endswith("/collection/page/1")
        first_page = build_item_collection(fonds_item, tree, BASE, page=1, page_size=1)
        assert len(first_page["items"]) == 1 and first_page["partOf"][0]["id"] == paged["id"]
        for document in (paged, first_page, build_collection(rectoraat, tree, BASE)):
            _valid(document)
        with pytest.raises(LookupError):
            build_item_collection(fonds_item, tree, BASE, page=99, page_size=1)
    assert demo_client.get("/iiif/presentation/3/collection/rectoraat/page/2").status_code == 404
    assert demo_client.get("/iiif/presentation/3/collection/nosuch").status_code == 404


def test_api_collections_link_their_iiif_collection(demo_client) -> None:  # type: ignore[no-untyped-def]
    for c in demo_client.get("/api/collections").get_json()["collections"]:
        assert c["iiif"] == f"{BASE}/iiif/presentation/3/collection/{c['slug']}"
        assert demo_client.get(c["iiif"].removeprefix(BASE)).status_code == 200
