"""The catalogue in a real browser (Debian's Chromium driven by Playwright): search, refine by two
facets, open a record, zoom into its images, switch language, browse a fonds tree, all by keyboard or
mouse as a researcher would. Screenshots go to tests/artifacts/ when run outside CI."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import required_tool
from tests.iiif.live_server import live_server

pytestmark = pytest.mark.slow
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture(scope="module")
def base_url(demo_runtime: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`heritage serve` on the demo catalogue, with the viewer assets when tests/run installed them."""
    env = {**os.environ, **demo_runtime.settings.as_env(), "REDIS_URL": ""}
    if os.environ.get("HERITAGE_TEST_ASSETS"):
        env["HERITAGE_ASSETS"] = str(Path(os.environ["HERITAGE_TEST_ASSETS"]).absolute())
    with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def shot(page: Any, name: str) -> None:
    if os.environ.get("CI") != "true":
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def facet(page: Any, name: str, value: str) -> Any:
    return page.locator("section.facet", has=page.locator(f"#facet-{name}")).get_by_role("link", name=re.compile(value))


def test_search_refine_by_two_facets_and_open_a_record(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    shot(page, "home")
    page.get_by_label("Zoeken in de catalogus").fill("leuven")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=leuven"))
    total = int(page.locator("#results-title").inner_text().split()[0])
    page.locator("section.facet", has=page.locator("#facet-domain")).get_by_role(
        "link", name=re.compile("Archieven")
    ).click()
    page.locator("section.facet", has=page.locator("#facet-level")).get_by_role(
        "link", name=re.compile("Dossier")
    ).click()
    page.wait_for_url(re.compile(r"domain=archive.*level=file|level=file.*domain=archive"))
    refined = int(page.locator("#results-title").inner_text().split()[0])
    assert 0 < refined < total
    assert page.locator(".active-filters li").count() == 3  # two facets and "clear all"
    shot(page, "results")
    first = page.locator("li.hit h2 a").first
    title = first.inner_text()
    first.click()
    assert page.locator("h1").inner_text() == title
    assert page.locator(".citation").inner_text().endswith(").")


def test_the_viewer_zooms_and_loads_tiles(page: Any, base_url: str) -> None:
    page.goto(base_url + "/search?q=title:fabrica")
    page.locator("li.hit h2 a").first.click()
    page.wait_for_url(re.compile(r"/items/"))  # count() does not wait: on a slow machine it saw the search page
    if page.locator(".deepzoom").count() == 0:
        # without the viewer bundle the page shows the plain image, which must load
        assert page.locator("figure.viewer img").evaluate("img => img.complete && img.naturalWidth > 0")
        required_tool(None, "the deep-zoom viewer (heritage assets install; the plain image was checked)")
    tiles: list[str] = []
    page.on("response", lambda r: tiles.append(r.url) if "/iiif/image/3/" in r.url and r.status == 200 else None)
    page.wait_for_function("() => window.heritageViewer && window.heritageViewer.world.getItemCount() > 0")
    before = len(tiles)
    page.evaluate("window.heritageViewer.viewport.zoomBy(6); window.heritageViewer.viewport.applyConstraints()")
    page.wait_for_function("() => window.heritageViewer.world.getItemAt(0).getFullyLoaded()", timeout=30000)
    shot(page, "record")
    assert len(tiles) > before and any("/full/" not in url for url in tiles[before:])


def test_switch_language_keeps_the_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/search?q=reglement")
    assert page.locator("aside.facets h3").first.inner_text() == "Datering"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("aside.facets h3").first.inner_text() == "Date"
    assert page.get_by_label("Search the catalogue").input_value() == "reglement"
    page.goto(base_url + "/")  # the choice is remembered
    assert page.locator("h1").inner_text() == "Heritage of the university"


def test_keyboard_reaches_the_content_first(page: Any, base_url: str) -> None:
    page.goto(base_url + "/search?q=reglement")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_browse_a_fonds_tree_lazily_and_page_by_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/search?q=title:rectoraat&level=fonds")
    page.locator("li.hit h2 a").first.click()
    page.get_by_role("link", name="Bladeren in de boom").click()
    page.wait_for_url("**/browse/**")
    page.wait_for_load_state("load")  # the tree's script listens for a node opening: pressed before, nothing loads
    series = page.locator("details.node").filter(has_text="Briefwisseling").first
    series.locator("summary").focus()
    page.keyboard.press("Enter")  # a keyboard opens a node; its children load in place
    series.locator(".children-box ul.tree-level > li").first.wait_for()
    assert series.locator(".children-box ul.tree-level > li").count() == 40
    shot(page, "tree")
    page.goto(base_url + "/search?q=title:coleoptera&level=collection")
    page.locator("li.hit h2 a").first.click()
    page.get_by_role("link", name="Bladeren in de boom").click()
    page.wait_for_url("**/browse/**")
    page.wait_for_load_state("load")
    assert page.locator("#tree > ul.tree-level > li").count() == 50
    page.locator("a.more-children").click()
    page.wait_for_function("() => document.querySelectorAll('#tree > ul.tree-level > li').length === 60")
    assert page.locator("a.more-children").count() == 0
