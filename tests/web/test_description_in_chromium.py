"""The description of the demo records in Debian's Chromium, on a 390 px phone, in Dutch and in English (issue 18):
the title proper heads the page in its own language with its translation beside it; rights carry their label
and icon; a breadcrumb names a collection and its same-named fonds once; a specimen's collector is no author;
an unknown maker is no creator (no facet value, no citation author); a century is said in the page's language."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.iiif.live_server import live_server

pytestmark = pytest.mark.slow
RECORDS = {"book": "BC-VES-1543", "file": "BE-KUL-UA-R.1.3", "specimen": "ZOO-COL-0005", "object": "ARB-0001"}


@pytest.fixture(scope="module")
def served(demo_runtime: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`heritage serve` on the demo catalogue, and the ids of the records this module reads."""
    env = {**os.environ, **demo_runtime.settings.as_env(), "REDIS_URL": ""}
    with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
        ids = {}
        for name, local_id in RECORDS.items():
            with urllib.request.urlopen(f'{base}/api/items?q=identifier:"{local_id}"', timeout=10) as response:
                found = json.load(response)
            assert found["total"] == 1, local_id
            ids[name] = found["items"][0]["id"]
        yield base, ids


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


OURS = "article.record h1, .title-translated, .rights, nav.breadcrumb li, dl.metadata dd"


def _open(page: Any, url: str) -> None:
    """Open `url`; what this module adds to the page fits a phone's width (the page's long URLs are stream A's)."""
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    wide = page.evaluate(
        "s => [...document.querySelectorAll(s)].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.outerHTML.slice(0, 80))",
        OURS,
    )
    assert not wide, f"wider than a 390 px screen on {url}: {wide}"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_title_proper_heads_the_book_with_its_translation_and_labelled_rights(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, ids = served
    _open(phone, f"{base}/items/{ids['book']}?lang={lang}")
    heading = phone.locator("article.record h1")
    assert heading.inner_text() == "De humani corporis fabrica libri septem" and heading.get_attribute("lang") == "la"
    translated = phone.locator(".title-translated")
    assert translated.locator("[lang=en]").inner_text() == "On the fabric of the human body, in seven books"
    assert translated.inner_text().startswith("Vertaalde titel" if lang == "nl" else "Translated title")
    assert phone.title().startswith("De humani corporis fabrica libri septem (On the fabric")
    rights = phone.locator(".rights a[rel=license]")
    assert rights.get_attribute("href") == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert rights.inner_text().strip() == (
        "Publiek domein (Public Domain Mark 1.0)" if lang == "nl" else "Public Domain Mark 1.0"
    )
    icon = rights.locator("img.rights-icon")
    assert icon.evaluate("img => img.complete && img.naturalWidth > 0")  # the icon is drawn, not a broken image
    assert (
        phone.locator(".citation").inner_text().startswith("Andreas Vesalius. De humani corporis fabrica libri septem.")
    )


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_breadcrumb_names_the_fonds_once(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, ids = served
    _open(phone, f"{base}/items/{ids['file']}?lang={lang}")
    crumbs = [c.strip() for c in phone.locator("nav.breadcrumb li").all_inner_texts()]
    fonds = "Archief van het Rectoraat" if lang == "nl" else "Records of the Rector's Office"
    assert crumbs.count(fonds) == 1 and len(crumbs) == len(set(crumbs))
    assert crumbs[0] == fonds and crumbs[-1].startswith("Register van de notulen")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_specimen_is_cited_by_its_collection_and_catalogue_number(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, ids = served
    _open(phone, f"{base}/items/{ids['specimen']}?lang={lang}")
    citation = phone.locator(".citation").inner_text()
    assert citation.startswith("Geotrupes stercorarius")  # the scientific name first: the collector is no author
    collected, number = ("Verzameld door", "catalogusnummer") if lang == "nl" else ("Collected by", "catalogue number")
    assert f"{collected} " in citation and f"{number} ZOO-COL-0005" in citation
    assert "genaald" not in phone.locator("dl.metadata").first.inner_text() or lang == "nl"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_an_unknown_maker_is_no_creator(served, phone, lang) -> None:  # type: ignore[no-untyped-def]
    base, ids = served
    _open(phone, f"{base}/items/{ids['object']}?lang={lang}")
    details = phone.locator("dl.metadata").first.inner_text()
    assert ("maker onbekend" if lang == "nl" else "maker unknown") in details
    assert ("19e eeuw" if lang == "nl" else "19th century") in details
    assert "Onbekend" not in phone.locator(".citation").inner_text()
    assert phone.locator('dd a[href*="creator=Onbekend"]').count() == 0
    if lang == "en":
        assert "19e eeuw" not in phone.locator("article.record").inner_text()
    _open(phone, f"{base}/search?collection=kasteel-arenberg&lang={lang}")
    phone.locator("details.refine > summary").click()  # on a phone the facets are folded away: open them
    makers = phone.locator("#facet-creator + ul").inner_text()
    assert "Atelier te Leuven" in makers and "Onbekend" not in makers
    hits = phone.locator("ol.hits").inner_text()  # titles proper with their translation; centuries by language
    assert ("19e eeuw" in hits) == (lang == "nl") and ("19th century" in hits) == (lang == "en")
    assert phone.locator("ol.hits h2 .title-translated").count() == (
        0 if lang == "nl" else phone.locator("ol.hits h2").count()
    )
