"""The embedded search backend: a Whoosh index in the data directory."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import sorting
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.qparser import MultifieldParser, OrGroup, QueryParserError
from whoosh.query import And, Every, Or, Query, Term
from whoosh.support.charset import accent_map
from whoosh.writing import AsyncWriter

from heritage.errors import BadRequest
from heritage.search import FACETS, SearchQuery, SearchResult

MULTI_SEPARATOR = "\x1f"
MAX_QUERY_LENGTH = 1000


def _text_analyzer() -> Any:
    # Accent folding makes "reglement" find "règlement"; stemming per language comes with the catalogue issue.
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter(stoplist=None, minsize=1)


def _multi() -> KEYWORD:
    return KEYWORD(stored=True, analyzer=RegexTokenizer(r"[^\x1f]+"))


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=_text_analyzer(), field_boost=3.0),
        title_en=TEXT(stored=True, analyzer=_text_analyzer(), field_boost=2.0),
        text=TEXT(analyzer=_text_analyzer()),
        description=STORED(),
        creator=_multi(),
        subject=_multi(),
        place=_multi(),
        collection=ID(stored=True),
        domain=ID(stored=True),
        unit=ID(stored=True),
        level=ID(stored=True),
        access=ID(stored=True),
        has_images=ID(stored=True),
        century=_multi(),
        date_from=NUMERIC(stored=True, sortable=True, signed=True),
        date_to=NUMERIC(stored=True, signed=True),
        date_text=STORED(),
        parent=ID(stored=True),
        path=STORED(),
        thumbnail=STORED(),
        sort_title=ID(sortable=True),
    )


MULTI_FIELDS = {"creator", "subject", "place", "century"}


def _prepare(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if value is None:
            continue
        if key in MULTI_FIELDS:
            value = MULTI_SEPARATOR.join(v for v in value if v)
            if not value:
                continue
        elif key == "path":
            value = json.dumps(value)
        out[key] = value
    return out


def _stored(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in MULTI_FIELDS:
        out[key] = [v for v in out.get(key, "").split(MULTI_SEPARATOR) if v]
    out["path"] = json.loads(out.get("path") or "[]")
    return out


class WhooshIndex:
    """A Whoosh index at `path`, created on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _open(self) -> Any:
        if whoosh_index.exists_in(str(self.path)):
            return whoosh_index.open_dir(str(self.path))
        self.path.mkdir(parents=True, exist_ok=True)
        return whoosh_index.create_in(str(self.path), schema())

    def update(self, documents: Iterable[dict[str, Any]]) -> None:
        ix = self._open()
        writer = AsyncWriter(ix, delay=0.25)
        try:
            for doc in documents:
                writer.update_document(**_prepare(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def delete(self, ids: Iterable[str]) -> None:
        ix = self._open()
        writer = AsyncWriter(ix, delay=0.25)
        for item_id in ids:
            writer.delete_by_term("id", item_id)
        writer.commit()

    def clear(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        whoosh_index.create_in(str(self.path), schema())

    def count(self) -> int:
        with self._open().searcher() as s:
            return s.doc_count()

    def _parse(self, ix: Any, text: str) -> Query:
        if len(text) > MAX_QUERY_LENGTH:
            raise BadRequest(f"query is {len(text)} characters long; at most {MAX_QUERY_LENGTH}")
        if not text.strip():
            return Every()
        parser = MultifieldParser(["title", "title_en", "text"], ix.schema, group=OrGroup.factory(0.9))
        try:
            return parser.parse(text)
        except QueryParserError as exc:
            raise BadRequest(f"query {text!r} cannot be read: {exc}") from None

    def search(self, query: SearchQuery) -> SearchResult:
        ix = self._open()
        q = self._parse(ix, query.q)
        clauses: list[Query] = []
        for name, values in query.filters.items():
            if name not in FACETS and name not in ("parent",):
                raise BadRequest(f"unknown filter {name!r} (known: {', '.join(FACETS)})")
            if values:
                clauses.append(Or([Term(name, v) for v in values]))
        if query.access is not None:
            clauses.append(Or([Term("access", a) for a in query.access]))
        filter_q = And(clauses) if clauses else None
        sortedby: Any = None
        reverse = False
        if query.sort == "title":
            sortedby = "sort_title"
        elif query.sort == "date":
            sortedby = "date_from"
        elif query.sort == "-date":
            sortedby, reverse = "date_from", True
        facets = {
            name: sorting.FieldFacet(name, allow_overlap=name in MULTI_FIELDS, maptype=sorting.Count) for name in FACETS
        }
        with ix.searcher() as searcher:
            page = searcher.search_page(
                q,
                query.page,
                pagelen=query.per_page,
                filter=filter_q,
                groupedby=facets,
                sortedby=sortedby,
                reverse=reverse,
            )
            results = page.results
            results.fragmenter = ContextFragmenter(maxchars=200, surround=60)
            results.formatter = HtmlFormatter(tagname="mark", classname="hit")
            hits = []
            if page.pagenum == query.page:  # Whoosh clamps a page past the end to the last one
                for hit in page:
                    fields = _stored(hit.fields())
                    fields["score"] = hit.score
                    fields["snippet"] = hit.highlights("title") or ""
                    hits.append(fields)
            facet_counts = {
                name: sorted(
                    ((str(k), int(v)) for k, v in results.groups(name).items() if k not in (None, "")),
                    key=lambda kv: (-kv[1], kv[0]),
                )
                for name in FACETS
            }
            return SearchResult(page.total, hits, facet_counts, query.page, query.per_page)
