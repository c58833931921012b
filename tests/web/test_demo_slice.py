"""The slice end to end on the demo catalogue: search finds a demo item, its manifest is valid IIIF
Presentation 3, and the image services its canvases point at answer."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator

from tests.conftest import shared_path

pytestmark = pytest.mark.slow


def test_demo_has_all_domains_and_a_deep_zoom_master(demo_client) -> None:  # type: ignore[no-untyped-def]
    collections = demo_client.get("/api/collections").get_json()["collections"]
    assert {c["domain"] for c in collections} == {"archive", "library", "science", "museum"}
    assert all(c["iiif"].endswith(f"/iiif/presentation/3/collection/{c['slug']}") for c in collections)
    total = sum(c["items"] for c in collections)
    assert 200 <= total <= 1000
    found = demo_client.get("/api/items?q=lovanium").get_json()
    info = demo_client.get(found["items"][0]["manifest"].replace("http://localhost", "")).get_json()
    service = info["items"][0]["items"][0]["items"][0]["body"]["service"][0]["id"]
    image = demo_client.get(f"{service.replace('http://localhost', '')}/info.json").get_json()
    assert image["width"] * image["height"] >= 6000 * 4000


def test_search_finds_demo_item_and_its_manifest_validates(demo_client) -> None:  # type: ignore[no-untyped-def]
    result = demo_client.get("/api/items?q=fabrica").get_json()
    assert result["total"] >= 1
    hit = next(i for i in result["items"] if i["manifest"])
    assert {"id", "title", "collection", "manifest"} <= hit.keys()
    manifest = demo_client.get(hit["manifest"].replace("http://localhost", ""))
    assert manifest.status_code == 200 and manifest.headers["Access-Control-Allow-Origin"] == "*"
    document = manifest.get_json()
    assert document["@context"] == "http://iiif.io/api/presentation/3/context.json"
    schema = json.loads(shared_path("fixtures", "iiif", "iiif_3_0.json").read_text())
    errors = list(Draft7Validator(schema).iter_errors(document))
    assert errors == []
    assert len(document["items"]) == 10 and document["behavior"] == ["paged"]
    for canvas in document["items"]:
        body = canvas["items"][0]["items"][0]["body"]
        service = body["service"][0]["id"].replace("http://localhost", "")
        info = demo_client.get(f"{service}/info.json")
        assert info.status_code == 200
        assert (info.get_json()["width"], info.get_json()["height"]) == (canvas["width"], canvas["height"])
        tile = demo_client.get(f"{service}/0,0,256,256/256,/0/default.jpg")
        assert tile.status_code == 200 and tile.mimetype == "image/jpeg"


def test_filter_by_collection_and_paging(demo_client) -> None:  # type: ignore[no-untyped-def]
    page1 = demo_client.get("/api/items?collection=zoologie-coleoptera&per_page=25&page=1").get_json()
    page3 = demo_client.get("/api/items?collection=zoologie-coleoptera&per_page=25&page=3").get_json()
    assert page1["total"] == 61 and len(page1["items"]) == 25 and len(page3["items"]) == 11
    assert {i["collection"] for i in page1["items"]} == {"zoologie-coleoptera"}
    assert page1["facets"]["collection"] == [{"value": "zoologie-coleoptera", "count": 61}]
    beyond = demo_client.get("/api/items?collection=zoologie-coleoptera&page=99").get_json()
    assert beyond["items"] == [] and beyond["total"] == 61


def test_closed_items_do_not_exist_for_the_public(demo_client) -> None:  # type: ignore[no-untyped-def]
    result = demo_client.get("/api/items?q=personeelsdossier&per_page=100").get_json()
    assert all(i["access"] != "closed" for i in result["items"])


def test_record_page_and_item_api(demo_client) -> None:  # type: ignore[no-untyped-def]
    hit = demo_client.get("/api/items?q=fabrica").get_json()["items"][0]
    page = demo_client.get(f"/items/{hit['id']}")
    assert page.status_code == 200 and b"De humani corporis fabrica" in page.data
    assert b"/manifest" in page.data
    item = demo_client.get(f"/api/items/{hit['id']}").get_json()
    assert item["metadata"]["title"] == "De humani corporis fabrica libri septem"
    assert len(item["files"]) == 10
    assert demo_client.get("/items/nosuchitem00").status_code == 404
    html = demo_client.get("/search?q=fabrica")
    assert html.status_code == 200 and b"fabrica" in html.data.lower()


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=1000", "sort=sideways", "q=" + "x" * 2000])
def test_bad_api_requests_are_400_with_one_error_shape(demo_client, query: str) -> None:  # type: ignore[no-untyped-def]
    response = demo_client.get(f"/api/items?{query}")
    assert response.status_code == 400
    assert set(response.get_json()["error"]) == {"status", "message"}


def test_the_demo_users_try_the_roles(demo_app) -> None:  # type: ignore[no-untyped-def]
    from ingest.demo.dataset import demo_users
    from tests.helpers import sign_in

    accounts = {u["role"]: u for u in demo_users()}
    public = demo_app.test_client()
    # personnel files are closed until 100 years after birth: the public finds those whose closure lapsed
    shown = public.get("/api/items?q=personeelsdossier").get_json()["total"]
    archivist = demo_app.test_client()
    assert sign_in(archivist, "archivist", accounts["archivist"]["password"]).status_code == 303
    found = archivist.get("/api/items?q=personeelsdossier").get_json()
    still_closed = found["total"] - shown
    assert still_closed > 0 and {"value": "closed", "count": still_closed} in found["facets"]["access"]
    assert archivist.get("/archivist/").status_code == 200
    reader = demo_app.test_client()
    assert sign_in(reader, "reader", accounts["reader"]["password"]).status_code == 303
    assert reader.get("/api/items?q=personeelsdossier").get_json()["total"] == shown
    assert reader.get("/archivist/").status_code == 403


def test_the_demo_board_accounts_find_the_proposals_they_sign(demo_app, demo_runtime) -> None:  # type: ignore[no-untyped-def]
    """The board's roles can be tried on the demo: the governing body sees the deaccession proposals it is asked
    to approve, the dean the Faculty of Science's destructions, each with the form to approve in its role."""
    from sqlalchemy import func, select

    from heritage.models import Collection, Item, PolicyDecision, Unit
    from ingest.demo.dataset import demo_users
    from tests.helpers import sign_in

    passwords = {u["username"]: u["password"] for u in demo_users()}
    with demo_runtime.sessions() as session:
        proposals = dict(
            session.execute(
                select(PolicyDecision.item_id, Unit.slug)
                .join(Item, Item.id == PolicyDecision.item_id)
                .join(Collection, Collection.id == Item.collection_id)
                .join(Unit, Unit.id == func.coalesce(Item.unit_id, Collection.unit_id))
                .where(PolicyDecision.decision.in_(("destroy_proposed", "deaccession_candidate")))
            ).all()
        )
        kinds = dict(
            session.execute(
                select(PolicyDecision.item_id, PolicyDecision.decision).where(
                    PolicyDecision.item_id.in_(list(proposals))
                )
            ).all()
        )
    deaccessions = [i for i, k in kinds.items() if k == "deaccession_candidate"]
    faculty = [i for i, k in kinds.items() if k == "destroy_proposed" and proposals[i] == "faculty-science"]
    assert deaccessions and faculty, "the demo has deaccession proposals and faculty destructions to try"
    board = demo_app.test_client()
    assert sign_in(board, "board", passwords["board"]).status_code == 303
    queue = board.get("/masterplan/review?queue=proposed&lang=en").get_data(as_text=True)
    assert all(f'href="/masterplan/decisions/{i}"' in queue for i in deaccessions)
    assert f'href="/masterplan/decisions/{faculty[0]}"' not in queue  # not the board's to sign
    assert 'name="role"' in board.get(f"/masterplan/decisions/{deaccessions[0]}").get_data(as_text=True)
    dean = demo_app.test_client()
    assert sign_in(dean, "dean", passwords["dean"]).status_code == 303
    page = dean.get(f"/masterplan/decisions/{faculty[0]}?lang=en").get_data(as_text=True)
    assert 'name="role"' in page and "Head of the creating unit" in page
