"""Suggestions as one types: words of titles, and names, places and subjects, counted over what the asker may find.

The last word typed is a prefix; the words before it narrow the records counted (each must be in a record's
text, as a search for them would ask). Every count starts from the documents the search itself lets the asker
find (`WhooshIndex._visible`), so a word or name only closed items hold is never offered, and no count
includes them.

Names, places and subjects are the facet columns' values (already in memory, per segment); a value is a
candidate when one of its folded words starts with the prefix. Their counts over the visible documents are
kept per segment and access scope, so a suggestion without narrowing words is a prefix range and a gather.
Title words come from the `title` field's lexicon: walked most frequent first (the frequency over all
documents bounds the visible count, as in `spelling.VisibleCorrector`), each counted on its posting list, the
walk ending once no later word can beat those found. Nothing new is written at index time.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from heritage.errors import BadRequest
from heritage.search import SearchQuery
from heritage.search.analyzers import fold
from heritage.search.evaluate import postings
from heritage.search.facet_store import Column, Matched, SegmentColumns
from heritage.search.spelling import field_frequencies

KINDS: tuple[str, ...] = ("title", "name", "place", "subject")
COLUMN_OF: dict[str, str] = {"name": "creator", "place": "place", "subject": "subject"}
TITLE_FIELD = "title"
NARROW_FIELD = "text"  # holds every word of a record: the words before the last narrow on it
MIN_LENGTH = 2  # a shorter query gets no suggestions
DEFAULT_LIMIT = 8
MAX_LIMIT = 20
MAX_QUERY_LENGTH = 200  # longer is no longer typing: refused with a message
MAX_NARROWING_WORDS = 8
MAX_NARROWED_WALK = 24  # title words counted at most when earlier words narrow (the most frequent: bounds are loose)
_CACHE_ENTRIES = 24  # visible masks and counts kept (per segment and scope: a mask is a byte per document)
_COUNTED_SCOPES = 8
MAX_COUNTED_WORDS = 50_000  # title words' visible counts kept per scope


@dataclass(frozen=True)
class Suggestion:
    text: str  # what the search box becomes when it is chosen
    kind: str  # one of KINDS (a code: pages show its label)
    count: int  # records the asker may find that it names

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "kind": self.kind, "count": self.count}


class ValueWords:
    """The folded words of a column's values, sorted, with the value each belongs to: a prefix is a range."""

    def __init__(self, column: Column) -> None:
        pairs = sorted({(word, o) for o, value in enumerate(column.vocab) for word in _folded(value)})
        self.words = [w for w, _o in pairs]
        self.ords = np.asarray([o for _w, o in pairs], dtype=np.int64)

    def starting(self, prefix: str) -> np.ndarray:
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\U0010ffff")
        return np.unique(self.ords[lo:hi])


class TitleLexicon:
    """The title field's words over a set of segments, sorted, with their document frequencies (all documents)."""

    def __init__(self, readers: Sequence[Any]) -> None:
        freqs = field_frequencies(readers, TITLE_FIELD, lambda info: info.doc_frequency())
        self.terms = sorted(freqs)
        self.freqs = np.asarray([freqs[t] for t in self.terms], dtype=np.int64)

    def starting(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(word, bound) for the words starting with `prefix`, most frequent first, then alphabetically."""
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + "\U0010ffff")
        if lo == hi:
            return
        order = np.lexsort((np.arange(lo, hi), -self.freqs[lo:hi])) + lo
        for i in order.tolist():
            yield self.terms[i], int(self.freqs[i])


class _State:
    """What one index's suggestions keep between calls: value words per column, the title lexicon of the
    current segments, and visible masks and counts per segment and access scope (bounded, oldest out)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value_words: dict[int, tuple[Column, ValueWords]] = {}
        self.lexicon: tuple[tuple[str, ...], TitleLexicon] | None = None
        self.visible: dict[tuple[Any, ...], np.ndarray] = {}
        self.counts: dict[tuple[Any, ...], np.ndarray] = {}
        self.word_counts: dict[tuple[Any, ...], dict[str, int]] = {}

    def words_of(self, column: Column) -> ValueWords:
        entry = self.value_words.get(id(column))
        if entry is None or entry[0] is not column:
            with self.lock:
                if len(self.value_words) > _CACHE_ENTRIES:
                    self.value_words.clear()
                entry = self.value_words[id(column)] = (column, ValueWords(column))
        return entry[1]

    def title_lexicon(self, readers: Sequence[Any], segids: tuple[str, ...]) -> TitleLexicon:
        current = self.lexicon
        if current is None or current[0] != segids:
            with self.lock:
                current = self.lexicon = (segids, TitleLexicon(readers))
        return current[1]

    def counted_for(self, key: tuple[Any, ...]) -> dict[str, int]:
        """Title words' counts over the visible documents of one scope and set of segments."""
        with self.lock:
            table = self.word_counts.get(key)
            if table is None:
                if len(self.word_counts) >= _COUNTED_SCOPES:
                    self.word_counts.pop(next(iter(self.word_counts)))
                table = self.word_counts[key] = {}
            return table

    def remember(self, table: dict[tuple[Any, ...], np.ndarray], key: tuple[Any, ...], value: np.ndarray) -> None:
        with self.lock:
            if len(table) >= _CACHE_ENTRIES:
                table.pop(next(iter(table)))
            table[key] = value


_STATES: weakref.WeakKeyDictionary[Any, _State] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def _state(index: Any) -> _State:
    with _STATES_LOCK:
        state = _STATES.get(index)
        if state is None:
            state = _STATES[index] = _State()
        return state


def read_limit(raw: str | None) -> int:
    """Raises: BadRequest: `limit` is not a whole number from 1 to MAX_LIMIT."""
    if raw in (None, ""):
        return DEFAULT_LIMIT
    try:
        value = int(str(raw))
    except ValueError:
        raise BadRequest(f"limit={raw!r} is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"limit={value} must be at least 1 and at most {MAX_LIMIT}")
    return value


def suggest(index: Any, q: str, scope: SearchQuery, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
    """Suggestions for what `q` is becoming, for the asker whose access and units `scope` carries.

    Raises: BadRequest: `q` is longer than anyone types into a search box.
    """
    if len(q) > MAX_QUERY_LENGTH:
        raise BadRequest(f"q is longer than {MAX_QUERY_LENGTH} characters: suggestions are for what one types")
    limit = max(1, min(limit, MAX_LIMIT))
    raw = q.replace("\x00", " ").split()
    if len(q.strip()) < MIN_LENGTH or not raw:
        return []
    prefix_words = fold(raw[-1]).split()
    if not prefix_words:
        return []
    prefix = prefix_words[-1]
    before = raw[:-1]
    if len(prefix) < MIN_LENGTH and not before:
        return []
    narrowing = list(dict.fromkeys([w for r in before for w in fold(r).split()] + prefix_words[:-1]))
    narrowing = narrowing[:MAX_NARROWING_WORDS]
    state = _state(index)
    with index._searcher() as (searcher, store):
        segments: list[tuple[Any, int, SegmentColumns]] = index._segments(searcher, store)
        scope_key = (scope.access is None, tuple(scope.access or ()), tuple(scope.units))
        masks: list[np.ndarray] = []
        visible_keys = []
        for sub, _offset, seg in segments:
            reader = sub.reader()
            key = (reader.segment().segment_id(), seg.n, reader.doc_count(), *scope_key)
            visible_keys.append(key)
            visible = state.visible.get(key)
            if visible is None:
                visible = index._visible(reader, seg, scope)
                state.remember(state.visible, key, visible)
            if narrowing:
                visible = visible.copy()
                for word in narrowing:
                    ids, _weights = postings(reader, NARROW_FIELD, word, index.postings_cache, seg.frequent)
                    has = np.zeros(seg.n, dtype=bool)
                    has[ids] = True
                    visible &= has
            masks.append(visible)
        found = {
            kind: _values(state, segments, masks, column, kind, prefix, before, narrowing, scope_key, limit)
            for kind, column in COLUMN_OF.items()
        }
        readers = [sub.reader() for sub, _offset, _seg in segments]
        segids = tuple(r.segment().segment_id() for r in readers)
        counted = None if narrowing else state.counted_for(tuple(visible_keys))
        lexicon = state.title_lexicon(readers, segids)
        words = _title_words(lexicon, segments, masks, index, prefix, limit, narrowing, counted)
        found["title"] = [Suggestion(" ".join([*before, word]), "title", count) for word, count in words]
    return _merge(found, limit)


def _values(
    state: _State,
    segments: list[tuple[Any, int, SegmentColumns]],
    masks: list[np.ndarray],
    column_name: str,
    kind: str,
    prefix: str,
    before: list[str],
    narrowing: list[str],
    scope_key: tuple[Any, ...],
    limit: int,
) -> list[Suggestion]:
    """The values of one facet column having a word that starts with `prefix`, by count over `masks` (of each
    segment its most counted, which across segments is all but exact)."""
    totals: dict[str, int] = {}
    for (sub, _offset, seg), mask in zip(segments, masks, strict=True):
        column = seg.columns.get(column_name)
        if column is None or not len(column.vocab):
            continue
        candidates = state.words_of(column).starting(prefix)
        if not len(candidates):
            continue
        if narrowing:
            counts = column.counts_over(Matched(mask))
        else:
            reader = sub.reader()
            key = (column_name, reader.segment().segment_id(), seg.n, reader.doc_count(), *scope_key)
            counts = state.counts.get(key)  # type: ignore[assignment]
            if counts is None:
                counts = column.counts_over(Matched(mask))
                state.remember(state.counts, key, counts)
        chosen = candidates[counts[candidates] > 0]
        keep = 4 * limit  # the segment's most counted: other segments can add to a value, not to many
        if len(chosen) > keep:
            chosen = chosen[np.argpartition(-counts[chosen], keep - 1)[:keep]]
        for o in chosen.tolist():
            value = column.vocab[o]
            totals[value] = totals.get(value, 0) + int(counts[o])
    ranked = sorted(totals.items(), key=lambda vc: (-vc[1], vc[0]))[:limit]
    return [Suggestion(_with(before, value), kind, count) for value, count in ranked]


@lru_cache(maxsize=131_072)  # every segment holds mostly the same names
def _folded(text: str) -> frozenset[str]:
    return frozenset(fold(text).split())


def _with(before: list[str], value: str) -> str:
    """The search box once `value` is chosen: the words typed before it that the value does not hold, then it."""
    words = _folded(value)
    kept = [w for w in before if not _folded(w) <= words]
    return " ".join([*kept, value])


def _title_words(
    lexicon: TitleLexicon,
    segments: list[tuple[Any, int, SegmentColumns]],
    masks: list[np.ndarray],
    index: Any,
    prefix: str,
    limit: int,
    narrowing: list[str],
    counted: dict[str, int] | None,
) -> list[tuple[str, int]]:
    """Title words starting with `prefix` by the number of documents in `masks` holding them: walked most
    frequent first, ending once no later word's frequency (its bound) can pass the last one kept. `counted`
    keeps the counts over the same masks (the next keystroke walks many of the same words)."""
    found: list[tuple[int, str]] = []
    for walked, (word, bound) in enumerate(lexicon.starting(prefix)):
        if len(found) >= limit and bound <= found[-1][0]:  # (at most a tie, and the walk is alphabetical then)
            break
        if narrowing and walked >= MAX_NARROWED_WALK:
            break
        count = counted.get(word) if counted is not None else None
        if count is None:
            count = 0
            for (sub, _offset, seg), mask in zip(segments, masks, strict=True):
                ids, _weights = postings(sub.reader(), TITLE_FIELD, word, index.postings_cache, seg.frequent)
                if len(ids):
                    count += int(np.count_nonzero(mask[ids]))
            if counted is not None:
                if len(counted) >= MAX_COUNTED_WORDS:
                    counted.clear()
                counted[word] = count
        if count:
            found.append((count, word))
            found.sort(key=lambda cw: (-cw[0], cw[1]))
            del found[limit:]
    return [(word, count) for count, word in found]


def _merge(found: dict[str, list[Suggestion]], limit: int) -> list[Suggestion]:
    """At most `limit`, most counted first, each kind that has any getting a fair share before the rest
    fill up (otherwise common title words crowd out every name); a text offered twice is offered once."""
    order = {kind: i for i, kind in enumerate(("name", "place", "subject", "title"))}
    everything = sorted((s for kind in KINDS for s in found.get(kind, [])), key=lambda s: (-s.count, order[s.kind]))
    seen: set[frozenset[str]] = set()
    lists: dict[str, list[Suggestion]] = {kind: [] for kind in KINDS}
    for s in everything:  # the same text twice ("Leuven" a place and a title word): the more counted one
        key = _folded(s.text)
        if key not in seen:
            seen.add(key)
            lists[s.kind].append(s)
    present = [k for k in KINDS if lists[k]]
    if not present:
        return []
    share = max(1, limit // len(present))
    chosen = [s for k in present for s in lists[k][:share]]
    rest = sorted((s for k in present for s in lists[k][share:]), key=lambda s: -s.count)
    chosen += rest[: max(0, limit - len(chosen))]
    chosen.sort(key=lambda s: (-s.count, KINDS.index(s.kind), s.text))
    return chosen[:limit]
