"""Getting around the catalogue in a real browser (Debian's Chromium), on a phone (390 px), in Dutch and English:
the sections bar leads by keyboard to the collections, the archive trees and the masterplan; the home page leads
into the archive trees; signing in from a record page returns to it; the footer's API link opens a readable
page; no page asks for anything that is not there (the favicon); the page title carries the header's name."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSWORD, add_user
from tests.iiif.live_server import live_server
from tests.web.chromium import CHROMIUM, MISSING, fits, follow, tab_to

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
LANGS = ("nl", "en")


@pytest.fixture(scope="module")
def served(demo_runtime: Any, viewer_assets_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`heritage serve` on the demo catalogue; the id of a public item with images (a record page)."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    add_user(demo_runtime, "reader-18", "reader")
    add_user(demo_runtime, "archivist-18", "archivist", "central-archive")
    env = {**os.environ, **demo_runtime.settings.as_env(), "REDIS_URL": "", "HERITAGE_ASSETS": str(viewer_assets_dir)}
    with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
        with urllib.request.urlopen(f"{base}/api/items?has_images=yes&per_page=1", timeout=10) as response:
            item = json.load(response)["items"][0]["id"]
        yield base, item


@pytest.fixture
def phone(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A phone-sized page, and every answer of 400 or more it got (a missing favicon among them)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    yield page, failed
    context.close()


def current(page: Any, href: str) -> str | None:
    return page.get_attribute(f'nav.sections a[href="{href}"]', "aria-current")


@pytest.mark.parametrize("lang", LANGS)
def test_the_sections_lead_by_keyboard_to_the_trees_the_collections_and_the_masterplan(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, _item = served
    page, failed = phone
    page.goto(f"{base}/?lang={lang}")
    assert page.locator("nav.sections").get_attribute("aria-label")
    trees_on_home = page.locator('.trees-home a[href^="/browse/"]')
    assert trees_on_home.count() > 0, "the home page leads into the archive trees"
    fits(page, "the home page")

    follow(page, 'nav.sections a[href="/browse"]')
    assert page.url.startswith(f"{base}/browse") and current(page, "/browse") == "page"
    assert page.locator("html").get_attribute("lang") == lang
    fits(page, "the archive trees")
    follow(page, 'ul.trees a[href^="/browse/"]')
    assert re.search(r"/browse/[^/?]+$", page.url.split("?")[0]) and current(page, "/browse") == "true"

    follow(page, 'nav.sections a[href="/masterplan"]')
    assert page.url.split("?")[0] == f"{base}/masterplan" and current(page, "/masterplan") == "page"

    follow(page, 'nav.sections a[href="/#collections"]')
    assert page.url == f"{base}/#collections" and page.locator("h2#collections").is_visible()
    assert current(page, "/#collections") == "page"
    assert failed == []


def sign_in_from(page: Any, base: str, path: str, username: str) -> None:
    """Open `path`, follow its Sign in link and sign in by keyboard."""
    page.goto(base + path)
    follow(page, "nav.account a")
    tab_to(page, "#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", LANGS)
def test_signing_in_returns_to_the_page_one_was_on_and_staff_to_their_work(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, item = served
    page, _failed = phone
    sign_in_from(page, base, f"/items/{item}?lang={lang}", "reader-18")
    assert page.url == f"{base}/items/{item}?lang={lang}"
    assert page.locator("html").get_attribute("lang") == lang
    assert "reader-18" in page.locator("nav.account").inner_text()
    follow(page, "nav.account button")  # sign out

    sign_in_from(page, base, f"/search?q=raad&lang={lang}", "reader-18")
    assert page.url == f"{base}/search?q=raad&lang={lang}"  # the search one was reading, not an empty one
    assert page.locator("#q").input_value() == "raad"
    follow(page, "nav.account button")

    page.goto(f"{base}/login?lang={lang}")  # nowhere to return to: an archivist lands on the batches
    page.fill("#username", "archivist-18")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("?")[0] == f"{base}/archivist/"


@pytest.mark.parametrize("lang", LANGS)
def test_the_footers_api_link_opens_a_readable_page(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, _item = served
    page, failed = phone
    page.goto(f"{base}/?lang={lang}")
    follow(page, 'footer a[href="/api"]')
    assert page.locator("html").get_attribute("lang") == lang
    heading = page.locator("h1").inner_text()
    assert heading == {"nl": "De API van de catalogus", "en": "The catalogue's API"}[lang]
    search = page.locator("h3", has_text="GET /api/items").first
    assert search.is_visible()
    assert page.locator("text=Search the catalogue, with facet counts").count() == 1
    assert page.locator('h3:has-text("POST /archivist/upload")').count() == 1  # the token upload
    assert page.locator('a[href="/api/openapi.json"]').count() == 1  # the raw document, where the footer pointed
    fits(page, "the API page")
    assert failed == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_asks_for_a_missing_favicon_and_titles_carry_the_header_name(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, item = served
    page, failed = phone
    for path in ("/", f"/items/{item}", "/search?q=raad", "/api", f"/embed/{item}"):
        page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}", wait_until="networkidle")
        icon = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
        assert icon, f"{path} names its icon"
        for href in icon:
            answer = page.request.get(href)
            assert answer.ok and answer.headers["content-type"].startswith("image/"), href
        if path != f"/embed/{item}":
            brand = page.locator("header.site .brand").inner_text().strip()
            assert page.title().endswith(f" · {brand}"), (page.title(), brand)
    by_default = page.request.get(f"{base}/favicon.ico")  # browsers ask for it on their own
    assert by_default.ok and by_default.headers["content-type"].startswith("image/")
    assert failed == []
