"""A registrar in a real browser (Debian's Chromium) on a phone-sized screen, in Dutch, by keyboard: records a
routine condition check of a painting with two photographs of its damage chosen in the form's file input; the
object's page then shows the photographs (loaded through the IIIF image service with the registrar's session),
fits the screen and passes axe; signed out, the same image URLs are not found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from heritage.runtime import Runtime
from tests.helpers import PASSWORD, make_image
from tests.heritage.museum.builders import World
from tests.web.axe import assert_accessible
from tests.web.chromium import fits, serve_loan_world, sign_in, tab_to

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime, World]]:
    """`heritage serve` on the loan's world with a registrar; the test holds its runtime too."""
    yield from serve_loan_world(tmp_path_factory, "photos")


def test_a_registrar_photographs_the_damage_with_the_check(
    served: tuple[str, Runtime, World], browser: Any, tmp_path: Any
) -> None:
    base, _runtime, w = served
    photos = [str(make_image(tmp_path / f"scheur-{n}.jpg", (800, 600), seed=20 + n)) for n in (1, 2)]
    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)  # axe is injected
    page = context.new_page()
    sign_in(page, base, "registrar", PASSWORD, f"/loans/objects/{w.painting}", "nl")
    fits(page, "the object's museum history")
    assert page.get_by_label("Foto's van de toestand").get_attribute("accept", timeout=5000)
    tab_to(page, "#condition")
    page.keyboard.press("End")  # the last of the list: unacceptable
    tab_to(page, "#notes")
    page.keyboard.type("Scheur rechtsboven, 4 cm")
    tab_to(page, "#photos")
    page.set_input_files("#photos", photos)  # the file chooser a keyboard user opens with Space
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "De toestandscontrole vastleggen"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.inner_text("main")
    assert "De toestandscontrole van" in main and "Toestandsfoto's" in main
    images = page.locator("ul.condition-photos img")
    assert images.count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('ul.condition-photos img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert images.first.get_attribute("alt") == "Foto scheur-1.jpg"
    fits(page, "the object's page with its condition photographs")
    assert_accessible(page, "the object's page with its condition photographs")
    sources = images.evaluate_all("imgs => imgs.map(i => i.src)")
    anonymous = browser.new_context()
    for source in sources:
        assert anonymous.request.get(source).status == 404
    anonymous.close()
    context.close()
