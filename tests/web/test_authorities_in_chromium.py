"""The authority pages in Debian's Chromium as a reader uses them: on a 390 px phone screen without sideways
scrolling, with the keyboard alone (search by name, open a record), and with no Content-Security-Policy
complaint."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.iiif.live_server import live_server

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def served(demo_runtime: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`heritage serve` on the demo catalogue; the id of the authority with the most items the public sees."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    env = {**os.environ, **demo_runtime.settings.as_env(), "REDIS_URL": ""}
    with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
        with urllib.request.urlopen(f"{base}/api/authorities?type=subject&limit=50", timeout=10) as response:
            found = json.load(response)["authorities"]
        yield base, max(found, key=lambda a: a["items"])["id"]


@pytest.fixture
def phone() -> Iterator[tuple[Any, list[str]]]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-BE")
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        yield page, violations
        browser.close()


def _fits(page: Any) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def _tab_to(page: Any, script: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(script):
            return
    raise AssertionError(f"the keyboard never reached: {script}")


def test_a_reader_finds_and_opens_an_authority_with_the_keyboard_on_a_phone(served, phone) -> None:  # type: ignore[no-untyped-def]
    base, busiest = served
    page, violations = phone
    page.goto(f"{base}/authorities")
    assert page.locator("h1").inner_text() == "Authority-records" and _fits(page)
    _tab_to(page, "() => document.activeElement.id === 'authority-q'")
    page.keyboard.type("vesa")
    _tab_to(page, "() => document.activeElement.id === 'authority-type'", limit=1)
    page.keyboard.press("ArrowDown")  # the first type in the list: persons
    _tab_to(page, "() => document.activeElement.type === 'submit'", limit=1)
    page.keyboard.press("Enter")
    page.wait_for_url("**/authorities?q=vesa&type=person")
    assert _fits(page)
    _tab_to(page, "() => !!document.activeElement.closest('ul.authorities a')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/authorities/*")
    assert "Vesalius" in page.locator("h1").inner_text() and _fits(page)
    page.goto(f"{base}/authorities/{busiest}?lang=en")
    assert page.locator("ul.authority-items li").count() > 0 and _fits(page)
    assert violations == []
