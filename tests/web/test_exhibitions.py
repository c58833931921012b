"""The demo's exhibitions on the web, as the public, a partner museum and staff use them: the story pages in
Dutch and English (each image a region of a catalogue image, linked to its record), the embed a partner site
frames, the IIIF Collection and page Manifests (valid Presentation 3, regions that answer at their size), the
JSON API, the search block, and the staff pages with the light over the run."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from jsonschema import Draft7Validator
from PIL import Image

from tests.conftest import shared_path
from tests.helpers import sign_in

pytestmark = pytest.mark.slow
VESALIUS = "vesalius-fabrica"
BEETLES = "kevers-in-de-kijker"


def _local(url: str) -> str:
    return url.replace("http://localhost", "")


def test_the_index_lists_both_demo_exhibitions_in_each_language(demo_client: Any) -> None:
    nl = demo_client.get("/exhibitions?lang=nl").get_data(as_text=True)
    en = demo_client.get("/exhibitions?lang=en").get_data(as_text=True)
    assert "Vesalius en de Fabrica" in nl and "Kevers in de kijker" in nl and "Online tentoonstelling" in nl
    assert "Vesalius and the Fabrica" in en and "Beetles up close" in en and "2026-10-01 – 2027-03-31" in en
    assert re.search(r'<a href="/exhibitions"[^>]*>Tentoonstellingen</a>', nl)  # the sections' navigation


@pytest.mark.parametrize(
    ("lang", "title", "caption"),
    [
        ("nl", "Een boek dat het lichaam opnieuw beschreef", "Het titelblad van de Fabrica (Basel, 1543)."),
        ("en", "A book that described the body anew", "The title page of the Fabrica (Basel, 1543)."),
    ],
)
def test_the_story_reads_in_order_and_every_image_and_object_links_to_its_record(
    demo_client: Any, lang: str, title: str, caption: str
) -> None:
    response = demo_client.get(f"/exhibitions/{VESALIUS}?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and title in html and f'alt="{caption}"' in html
    headings = re.findall(r'<h2 id="page-(\d)-title">', html)
    assert headings == ["1", "2", "3", "4"]
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 6
    for src in images:
        image = demo_client.get(_local(src))
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
        assert max(Image.open(io.BytesIO(image.data)).size) <= 1000
    objects = demo_client.get("/api/exhibitions").get_json()["exhibitions"][0]["objects"]
    records = set(re.findall(r'href="http://localhost/items/([a-z0-9]+)"', html))
    assert set(objects) <= records and len(records) == 5  # the five objects; the book's pages link to the book
    for item in records:
        assert demo_client.get(f"/items/{item}").status_code == 200


def test_the_embed_may_be_framed_by_any_site_and_the_page_by_none(demo_client: Any) -> None:
    embed = demo_client.get(f"/exhibitions/{VESALIUS}/embed?lang=en")
    assert embed.status_code == 200 and "X-Frame-Options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    html = embed.get_data(as_text=True)
    assert (
        '<base target="_blank">' in html and "Vesalius and the Fabrica" in html and '<nav class="sections"' not in html
    )
    page = demo_client.get(f"/exhibitions/{VESALIUS}")
    assert page.headers["X-Frame-Options"] == "DENY"


def test_each_exhibition_is_a_valid_iiif_collection_of_page_manifests(demo_client: Any) -> None:
    validator = Draft7Validator(json.loads(shared_path("fixtures", "iiif", "iiif_3_0.json").read_text()))
    for slug, pages in ((VESALIUS, 4), (BEETLES, 3)):
        response = demo_client.get(f"/iiif/presentation/3/exhibition/{slug}")
        assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
        collection = response.get_json()
        assert collection["type"] == "Collection" and len(collection["items"]) == pages
        assert list(validator.iter_errors(collection)) == []
        for n, member in enumerate(collection["items"], start=1):
            assert member["id"] == f"http://localhost/iiif/presentation/3/exhibition/{slug}/page/{n}/manifest"
            manifest = demo_client.get(_local(member["id"])).get_json()
            assert list(validator.iter_errors(manifest)) == [], manifest["id"]
            assert manifest["partOf"][0]["id"] == collection["id"]
            for canvas in manifest["items"]:
                body = canvas["items"][0]["items"][0]["body"]
                assert canvas["homepage"][0]["id"].startswith("http://localhost/items/")
                region = body["id"].split("/")[-4]
                if region != "full":
                    assert [int(v) for v in region.split(",")[2:]] == [canvas["width"], canvas["height"]]
    manifest = demo_client.get(f"/iiif/presentation/3/exhibition/{VESALIUS}/page/2/manifest").get_json()
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    image = demo_client.get(_local(body["id"]))  # the painted region, as a viewer asks for it
    assert Image.open(io.BytesIO(image.data)).size == (body["width"], body["height"]) == (2000, 1000)


def test_the_api_lists_the_exhibitions_in_the_issue_s_shape(demo_client: Any) -> None:
    body = demo_client.get("/api/exhibitions").get_json()
    assert [e["slug"] for e in body["exhibitions"]] == [VESALIUS, BEETLES]
    vesalius, beetles = body["exhibitions"]
    assert set(vesalius) == {"slug", "title", "from", "to", "objects", "iiif"}
    assert (vesalius["from"], vesalius["to"], len(vesalius["objects"])) == ("2026-10-01", "2027-03-31", 5)
    assert (beetles["from"], beetles["to"], len(beetles["objects"])) == (None, None, 4)
    assert beetles["title"] == {"nl": "Kevers in de kijker", "en": "Beetles up close"}
    assert vesalius["iiif"] == f"http://localhost/iiif/presentation/3/exhibition/{VESALIUS}"


@pytest.mark.parametrize(
    "path",
    ["/exhibitions/nothing-here", "/exhibitions/nothing-here/embed", "/iiif/presentation/3/exhibition/nothing-here",
     f"/iiif/presentation/3/exhibition/{VESALIUS}/page/9/manifest",
     f"/iiif/presentation/3/exhibition/{VESALIUS}/page/0/manifest"],
)  # fmt: skip
def test_what_does_not_exist_is_a_404(demo_client: Any, path: str) -> None:
    assert demo_client.get(path).status_code == 404


def test_search_shows_the_matching_exhibition_above_the_results(demo_client: Any) -> None:
    html = demo_client.get("/search?q=fabrica&lang=en").get_data(as_text=True)
    block = html.split('<aside class="exhibition-hits"', 1)[1].split("</aside>", 1)[0]
    assert f'href="/exhibitions/{VESALIUS}">Vesalius and the Fabrica' in block and BEETLES not in block
    assert html.index("exhibition-hits") < html.index('class="results"')
    assert "exhibition-hits" not in demo_client.get("/search?q=lovanium").get_data(as_text=True)


def test_staff_see_the_exhibitions_by_room_with_their_light(demo_app: Any) -> None:
    client = demo_app.test_client()
    assert client.get("/museum/exhibitions").status_code == 302  # the public is sent to sign in
    assert sign_in(client, "admin", "demo-admin-pass").status_code == 303
    rooms = client.get("/museum/exhibitions?lang=en").get_data(as_text=True)
    assert "LEU-VES-ZAAL" in rooms and "Vesalius and the Fabrica" in rooms and "Rotate before the end" in rooms
    assert "Beetles up close" in rooms.split("Online exhibitions", 1)[1]
    one = client.get(f"/museum/exhibitions/{VESALIUS}?lang=nl").get_data(as_text=True)
    assert "Anatomische plaat, handgekleurd, 1543" in one and "wisselen op" in one and "Opgesteld" not in one
    assert one.count("Binnen het lichtbudget") == 4
