"""The embedded search backend: a Whoosh index in the data directory.

Whoosh finds and ranks the documents that match the words; the facet store (numpy columns per
segment) counts facets, applies filters and sorts by date or title, because doing that in Whoosh
costs a Python call per document and facet.

Layout: `index/CURRENT` names the generation folder in use (`index/g-<time>/`). `rebuild` writes a
new generation beside it and swaps `CURRENT` in one rename, so searches never meet a missing or
half-built index; updates made meanwhile are journalled and replayed into the new generation.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.query import Every, Query
from whoosh.reading import SegmentReader

from heritage.errors import BadRequest, ConfigurationError
from heritage.search import (
    FACETS,
    HISTOGRAM_FACETS,
    MAX_RESULT_WINDOW,
    SORTS,
    SearchQuery,
    SearchResult,
    facets_for,
    result_line,
)
from heritage.search.analyzers import ANALYSIS_VERSION, MULTI_SEPARATOR, STEMMED_LANGUAGES, fold
from heritage.search.build_meter import ANALYSIS, ARRAYS, POSTINGS, BuildMeter
from heritage.search.bulk_writing import ArrayMpWriter, ArrayWriter, supports
from heritage.search.evaluate import PostingsCache, Stats, evaluate, postings, read_postings
from heritage.search.facet_store import Column, FacetStore, Matched, SegmentColumns
from heritage.search.fields import NO_DATE
from heritage.search.fulltext import PageMatcher, joined, pack, text_hits, text_pages, text_statuses
from heritage.search.query import LINK_SEPARATOR, any_match, highlight, matched_words, parse, read
from heritage.search.schema import SEARCHED_FIELDS, codec, schema
from heritage.search.spelling import Lexicons, VisibleCorrector
from heritage.search.whoosh_speedups import install

WRITE_LOCK_WAIT_SECONDS = 300  # how long an update waits for another process's writer before failing loudly
KEYWORD_FIELDS = (*FACETS, "parent")
NUMBER_FIELDS = ("date_from", "date_to", "position")
INTERNAL_SORTS = ("position",)
SNIPPET_WIDTH = 220
DEFAULT_TEXT_LANGUAGE = "nl"
RESTRICTED = "restricted"  # an access status whose images a grant opens (`heritage.access.visibility`)
ANALYSIS_FILE = "ANALYSIS"  # in a generation folder: the `ANALYSIS_VERSION` its words were made by

install()  # whole-column length reads when Whoosh writes segments


def _join(values: Iterable[str]) -> str:
    return MULTI_SEPARATOR.join(v for v in values if v)


def _writer(ix: Any) -> Any:
    """A writer that waits for the index's lock while another process writes.

    Not Whoosh's AsyncWriter: when the lock is taken it writes later on a thread, and an rq work horse
    ends with `os._exit`, which kills that thread, so the update was silently lost.
    """
    return ix.writer(timeout=WRITE_LOCK_WAIT_SECONDS, delay=0.05, codec=codec())


class _PagesColumn:
    """The pages' packed text (`fulltext.pack`) of a document by its number, read segment by segment: Whoosh's
    multi-segment column reader leaves out a segment without the column file (one where no document has pages)
    and then gives the documents after it another segment's values."""

    def __init__(self, reader: Any) -> None:
        self.leaves = [
            (sub.column_reader("pages"), offset, sub.doc_count_all()) for sub, offset in reader.leaf_readers()
        ]

    def __getitem__(self, docnum: int) -> bytes:
        for column, offset, count in self.leaves:
            if offset <= docnum < offset + count:
                return bytes(column[docnum - offset])
        raise IndexError(docnum)


def _pages_column(reader: Any) -> _PagesColumn | None:
    """The pages' column, or None in an index built before the pages were a column (there they are a stored field
    of each document)."""
    return _PagesColumn(reader) if reader.schema["pages"].column_type else None


def to_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh fields of one index document (see `documents.item_document`)."""
    texts: list[tuple[str | None, str]] = doc.get("texts", [])
    names = [*doc.get("creators", []), *doc.get("subjects", []), *doc.get("place_words", [])]
    # Text of unknown language is stemmed as Dutch, the catalogue's language of description, and so are
    # subject terms; names of people and places are not stemmed.
    by_lang = {
        lang: "\n".join(t for tl, t in texts if (tl or DEFAULT_TEXT_LANGUAGE) == lang) for lang in STEMMED_LANGUAGES
    }
    by_lang[DEFAULT_TEXT_LANGUAGE] += "\n" + "\n".join(doc.get("subjects", []))  # subject terms are words too
    links = []
    for place in doc.get("places", []):
        if place.get("id"):
            for word in set(fold(place["label"]).split()) | {fold(place["label"])}:
                links.append(f"{word}{LINK_SEPARATOR}{place['id']}")
    pages = [(int(n), t) for n, t in doc.get("pages", [])]
    page_words = "\n".join(t for _n, t in pages)
    fields: dict[str, Any] = {
        "id": doc["id"],
        "title": "\n".join(doc.get("titles", [doc.get("title", "")])),
        "identifier": " ".join(doc.get("identifiers", [])),
        "creator_text": "\n".join(doc.get("creators", [])),
        "subject_text": "\n".join([*doc.get("subjects", []), *doc.get("type_words", [])]),
        "place_text": "\n".join(doc.get("place_words", [])),
        "taxon_text": "\n".join(doc.get("taxon_words", [])),
        "text": "\n".join([t for _, t in texts] + names + doc.get("taxon_words", []) + doc.get("identifiers", [])),
        "text_nl": by_lang["nl"],
        "text_en": by_lang["en"],
        # the pages: as written page by page, and every page's stems in both languages
        "fulltext": joined(pages),
        "fulltext_nl": page_words,
        "fulltext_en": page_words,
        "pages": pack(pages) if pages else "",
        "place_link": _join(links),
        "place_id": _join(p["id"] for p in doc.get("places", []) if p.get("id")),
        "parent": doc.get("parent") or "",
        "position": int(doc.get("position") or 0),
        "date_from": NO_DATE if doc.get("date_from") is None else int(doc["date_from"]),
        "date_to": NO_DATE if doc.get("date_to") is None else int(doc["date_to"]),
        "sort_title": doc.get("sort_title") or "",
    }
    for name in FACETS:
        value = _join(doc.get("facets", {}).get(name, []))
        if value:
            fields[name] = value
    fields["stored"] = result_line.pack(doc.get("display", {}), fields)  # without what the columns give back
    return {k: v for k, v in fields.items() if v != ""}


def _rebuild_writer(ix: Any, procs: int, meter: BuildMeter) -> Any:
    """The writer of a rebuild: segments written from arrays (`bulk_writing`), one per process, each process
    preparing its segment's search arrays as soon as it is written and telling `meter` what it did; Whoosh's
    writer for a schema they do not write."""
    if not supports(ix.schema):
        return ix.writer(limitmb=256, procs=procs, multisegment=procs > 1, codec=codec())
    if procs > 1:
        return ArrayMpWriter(ix, procs, after=_prepare_segment, meter=meter, codec=codec())
    writer = ArrayWriter(ix, codec=codec())
    writer.meter = meter
    return writer


def _prepare_segment(storage: Any, schema: Any, segment: Any) -> None:
    """Read a just-written segment's facet columns and common-word arrays and save them beside it."""
    reader = SegmentReader(storage, schema, segment)
    try:
        WhooshIndex._new_store(Path(storage.folder)).segment(reader)
    finally:
        reader.close()


def _make_arrays(ix: Any, store: FacetStore, meter: BuildMeter | None = None) -> None:
    """Make and save the facet columns and common-word arrays of the segments of `ix` that have none saved
    (those a rebuild's processes or an earlier commit made are not read again), telling `meter` of each."""
    with ix.searcher() as searcher:
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            segment = reader.segment()
            if segment is not None and not store.saved(segment.segment_id()):
                store.segment(reader)
                if meter is not None:
                    meter.add(ARRAYS * reader.doc_count_all())


def _create(folder: Path) -> Any:
    """A new, empty index in `folder`, marked with the analysis version its words are made by."""
    ix = whoosh_index.create_in(str(folder), schema())
    (folder / ANALYSIS_FILE).write_text(f"{ANALYSIS_VERSION}\n", encoding="utf-8")
    return ix


def check_analysis(folder: Path) -> None:
    """Raises: ConfigurationError: the index in `folder` was built by another analysis version (one without
    the mark predates versions: 1); its words would not meet the words of today's queries."""
    mark = folder / ANALYSIS_FILE
    found = mark.read_text(encoding="utf-8").strip() if mark.exists() else "1"
    if found != str(ANALYSIS_VERSION):
        raise ConfigurationError(
            f"the search index in {folder} was built with text analysis version {found}, but this release "
            f"analyses text as version {ANALYSIS_VERSION} (see `heritage/search/analyzers.py`): rebuild it with "
            "`heritage reindex`"
        )


def _columns_of(
    segments: list[tuple[Any, int, SegmentColumns]], docnum: int
) -> tuple[result_line.Values, result_line.Number]:
    """A document's keyword values and numbers, read from its segment's columns (for `result_line.unpack`)."""
    found = [(offset, seg) for _sub, offset, seg in segments if offset <= docnum < offset + seg.n]
    if not found:
        return (lambda _name: []), (lambda _name: NO_DATE)
    offset, seg = found[-1]
    local = docnum - offset

    def values(name: str) -> list[str]:
        column = seg.columns[name]
        ords = column.ords[column.offsets[local] : column.offsets[local + 1]]
        return [column.vocab[int(o)] for o in ords]

    return values, lambda name: int(seg.numbers[name][local])


class UnionVocabulary:
    """The values of one facet over several segments, and where each segment's ordinals land in it.

    Keeps its columns referenced, so the `id`s it is cached under stay theirs.
    """

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns
        self.vocab: list[str] = []
        self._lookup: dict[str, int] = {}
        self.remaps: list[np.ndarray] = []
        for column in columns:
            for value in column.vocab:
                if value not in self._lookup:
                    self._lookup[value] = len(self.vocab)
                    self.vocab.append(value)
            self.remaps.append(np.asarray([self._lookup[v] for v in column.vocab], dtype=np.int64))

    def ordinal(self, value: str) -> int | None:
        return self._lookup.get(value)


class WhooshIndex:
    """A Whoosh index under `path`, created on first use."""

    def __init__(self, path: Path, cache_mb: int = 256) -> None:
        self.path = path
        self.postings_cache = PostingsCache(cache_mb * 2**20)
        self._lexicons = Lexicons()
        self._unions: dict[tuple[int, ...], UnionVocabulary] = {}
        self._opened: dict[Path, Any] = {}
        self._stores: dict[Path, FacetStore] = {}
        self._idle: dict[Path, queue.SimpleQueue[Any]] = {}

    # -- where the index is -------------------------------------------------------------------

    def current_dir(self) -> Path:
        """The generation in use; a spine-era index without `CURRENT` is used where it is."""
        pointer = self.path / "CURRENT"
        if pointer.exists():
            return self.path / pointer.read_text(encoding="utf-8").strip()
        return self.path

    def _index(self, folder: Path | None = None) -> Any:
        folder = folder or self.current_dir()
        ix = self._opened.get(folder)
        if ix is None:
            for stale in [f for f in self._opened if f != folder]:  # another process swapped generations
                self._opened.pop(stale, None)
                self._stores.pop(stale, None)
                self._idle.pop(stale, None)
            if whoosh_index.exists_in(str(folder)):
                check_analysis(folder)
                ix = whoosh_index.open_dir(str(folder))
            else:
                folder.mkdir(parents=True, exist_ok=True)
                ix = _create(folder)
            self._opened[folder] = ix
        return ix

    def _store(self, folder: Path) -> FacetStore:
        store = self._stores.get(folder)
        if store is None:
            store = self._stores[folder] = self._new_store(folder)
        return store

    @staticmethod
    def _new_store(folder: Path) -> FacetStore:
        return FacetStore(
            folder / "facets",
            KEYWORD_FIELDS,
            NUMBER_FIELDS,
            length_fields=SEARCHED_FIELDS,
            postings_fields=tuple(f for f in SEARCHED_FIELDS if f != "identifier"),
        )

    @contextmanager
    def _searcher(self) -> Iterator[tuple[Any, FacetStore]]:
        """A searcher from a small pool (Whoosh searchers must not be shared by threads at once)."""
        folder = self.current_dir()
        ix = self._index(folder)
        idle = self._idle.setdefault(folder, queue.SimpleQueue())
        try:
            searcher = idle.get_nowait()
            if not searcher.up_to_date():  # a fresh searcher: reused segment readers keep stale deletions
                searcher.close()
                searcher = ix.searcher()
        except queue.Empty:
            searcher = ix.searcher()
        try:
            yield searcher, self._store(folder)
        finally:
            idle.put(searcher)

    # -- writing -----------------------------------------------------------------------------

    def _journal(self, ids: Iterable[str]) -> None:
        """While a rebuild runs, remember what changed so it can be replayed into the new generation."""
        if (self.path / "BUILDING").exists():
            with (self.path / "PENDING").open("a", encoding="utf-8") as fh:
                fh.write("".join(f"{i}\n" for i in ids))

    def update(self, documents: Iterable[dict[str, Any]]) -> None:
        docs = list(documents)
        if not docs:
            return
        writer = _writer(self._index())
        try:
            for doc in docs:
                writer.update_document(**to_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self._journal(d["id"] for d in docs)
        self._prepare_written()

    def delete(self, ids: Iterable[str]) -> None:
        wanted = list(ids)
        if not wanted:
            return
        writer = _writer(self._index())
        for item_id in wanted:
            writer.delete_by_term("id", item_id)
        writer.commit()
        self._journal(wanted)
        self._prepare_written()

    def _prepare_written(self) -> None:
        """Make the arrays of the segments a commit wrote (the new one, and the one Whoosh merged small ones
        into) here, in the writer, so that no search after a save waits for them."""
        folder = self.current_dir()
        _make_arrays(self._index(folder), self._store(folder))

    def clear(self) -> None:
        self.rebuild([])

    def warm(self) -> None:
        """Read every segment's facet columns and field lengths now, then close the searchers: a server's
        master does this before forking its workers, which inherit the arrays but must not share open files.
        Also the lexicon that did-you-mean searches, and the length norms that BM25 scores with."""
        self.search(SearchQuery(per_page=1))
        with self._searcher() as (searcher, store):
            self._lexicons.get(searcher, "text")
            stats = Stats(searcher)
            for sub, _offset, seg in self._segments(searcher, store):
                scored = seg.scoring(sub.reader(), sub)
                for fieldname in SEARCHED_FIELDS:
                    scored.norm(fieldname, stats.avg_length(fieldname))
        for idle in self._idle.values():
            while True:
                try:
                    idle.get_nowait().close()
                except queue.Empty:
                    break

    def version(self) -> str:
        """The generation folder in use and the number of its latest Whoosh commit (every commit, by any
        process, writes a new numbered table of contents; a rebuild swaps `CURRENT`)."""
        folder = self.current_dir()
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            return f"{folder.name}:absent"
        commits = [int(n[6:-4]) for n in names if n.startswith("_MAIN_") and n.endswith(".toc") and n[6:-4].isdigit()]
        return f"{folder.name}:{max(commits, default=-1)}"

    def count(self) -> int:
        with self._searcher() as (searcher, _store):
            return searcher.doc_count()

    def rebuild(
        self,
        documents: Iterable[dict[str, Any]],
        refresh: Callable[[list[str]], Iterable[dict[str, Any]]] | None = None,
        progress: Callable[[int], None] | None = None,
        procs: int = 1,
    ) -> int:
        """Write every document into a new generation, replay what changed meanwhile, then swap it in.

        `refresh(ids)` returns the current documents of the items changed during the build (an id it
        does not return was deleted); `progress(n)` is called as documents are written. With `procs` > 1
        that many processes analyse documents side by side, each writing segments of its own.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"g-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"
        folder = self.path / name
        (self.path / "BUILDING").write_text(name, encoding="utf-8")
        (self.path / "PENDING").unlink(missing_ok=True)
        count = 0
        meter = BuildMeter(progress)
        try:
            folder.mkdir()
            ix = _create(folder)
            writer = _rebuild_writer(ix, procs, meter)
            here = not isinstance(writer, ArrayMpWriter)  # documents analysed as they are added, in this process
            try:
                for doc in documents:
                    writer.add_document(**to_fields(doc))
                    count += 1
                    if count % 1000 == 0:
                        if here:
                            meter.add(ANALYSIS * 1000)
                        else:
                            meter.poll()
            except BaseException:
                writer.cancel()
                raise
            if here:
                meter.add(ANALYSIS * (count % 1000))
            writer.commit(optimize=procs == 1)
            if getattr(writer, "meter", None) is None:  # Whoosh's own writer says nothing while it writes
                meter.add(POSTINGS * count)
            self._replay(folder, refresh)
            self._prepare(folder, meter)
            meter.poll(force=True)  # all of it written: only the swap is left
            old = self.current_dir()
            tmp = self.path / "CURRENT.tmp"
            tmp.write_text(name, encoding="utf-8")
            tmp.replace(self.path / "CURRENT")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            (self.path / "BUILDING").unlink(missing_ok=True)
        self._replay(folder, refresh)
        (self.path / "PENDING").unlink(missing_ok=True)
        self._retire(old)
        if progress:
            progress(count)
        return count

    def _prepare(self, folder: Path, meter: BuildMeter) -> None:
        """Make the new generation's facet columns and common-word arrays (with positions) that its writing
        processes did not, before it is swapped in: at a million records that is a minute and more, which
        belongs to the rebuild, not to the first search after it."""
        _make_arrays(whoosh_index.open_dir(str(folder)), self._new_store(folder), meter)

    def _replay(self, folder: Path, refresh: Callable[[list[str]], Iterable[dict[str, Any]]] | None) -> None:
        pending_file = self.path / "PENDING"
        if refresh is None or not pending_file.exists():
            return
        ids = list(dict.fromkeys(pending_file.read_text(encoding="utf-8").split()))
        if not ids:
            return
        docs = list(refresh(ids))
        writer = _writer(self._index(folder))
        for doc in docs:
            writer.update_document(**to_fields(doc))
        for gone in set(ids) - {d["id"] for d in docs}:
            writer.delete_by_term("id", gone)
        writer.commit()

    def _retire(self, old: Path) -> None:
        """Remove the generation a swap replaced (open searchers keep their files until they close)."""
        self._opened.pop(old, None)
        self._stores.pop(old, None)
        self._idle.pop(old, None)
        if old == self.path:  # a spine-era index: its files sit in the index folder itself
            for child in old.iterdir():
                if child.is_file() and child.name.startswith(("MAIN_", "_MAIN_")):
                    child.unlink(missing_ok=True)
        else:
            shutil.rmtree(old, ignore_errors=True)

    # -- searching ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        if query.sort not in SORTS and query.sort not in INTERNAL_SORTS:
            raise BadRequest(f"sort={query.sort!r}: one of {', '.join(SORTS)}")
        known = set(KEYWORD_FIELDS) if query.staff else set(facets_for(False)) | {"parent"}
        for name in query.filters:
            if name not in known:
                raise BadRequest(f"unknown filter {name!r} (known: {', '.join(sorted(known - {'parent'}))})")
        start = (query.page - 1) * query.per_page
        with self._searcher() as (searcher, store):
            q = parse(query.q, searcher.schema, searcher.reader())
            return self._search(searcher, store, q, query, start)

    def _segments(self, searcher: Any, store: FacetStore) -> list[tuple[Any, int, SegmentColumns]]:
        # an empty index has one reader without a segment: nothing to count
        leaves = [(sub, offset) for sub, offset in searcher.leaf_searchers() if sub.reader().segment() is not None]
        segments = [(sub, offset, store.segment(sub.reader())) for sub, offset in leaves]
        store.forget_except(sub.reader().segment().segment_id() for sub, _, _ in segments)
        return segments

    def _search(self, searcher: Any, store: FacetStore, q: Query, query: SearchQuery, start: int) -> SearchResult:
        segments = self._segments(searcher, store)
        is_text = not isinstance(q, Every)
        stats = Stats(searcher, self.postings_cache)
        visibles = [self._visible(sub.reader(), seg, query) for sub, _offset, seg in segments]
        # whose text the asker may search, per segment: decided once for matching, the filter and the counts
        texts = [self._text_visible(sub.reader(), seg, query) for sub, _offset, seg in segments]
        bases, finals, scores = self._matches(segments, visibles, texts, stats, q, query)
        matched = [Matched(f) for f in finals]
        total = sum(m.count for m in matched)
        facets = self._facet_counts(segments, matched, texts, query)
        hits: list[dict[str, Any]] = []
        # Past the window a page is not drawn (ranking that deep costs a sort of all before it): the counts
        # and facets still tell the reader how to narrow the search.
        beyond_window = start + query.per_page > MAX_RESULT_WINDOW
        if start < total and not beyond_window:
            docnums = self._page(searcher, segments, finals, scores, query, start, is_text)
            words = matched_words(q, searcher.reader()) if is_text else None
            pages = PageMatcher(words) if words is not None else None
            child_counts = self._child_counts(segments, bases) if "parent" in query.filters else None
            candidates = text_pages(searcher.reader(), [d for d, _s in docnums], words) if words is not None else None
            packed = _pages_column(searcher.reader()) if words is not None else None
            for docnum, score in docnums:
                hits.append(
                    self._hit(searcher, segments, docnum, score, words, query, child_counts, pages, candidates, packed)
                )
        suggestion = None
        if total == 0 and is_text:
            suggestion = self._suggest(searcher, segments, visibles, texts, stats, q, query)
        return SearchResult(total, hits, facets, query.page, query.per_page, suggestion, beyond_window)

    @staticmethod
    def _matches(
        segments: list[tuple[Any, int, SegmentColumns]],
        visibles: list[np.ndarray],
        texts: list[np.ndarray | None],
        stats: Stats,
        q: Query,
        query: SearchQuery,
    ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """Per segment: the visible documents in the year range that `q` matches (bases), those that the
        facet filters keep too (finals), and the scores (only for a text query). `texts`: `_text_visible`."""
        is_text = not isinstance(q, Every)
        bases: list[np.ndarray] = []
        finals: list[np.ndarray] = []
        scores: list[np.ndarray] = []
        for (sub, _offset, seg), visible, text_visible in zip(segments, visibles, texts, strict=True):
            base = visible.copy()
            if query.year_from is not None or query.year_to is not None:
                lo = query.year_from if query.year_from is not None else -(2**30)
                hi = query.year_to if query.year_to is not None else 2**30
                dated = seg.numbers["date_from"] != NO_DATE
                base &= dated & (seg.numbers["date_to"] >= lo) & (seg.numbers["date_from"] <= hi)
            if is_text:
                scoring = seg.scoring(sub.reader(), sub)
                scoring.text_visible = text_visible
                matched, segment_scores = evaluate(q, scoring, stats)
                base &= matched
                scores.append(segment_scores)
            bases.append(base)
            final = base.copy()
            for name, values in query.filters.items():
                if values:
                    final &= WhooshIndex._docs_with(seg, text_visible, name, values)
            finals.append(final)
        return bases, finals, scores

    @staticmethod
    def _visible(reader: Any, seg: SegmentColumns, query: SearchQuery) -> np.ndarray:
        """The segment's live documents that the asker may find: every search, count and suggestion starts here."""
        visible = np.ones(seg.n, dtype=bool)
        if reader.has_deletions():
            visible[np.fromiter(reader.deleted_docs_set, dtype=np.int64)] = False
        if query.access is not None:
            allowed = seg.columns["access"].docs_with(query.access, seg.n)
            if query.units:  # staff see their own units' items whatever their access
                allowed |= seg.columns["unit"].docs_with(query.units, seg.n)
            visible &= allowed
        return visible

    @staticmethod
    def _text_visible(reader: Any, seg: SegmentColumns, query: SearchQuery) -> np.ndarray | None:
        """The documents whose pages' text the asker may search (None: all): those whose images they may see
        (`heritage.access.visibility` is FULL): public ones, their units' items, restricted ones granted them."""
        if query.access is None:
            return None
        allowed = seg.columns["access"].docs_with([s for s in text_statuses() if s in query.access], seg.n)
        if query.units:
            allowed |= seg.columns["unit"].docs_with(query.units, seg.n)
        if query.granted and RESTRICTED in query.access:
            granted = np.zeros(seg.n, dtype=bool)
            for item_id in query.granted:
                granted[read_postings(reader, "id", item_id)[0]] = True
            allowed |= granted & seg.columns["access"].docs_with([RESTRICTED], seg.n)
        return allowed

    @staticmethod
    def _has_text(seg: SegmentColumns, text_visible: np.ndarray | None) -> np.ndarray | None:
        """The documents that have full text for this asker (None: the `has_text` column as it is): those
        with text they may search (`text_visible`, from `_text_visible`). For the others a restricted item is
        one without text, so that neither the facet's counts nor its filter tell whether text lies behind the
        images they may not see."""
        if text_visible is None:
            return None
        return seg.columns["has_text"].docs_with(["yes"], seg.n) & text_visible

    @staticmethod
    def _docs_with(seg: SegmentColumns, text_visible: np.ndarray | None, name: str, values: list[str]) -> np.ndarray:
        """The documents a facet filter keeps; `has_text` as the asker may know it (`_has_text`)."""
        has = WhooshIndex._has_text(seg, text_visible) if name == "has_text" else None
        if has is None:
            return seg.columns[name].docs_with(values, seg.n)
        keep = np.zeros(seg.n, dtype=bool)
        if "yes" in values:
            keep |= has
        if "no" in values:
            keep |= ~has
        return keep

    @staticmethod
    def _text_shown(stored: dict[str, Any], query: SearchQuery) -> bool:
        """The `_text_visible` rule for one result line."""
        if query.access is None:
            return True
        status = stored.get("access")
        if status in query.access and (
            status in text_statuses() or (status == RESTRICTED and stored.get("id") in query.granted)
        ):
            return True
        return (stored.get("unit") or None) in query.units

    # -- facets ------------------------------------------------------------------------------

    def _facet_counts(
        self,
        segments: list[tuple[Any, int, SegmentColumns]],
        matched: list[Matched],
        texts: list[np.ndarray | None],
        query: SearchQuery,
    ) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = {}
        for name in facets_for(query.staff):
            if name == "has_text" and query.access is not None:
                out[name] = self._text_counts(segments, matched, texts, query)
                continue
            # counts are over the results as they are (drill-down): they add up to what the page lists
            parts = [
                (seg.columns[name], seg.columns[name].counts_over(matched[i]))
                for i, (_sub, _offset, seg) in enumerate(segments)
            ]
            out[name] = self._top_values(name, parts, query)
        return out

    @staticmethod
    def _text_counts(
        segments: list[tuple[Any, int, SegmentColumns]],
        matched: list[Matched],
        texts: list[np.ndarray | None],
        query: SearchQuery,
    ) -> list[tuple[str, int]]:
        """The `has_text` facet as the asker may know it (`_has_text`): yes and no over the results."""
        yes = no = 0
        for (_sub, _offset, seg), found, text_visible in zip(segments, matched, texts, strict=True):
            has = WhooshIndex._has_text(seg, text_visible)
            with_text = int((found.mask & has).sum()) if has is not None else 0
            yes, no = yes + with_text, no + found.count - with_text
        chosen = set(query.filters.get("has_text", ()))
        values = [(v, c) for v, c in (("yes", yes), ("no", no)) if c or v in chosen]
        return sorted(values, key=lambda kv: (-kv[1], kv[0]))

    def _top_values(
        self, name: str, parts: list[tuple[Column, np.ndarray]], query: SearchQuery
    ) -> list[tuple[str, int]]:
        parts = [p for p in parts if len(p[0].vocab)]
        if not parts:
            return []
        if len(parts) == 1:
            vocab, lookup, counts = parts[0][0].vocab, parts[0][0].ordinal, parts[0][1]
        else:  # several segments: their vocabularies mapped once onto their union, then counted as arrays
            union = self._union([col for col, _ in parts])
            vocab, lookup = union.vocab, union.ordinal
            counts = np.zeros(len(vocab), dtype=np.int64)
            for remap, (_col, part) in zip(union.remaps, parts, strict=True):
                counts += np.bincount(remap, weights=part, minlength=len(vocab)).astype(np.int64)
        nonzero = np.flatnonzero(counts)
        if name in HISTOGRAM_FACETS:
            return sorted(((vocab[o], int(counts[o])) for o in nonzero.tolist()), key=lambda kv: int(kv[0]))
        limit = query.facet_limit
        top = nonzero[np.argpartition(-counts[nonzero], limit - 1)[:limit]] if len(nonzero) > limit else nonzero
        values = [(vocab[o], int(counts[o])) for o in top.tolist()]
        chosen = set(query.filters.get(name, ()))
        present = {v for v, _ in values}
        for value in chosen - present:  # a selected value stays visible, so it can be unselected
            o = lookup(value)
            values.append((value, int(counts[o]) if o is not None else 0))
        values.sort(key=lambda kv: (-kv[1], kv[0]))
        keep = values[:limit]
        keep += [kv for kv in values[limit:] if kv[0] in chosen]
        return keep

    def _union(self, columns: list[Column]) -> UnionVocabulary:
        key = tuple(id(c) for c in columns)
        union = self._unions.get(key)
        if union is None:
            if len(self._unions) > 256:  # segments come and go with commits: start afresh now and then
                self._unions.clear()
            union = self._unions[key] = UnionVocabulary(columns)
        return union

    def _child_counts(self, segments: list[tuple[Any, int, SegmentColumns]], bases: list[np.ndarray]) -> dict[str, int]:
        """How many visible children each parent id has (for the tree)."""
        out: dict[str, int] = {}
        for (_sub, _offset, seg), base in zip(segments, bases, strict=True):
            col = seg.columns["parent"]
            # bases were narrowed by the text query; the tree asks with an empty query
            counts = col.counts(base, int(base.sum()))
            for o in np.flatnonzero(counts).tolist():
                out[col.vocab[o]] = out.get(col.vocab[o], 0) + int(counts[o])
        return out

    # -- paging and sorting ------------------------------------------------------------------

    def _page(
        self,
        searcher: Any,
        segments: list[tuple[Any, int, SegmentColumns]],
        finals: list[np.ndarray],
        scores: list[np.ndarray],
        query: SearchQuery,
        start: int,
        is_text: bool,
    ) -> list[tuple[int, float | None]]:
        want = start + query.per_page
        sort = query.sort
        if sort == "relevance" and is_text:
            ranked: list[tuple[float, int]] = []
            for (_sub, offset, _seg), final, segment_scores in zip(segments, finals, scores, strict=True):
                idx = np.flatnonzero(final)
                values = segment_scores[idx]
                if len(idx) > want:
                    part = np.argpartition(-values, want - 1)[:want]
                    idx, values = idx[part], values[part]
                ranked += [(-float(v), int(d) + offset) for v, d in zip(values.tolist(), idx.tolist(), strict=True)]
            ranked.sort()
            return [(d, -v) for v, d in ranked[start:want]]
        if sort == "relevance":
            sort = "title"
        reverse = sort.startswith("-")
        key_name = sort.lstrip("-")
        candidates: list[tuple[Any, int]] = []
        for (_sub, offset, seg), final in zip(segments, finals, strict=True):
            idx = np.flatnonzero(final)
            if not len(idx):
                continue
            if key_name == "title":
                keys = seg.title_rank[idx].astype(np.int64)
            elif key_name == "date":
                keys = seg.numbers["date_from"][idx].astype(np.int64)
                keys = np.where(keys == NO_DATE, np.int64(2**40), keys)  # undated last, either way
                if reverse:
                    keys = np.where(keys == 2**40, np.int64(-(2**40)), keys)
            else:  # position, then title
                keys = seg.numbers["position"][idx].astype(np.int64) * (1 << 32) + seg.title_rank[idx]
            keys = -keys if reverse else keys
            if len(idx) > want:
                part = np.argpartition(keys, want - 1)[:want]
                idx, keys = idx[part], keys[part]
            candidates += [(k, int(d) + offset) for k, d in zip(keys.tolist(), idx.tolist(), strict=True)]
        if key_name == "title" and len(segments) > 1:
            column = searcher.reader().column_reader("sort_title")  # made once: it reads every segment's offsets
            titled = [(self._sort_title(column, d), d) for _k, d in candidates]
            titled.sort(reverse=reverse)
            ordered = [d for _t, d in titled]
        else:
            candidates.sort()
            ordered = [d for _k, d in candidates]
        return [(d, None) for d in ordered[start:want]]

    @staticmethod
    def _sort_title(column: Any, docnum: int) -> str:
        value = column[docnum]
        return value.decode("utf-8") if isinstance(value, bytes) else str(value or "")

    # -- one result line -----------------------------------------------------------------------

    def _hit(
        self,
        searcher: Any,
        segments: list[tuple[Any, int, SegmentColumns]],
        docnum: int,
        score: float | None,
        words: dict[str, set[str]] | None,
        query: SearchQuery,
        child_counts: dict[str, int] | None,
        pages: PageMatcher | None = None,
        text_candidates: dict[int, set[int] | None] | None = None,
        packed_pages: Any = None,
    ) -> dict[str, Any]:
        lang = query.lang
        fields = searcher.stored_fields(docnum)
        stored = result_line.unpack(fields.get("stored"), *_columns_of(segments, docnum))
        hit_id = fields["id"]
        stored["id"] = hit_id
        stored["score"] = score
        description = stored.get("descriptions", {}).get(lang) or stored.get("description") or ""
        if words is not None:
            # the title is on the result line already: the snippet shows the description that matched
            candidates = [description, *stored.get("descriptions", {}).values(), stored.get("description") or ""]
            source = any_match(candidates, words) or description
            stored["snippet"] = highlight(source, words, SNIPPET_WIDTH)
            packed = None
            if self._text_shown(stored, query):  # the pages' column where the index has one, else (older) stored
                packed = packed_pages[docnum] if packed_pages is not None else fields.get("pages")
            stored["text_hits"] = (
                text_hits(
                    packed,
                    words,
                    SNIPPET_WIDTH,
                    matcher=pages,
                    candidates=(text_candidates or {}).get(docnum),
                )
                if packed
                else []
            )
        else:
            stored["snippet"] = highlight(description, {"folded": set(), "nl": set(), "en": set()}, SNIPPET_WIDTH)
        if child_counts is not None:
            stored["children"] = child_counts.get(hit_id, 0)
        return stored

    def _suggest(
        self,
        searcher: Any,
        segments: list[tuple[Any, int, SegmentColumns]],
        visibles: list[np.ndarray],
        texts: list[np.ndarray | None],
        stats: Stats,
        q: Query,
        query: SearchQuery,
    ) -> str | None:
        """A corrected query from what the asker may find: each word of `text` (which holds every word of a
        record) that no visible document holds is replaced by the word within two edits that most visible
        documents hold; the corrected query is offered only when it finds something for the asker.

        Words, their order and the final check all count visible documents only: a suggestion never tells
        of a closed item, nor of a word only closed items hold (typed right, it is corrected like a word
        nobody wrote).
        """

        def visible_count(word: str) -> int:
            count = 0
            for (sub, _offset, seg), visible in zip(segments, visibles, strict=True):
                ids, _weights = postings(sub.reader(), "text", word, stats.cache, seg.frequent)
                count += int(np.count_nonzero(visible[ids]))
            return count

        try:
            tokens = [(t.fieldname, t.text) for t in q.all_tokens() if t.fieldname == "text"]
            missing = [token for token in dict.fromkeys(tokens) if not visible_count(token[1])]
            if not missing:
                return None
            corrector = VisibleCorrector(self._lexicons.get(searcher, "text"), visible_count)
            searched, _q = read(query.q, searcher.schema)  # a query read as plain words is corrected as those
            corrected = searcher.correct_query(q, searched, correctors={"text": corrector}, terms=missing)
        except Exception:  # suggestions are a courtesy; a query Whoosh cannot correct gets none
            return None
        suggestion = corrected.string
        if not suggestion or suggestion in (query.q, searched):
            return None
        try:
            corrected_q = parse(suggestion, searcher.schema, searcher.reader())
        except BadRequest:  # a correction can make a query our parser refuses (too long): none offered
            return None
        _bases, finals, _scores = self._matches(segments, visibles, texts, stats, corrected_q, query)
        return suggestion if any(final.any() for final in finals) else None
