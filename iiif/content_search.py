"""IIIF Content Search 2.0 inside one manifest: hits on the words of its pages, and terms to complete a query.

Words match as the catalogue matches them (`heritage.search.analyzers`): accent- and case-folded, or on the
same Dutch or English stem ("registers" finds "register"); a quoted phrase matches consecutive words; every
word or phrase of a query must occur in the manifest (as the catalogue requires every word). A hit
is an Annotation (motivation `supplementing`, the words found as its TextualBody) on the canvas region of the
words, one per line a phrase runs over. `motivation` and `date` filter as the specification says (every
annotation here is `supplementing`, made when its page's text was stored); `user` is not supported and is
listed as `ignored`. Mirador 4 speaks Content Search 1.0 only, so the same hits are also given in that form
(`search_v1`, `terms_v1`): the manifest offers both services.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from heritage.search.analyzers import STEMMED_LANGUAGES, folded, stemmed
from iiif.errors import ParameterError
from iiif.text_layer import Box, TextPage

CONTEXT = "http://iiif.io/api/search/2/context.json"
CONTEXT_V1 = "http://iiif.io/api/search/1/context.json"
MOTIVATION = "supplementing"
PAGE_SIZE = 100  # hits per page of results
TERMS = 20  # terms offered by autocomplete
MAX_TERMS = 32  # words in one query
_FOLDED = folded()
_STEMMED = {lang: stemmed(lang) for lang in STEMMED_LANGUAGES}
_PART = re.compile(r'"([^"]*)"|(\S+)')
_TIME = "%Y-%m-%dT%H:%M:%SZ"


class SearchRequestError(ParameterError):
    """A parameter the client sent cannot be understood (400), named with the reason."""


@dataclass(frozen=True)
class Forms:
    """A word as the index would see it: its folded tokens and its (language, stem) pairs."""

    folded: frozenset[str]
    stems: frozenset[tuple[str, str]]

    def meets(self, other: Forms) -> bool:
        return bool(self.folded & other.folded or self.stems & other.stems)


@lru_cache(maxsize=100_000)
def forms(text: str) -> Forms:
    tokens = frozenset(t.text for t in _FOLDED(text))
    stems = frozenset((lang, t.text) for lang, analyzer in _STEMMED.items() for t in analyzer(text))
    return Forms(tokens, stems)


@dataclass(frozen=True)
class Query:
    """What was asked: phrases of terms (a lone word is a phrase of one), the motivations and date ranges to
    keep (None: all), the parameters ignored, and the parameters as given (for the ids of the pages)."""

    phrases: tuple[tuple[Forms, ...], ...]
    motivations: frozenset[str] | None
    dates: tuple[tuple[datetime, datetime], ...] | None
    ignored: tuple[str, ...]
    given: tuple[tuple[str, str], ...] = field(default=())

    def keeps(self, page: TextPage) -> bool:
        """Whether the annotations of `page` pass the motivation and date filters."""
        if self.motivations is not None and MOTIVATION not in self.motivations:
            return False
        if self.dates is None:
            return True
        created = _utc(page.created)
        return created is not None and any(start <= created <= end for start, end in self.dates)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _dates(value: str) -> tuple[tuple[datetime, datetime], ...]:
    ranges = []
    for part in value.split():
        start, sep, end = part.partition("/")
        try:
            if not sep:
                raise ValueError
            first = datetime.strptime(start, _TIME).replace(tzinfo=UTC)
            last = datetime.strptime(end, _TIME).replace(tzinfo=UTC)
        except ValueError:
            raise SearchRequestError(
                f"date: {part!r} is not a range of two times such as 2024-01-01T00:00:00Z/2024-12-31T23:59:59Z"
            ) from None
        if last < first:
            raise SearchRequestError(f"date: {part!r} ends before it starts")
        ranges.append((first, last))
    return tuple(ranges)


def parse_query(args: Mapping[str, str], *, prefix: bool = False) -> Query:
    """The parameters of a search (or, `prefix`, of an autocomplete) request.

    Raises:
        SearchRequestError: `q` is missing or has no words, or `date` is not a list of ranges.
    """
    q = (args.get("q") or "").strip()
    phrases: list[tuple[Forms, ...]] = []
    for quoted, bare in _PART.findall(q):
        words = [t.text for t in _FOLDED(quoted or bare)]
        if words:
            phrases.append(tuple(forms(w) for w in words) if not prefix else (Forms(frozenset(words), frozenset()),))
    if not phrases:
        raise SearchRequestError("q: give a word to search for (letters or digits)")
    if sum(len(p) for p in phrases) > MAX_TERMS:
        raise SearchRequestError(f"q: at most {MAX_TERMS} words")
    motivation = (args.get("motivation") or "").split()
    date = (args.get("date") or "").strip()
    given = tuple((name, args[name]) for name in ("q", "motivation", "date", "user") if args.get(name))
    return Query(
        tuple(phrases),
        frozenset(motivation) if motivation else None,
        _dates(date) if date else None,
        ("user",) if args.get("user") else (),
        given,
    )


@dataclass(frozen=True)
class Hit:
    """Words `start` to `end` (exclusive) of a page, matching one phrase of the query."""

    page: TextPage
    start: int
    end: int

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.page.words[self.start : self.end])

    def boxes(self) -> list[Box]:
        """One box per line the words run over."""
        out: list[Box] = []
        run: list[Box] = []
        words = self.page.words[self.start : self.end]
        for i, word in enumerate(words):
            run.append(word.box)
            if i + 1 == len(words) or words[i + 1].line != word.line:
                out.append(Box.around(run))
                run = []
        return out

    def context(self, size: int = 5) -> tuple[str, str]:
        words = self.page.words
        before = " ".join(w.text for w in words[max(0, self.start - size) : self.start])
        after = " ".join(w.text for w in words[self.end : self.end + size])
        return before, after


def find(pages: list[TextPage], query: Query) -> list[Hit]:
    """Every hit of the query's phrases, in page and reading order; none unless every phrase occurs somewhere
    in the manifest. The words of a query are all required, as in the catalogue's search: the manifest that
    search found by "leuven amsterdam" marks both words, and one without "utrecht" answers nothing to
    "leuven utrecht"."""
    hits: list[Hit] = []
    found: set[int] = set()
    for page in pages:
        if not query.keeps(page):
            continue
        keys = [forms(w.text) for w in page.words]
        for i in range(len(keys)):
            for n, phrase in enumerate(query.phrases):
                end = i + len(phrase)
                if end <= len(keys) and all(term.meets(keys[i + j]) for j, term in enumerate(phrase)):
                    hits.append(Hit(page, i, end))
                    found.add(n)
                    break
    return hits if len(found) == len(query.phrases) else []


def _annotations(hits: list[Hit], search_id: str) -> list[tuple[Hit, str, Box]]:
    """Each hit's annotations: (hit, annotation id, box), one per line of the hit."""
    out = []
    for hit in hits:
        for k, box in enumerate(hit.boxes()):
            out.append((hit, f"{search_id}/hit/p{hit.page.n}/w{hit.start}-{hit.end}/{k}", box))
    return out


def _url(service: str, given: tuple[tuple[str, str], ...], page: int = 1) -> str:
    params = list(given) + ([("page", str(page))] if page > 1 else [])
    return f"{service}?{urlencode(params)}" if params else service


def _page_of(count: int, page: int) -> int:
    pages = max(1, -(-count // PAGE_SIZE))
    if not 1 <= page <= pages:
        raise SearchRequestError(f"page: {page} does not exist (1 to {pages})")
    return pages


def page_number(value: str | None) -> int:
    """The `page` parameter (from 1).

    Raises:
        SearchRequestError: it is not a whole number.
    """
    if value is None or value == "":
        return 1
    if not value.isdigit():
        raise SearchRequestError(f"page: {value!r} is not a page number (1, 2, ...)")
    return int(value)


def _created(page: TextPage) -> str | None:
    created = _utc(page.created)
    return created.strftime(_TIME) if created else None


def search_page(service: str, pages: list[TextPage], query: Query, page: int = 1) -> dict[str, Any]:
    """The AnnotationPage of hits a Content Search 2.0 request answers, paged by PAGE_SIZE annotations.

    Raises:
        SearchRequestError: `page` does not exist.
    """
    found = _annotations(find(pages, query), service)
    last = _page_of(len(found), page)
    start = (page - 1) * PAGE_SIZE
    items = []
    for hit, anno_id, box in found[start : start + PAGE_SIZE]:
        body: dict[str, Any] = {"type": "TextualBody", "value": hit.text, "format": "text/plain"}
        if hit.page.language:
            body["language"] = hit.page.language
        annotation: dict[str, Any] = {
            "id": anno_id,
            "type": "Annotation",
            "motivation": MOTIVATION,
            "body": body,
            "target": f"{hit.page.canvas}#xywh={box.xywh}",
        }
        created = _created(hit.page)
        if created:
            annotation["created"] = created
        items.append(annotation)
    document: dict[str, Any] = {"@context": CONTEXT, "id": _url(service, query.given, page), "type": "AnnotationPage"}
    if query.ignored:
        document["ignored"] = list(query.ignored)
    document["partOf"] = {
        "id": _url(service, query.given),
        "type": "AnnotationCollection",
        "total": len(found),
        "first": {"id": _url(service, query.given, 1), "type": "AnnotationPage"},
        "last": {"id": _url(service, query.given, last), "type": "AnnotationPage"},
    }
    document["startIndex"] = start
    if page < last:
        document["next"] = {"id": _url(service, query.given, page + 1), "type": "AnnotationPage"}
    if page > 1:
        document["prev"] = {"id": _url(service, query.given, page - 1), "type": "AnnotationPage"}
    document["items"] = items
    return document


def terms(pages: list[TextPage], query: Query) -> list[tuple[str, int]]:
    """The words that begin with the query's last word (folded), as most often written, most frequent first."""
    prefix = next(iter(query.phrases[-1][0].folded))
    counts: Counter[str] = Counter()
    written: dict[str, Counter[str]] = {}
    for page in pages:
        if not query.keeps(page):
            continue
        for word in page.words:
            for token in forms(word.text).folded:
                if token.startswith(prefix):
                    counts[token] += 1
                    cleaned = word.text.strip(".,;:!?()[]\"'«»„“”‘’")
                    written.setdefault(token, Counter())[cleaned or token] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TERMS]
    return [(written[token].most_common(1)[0][0], count) for token, count in ranked]


def term_page(service: str, search: str, pages: list[TextPage], query: Query) -> dict[str, Any]:
    """The TermPage a Content Search 2.0 autocomplete request answers."""
    document: dict[str, Any] = {"@context": CONTEXT, "id": _url(service, query.given), "type": "TermPage"}
    if query.ignored:
        document["ignored"] = list(query.ignored)
    document["items"] = [
        {
            "value": value,
            "total": total,
            "service": [{"id": _url(search, (("q", value),)), "type": "SearchService2"}],
        }
        for value, total in terms(pages, query)
    ]
    return document


def search_v1(service: str, pages: list[TextPage], query: Query, page: int = 1) -> dict[str, Any]:
    """The same hits as a Content Search 1.0 AnnotationList (what Mirador 4 reads), with `hits` for context.

    Raises:
        SearchRequestError: `page` does not exist.
    """
    found = _annotations(find(pages, query), service)
    last = _page_of(len(found), page)
    start = (page - 1) * PAGE_SIZE
    resources = []
    hits: dict[int, dict[str, Any]] = {}
    for hit, anno_id, box in found[start : start + PAGE_SIZE]:
        resources.append(
            {
                "@id": anno_id,
                "@type": "oa:Annotation",
                "motivation": "sc:painting",
                "resource": {"@type": "cnt:ContentAsText", "chars": hit.text},
                "on": f"{hit.page.canvas}#xywh={box.xywh}",
            }
        )
        key = id(hit)
        if key not in hits:
            before, after = hit.context()
            hits[key] = {"@type": "search:Hit", "annotations": [], "match": hit.text, "before": before, "after": after}
        hits[key]["annotations"].append(anno_id)
    document: dict[str, Any] = {
        "@context": CONTEXT_V1,
        "@id": _url(service, query.given, page),
        "@type": "sc:AnnotationList",
        "within": {
            "@type": "sc:Layer",
            "total": len(found),
            "first": _url(service, query.given, 1),
            "last": _url(service, query.given, last),
        },
        "startIndex": start,
    }
    if query.ignored:
        document["within"]["ignored"] = list(query.ignored)
    if page < last:
        document["next"] = _url(service, query.given, page + 1)
    if page > 1:
        document["prev"] = _url(service, query.given, page - 1)
    document["resources"] = resources
    document["hits"] = list(hits.values())
    return document


def terms_v1(service: str, search: str, pages: list[TextPage], query: Query) -> dict[str, Any]:
    """The same terms as a Content Search 1.0 TermList."""
    document: dict[str, Any] = {"@context": CONTEXT_V1, "@id": _url(service, query.given), "@type": "search:TermList"}
    if query.ignored:
        document["ignored"] = list(query.ignored)
    document["terms"] = [
        {"match": value, "url": _url(search, (("q", value),)), "count": total} for value, total in terms(pages, query)
    ]
    return document
