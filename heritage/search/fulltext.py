"""The full text of an item's pages (OCR or delivered ALTO) in the catalogue index.

Design: one index document per item, as for the metadata; its pages' words go into fields of their own
(`fulltext` folded with positions, `fulltext_nl` and `fulltext_en` stemmed), so the metadata fields, their
lengths and their ranking stay as they were, and a plain query reaches the text with a lower weight.
In `fulltext` page k's words are numbered from `k * PAGE_GAP`: a phrase never spans two pages, and the page
of any hit position is `position // PAGE_GAP`. The pages' own text is kept beside the record in one stored
field, each page compressed on its own (`pack`), so that a result line's snippet and page number are made
from the index alone (no ALTO read per hit) by decompressing only the pages the positions point to: the
page shown is the first page holding a matched word, its number 1-based as the viewer counts canvases.
A second index of one document per page was the alternative; it would double the documents every metadata
query counts facets over, which is what a million pages must not slow.

Access: text is found, counted and shown only where the asker may see the item's images (public items, or
staff of its unit); a restricted item is still found by its description, never by its text
(`text_statuses`, and the mask `evaluate` applies to every leaf of these fields).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from whoosh.formats import Positions
from whoosh.reading import TermNotFound

from heritage.models import Access
from heritage.search.fields import FastText, positions_postings
from heritage.search.scripts import PreparedTokenizer, prepare

PAGE_GAP = 1 << 15  # positions per page: a page's words beyond this many are not indexed
MAX_PAGES = (1 << 31) // PAGE_GAP  # positions stay below 2**31
PAGE_BREAK = "\x0c"  # between pages in the value given to `PagedText`
TEXT_FIELDS = frozenset({"fulltext", "fulltext_nl", "fulltext_en"})
MAX_TEXT_HITS = 3  # pages with a snippet per result line
WORDS = re.compile(r"\w+")


def text_statuses() -> tuple[str, ...]:
    """Access statuses whose items' text anyone may search: those whose images anyone may see."""
    return (Access.PUBLIC.value,)


class PagedText(FastText):
    """`fulltext`: pages separated by PAGE_BREAK, each page's positions starting at its index * PAGE_GAP."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or kwargs or type(self.format) is not Positions:
            return super().index(value, **kwargs)
        tokenizer = self.analyzer.items[0]
        poses: dict[bytes, list[int]] = {}
        for number, page in enumerate(value.split(PAGE_BREAK)[:MAX_PAGES]):
            if isinstance(tokenizer, PreparedTokenizer):
                page = prepare(page)
            base = number * PAGE_GAP
            for pos, terms in enumerate(self._words(page, tokenizer.expression)[: PAGE_GAP - 1]):
                for term in terms:
                    poses.setdefault(term, []).append(base + pos)
        return positions_postings(poses, self.format)


PACKED = b"HP1"  # the stored `pages` value: a table of pages, then each page compressed on its own
_ENTRY = struct.Struct("<II")  # (page number, compressed length)


def pack(pages: Sequence[tuple[int, str]]) -> bytes:
    """The pages' texts (number, text) as the stored field's value: each page compressed on its own behind a
    table of numbers and lengths, so that a result's snippet decompresses only the pages it shows (one blob
    for a book of 500 pages cost every result line that book's whole text)."""
    blobs = [(int(n), zlib.compress(t.encode("utf-8"), 6)) for n, t in pages]
    table = b"".join(_ENTRY.pack(n, len(blob)) for n, blob in blobs)
    return PACKED + struct.pack("<I", len(blobs)) + table + b"".join(blob for _n, blob in blobs)


def packed_pages(value: bytes | None) -> Iterator[tuple[int, Callable[[], str]]]:
    """(number, text of the page when called) for each page of a stored value, in order, nothing decompressed
    until asked; a value of the first format (one compressed JSON list, index analysis 4) is read whole."""
    if not value:
        return
    if not value.startswith(PACKED):
        for number, text in json.loads(zlib.decompress(value).decode("utf-8")):
            yield int(number), (lambda t=str(text): t)
        return
    (count,) = struct.unpack_from("<I", value, len(PACKED))
    offset = len(PACKED) + 4 + count * _ENTRY.size
    for i in range(count):
        number, length = _ENTRY.unpack_from(value, len(PACKED) + 4 + i * _ENTRY.size)
        blob = value[offset : offset + length]
        offset += length
        yield number, (lambda b=blob: zlib.decompress(b).decode("utf-8"))


def unpack(value: bytes | None) -> list[tuple[int, str]]:
    """Every page of a stored value, decompressed."""
    return [(number, text()) for number, text in packed_pages(value)]


def joined(pages: Sequence[tuple[int, str]]) -> str:
    """The value of `fulltext`: every page in order, a page without text kept as an empty page (so that
    the index of a page in it is its number - 1)."""
    if not pages:
        return ""
    by_number = dict(pages)
    return PAGE_BREAK.join(by_number.get(n, "") for n in range(1, max(by_number) + 1))


class PageMatcher:
    """Whether a word of a page is one the query found (as `query.is_match` decides), each distinct word
    decided once: a result's pages hold thousands of words, most of them again and again."""

    def __init__(self, words: dict[str, set[str]]) -> None:
        from heritage.search.query import folded_word, is_match

        self.words = words
        self.heads = {w[:2] for lang in ("nl", "en") for w in words[lang]}  # a stem keeps its word's start
        self._is_match = is_match
        self._folded = folded_word
        self.seen: dict[str, bool] = {}
        self.found: set[str] = set()  # words decided: matching
        self.decided: set[str] = set()  # words decided: either way

    def on_page(self, text: str) -> bool:
        """Whether the page holds a matching word: set operations in C, only words never seen decided."""
        words = set(WORDS.findall(text))
        if words & self.found:
            return True
        for word in words - self.decided:
            self.decided.add(word)
            if self(word):
                self.found.add(word)
        return bool(words & self.found)

    def __call__(self, word: str) -> bool:
        found = self.seen.get(word)
        if found is None:
            folded = self._folded(word)
            found = folded in self.words["folded"] or (folded[:2] in self.heads and self._is_match(word, self.words))
            self.seen[word] = found
        return found


def _positions(reader: Any, field: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
    """The positions of `term` in `field` of each of `docnums` that holds it (one pass over its postings)."""
    try:
        postings = reader.postings(field, term)
    except TermNotFound:
        return {}
    out: dict[int, list[int]] = {}
    for docnum in sorted(docnums):
        if not postings.is_active():
            break
        if postings.id() < docnum:
            postings.skip_to(docnum)
            if not postings.is_active():
                break
        if postings.id() == docnum:
            out[docnum] = list(postings.value_as("positions")) if postings.supports("positions") else []
    return out


def text_pages(reader: Any, docnums: list[int], words: dict[str, set[str]]) -> dict[int, set[int] | None]:
    """Which pages of each result may hold a word the query found, read from the index, so that a result
    found by its description alone, or on a few of its pages, is not read page by page: the pages where a
    word occurs as written (`fulltext` positions // PAGE_GAP); where none does but a stem occurs, None (stems
    keep no positions: any page may); else no page. Pages holding a word as written are shown first."""
    pages: dict[int, set[int]] = {docnum: set() for docnum in docnums}
    for term in words["folded"]:
        for docnum, found in _positions(reader, "fulltext", term, docnums).items():
            pages[docnum].update(position // PAGE_GAP + 1 for position in found)
    out: dict[int, set[int] | None] = dict(pages)
    stemless = [docnum for docnum, found in pages.items() if not found]
    for lang in ("nl", "en"):
        for stem in words[lang]:
            if not stemless:
                break
            held = _positions(reader, f"fulltext_{lang}", stem, stemless)
            for docnum in held:
                out[docnum] = None
            stemless = [docnum for docnum in stemless if docnum not in held]
    return out


def text_hits(
    packed: bytes | None,
    words: dict[str, set[str]],
    width: int,
    limit: int = MAX_TEXT_HITS,
    matcher: PageMatcher | None = None,
    candidates: set[int] | None = None,
) -> list[dict[str, Any]]:
    """The first pages holding a word the query found: their numbers and snippets (HTML, words in <mark>),
    each snippet marked in a window around the first match (not over the whole page). `candidates`: the only
    pages that may hold one (`text_pages`; None: any page)."""
    from heritage.search.query import highlight

    if not any(words.values()) or candidates == set():
        return []
    matches = matcher or PageMatcher(words)  # one per search: the results share most of their words
    out: list[dict[str, Any]] = []
    for number, read in packed_pages(packed):
        if candidates is not None and number not in candidates:
            continue
        text = read()
        if not matches.on_page(text):
            continue
        found = matches.found  # `on_page` decided every word of this page: a set lookup each
        first = next((m.start() for m in WORDS.finditer(text) if m.group(0) in found), None)
        if first is None:
            continue
        lo = text.rfind(" ", 0, first - width // 4) + 1 if first > width // 3 else 0
        hi = min(len(text), first + width + width // 2)
        snippet = highlight(text[lo:hi], words, width, matches=found.__contains__)
        if lo > 0 and not snippet.startswith("… "):
            snippet = "… " + snippet
        if hi < len(text) and not snippet.endswith(" …"):
            snippet += " …"
        out.append({"page": number, "snippet": snippet})
        if len(out) >= limit:
            break
    return out
