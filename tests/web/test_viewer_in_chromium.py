"""The viewer and the embed page in Debian's Chromium, in Dutch and English, on a phone (390 px): the page strip
sits below the image, a paged book opens as spreads (the recto alone, then pairs), every button is reached with
Tab and works with Enter, the labels follow the page's language, the download links follow the page shown, the
PDF has a page per canvas, and the embed page speaks the asked language with its attribution and rights."""

from __future__ import annotations

import io
import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.iiif.live_server import live_server
from tests.web.chromium import CHROMIUM, MISSING, fits, tab_to

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
WORDS = {
    "nl": {
        "zoom": "Inzoomen",
        "page": "Pagina 1",
        "spread": "Pagina's 2 en 3 van 10",
        "fifth": "Pagina's 4 en 5 van 10",
        "touch": "Gebruik twee vingers om de afbeelding te verschuiven",
    },
    "en": {
        "zoom": "Zoom in",
        "page": "Page 1",
        "spread": "Pages 2 and 3 of 10",
        "fifth": "Pages 4 and 5 of 10",
        "touch": "Use two fingers to move the image",
    },
}
LOADED = (  # n pages shown and the last of them drawn
    "n => window.heritageViewer && heritageViewer.world.getItemCount() === n"
    " && heritageViewer.world.getItemAt(n - 1).getFullyLoaded()"
)


def _get(url: str, headers: dict[str, str] | None = None) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60) as response:
        return response.read()


@pytest.fixture(scope="module")
def served(demo_runtime: Any, viewer_assets_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`heritage serve` on the demo catalogue with the viewer assets; the Fabrica (a paged book) and its manifest."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    env = {**os.environ, **demo_runtime.settings.as_env(), "REDIS_URL": "", "HERITAGE_ASSETS": str(viewer_assets_dir)}
    with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
        book = json.loads(_get(f"{base}/api/items?q=title:fabrica&per_page=1"))["items"][0]
        manifest = json.loads(_get(book["manifest"]))
        yield base, book["id"], manifest


def _services(manifest: dict[str, Any]) -> list[str]:
    return [c["items"][0]["items"][0]["body"]["service"][0]["id"] for c in manifest["items"]]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_book_viewer_on_a_phone_by_keyboard(served, browser, lang: str) -> None:  # type: ignore[no-untyped-def]
    base, book, manifest = served
    assert manifest["behavior"] == ["paged"] and len(manifest["items"]) == 10
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{base}/items/{book}?lang={lang}")
        page.wait_for_function(LOADED, arg=1, timeout=30000)  # the first page alone: the recto

        # the strip is below the image, never over it, and scrolls inside itself on a phone
        box = page.evaluate(
            """() => { const r = e => document.querySelector(e).getBoundingClientRect();
                       const s = document.querySelector('.page-strip');
                       return {image: r('.deepzoom'), strip: r('.page-strip'), box: r('.viewer-box'),
                               scrolls: s.scrollWidth > s.clientWidth, thumbs: s.querySelectorAll('img').length}; }"""
        )
        assert box["strip"]["top"] >= box["image"]["bottom"] - 0.5, box
        assert box["box"]["right"] <= PHONE["width"] and box["scrolls"] and box["thumbs"] == 10

        # labels in the page's language, the current page marked
        words = WORDS[lang]
        assert page.locator('button[data-action="zoom-in"]').get_attribute("title") == words["zoom"]
        assert page.get_by_role("button", name=words["zoom"], exact=True).count() == 1
        assert page.evaluate("OpenSeadragon.getString('GestureHints.Touch')") == words["touch"]  # its own strings
        first = page.locator(".page-strip button").first
        assert first.get_attribute("aria-label") in (words["page"], f"{words['page']}: p001")  # with its own label
        assert first.get_attribute("aria-current") == "page"

        # Tab reaches the zoom button; Enter zooms
        tab_to(page, 'button[data-action="zoom-in"]')
        before = page.evaluate("heritageViewer.viewport.getZoom(true)")
        page.keyboard.press("Enter")
        page.wait_for_function("z => heritageViewer.viewport.getZoom(true) > z * 1.3", arg=before, timeout=10000)

        # Next shows a spread: two pages side by side
        tab_to(page, 'button[data-action="next"]')
        page.keyboard.press("Enter")
        page.wait_for_function(LOADED, arg=2, timeout=30000)
        left, right = page.evaluate(
            "[0, 1].map(i => heritageViewer.world.getItemAt(i).getBounds()).map(b => [b.x, b.y, b.width, b.height])"
        )
        assert left[1] == right[1] and abs(left[0] + left[2] - right[0]) < 1e-6 and abs(left[3] - right[3]) < 1e-6
        assert page.locator(".page-number").inner_text() == words["spread"]

        # the strip by keyboard: its one Tab stop, arrows to page 5, Enter shows it (with page 4 beside it)
        tab_to(page, '.page-strip button[aria-current="page"]')
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert page.evaluate("document.activeElement.dataset.page") == "4"
        page.keyboard.press("Enter")
        page.wait_for_function(
            "s => document.querySelector('.page-number').textContent === s", arg=words["fifth"], timeout=10000
        )
        assert page.locator('.page-strip button[aria-current="page"]').get_attribute("data-page") == "4"

        # the download links give the page shown, at the sizes the rights allow (public domain: up to 2000 px)
        links = page.eval_on_selector_all(".page-downloads a[data-size]", "as => as.map(a => [a.href, a.download])")
        service = _services(manifest)[4]
        assert [href for href, _ in links] == [f"{service}/full/!{n},{n}/0/default.jpg" for n in (400, 800, 1200, 2000)]
        assert links[-1][1] == f"{book}-5-2000.jpg"
        canvas = manifest["items"][4]
        with Image.open(io.BytesIO(_get(links[-1][0]))) as image:
            assert max(image.size) == min(2000, max(canvas["width"], canvas["height"]))
        pdf = page.locator("a.item-pdf").get_attribute("href")
        assert pdf == f"/items/{book}/pdf"
    finally:
        context.close()


def test_the_pdf_of_the_book_has_a_page_per_canvas(served) -> None:  # type: ignore[no-untyped-def]
    base, book, manifest = served
    reader = PdfReader(io.BytesIO(_get(f"{base}/items/{book}/pdf")))
    assert len(reader.pages) == len(manifest["items"]) == 10
    assert reader.metadata.title == "De humani corporis fabrica libri septem"


@pytest.mark.parametrize(
    ("ask", "headers", "lang"),
    [("?lang=en", {}, "en"), ("", {"Accept-Language": "en-GB,en;q=0.9"}, "en"), ("", {"Accept-Language": "nl"}, "nl")],
)
def test_the_embed_page_speaks_the_asked_language_with_attribution(served, browser, ask, headers, lang) -> None:  # type: ignore[no-untyped-def]
    base, book, manifest = served
    context = browser.new_context(viewport=PHONE, extra_http_headers=headers)
    page = context.new_page()
    try:
        page.goto(f"{base}/embed/{book}{ask}")
        page.wait_for_function(LOADED, arg=1, timeout=30000)
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator('button[data-action="zoom-in"]').get_attribute("title") == WORDS[lang]["zoom"]
        attribution = manifest["requiredStatement"]["value"][lang][0]
        assert page.locator(".credit .attribution").inner_text() == attribution
        assert page.locator(".credit a.record-link").get_attribute("href") == f"{base}/items/{book}"
        assert page.locator('.credit a[rel="license"]').get_attribute("href") == manifest["rights"]
        label = page.locator('.credit a[rel="license"] .rights-label').inner_text()
        assert label and not label.startswith("http")  # the statement's name in the page's language, not its URI
        logo = page.locator(".credit a.iiif-dnd")
        assert logo.get_attribute("href") == f"{manifest['id']}?manifest={quote(manifest['id'], safe='/')}"
        assert logo.locator("img").get_attribute("src").endswith(".svg")
        credit = page.evaluate("document.querySelector('.credit').getBoundingClientRect().top")
        strip = page.evaluate("document.querySelector('.page-strip').getBoundingClientRect().bottom")
        assert credit >= strip - 0.5  # below the viewer, never over the image
        fits(page, "the embed page")
    finally:
        context.close()
