"""The researcher's catalogue on the demo data: pages in Dutch and English, faceted search with stable
URLs, record pages with citations and JSON-LD, the fonds tree, the sitemap, and bad input."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree, html
from sqlalchemy import select

from heritage.access import effective_access
from heritage.models import Access, Item

pytestmark = pytest.mark.slow


@pytest.fixture
def catalogue(demo_app):  # type: ignore[no-untyped-def]
    """A browser of its own: the language cookie of one test does not follow the next."""
    return demo_app.test_client()


def page(client, url: str, **headers: str):  # type: ignore[no-untyped-def]
    response = client.get(url, headers=headers)
    return response, html.fromstring(response.data)


def hit_id(client, query: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/api/items?{query}").get_json()["items"][0]["id"]


def test_home_has_an_entry_per_domain_and_counts_only_what_the_public_may_find(catalogue) -> None:  # type: ignore[no-untyped-def]
    response, doc = page(catalogue, "/", **{"Accept-Language": "nl"})
    assert response.status_code == 200 and doc.get("lang") == "nl"
    assert [h.text_content().split()[0] for h in doc.cssselect(".domain h2 a")] == [
        "Archieven",
        "Bibliotheek",
        "Wetenschappelijke",
        "Musea",
    ] or len(doc.cssselect(".domain h2")) == 4
    collections = {c["slug"]: c for c in catalogue.get("/api/collections").get_json()["collections"]}
    findable = catalogue.get("/api/items?collection=rectoraat").get_json()["total"]
    assert collections["rectoraat"]["items"] == findable  # 60 closed files are not counted
    assert f">{findable}<" in response.data.decode()


@pytest.mark.parametrize(
    ("headers", "url", "lang", "word"),
    [
        ({"Accept-Language": "en-GB,en;q=0.9"}, "/search?q=reglement", "en", "Refine"),
        ({"Accept-Language": "nl-BE,nl;q=0.9"}, "/search?q=reglement", "nl", "Verfijnen"),
        ({"Accept-Language": "fr"}, "/search?q=reglement", "nl", "Verfijnen"),  # neither: Dutch
        ({"Accept-Language": "nl"}, "/search?q=reglement&lang=en", "en", "Refine"),
    ],
)
def test_language_comes_from_the_choice_then_the_browser(catalogue, headers, url, lang, word) -> None:  # type: ignore[no-untyped-def]
    response, doc = page(catalogue, url, **headers)
    assert doc.get("lang") == lang and word in response.data.decode()


def test_a_chosen_language_is_remembered(catalogue) -> None:  # type: ignore[no-untyped-def]
    client = catalogue
    client.get("/?lang=en", headers={"Accept-Language": "nl"})
    _response, doc = page(client, "/search", **{"Accept-Language": "nl"})
    assert doc.get("lang") == "en"
    switch = doc.cssselect("nav.languages a[hreflang=nl]")[0].get("href")
    client.get(switch)
    assert html.fromstring(client.get("/").data).get("lang") == "nl"


def test_metadata_is_shown_in_the_readers_language(catalogue) -> None:  # type: ignore[no-untyped-def]
    item_id = hit_id(catalogue, "q=title:fabrica")
    _r, nl = page(catalogue, f"/items/{item_id}?lang=nl")
    _r, en = page(catalogue, f"/items/{item_id}?lang=en")
    assert nl.cssselect("h1")[0].text_content() == "De humani corporis fabrica libri septem"
    # the title proper heads the page in every language (issue 18), its translation beside it
    assert en.cssselect("h1")[0].text_content() == "De humani corporis fabrica libri septem"
    assert (
        en.cssselect(".title-translated [lang=en]")[0].text_content()
        == "On the fabric of the human body, in seven books"
    )
    assert "Eerste uitgave" in nl.cssselect("dd.description")[0].text_content()
    assert "First edition" in en.cssselect("dd.description")[0].text_content()
    assert en.cssselect(".metadata dt")[0].text_content() == "Date"


def test_two_facets_refine_and_every_url_is_stable(catalogue) -> None:  # type: ignore[no-untyped-def]
    _r, doc = page(catalogue, "/search?q=leuven")
    domain_link = next(a for a in doc.cssselect("#facet-domain ~ ul a") if "domain=archive" in a.get("href"))
    _r, narrowed = page(catalogue, domain_link.get("href"))
    level_link = next(a for a in narrowed.cssselect("#facet-level ~ ul a") if "level=file" in a.get("href"))
    url = level_link.get("href")
    assert dict(parse_qsl(urlsplit(url).query)) == {"q": "leuven", "domain": "archive", "level": "file"}
    _r, twice = page(catalogue, url)
    api = catalogue.get("/api/items?" + urlsplit(url).query + "&per_page=100").get_json()
    assert {i["domain"] for i in api["items"]} == {"archive"} and {i["level"] for i in api["items"]} == {"file"}
    assert len(twice.cssselect("ol.hits > li.hit")) == min(20, api["total"])
    assert [a.get("href") for a in twice.cssselect(".active-filters a")][:2] == [
        "/search?q=leuven&level=file",
        "/search?q=leuven&domain=archive",
    ]
    again = catalogue.get(url)
    assert again.data == catalogue.get(url).data  # same URL, same page


def test_results_show_thumbnail_path_date_and_a_marked_snippet(catalogue) -> None:  # type: ignore[no-untyped-def]
    _r, doc = page(catalogue, "/search?q=academische+raad&has_images=yes")
    hit = doc.cssselect("li.hit")[0]
    assert hit.cssselect("img.thumb")[0].get("src").endswith("/full/!200,200/0/default.jpg")
    assert [a.text_content() for a in hit.cssselect("ol.path a")][:1] == ["Archief van het Rectoraat"]
    assert re.search(r"1860", hit.cssselect(".date")[0].text_content())
    assert hit.cssselect(".snippet mark")


def test_the_date_histogram_and_range_filter(catalogue) -> None:  # type: ignore[no-untyped-def]
    _r, doc = page(catalogue, "/search?lang=nl")
    bars = doc.cssselect(".histogram .bars a")
    assert any("16e eeuw" in b.text_content() for b in bars)
    century = next(b.get("href") for b in bars if "16e eeuw" in b.text_content())
    assert "from=1500" in century and "to=1599" in century
    _r, sixteenth = page(catalogue, century)
    assert any("1540–1549" in b.text_content() for b in sixteenth.cssselect(".histogram .bars a"))  # decades now
    result = catalogue.get("/api/items?from=1500&to=1599&per_page=100").get_json()
    assert result["total"] > 0 and all(i["date_from"] <= 1599 and i["date_to"] >= 1500 for i in result["items"])


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/search?q=%22academische+raad", 200, "Academische"),  # read as plain words, never an error
        ("/search?q=(reglement", 200, "eglement"),
        ("/search?colour=red", 400, "colour"),
        ("/search?access=closed", 400, "access"),
        ("/search?per_page=1000", 400, "per_page"),
        ("/search?from=1900&to=1800", 200, 'value="1800"'),  # one range, named from either end
        ("/search?lang=fr", 400, "lang"),
        ("/search?from=early", 400, "early"),
        ("/search?q=" + "x" * 1200, 400, "1000"),
        ("/search?q=reglement&page=40", 200, "past the end"),
        ("/search?page=9999", 200, "past the end"),
    ],
)
def test_bad_input_gets_a_helpful_page_never_a_500(catalogue, url: str, status: int, text: str) -> None:  # type: ignore[no-untyped-def]
    response = catalogue.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == status and text in response.data.decode()


def test_script_in_a_query_is_shown_as_text(catalogue) -> None:  # type: ignore[no-untyped-def]
    body = catalogue.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E").data.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_misspelt_word_gets_a_suggestion(catalogue) -> None:  # type: ignore[no-untyped-def]
    api = catalogue.get("/api/items?q=reglemnt").get_json()
    assert api["total"] == 0 and api["suggestion"] == "reglement"
    _r, doc = page(catalogue, "/search?q=reglemnt")
    assert doc.cssselect(".suggestion a")[0].get("href") == "/search?q=reglement"


def test_record_page_cites_and_describes_itself_for_machines(catalogue) -> None:  # type: ignore[no-untyped-def]
    item_id = hit_id(catalogue, "q=title:fabrica")
    _response, doc = page(catalogue, f"/items/{item_id}?lang=en")
    data = json.loads(doc.cssselect('script[type="application/ld+json"]')[0].text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Book"
    assert data["name"] == "De humani corporis fabrica libri septem" and data["url"].endswith(f"/items/{item_id}")
    assert data["dateCreated"] == "1543" and {c["name"] for c in data["creator"]} >= {"Andreas Vesalius"}
    assert data["subjectOf"]["url"].endswith(f"/iiif/presentation/3/{item_id}/manifest")
    citation = doc.cssselect(".citation")[0].text_content()
    assert citation.startswith(
        "Andreas Vesalius. De humani corporis fabrica libri septem. Basel: Johannes Oporinus, 1543."
    )
    assert f"/items/{item_id} (consulted " in citation
    bib = catalogue.get(f"/items/{item_id}/citation.bib")
    assert bib.mimetype == "application/x-bibtex" and bib.data.decode().startswith(f"@book{{{item_id},")
    assert "author = {Andreas Vesalius}" in bib.data.decode() and "year = {1543}" in bib.data.decode()
    csl = json.loads(catalogue.get(f"/items/{item_id}/citation.json").data)
    assert csl[0]["type"] == "book" and csl[0]["issued"] == {"date-parts": [[1543]]}
    links = {a.text_content().strip(): a.get("href") for a in doc.cssselect("a")}
    assert links["IIIF manifest"].startswith(data["subjectOf"]["url"] + "?manifest=")  # IIIF drag and drop
    assert links["at most 2000 px"].endswith("/full/!2000,2000/0/default.jpg")  # public domain: the largest size
    assert links["the whole item as PDF"] == f"/items/{item_id}/pdf"
    assert any(h.endswith(f"/api/items/{item_id}/record") for h in links.values())
    assert doc.cssselect('link[rel="canonical"]')[0].get("href").endswith(f"/items/{item_id}")


def test_closed_items_are_not_in_the_sitemap_nor_findable(catalogue, demo_runtime) -> None:  # type: ignore[no-untyped-def]
    with demo_runtime.sessions() as session:
        rows = session.execute(select(Item.id, Item.access, Item.closed_until)).all()
    closed = {i for i, access, until in rows if effective_access(access, until) == Access.CLOSED}
    assert closed  # the demo keeps student files closed for 75 years
    found = catalogue.get("/api/items?q=studentendossier&per_page=100").get_json()["items"]
    assert found and not {i["id"] for i in found} & closed
    root = etree.fromstring(catalogue.get("/sitemap.xml").data)
    locs = {el.text.rsplit("/", 1)[-1] for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert locs == {i for i, _a, _u in rows} - closed
    assert catalogue.get("/api/items?per_page=1").get_json()["total"] == len(locs)
    assert all(catalogue.get(f"/items/{i}").status_code == 404 for i in list(closed)[:3])
    assert "Sitemap:" in catalogue.get("/robots.txt").data.decode()


def test_a_fonds_is_browsed_as_a_tree_page_by_page(catalogue) -> None:  # type: ignore[no-untyped-def]
    fonds = hit_id(catalogue, "q=title:rectoraat&level=fonds")
    _r, doc = page(catalogue, f"/browse/{fonds}?lang=nl")
    series = catalogue.get(f"/api/items/{fonds}/children").get_json()
    assert [c["title"] for c in series["items"]][:2] == ["Notulen van de Academische Raad", "Briefwisseling"]
    nodes = doc.cssselect("ul.tree-level > li > details.node")
    assert [n.cssselect(".count")[0].text_content() for n in nodes] == [
        f"({c['children']})" for c in series["items"] if c["children"]
    ]
    letters = html.fromstring(catalogue.get(nodes[1].get("data-children")).data)
    assert len(letters.cssselect("ul.tree-level > li")) == series["items"][1]["children"] == 40
    students = catalogue.get(f"/api/items/{series['items'][3]['id']}/children").get_json()["total"]
    assert series["items"][3]["children"] == students < 30  # closed student files are not counted


def test_children_past_the_first_page_come_page_by_page(catalogue) -> None:  # type: ignore[no-untyped-def]
    parent = hit_id(catalogue, "q=title:coleoptera&level=collection")
    first = catalogue.get(f"/api/items/{parent}/children").get_json()
    second = catalogue.get(f"/api/items/{parent}/children?page=2").get_json()
    assert first["total"] == 60 and len(first["items"]) == 50 and len(second["items"]) == 10
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    _r, doc = page(catalogue, f"/browse/{parent}")
    more = doc.cssselect("a.more-children")[0]
    assert more.get("href") == f"/browse/{parent}?page=2"
    assert catalogue.get(f"/browse/{parent}?page=0").status_code == 400
