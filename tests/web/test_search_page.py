"""The search page's links and labels, built once per request (`web.search_page`), are those of the plain
definitions: every URL that `search_url` and `toggle_url` give, every record URL that `url_for` gives,
and every facet, filter and bar named in the reader's language, in Dutch and in English."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import url_for
from lxml import html
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from heritage.models import Unit
from heritage.search import HISTOGRAM_FACETS
from heritage.search.vocabulary import type_label
from web.i18n import century_name, label, language_name
from web.search_page import FacetLabels, RecordLinks, SearchLinks
from web.search_params import PARAMETERS

ODD = ["", "a b", "a&b=c", "x+y", "50%", "é", "<script>", "1800", "archive", "q?#", "ünï/cødé"]
NAMES = ["q", "page", "per_page", "sort", "from", "to", "lang", "domain", "level", "collection", "zz", "a"]


# The plain definitions of the page's links (the web layer builds the same URLs faster, `SearchLinks`).


def search_url(args: MultiDict[str, str], path: str = "/search", **changes: str | int | None) -> str:
    """The URL of these search parameters with some changed (None removes one); the page resets to 1.

    Parameters keep a fixed order, so the same search always has the same URL.
    """
    params = [(k, v) for k, v in args.items(multi=True) if k not in changes and k != "page" and v != ""]
    for key, value in changes.items():
        if value is not None and value != "":
            params.append((key, str(value)))
    order = {name: i for i, name in enumerate(PARAMETERS)}
    params.sort(key=lambda kv: (order.get(kv[0], len(order)), kv[0], kv[1]))
    return f"{path}?{urlencode(params)}" if params else path


def toggle_url(args: MultiDict[str, str], name: str, value: str, path: str = "/search") -> str:
    """The URL with one facet value added, or removed when it is already chosen."""
    current = args.getlist(name)
    params = MultiDict([(k, v) for k, v in args.items(multi=True) if not (k == name and v == value)])
    if value not in current:
        params.add(name, value)
    return search_url(params, path)


def random_args(rng: random.Random) -> MultiDict[str, str]:
    return MultiDict([(rng.choice(NAMES), rng.choice(ODD)) for _ in range(rng.randrange(0, 8))])


def changes_of(rng: random.Random) -> dict[str, str | int | None]:
    values: list[str | int | None] = [None, "", 0, 3, 1500, *ODD]
    return {rng.choice(NAMES): rng.choice(values) for _ in range(rng.randrange(0, 3))}


def test_links_are_those_of_search_url_and_toggle_url() -> None:
    rng = random.Random(7)
    for _ in range(600):
        args = random_args(rng)
        links = SearchLinks(args)
        for changes in (changes_of(rng), {"from": 1500, "to": 1599}, {"from": None, "to": None}, {"page": 2}, {}):
            assert links.link(**changes) == search_url(args, **changes), (args, changes)
        chosen = list(args.items(multi=True))
        for name, value in [*chosen, (rng.choice(NAMES), rng.choice(ODD)), ("domain", "archive"), ("page", "2")]:
            assert links.toggle(name, value) == toggle_url(args, name, value), (args, name, value)
            assert ((name, value) in links.chosen) == (value in args.getlist(name))


def test_links_keep_one_order_whatever_the_order_of_the_request() -> None:
    one = SearchLinks(MultiDict([("level", "file"), ("q", "leuven"), ("domain", "archive"), ("page", "3")]))
    other = SearchLinks(MultiDict([("domain", "archive"), ("page", "1"), ("q", "leuven"), ("level", "file")]))
    assert one.toggle("level", "file") == other.toggle("level", "file") == "/search?q=leuven&domain=archive"
    assert one.toggle("domain", "a&b") == "/search?q=leuven&domain=a%26b&domain=archive&level=file"
    assert one.link(page=2) == other.link(page=2) == "/search?q=leuven&page=2&domain=archive&level=file"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_facet_values_are_named_in_the_readers_language(lang: str) -> None:
    labels = FacetLabels(lang, {"rectoraat": "Rectoraat"}, {"kadoc": "KADOC"})
    expected = {
        ("domain", "archive"): {"nl": "Archieven", "en": "Archives"},
        ("has_images", "yes"): {"nl": "Met beelden", "en": "With images"},
        ("has_text", "yes"): {"nl": "Met volledige tekst", "en": "With full text"},
        ("has_text", "no"): {"nl": "Zonder volledige tekst", "en": "Without full text"},
        ("century", "1800"): {"nl": "19e eeuw", "en": "19th century"},
        ("language", "fr"): {"nl": "Frans", "en": "French"},
        ("decade", "1840"): {"nl": "1840–1849", "en": "1840–1849"},
        ("collection", "rectoraat"): {"nl": "Rectoraat", "en": "Rectoraat"},
        ("collection", "unknown"): {"nl": "unknown", "en": "unknown"},
        ("unit", "kadoc"): {"nl": "KADOC", "en": "KADOC"},
        ("creator", "<b>Vesalius</b>"): {"nl": "<b>Vesalius</b>", "en": "<b>Vesalius</b>"},
        ("subject", "furniture"): {"nl": "meubilair", "en": "furniture"},  # a type: named in the page's language
        ("subject", "maps"): {"nl": "kaarten", "en": "maps"},
        ("subject", "Anatomie"): {"nl": "Anatomie", "en": "Anatomie"},  # a record's own subject, as it is written
    }
    assert {key: labels(*key) for key in expected} == {key: names[lang] for key, names in expected.items()}


@pytest.mark.parametrize("script_root", ["", "/heritage"])
def test_record_links_are_those_of_url_for(demo_app, script_root: str) -> None:  # type: ignore[no-untyped-def]
    with demo_app.test_request_context("/search", base_url=f"http://localhost{script_root}/"):
        records = RecordLinks(url_for("catalogue.record", item_id=""))
        for item_id in ["abc123", "a b", "ä/ö?#&%", "<x>", "a+b=c;d@e", "~.-_"]:
            assert records(item_id) == url_for("catalogue.record", item_id=item_id)


def expected_name(name: str, value: str, lang: str, collections: dict[str, str], units: dict[str, str]) -> str:
    if name in ("domain", "level", "custody", "has_images", "has_text", "access"):
        return label(name, value, lang)
    if name == "language":
        return language_name(value, lang)
    if name == "century":
        return century_name(value, lang)
    if name == "decade":
        return f"{value}–{int(value) + 9}"
    if name == "subject":  # an object type or genre of the vocabulary, in the page's language
        return type_label(value, lang) or value
    return {"collection": collections, "unit": units}.get(name, {}).get(value, value)


@pytest.mark.db
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("query", ["q=leuven&domain=archive", "domain=archive&q=leuven&level=file&page=1", ""])
def test_every_link_and_label_of_the_page(demo_app, demo_runtime, lang: str, query: str) -> None:  # type: ignore[no-untyped-def]
    client = demo_app.test_client()
    headers = {"Accept-Language": lang}
    response = client.get(f"/search?{query}", headers=headers)
    assert response.status_code == 200
    doc = html.fromstring(response.data)
    assert doc.get("lang") == lang
    args = MultiDict(parse_qsl(query))
    api = client.get(f"/api/items?{query}", headers=headers).get_json()
    collections = {
        c["slug"]: (c["title_en"] if lang == "en" and c["title_en"] else c["title"])
        for c in client.get("/api/collections").get_json()["collections"]
    }
    with demo_runtime.sessions() as db:
        units = {u.slug: (u.name_en if lang == "en" and u.name_en else u.name) for u in db.scalars(select(Unit))}

    def named(name: str, value: str) -> str:
        return expected_name(name, value, lang, collections, units)

    # the facets: each value's toggle link, name, count and state, in the API's order
    shown = {s.get("aria-labelledby")[len("facet-") :]: s for s in doc.cssselect("section.facet:not(.histogram)")}
    facets = {n: values for n, values in api["facets"].items() if n not in HISTOGRAM_FACETS and values}
    assert list(shown) == list(facets) and len(facets) >= 3
    assert shown["domain"].cssselect("h3")[0].text_content() == {"nl": "Domein", "en": "Domain"}[lang]
    for name, values in facets.items():
        assert shown[name].cssselect("h3")[0].text_content() == label("facet", name, lang)
        anchors = shown[name].cssselect("li > a")
        assert [a.get("href") for a in anchors] == [toggle_url(args, name, v["value"]) for v in values]
        assert [a.text_content().split(None, 1)[1] for a in anchors] == [named(name, v["value"]) for v in values]
        assert [int(c.text_content()) for c in shown[name].cssselect("li > .count")] == [v["count"] for v in values]
        chosen = [v["value"] in args.getlist(name) for v in values]
        assert [a.get("aria-current") == "true" for a in anchors] == chosen
        assert [a.cssselect(".check")[0].text_content() for a in anchors] == ["☑" if c else "☐" for c in chosen]

    # the active filters, each with the link that removes it
    active = [(n, v) for n in facets for v in dict.fromkeys(args.getlist(n)) if v]
    removers = doc.cssselect(".active-filters li > a")[: len(active)]
    assert len(removers) == len(active)
    for a, (name, value) in zip(removers, active, strict=True):
        assert a.get("href") == toggle_url(args, name, value)
        assert a.text_content().rstrip(" ×") == f"{label('facet', name, lang)}: {named(name, value)}"

    # the date bars: each narrows the search to its century (or decade)
    bars = doc.cssselect(".histogram .bars a")
    assert bars
    for a in bars:
        params = dict(parse_qsl(urlsplit(a.get("href")).query))
        first, last = int(params["from"]), int(params["to"])
        assert last - first in (9, 99)
        name = "century" if last - first == 99 else "decade"
        assert a.get("href") == search_url(args, **{"from": first, "to": last})
        assert a.cssselect(".bar-label")[0].text_content() == named(name, str(first))

    # the hits: the record's link with its title proper, and beside it its title in the reader's language where
    # it has another (issue 18)
    hits = doc.cssselect("li.hit h2 a")
    assert [a.get("href") for a in hits] == [f"/items/{i['id']}" for i in api["items"]]
    assert [a.text_content() for a in hits] == [i["title"] for i in api["items"]]
    translated = [
        (t[0].text_content() if (t := h.cssselect(".title-translated")) else None) for h in doc.cssselect("li.hit h2")
    ]
    wanted = [i["titles"].get(lang) for i in api["items"]]
    assert translated == [
        f"({t})" if t and t != i["title"] else None for t, i in zip(wanted, api["items"], strict=True)
    ]


@pytest.mark.parametrize(
    ("lang", "page_name", "facet_name"), [("nl", "blz. 37", "Volledige tekst"), ("en", "p. 37", "Full text")]
)
def test_a_hit_in_the_full_text_shows_its_page_and_opens_it(  # type: ignore[no-untyped-def]
    runtime, client, lang: str, page_name: str, facet_name: str
) -> None:
    from tests.heritage.search.builders import doc

    pages = ((1, "Register der inschrijvingen"), (37, "Petrus Vandermeulen uit Tienen, <b>geneeskunde</b>"))
    runtime.index.update([doc("reg1", "Inschrijvingsregister", images=True, pages=pages), doc("f", "Foto")])
    response = client.get(f"/search?q=Vandermeulen+Tienen&lang={lang}")
    assert response.status_code == 200
    page = html.fromstring(response.get_data(as_text=True))
    (link,) = page.cssselect("ul.text-hits a")
    assert link.text_content() == page_name
    href = urlsplit(link.get("href"))
    assert href.path.endswith("/items/reg1")
    assert parse_qsl(href.query) == [("page", "37"), ("highlight", "Vandermeulen Tienen")]
    (snippet,) = page.cssselect("ul.text-hits .snippet")
    assert [m.text for m in snippet.cssselect("mark")] == ["Vandermeulen", "Tienen"]
    assert "<b>" in snippet.text_content()  # the page's own text is escaped, never markup
    facets = client.get(f"/search?lang={lang}").get_data(as_text=True)
    assert facet_name in facets and label("has_text", "yes", lang) in facets
    help_text = {"nl": "alleen de tekst gelezen van de gescande pagina's", "en": "only the text read from the scanned"}
    unreadable = client.get(f"/search?q=x&per_page=many&lang={lang}")  # the help comes with what cannot be read
    assert unreadable.status_code == 400
    (search_help,) = html.fromstring(unreadable.get_data(as_text=True)).cssselect("details.search-help")
    assert help_text[lang] in search_help.text_content()
