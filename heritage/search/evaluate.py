"""Matching and BM25F ranking with numpy, per segment, over Whoosh's own posting lists.

Whoosh's matchers advance one document at a time in Python: a common word in a million records costs
hundreds of thousands of calls per field, and the one box searches eight fields. Here each posting
block (128 documents, already decoded by Whoosh) becomes an array, and boolean logic and scores are
array operations: AND is `&`, OR is `|`, a score is BM25F (Whoosh's formula and parameters) added up
with `+`. Phrases are checked on positions: for common words on 64-bit masks of their positions and
on position arrays kept beside the segment (`facet_store.FrequentPostings`), for the others on positions
decoded from Whoosh's blocks for the candidate documents only; anything else (a slop wider than
`MAX_SLOP`) keeps Whoosh's matcher for the set and these scores for the order.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length

from heritage.search.fulltext import TEXT_FIELDS
from heritage.search.whoosh_speedups import numeric_column

B = 0.75
K1 = 1.2
MAX_EXPANSION = 512  # terms a prefix, wildcard or fuzzy term may stand for
PHRASE_FIELD = "text"
POSITION_FIELDS = frozenset({PHRASE_FIELD, "fulltext"})  # fields whose phrases are checked in themselves
MAX_SLOP = 16  # a phrase with a wider slop is left to Whoosh's span matcher
POSITION_OVERFLOW = np.uint64(1 << 63)  # in a position mask: the word also occurs at position 63 or later
LOW_BITS = ~POSITION_OVERFLOW  # the positions 0-62 themselves
_LENGTH_TABLE = np.asarray([byte_to_length(i) for i in range(256)], dtype=np.float32)


@dataclass
class Stats:
    """Index-wide statistics, so that every segment scores on the same scale."""

    searcher: Any
    cache: PostingsCache | None = None
    _idf: dict[tuple[str, str], float] = field(default_factory=dict)
    _avg: dict[str, float] = field(default_factory=dict)

    def idf(self, fieldname: str, text: Any) -> float:
        key = (fieldname, text)
        if key not in self._idf:
            df = self.searcher.doc_frequency(fieldname, text)
            self._idf[key] = math.log(self.searcher.doc_count_all() / (df + 1)) + 1
        return self._idf[key]

    def avg_length(self, fieldname: str) -> float:
        if fieldname not in self._avg:
            self._avg[fieldname] = self.searcher.avg_field_length(fieldname, 1.0) or 1.0
        return self._avg[fieldname]


class Segment:
    """One segment's reader with its field-length arrays (read once, then cached by the caller)."""

    def __init__(
        self,
        reader: Any,
        searcher: Any,
        lengths: dict[str, np.ndarray],
        frequent: Any = None,
        norms: dict[str, tuple[float, np.ndarray]] | None = None,
    ) -> None:
        self.reader = reader
        self.frequent = frequent  # facet_store.FrequentPostings: common words' posting lists as arrays
        self.searcher = searcher
        self.n = reader.doc_count_all()
        self.lengths = lengths
        self.norms = norms if norms is not None else {}
        self.memo: dict[str, Result] = {}  # phrase checks of this search in this segment
        # the documents whose pages' text the asker may search (None: all); see `fulltext`
        self.text_visible: np.ndarray | None = None

    def norm(self, fieldname: str, avg: float) -> np.ndarray | None:
        """BM25's length normalisation of every document, `K1 * (1 - B + B * length / avg)`, for the
        index-wide average length `avg`: made once per field (and again when a commit moves the average),
        not per term of every search."""
        kept = self.norms.get(fieldname)
        if kept is None or kept[0] != avg:
            lengths = self.length(fieldname)
            if lengths is None:
                return None
            kept = self.norms[fieldname] = (avg, (K1 * ((1 - B) + B * lengths / avg)).astype(np.float32))
        return kept[1]

    def length(self, fieldname: str) -> np.ndarray | None:
        if fieldname not in self.lengths:
            self.lengths[fieldname] = read_lengths(self.reader, fieldname)
        return self.lengths[fieldname]


def read_lengths(reader: Any, fieldname: str) -> np.ndarray | None:
    """The length of `fieldname` in every document of a segment (None when the field keeps none)."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    n = reader.doc_count_all()
    encoded = numeric_column(column, n)
    if encoded is None:
        encoded = np.fromiter((int(v) for v in column), dtype=np.uint8, count=n)
    return _LENGTH_TABLE[encoded]


class PostingsCache:
    """Recently read posting lists, up to a memory budget: popular words are decoded once, not per search."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self._entries: OrderedDict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[str, str, str], entry: tuple[np.ndarray, np.ndarray]) -> None:
        size = entry[0].nbytes + entry[1].nbytes
        if size > self.budget // 4:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = entry
            self.used += size
            while self.used > self.budget and self._entries:
                _key, (ids, weights) = self._entries.popitem(last=False)
                self.used -= ids.nbytes + weights.nbytes


def postings(
    reader: Any, fieldname: str, text: Any, cache: PostingsCache | None = None, frequent: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and term weights (frequencies) of one term in one segment, deleted ones included:
    from memory, from the segment's arrays of common words, or decoded from Whoosh's blocks."""
    key = (reader.segment().segment_id(), fieldname, text if isinstance(text, str) else repr(text))
    entry = cache.get(key) if cache is not None and cache.budget > 0 else None
    if entry is None:
        entry = frequent.get(fieldname, text) if frequent is not None else None
        if entry is None:
            entry = read_postings(reader, fieldname, text)
        if cache is not None and cache.budget > 0:
            cache.put(key, entry)
    return entry


def read_postings(reader: Any, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
    try:
        matcher = reader.postings(fieldname, text)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    while not isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "child"):
        matcher = matcher.child  # deletions are masked by the caller
    if not isinstance(matcher, W3LeafMatcher):  # postings kept in the term's entry (`codec`)
        found: list[tuple[int, float]] = []
        while matcher.is_active():
            found.append((matcher.id(), matcher.weight()))
            matcher.next()
        ids = np.fromiter((i for i, _w in found), dtype=np.int64, count=len(found))
        return ids, np.fromiter((w for _i, w in found), dtype=np.float32, count=len(found))
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        raw_ids, raw_weights = matcher._data[0], matcher._data[1]
        ids = np.asarray(raw_ids, dtype=np.int64)
        if not matcher._byteids:
            ids = np.cumsum(ids)
        count = matcher._blocklength
        if raw_weights is None:
            weights = np.ones(count, dtype=np.float32)
        elif isinstance(raw_weights, float):
            weights = np.full(count, raw_weights, dtype=np.float32)
        else:
            weights = np.asarray(raw_weights, dtype=np.float32)
        id_parts.append(ids)
        weight_parts.append(weights)
        matcher._next_block()
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate(id_parts), np.concatenate(weight_parts)


Result = tuple[np.ndarray, np.ndarray]  # (mask, scores) over the segment's documents


def _empty(seg: Segment) -> Result:
    return np.zeros(seg.n, dtype=bool), np.zeros(seg.n, dtype=np.float32)


def _term(node: wq.Term, seg: Segment, stats: Stats) -> Result:
    mask, scores = _empty(seg)
    ids, tf = postings(seg.reader, node.fieldname, node.text, stats.cache, seg.frequent)
    if not len(ids):
        return mask, scores
    mask[ids] = True
    avg = stats.avg_length(node.fieldname)
    norm = seg.norm(node.fieldname, avg)
    base = norm[ids] if norm is not None else np.float32(K1)  # (no lengths: every document of average length)
    weight = np.float32(node.boost * stats.idf(node.fieldname, node.text) * (K1 + 1))
    scores[ids] = weight * tf / (tf + base)
    return mask, scores


def evaluate(node: wq.Query, seg: Segment, stats: Stats) -> Result:
    """The documents of one segment that `node` matches, and their scores; a leaf in the pages' text
    matches only documents whose text the asker may search (`Segment.text_visible`)."""
    mask, scores = _evaluate(node, seg, stats)
    if seg.text_visible is not None and getattr(node, "fieldname", None) in TEXT_FIELDS:
        mask = mask & seg.text_visible
        scores = scores * mask
    return mask, scores


def _evaluate(node: wq.Query, seg: Segment, stats: Stats) -> Result:
    if isinstance(node, wq.Term):
        return _term(node, seg, stats)
    if isinstance(node, wq.Every):
        return np.ones(seg.n, dtype=bool), np.zeros(seg.n, dtype=np.float32)
    if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
        return _empty(seg)
    if isinstance(node, wq.Not):
        mask, _scores = evaluate(node.query, seg, stats)
        return ~mask, np.zeros(seg.n, dtype=np.float32)
    if isinstance(node, wq.AndNot):
        mask, scores = evaluate(node.a, seg, stats)
        other, _ = evaluate(node.b, seg, stats)
        return mask & ~other, scores
    if isinstance(node, wq.AndMaybe):
        mask, scores = evaluate(node.a, seg, stats)
        _other_mask, extra = evaluate(node.b, seg, stats)
        return mask, scores + extra * mask
    if isinstance(node, wq.And):
        mask, scores = np.ones(seg.n, dtype=bool), np.zeros(seg.n, dtype=np.float32)
        for sub in node.subqueries:
            sub_mask, sub_scores = evaluate(sub, seg, stats)
            mask &= sub_mask
            scores += sub_scores
        return mask, scores * mask
    if isinstance(node, (wq.Or, wq.DisjunctionMax)):  # the best field and the sum rank alike closely enough
        mask, scores = _empty(seg)
        # a phrase typed in the box comes as one phrase per field; the one in `text` (every word of a record,
        # folded, no stop words dropped) decides where the phrase occurs, for the fields beside it too
        in_text = next((q for q in node.subqueries if isinstance(q, wq.Phrase) and q.fieldname == PHRASE_FIELD), None)
        for sub in node.subqueries:
            if in_text is not None and isinstance(sub, wq.Phrase) and sub.fieldname not in POSITION_FIELDS:
                sub_mask, sub_scores = _phrase_beside(sub, in_text, seg, stats)
            else:
                sub_mask, sub_scores = evaluate(sub, seg, stats)
            mask |= sub_mask
            scores += sub_scores
        return mask, scores
    if isinstance(node, wq.MultiTerm):  # prefix, wildcard, fuzzy: the words they stand for
        words = list(node._btexts(seg.searcher.reader()))[:MAX_EXPANSION]
        expanded = wq.Or([wq.Term(node.fieldname, w, boost=node.boost) for w in words])
        return evaluate(expanded, seg, stats) if words else _empty(seg)
    if isinstance(node, wq.Phrase) and node.fieldname not in POSITION_FIELDS:  # a fielded phrase (`title:"..."`)
        return _phrase_beside(node, wq.Phrase(PHRASE_FIELD, node.words, slop=node.slop), seg, stats)
    if isinstance(node, wq.Phrase) and 1 <= node.slop <= MAX_SLOP and node.words:
        mask = _phrase(node, seg, stats)
        scores = np.zeros(seg.n, dtype=np.float32)
        for fieldname, text in node.terms(phrases=True):
            scores += _term(wq.Term(fieldname, text, boost=node.boost), seg, stats)[1]
        return mask, scores * mask
    # anything else: Whoosh decides the set; the words give the order
    mask = np.zeros(seg.n, dtype=bool)
    ids = np.fromiter(node.docs(seg.searcher), dtype=np.int64)
    mask[ids] = True
    scores = np.zeros(seg.n, dtype=np.float32)
    for fieldname, text in node.terms(phrases=True):
        scores += _term(wq.Term(fieldname, text, boost=getattr(node, "boost", 1.0)), seg, stats)[1]
    return mask, scores * mask


def _phrase_beside(node: wq.Phrase, in_text: wq.Phrase, seg: Segment, stats: Stats) -> Result:
    """A phrase in a field other than `text`: its words looked up in that field (a phrase in a title ranks
    above one in a note), where the phrase occurs checked once per segment in `text`."""
    words_here = evaluate(wq.And([wq.Term(node.fieldname, w, boost=node.boost) for w in node.words]), seg, stats)
    key = f"{in_text.words!r}/{in_text.slop}"
    if key not in seg.memo:
        seg.memo[key] = evaluate(in_text, seg, stats)
    found = seg.memo[key][0]
    return words_here[0] & found, words_here[1] * found


def _leaf(reader: Any, fieldname: str, text: Any) -> Any:
    matcher = reader.postings(fieldname, text)
    while not isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "child"):
        matcher = matcher.child
    return matcher


def read_positions(reader: Any, fieldname: str, text: Any, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(document, position) pairs of one term in the documents `wanted` (sorted ids) of a segment.

    Posting blocks holding none of the wanted documents are skipped unread, and positions are decoded
    only for the wanted ones.
    """
    try:
        matcher = _leaf(reader, fieldname, text)
    except TermNotFound:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    docs: list[int] = []
    lists: list[list[int]] = []
    deltas = False
    if not isinstance(matcher, W3LeafMatcher):
        wanted_set = set(wanted.tolist())
        while matcher.is_active():
            if matcher.id() in wanted_set:
                docs.append(matcher.id())
                lists.append(list(matcher.value_as("positions")))
            matcher.next()
    else:
        deltas = True  # Whoosh keeps a posting's positions as a pickled list of gaps after a 4-byte count
        previous_max = -1
        last = len(wanted) - 1
        while matcher.is_active():
            lo = int(np.searchsorted(wanted, previous_max + 1))
            previous_max = matcher._maxid
            if lo <= last and wanted[lo] <= matcher._maxid:  # the block may hold a wanted document
                if matcher._data is None:
                    matcher._read_data()
                ids = np.asarray(matcher._data[0], dtype=np.int64)
                if not matcher._byteids:
                    ids = np.cumsum(ids)
                at = np.minimum(np.searchsorted(wanted, ids), last)
                picked = np.flatnonzero(wanted[at] == ids).tolist()
                if picked:
                    values = matcher._data[2]
                    for i in picked:
                        value = values[i]
                        docs.append(int(ids[i]))
                        lists.append(loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b"."))
            matcher._next_block()
    lengths = np.fromiter((len(p) for p in lists), dtype=np.int64, count=len(lists))
    positions = np.fromiter((p for ps in lists for p in ps), dtype=np.int64, count=int(lengths.sum()))
    if deltas and len(positions):  # running sums within each posting
        sums = np.cumsum(positions)
        before = np.concatenate(([0], sums[np.cumsum(lengths)[:-1] - 1]))
        positions = sums - np.repeat(before, lengths)
    return np.repeat(np.asarray(docs, dtype=np.int64), lengths), positions


def _phrase(node: wq.Phrase, seg: Segment, stats: Stats) -> np.ndarray:
    """The documents where the words follow each other in order, each within `slop` positions of the one
    before (Whoosh's `SpanNear2(ordered=True, mindist=1)`), checked on position arrays."""
    mask = np.zeros(seg.n, dtype=bool)
    candidates: np.ndarray | None = None
    words = list(node.words)
    for word in words:
        ids = postings(seg.reader, node.fieldname, word, stats.cache, seg.frequent)[0]
        candidates = ids if candidates is None else _intersect_sorted(candidates, ids)
        if not len(candidates):
            return mask
    assert candidates is not None
    if seg.frequent is not None and node.slop < 63:
        found = _phrase_by_bits(seg, node.fieldname, words, node.slop, candidates)
        if found is not None:
            certain, unsure = found
            mask[certain] = True
            if not len(unsure):
                return mask
            candidates = unsure
    shift = np.int64(1 << 32)
    docs, positions = _positions(seg, node.fieldname, words[0], candidates)
    ends = docs * shift + positions  # (document, position where the phrase so far ends), sorted
    for word in words[1:]:
        docs, positions = _positions(seg, node.fieldname, word, candidates)
        keys = docs * shift + positions  # sorted: documents ascend, and positions within each
        if not len(keys):
            return mask
        reached = []
        for step in range(1, node.slop + 1):
            wanted = ends + step
            at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            reached.append(wanted[keys[at] == wanted])
        ends = reached[0] if len(reached) == 1 else np.unique(np.concatenate(reached))
        if not len(ends):
            return mask
        candidates = _unique_sorted(ends // shift)
    mask[ends // shift] = True
    return mask


def _phrase_by_bits(
    seg: Segment, fieldname: str, words: list[Any], slop: int, candidates: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The phrase checked on each candidate's positions below 63 held as the bits of one 64-bit word (kept
    for common words): the positions where the phrase so far can end are shifted by 1..slop and masked with
    the next word's, all candidates at once. Returns (documents where it occurs, documents where a word
    also occurs further on and it was not found: to be checked on positions), or None when a word's bits
    are not kept."""
    ends: np.ndarray | None = None
    further = np.zeros(len(candidates), dtype=bool)
    for word in words:
        bits = seg.frequent.bits(fieldname, word, candidates) if seg.frequent is not None else None
        if bits is None:
            return None
        further |= (bits & POSITION_OVERFLOW) != 0
        here = bits & LOW_BITS
        if ends is None:
            ends = here
            continue
        reach = np.zeros(len(candidates), dtype=np.uint64)
        for step in range(1, slop + 1):
            reach |= ends << np.uint64(step)
        ends = reach & here & LOW_BITS
    assert ends is not None
    found = ends != 0
    return candidates[found], candidates[~found & further]


def _intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two sorted arrays of unique document numbers, through a mask over the
    documents (linear; `intersect1d` sorts both together)."""
    if not len(a) or not len(b):
        return a[:0]
    seen = np.zeros(int(max(a[-1], b[-1])) + 1, dtype=bool)
    seen[a] = True
    return b[seen[b]]


def _unique_sorted(a: np.ndarray) -> np.ndarray:
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _positions(seg: Segment, fieldname: str, word: Any, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A word's (document, position) pairs in the wanted documents: from the segment's arrays for a common
    word, else decoded from Whoosh's blocks."""
    if seg.frequent is not None:
        kept = seg.frequent.positions(fieldname, word, wanted)
        if kept is not None:
            return kept
    return read_positions(seg.reader, fieldname, word, wanted)
