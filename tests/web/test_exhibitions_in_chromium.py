"""The Vesalius exhibition in Debian's Chromium, as the issue's "done when" asks: it reads well on a phone
(390 px, no sideways scroll) and on a desktop, in Dutch and English, every page of the story and every record
link reachable by keyboard, no serious accessibility violation (axe-core); and a third-party page on another
origin embeds it in an iframe, its images drawn."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.axe import violations
from tests.web.chromium import fits, follow, tab_to
from tests.web.public_pages import LOCALES, serve_demo, visit

pytestmark = pytest.mark.slow
STORY = "/exhibitions/vesalius-fabrica"
TITLES = {"nl": "Vesalius en de Fabrica", "en": "Vesalius and the Fabrica"}


@pytest.fixture(scope="module")
def served(
    demo_runtime: Any, viewer_assets_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    with serve_demo(demo_runtime, viewer_assets_dir, tmp_path_factory.mktemp("serve") / "server.log") as served:
        yield served


def _all_images_drawn(page: Any) -> None:
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=30000
    )  # lazy images: scrolled into view first by the caller


@pytest.mark.parametrize(("lang", "width"), [("nl", 390), ("en", 390), ("nl", 1366), ("en", 1366)])
def test_the_vesalius_exhibition_reads_on_a_phone_and_a_desktop_by_keyboard(
    browser: Any, served: tuple[str, dict[str, str]], lang: str, width: int
) -> None:
    base, _pages = served
    context = browser.new_context(viewport={"width": width, "height": 844}, locale=LOCALES[lang], bypass_csp=True)
    page = context.new_page()
    try:
        visit(page, base, STORY, lang)
        assert page.locator("h1").inner_text() == TITLES[lang]
        page.evaluate("() => document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        _all_images_drawn(page)
        fits(page, f"the Vesalius exhibition ({lang}, {width} px)")
        widest = page.evaluate("() => Math.max(...[...document.images].map(i => i.getBoundingClientRect().right))")
        assert widest <= width
        assert violations(page) == []
        tab_to(page, "nav.exhibition-pages a[href='#page-3']")  # the table of contents, by keyboard
        page.keyboard.press("Enter")
        assert page.evaluate("() => location.hash") == "#page-3"
        follow(page, "section#page-4 figcaption a")  # the skull's record, by keyboard
        assert "/items/" in page.url and page.locator("h1").count() == 1
    finally:
        context.close()


class _Partner(http.server.BaseHTTPRequestHandler):
    """A museum's own page on another origin: it frames the exhibition's embed."""

    embed = ""

    def do_GET(self) -> None:
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner museum</title></head>'
            f'<body><h1>Our partner</h1><iframe id="story" title="Vesalius" src="{self.embed}" width="600" '
            'height="800"></iframe></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


def test_a_third_party_page_on_another_origin_embeds_the_exhibition(
    browser: Any, served: tuple[str, dict[str, str]]
) -> None:
    base, _pages = served
    handler = type("Partner", (_Partner,), {"embed": f"{base}{STORY}/embed?lang=en"})
    partner = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    # "localhost" and 127.0.0.1 are different origins: the embed is cross-origin, as on a museum's own site
    url = f"http://localhost:{partner.server_address[1]}/"
    assert not base.startswith("http://localhost")
    page = browser.new_page(viewport={"width": 800, "height": 900})
    try:
        page.goto(url)
        frame = page.frame_locator("#story")
        assert frame.locator("h1").inner_text(timeout=15000) == TITLES["en"]
        inner = next(f for f in page.frames if f.url.startswith(f"{base}{STORY}/embed"))
        inner.evaluate("() => document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
        _all_images_drawn(inner)
        assert inner.evaluate("() => document.images.length") == 6
        links = inner.evaluate("() => [...document.querySelectorAll('a[href*=\"/items/\"]')].map(a => a.target)")
        assert links and set(links) == {""}  # the <base target=_blank> opens them in a page of their own
        assert (
            inner.evaluate("() => document.baseURI")
            and inner.evaluate("() => document.querySelector('base').target") == "_blank"
        )
    finally:
        page.close()
        partner.shutdown()
