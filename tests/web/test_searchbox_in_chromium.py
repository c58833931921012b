"""The header search box suggests as one types (issue 18), in Debian's Chromium, in Dutch and English, on a
390 px phone and a desktop: the suggestions come from the demo catalogue with their kinds in the page's
language, the box is an ARIA 1.2 combobox worked with the keyboard alone, and typing then Enter searches for
what was typed at once, even while a suggestion request is still unanswered."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.iiif.live_server import live_server
from tests.web.chromium import fits, tab_to

pytestmark = pytest.mark.slow
KIND_PLACE = {"nl": "Plaats", "en": "Place"}


@pytest.fixture(scope="module")
def base(demo_runtime: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, **demo_runtime.settings.as_env(), "REDIS_URL": ""}
    with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as url:
        yield url


@pytest.mark.parametrize(("lang", "width"), [("nl", 390), ("en", 390), ("nl", 1366), ("en", 1366)])
def test_suggestions_as_one_types_with_the_keyboard(browser: Any, base: str, lang: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{base}/?lang={lang}")
    tab_to(page, "#q")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox" and box.get_attribute("aria-expanded") == "false"
    page.keyboard.type("leu")
    listbox = page.locator("#" + str(box.get_attribute("aria-controls")))
    listbox.locator("[role=option]").first.wait_for(state="visible", timeout=5000)
    assert listbox.get_attribute("role") == "listbox" and box.get_attribute("aria-expanded") == "true"
    first = listbox.locator("[role=option]").first
    assert first.locator(".text").inner_text() == "Leuven"
    assert first.locator(".kind").inner_text().startswith(KIND_PLACE[lang] + " · ")  # the kind in the page's language
    assert box.get_attribute("aria-activedescendant") is None
    if width < 500:
        fits(page, f"the open suggestions at {width} px")
        right = listbox.bounding_box()["x"] + listbox.bounding_box()["width"]
        assert right <= width
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Escape")  # closes the list, keeps the text
    assert box.get_attribute("aria-expanded") == "false" and not listbox.is_visible() and box.input_value() == "leu"
    page.keyboard.press("ArrowDown")  # opens it again on the first suggestion
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/search\?q=Leuven$", page.url), page.url
    assert page.locator("#q").input_value() == "Leuven"
    # typed then Enter at once, while the suggestions asked for are never answered: the typed text is searched
    held: list[Any] = []
    page.route("**/api/suggest*", lambda route: held.append(route))
    page.locator("#q").fill("")
    page.keyboard.type("vesal")
    page.wait_for_timeout(400)  # the pause after typing has passed: a request is out, unanswered
    assert held, "the box asked for no suggestions"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/search\?q=vesal$", page.url), page.url
    assert complaints == []
    context.close()


def test_typing_then_enter_at_once_searches_the_typed_text(browser: Any, base: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(f"{base}/?lang=en")
    tab_to(page, "#q")
    assert page.locator("#q").get_attribute("role") == "combobox"
    page.keyboard.type("kever")  # Enter before the pause after typing is over: no suggestion was asked yet
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/search\?q=kever$", page.url), page.url
    assert page.locator("#q").get_attribute("aria-expanded") == "false"
    page.close()
