"""Did-you-mean suggestions, as Whoosh's reader corrector makes them, with the edit distances computed in numpy.

Whoosh walks a Levenshtein automaton over the whole `text` lexicon in Python: seconds per unknown word
in a catalogue of a hundred thousand records. Here the lexicon (terms and their frequencies) is read once
per set of segments, and the distance from a word to every term of a similar length is one dynamic
programme over arrays. The suggestions are Whoosh's: every term within `maxdist` edits, most frequent first,
except that a term counts only by the documents the asker may find (`VisibleCorrector`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from whoosh.spelling import Corrector

from heritage.search.scripts import script_of


def field_frequencies(readers: Sequence[Any], fieldname: str, measure: Callable[[Any], float]) -> dict[str, float]:
    """Every term of a field over a set of segments with its frequency summed over them (`measure` reads it
    from Whoosh's term info: its total weight, or the documents holding it)."""
    freqs: dict[str, float] = {}
    for reader in readers:
        if fieldname not in reader.indexed_field_names():
            continue
        for btext, info in reader.iter_field(fieldname):
            text = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
            freqs[text] = freqs.get(text, 0) + measure(info)
    return freqs


class Lexicon:
    """The terms of one field over a set of segments, with their total frequencies, as code-point arrays."""

    def __init__(self, readers: list[Any], fieldname: str) -> None:
        freqs = field_frequencies(readers, fieldname, lambda info: info.weight())
        self.terms = sorted(freqs)
        self.freqs = np.asarray([freqs[t] for t in self.terms], dtype=np.float64)
        self.lengths = np.asarray([len(t) for t in self.terms], dtype=np.int64)
        width = int(self.lengths.max()) if len(self.terms) else 0
        self.codes = np.zeros((len(self.terms), width), dtype=np.int32)
        for i, term in enumerate(self.terms):
            self.codes[i, : len(term)] = np.frombuffer(term.encode("utf-32-le"), dtype=np.int32)

    def within(self, word: str, maxdist: int, prefix: int = 0) -> Iterator[tuple[str, float]]:
        """Every term at most `maxdist` edits (Levenshtein) from `word` sharing its first `prefix` characters."""
        n = len(word)
        idx = np.flatnonzero(np.abs(self.lengths - n) <= maxdist)
        if prefix:
            head = np.frombuffer(word[:prefix].encode("utf-32-le"), dtype=np.int32)
            if len(head) < prefix:
                return
            idx = idx[(self.lengths[idx] >= prefix) & np.all(self.codes[idx, :prefix] == head, axis=1)]
        if not len(idx):
            return
        width = min(self.codes.shape[1], n + maxdist)
        cand = self.codes[idx, :width]
        query = np.frombuffer(word.encode("utf-32-le"), dtype=np.int32)
        # distance rows over candidate columns: d[:, j] = distance(word[:i], candidate[:j])
        d = np.tile(np.arange(width + 1, dtype=np.int32), (len(idx), 1))
        for i in range(1, n + 1):
            previous = d
            d = np.empty_like(previous)
            d[:, 0] = i
            cost = (cand != query[i - 1]).astype(np.int32)
            diagonal = previous[:, :-1] + cost
            above = previous[:, 1:] + 1
            best = np.minimum(diagonal, above)
            for j in range(1, width + 1):  # the left neighbour depends on the column before
                d[:, j] = np.minimum(best[:, j - 1], d[:, j - 1] + 1)
        distance = d[np.arange(len(idx)), np.minimum(self.lengths[idx], width)]
        for k in np.flatnonzero(distance <= maxdist).tolist():
            term = self.terms[int(idx[k])]
            if term != word:
                yield term, float(self.freqs[int(idx[k])])


class VisibleCorrector(Corrector):
    """Suggestions among the words the asker may find, ranked by how many such documents hold each.

    The lexicon holds every word of the index, closed items' too. A word no visible document holds is never
    offered, and the order between two words is decided by visible documents only, so a suggestion tells
    nothing (neither a word nor a count) of what the asker may not see.
    """

    def __init__(self, lexicon: Lexicon, visible_count: Callable[[str], int]) -> None:
        self.lexicon = lexicon
        self.visible_count = visible_count

    def suggest(self, text: str, limit: int = 5, maxdist: int = 2, prefix: int = 0) -> list[str]:
        # A term's frequency over the whole index bounds its visible count: walked most frequent first,
        # the walk ends once no later term can beat (or tie with) the ones found, so a typical correction
        # counts one or two terms, and the answer is the same as if every candidate had been counted.
        # A suggestion stays in the script of the word typed: two Han characters are "within two edits" of
        # every two-letter Latin word, which no reader of Chinese means.
        script = script_of(text)
        candidates = sorted(
            ((term, freq) for term, freq in self.lexicon.within(text, maxdist, prefix) if script_of(term) == script),
            key=lambda tf: (-tf[1], tf[0]),
        )
        found: list[tuple[int, str]] = []
        for term, bound in candidates:
            if len(found) >= limit and bound < found[-1][0]:
                break
            count = self.visible_count(term)
            if count:
                found.append((count, term))
                found.sort(key=lambda ct: (-ct[0], ct[1]))
                del found[limit:]
        return [term for _count, term in found]


def _segment_ids(readers: list[Any]) -> list[str]:
    """The ids of the segments read; an empty index (a new catalogue) has a reader of no segment."""
    return [segment.segment_id() if (segment := r.segment()) is not None else "" for r in readers]


class Lexicons:
    """The lexicon of the latest set of segments (one is kept: a swap or commit makes a new set)."""

    def __init__(self) -> None:
        self._key: tuple[str, ...] | None = None
        self._lexicon: Lexicon | None = None
        self._lock = threading.Lock()

    def get(self, searcher: Any, fieldname: str) -> Lexicon:
        readers = [sub.reader() for sub, _offset in searcher.leaf_searchers()]
        key = (fieldname, *_segment_ids(readers))
        with self._lock:
            if self._key != key or self._lexicon is None:
                self._lexicon = Lexicon(readers, fieldname)
                self._key = key
            return self._lexicon
