"""A collection manager edits an exhibition in Debian's Chromium on a phone-sized screen (390 px) by keyboard only:
the form fits the screen, has no serious accessibility violation, and a changed label is saved."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from heritage.museum import exhibitions
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.helpers import PASSWORD, add_user
from tests.heritage.policy import builders
from tests.iiif.live_server import live_server
from tests.web.axe import assert_accessible
from tests.web.chromium import CHROMIUM, MISSING, fits, sign_in, tab_to

pytestmark = pytest.mark.slow
EDIT = "/museum/exhibitions/tekeningen/edit"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    """`heritage serve` with an exhibition of one drawing and a collection manager to plan it."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    settings = Settings.load({"data_dir": tmp_path_factory.mktemp("exhibitions") / "data"}, environ={})
    runtime = Runtime.open(settings)
    with runtime.transaction() as session:
        places = builders.tree(session)
        drawing = builders.item(session, "museum", "drawing", domain="museum", location=places["paper"])
        spec = {
            "slug": "tekeningen",
            "title": "Tekeningen",
            "title_en": "Drawings",
            "from": "2027-01-01",
            "to": "2027-03-31",
            "objects": [{"item": drawing.id, "room": "LEU-WET-ZAAL", "label_en": "A drawing"}],
        }
        exhibitions.save(session, spec, agent="test")
    add_user(runtime, "planner", "collection_manager", "central-archive")
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    try:
        with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
            yield base, runtime
    finally:
        runtime.close()


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_a_label_is_edited_by_keyboard_on_a_phone(served: tuple[str, Runtime], browser: Any, lang: str) -> None:
    base, runtime = served
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)  # axe is injected
    page = context.new_page()
    try:
        sign_in(page, base, "planner", PASSWORD, EDIT, lang)
        fits(page, f"the exhibition form ({lang}, 390 px)")
        assert_accessible(page, f"the exhibition form ({lang})")
        tab_to(page, "#o1-label_en")
        page.keyboard.press("Control+A")
        page.keyboard.type(f"A drawing, edited in {lang}")
        tab_to(page, "form.exhibition-form button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.split("?")[0].endswith("/museum/exhibitions/tekeningen")
        saved = {"en": "The exhibition was saved.", "nl": "De tentoonstelling is bewaard."}[lang]
        assert saved in page.inner_text("main")
        fits(page, f"the exhibition's staff page ({lang}, 390 px)")
    finally:
        context.close()
    with runtime.sessions() as session:
        stored = exhibitions.get(session, "tekeningen").objects[0].label_en
    assert stored == f"A drawing, edited in {lang}"
