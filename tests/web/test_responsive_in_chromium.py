"""The public catalogue on a phone (issue 18), in Debian's Chromium, in Dutch and English: no page is wider
than a 390 px screen, with every disclosure open too (the search page was 607 px wide, record pages 520-538);
the search page's facets fold into a disclosure that a keyboard opens, at 360 px, and stay beside the results
on a desktop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.chromium import fits, follow, tab_to
from tests.web.public_pages import LOCALES, serve_demo, unfold, visit

pytestmark = pytest.mark.slow

REFINE = {"nl": "Verfijnen", "en": "Refine"}


@pytest.fixture(scope="module")
def served(
    demo_runtime: Any, viewer_assets_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    with serve_demo(demo_runtime, viewer_assets_dir, tmp_path_factory.mktemp("serve") / "server.log") as served:
        yield served


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_public_page_fits_a_phone(browser: Any, served: tuple[str, dict[str, str]], lang: str) -> None:
    base, pages = served
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale=LOCALES[lang])
    page = context.new_page()
    try:
        for name, path in pages.items():
            visit(page, base, path, lang)
            fits(page, f"the {name} page ({path}, {lang}, 390 px)")
            unfold(page)
            fits(page, f"the {name} page with its disclosures open ({path}, {lang}, 390 px)")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_facets_fold_on_a_phone_and_stay_beside_the_results_on_a_desktop(
    browser: Any, served: tuple[str, dict[str, str]], lang: str
) -> None:
    base, pages = served
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale=LOCALES[lang])
    page = phone.new_page()
    try:
        visit(page, base, pages["search"], lang)
        refine = page.locator("details.refine")
        assert refine.count() == 1, "the facets are not in a disclosure"
        assert not refine.evaluate("d => d.open")  # the results come first
        assert not page.locator("#facet-date").is_visible()
        summary = page.locator("details.refine > summary")
        assert summary.inner_text().strip() == REFINE[lang]
        assert summary.bounding_box()["y"] < page.locator("li.hit").first.bounding_box()["y"]  # above the results
        fits(page, f"the search page, facets folded ({lang}, 360 px)")
        # in the document before the results too, so that the keyboard reaches it first
        assert summary.evaluate("s => !!(s.compareDocumentPosition(document.querySelector('li.hit')) & 4)")
        tab_to(page, "details.refine > summary")
        page.keyboard.press("Enter")
        assert refine.evaluate("d => d.open") and page.locator("#facet-date").is_visible()
        fits(page, f"the search page, facets open ({lang}, 360 px)")
        follow(page, "section.facet a[href*='domain=archive']")
        assert "domain=archive" in page.url and page.locator(".active-filters").is_visible()
        fits(page, f"the search page refined by a facet ({lang}, 360 px)")
    finally:
        phone.close()
    desktop = browser.new_context(viewport={"width": 1366, "height": 900}, locale=LOCALES[lang])
    page = desktop.new_page()
    try:
        visit(page, base, pages["search"], lang)
        assert page.locator("details.refine").evaluate("d => d.open")
        assert not page.locator("details.refine > summary").is_visible()  # nothing to fold on a wide screen
        facets, results = page.locator("aside.facets").bounding_box(), page.locator("section.results").bounding_box()
        assert facets["x"] > results["x"] + results["width"] - 1  # a column to the right of the results
        assert page.locator("#facet-date").is_visible()
        fits(page, f"the search page ({lang}, 1366 px)")
    finally:
        desktop.close()
