"""What the search page shows, built once per request in Python so that the template only writes it out.

A results page carries a hundred or more facet links, each the current search with one value toggled
and named in the reader's language. Built in the template (a `toggle_url` with its `urlencode`, a
`facet_label` macro call, `request.args.getlist` per value) they cost as much CPU as the search itself.
Here the current parameters are encoded and sorted once per request, each link only inserts or removes
one encoded pair, and each label is looked up once. The URLs are exactly those of `search_url` and
`toggle_url` (plain definitions, kept in the tests, which hold these to them).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import quote, quote_plus, urlencode

from werkzeug.datastructures import MultiDict

from heritage.search.query import query_words
from heritage.search.vocabulary import type_label
from web.date_labels import date_label
from web.i18n import century_name, label, language_name
from web.search_params import PARAMETERS

_ORDER = {name: i for i, name in enumerate(PARAMETERS)}
_LABELLED = ("domain", "level", "custody", "has_images", "has_text", "access")

_SEGMENT_SAFE = "!$&'()*+,/:;=@"  # what werkzeug leaves unquoted in a path segment (`BaseConverter.to_url`)

SortKey = tuple[int, str, str]


def _key(name: str, value: str) -> SortKey:
    """The order of `search_url`: the named parameters first, in their order, then by name and value."""
    return (_ORDER.get(name, len(_ORDER)), name, value)


def _pair(name: str, value: str) -> tuple[SortKey, str]:
    return _key(name, value), f"{quote_plus(name)}={quote_plus(value)}"  # as `urlencode` writes a pair


class SearchLinks:
    """URLs of this search with parameters changed (`link`) or one facet value toggled (`toggle`)."""

    def __init__(self, args: MultiDict[str, str], path: str = "/search") -> None:
        self.path = path
        self.chosen = frozenset(args.items(multi=True))
        # sorted by key alone, as search_url's stable sort; equal keys are equal pairs, so no tie is reordered
        self._pairs = sorted(_pair(k, v) for k, v in args.items(multi=True) if k != "page" and v != "")

    def _url(self, pairs: Sequence[tuple[SortKey, str]]) -> str:
        return f"{self.path}?{'&'.join(encoded for _key, encoded in pairs)}" if pairs else self.path

    def link(self, **changes: str | int | None) -> str:
        """As `search_url(args, **changes)`: None or "" removes a parameter; the page resets to 1."""
        pairs = [p for p in self._pairs if p[0][1] not in changes]
        added = [_pair(k, str(v)) for k, v in changes.items() if v is not None and v != ""]
        return self._url(sorted(pairs + added) if added else pairs)

    def toggle(self, name: str, value: str) -> str:
        """As `toggle_url(args, name, value)`: the value added, or removed when it is already chosen."""
        if (name, value) in self.chosen:
            return self._url([p for p in self._pairs if p[0][1:] != (name, value)])
        if name == "page" or value == "":
            return self._url(self._pairs)
        pairs = list(self._pairs)
        insort(pairs, _pair(name, value))
        return self._url(pairs)


class FacetLabels:
    """The name of a facet value in one language, as the page shows it (what `facet_label` was)."""

    def __init__(self, lang: str, collection_titles: Mapping[str, str], unit_names: Mapping[str, str]) -> None:
        self.lang = lang
        self.collection_titles = collection_titles
        self.unit_names = unit_names

    def __call__(self, name: str, value: str) -> str:
        if name in _LABELLED:
            return label(name, value, self.lang)
        if name == "collection":
            return self.collection_titles.get(value, value)
        if name == "unit":
            return self.unit_names.get(value, value)
        if name == "language":
            return language_name(value, self.lang)
        if name == "subject":  # an object type or genre of the shipped vocabulary, in the page's language
            return type_label(value, self.lang) or value
        if name == "century":
            return century_name(value, self.lang)
        if name == "decade":
            return f"{value}–{_int(value) + 9}"
        return str(value)


def _int(value: Any) -> int:
    """Jinja's `int` filter: a whole number from text such as "1840" or "1840.0", else 0."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return 0


class FacetValue(NamedTuple):
    href: str
    text: str
    count: int
    chosen: bool


class FacetSection(NamedTuple):
    name: str
    heading: str
    values: list[FacetValue]


class Bar(NamedTuple):
    href: str
    text: str
    width: float
    count: int


class ActiveFilter(NamedTuple):
    href: str
    heading: str
    text: str


def facet_sections(
    facets: Mapping[str, list[tuple[str, int]]], order: Sequence[str], links: SearchLinks, labels: FacetLabels
) -> list[FacetSection]:
    """The facets in `order` that have values, each value with its toggle link, name and state."""
    return [
        FacetSection(
            name,
            label("facet", name, labels.lang),
            [
                FacetValue(links.toggle(name, value), labels(name, value), count, (name, value) in links.chosen)
                for value, count in facets[name]
            ],
        )
        for name in order
        if facets[name]
    ]


def histogram_bars(
    name: str, histogram: Sequence[tuple[str, int]], links: SearchLinks, labels: FacetLabels
) -> list[Bar]:
    """A bar per century or decade: the link that narrows the dates to it, its name, width (%) and count."""
    most = max((count for _value, count in histogram), default=0)
    span = 99 if name == "century" else 9
    bars = []
    for value, count in histogram:
        first = _int(value)
        bars.append(
            Bar(
                links.link(**{"from": first, "to": first + span}),
                labels(name, value),
                round(100 * count / most, 1) if most else 0,
                count,
            )
        )
    return bars


def active_filters(filters: Mapping[str, list[str]], links: SearchLinks, labels: FacetLabels) -> list[ActiveFilter]:
    """The chosen facet values, each with the link that removes it."""
    return [
        ActiveFilter(links.toggle(name, value), label("facet", name, labels.lang), labels(name, value))
        for name, values in filters.items()
        for value in values
    ]


class RecordLinks:
    """The record page's URL for an item id, as `url_for("catalogue.record", item_id=...)` builds it
    (a search page links some fifty records and ancestors; url_for costs tens of microseconds each)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix  # url_for("catalogue.record", item_id=""): the path with the script root

    def __call__(self, item_id: str) -> str:
        return self.prefix + quote(str(item_id), safe=_SEGMENT_SAFE)


def page_hits(hits: Sequence[dict[str, Any]], records: RecordLinks, labels: FacetLabels) -> list[dict[str, Any]]:
    """Each hit (its API shape) with what the page writes of it: its link and heading in the reader's
    language, its level and collection named, and the path to it as links."""
    lang = labels.lang
    return [
        {
            **hit,
            "href": records(hit["id"]),
            # the title proper heads a hit as it heads the record page; its translation in the reader's language beside
            "heading": hit["title"],
            "translation": translation if (translation := hit["titles"].get(lang)) != hit["title"] else None,
            "date": date_label(hit.get("date"), lang),
            "level_name": label("level", hit["level"], lang),
            "collection_name": labels("collection", hit["collection"]),
            "crumbs": [
                (records(p["id"]), p.get("title_en") if lang == "en" and p.get("title_en") else p.get("title", ""))
                for p in hit["path"]
            ],
        }
        for hit in hits
    ]


def text_links(hits: Sequence[dict[str, Any]], record_url: Any, q: str) -> list[dict[str, Any]]:
    """Each hit (its API shape) with a link on every page its full text matched: the record page opened on
    that page with the query's words to mark, `?page=<n>&highlight=<words>` (n 1-based)."""
    words = " ".join(query_words(q))
    out = []
    for hit in hits:
        pages = [
            {**t, "url": f"{record_url(hit['id'])}?{urlencode({'page': t['page'], 'highlight': words})}"}
            for t in hit.get("text_hits") or []
        ]
        out.append({**hit, "text_hits": pages} if pages else hit)
    return out
