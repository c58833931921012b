"""Whoosh field types that index faster, producing exactly the terms, frequencies and positions of the stock ones.

Whoosh runs every word of every document through its analyzer chain as Token objects: a catalogue of a
million records repeats the same few hundred thousand words a hundred million times. These fields split
the text with the analyzer's own tokenizer expression and send each *distinct* word through the rest of
the chain once (a cache per field); frequencies, weights, positions and their encodings are Whoosh's.
Columns hold what is only sorted or filtered on (dates, positions, sort titles), never indexed as terms.
"""

from __future__ import annotations

from pickle import dumps
from typing import Any

from whoosh import columns
from whoosh.analysis import CharsetFilter, CompositeAnalyzer, LowercaseFilter, RegexTokenizer
from whoosh.fields import COLUMN, KEYWORD, TEXT
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from heritage.search.scripts import PreparedTokenizer, prepare

NO_DATE = -(2**31) + 1  # the column value of an item without a date
CACHE_WORDS = 500_000  # distinct words remembered per field before the cache starts afresh
ONE_TO_ONE = (LowercaseFilter, CharsetFilter)  # filters that never drop, split or renumber a token


def _parts(analyzer: Any) -> tuple[RegexTokenizer, bool] | None:
    """The analyzer's tokenizer, and whether every filter after it maps one token to one token."""
    if isinstance(analyzer, RegexTokenizer):
        return analyzer, True
    if isinstance(analyzer, CompositeAnalyzer) and analyzer.items and isinstance(analyzer.items[0], RegexTokenizer):
        # a filter that only adds terms at the token's own position (`scripts.ScriptFilter`) keeps positions too
        keeps = all(isinstance(f, ONE_TO_ONE) or getattr(f, "keeps_position", False) for f in analyzer.items[1:])
        return analyzer.items[0], keeps
    return None


def _plain(analyzer: Any) -> list[dict[int, Any] | None] | None:
    """For a plain RegexTokenizer followed only by LowercaseFilter and CharsetFilter (identifiers, keywords):
    what it does to one word, in order (None: lowercase; a table: translate); None for any other analyzer."""
    if type(analyzer) is RegexTokenizer:
        tokenizer, filters = analyzer, []
    elif isinstance(analyzer, CompositeAnalyzer) and analyzer.items and type(analyzer.items[0]) is RegexTokenizer:
        tokenizer, filters = analyzer.items[0], analyzer.items[1:]
    else:
        return None
    if tokenizer.gaps or not all(type(f) in ONE_TO_ONE for f in filters):
        return None
    return [f.charmap if type(f) is CharsetFilter else None for f in filters]


class FastIndexing:
    """Mixin for TEXT and KEYWORD: `index` with the analyzer applied once per distinct word.

    The cache maps a word to its terms already encoded as index bytes, and the encoded values of the
    commonest postings (a frequency below 256, a single position) are made once, not per document.
    """

    analyzer: Any
    format: Any

    def __getstate__(self) -> dict[str, Any]:  # the schema is pickled into the index; the caches are not
        state = dict(self.__dict__)
        state.pop("_terms", None)
        state.pop("_index_plan", None)
        state.pop("_index_plain", None)
        return state

    def _cache(self) -> dict[str, tuple[bytes, ...]]:
        cache: dict[str, tuple[bytes, ...]] | None = self.__dict__.get("_terms")
        if cache is None or len(cache) > CACHE_WORDS:
            cache = self.__dict__["_terms"] = {}
        return cache

    def _plan(self) -> tuple[bool, bool, bool, Any]:
        """(fast path usable, positions kept, text to be `prepare`d, the tokenizer's expression), made once."""
        plan: tuple[bool, bool, bool, Any] | None = self.__dict__.get("_index_plan")
        if plan is None:
            parts = _parts(self.analyzer)
            positions = type(self.format) is Positions
            frequencies = type(self.format) is Frequency
            usable = parts is not None and (frequencies or (positions and parts[1]))
            prepared = parts is not None and isinstance(parts[0], PreparedTokenizer)
            plan = self.__dict__["_index_plan"] = (usable, positions, prepared, parts[0].expression if parts else None)
        return plan

    def _words(self, value: str, expression: Any) -> list[tuple[bytes, ...]]:
        """The terms (as index bytes) of each token of `value`, in order (each distinct token analysed once)."""
        cache = self._cache()
        analyzer = self.analyzer
        out = []
        for word in expression.findall(value) if expression.groups == 0 else _whole(expression, value):
            terms = cache.get(word)
            if terms is None:
                plain = self._plain_steps()
                if plain is not None and expression.fullmatch(word):  # the word is its one token: no Token objects
                    text = word
                    for charmap in plain:
                        text = text.lower() if charmap is None else text.translate(charmap)
                    terms = (text.encode("utf-8"),)
                else:
                    terms = tuple(t.text.encode("utf-8") for t in analyzer(word, mode="index"))
                cache[word] = terms
            out.append(terms)
        return out

    def _plain_steps(self) -> list[dict[int, Any] | None] | None:
        if "_index_plain" not in self.__dict__:
            self.__dict__["_index_plain"] = _plain(self.analyzer)
        steps: list[dict[int, Any] | None] | None = self.__dict__["_index_plain"]
        return steps

    def index(self, value: Any, **kwargs: Any) -> Any:
        usable, positions, prepared, expression = self._plan()
        if not usable or kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)  # type: ignore[misc]
        if prepared:
            value = prepare(value)
        words = self._words(value, expression)
        boost = self.format.field_boost
        if positions:
            poses: dict[bytes, list[int]] = {}
            for pos, terms in enumerate(words):
                for term in terms:
                    found = poses.get(term)
                    if found is None:
                        poses[term] = [pos]
                    else:
                        found.append(pos)
            return positions_postings(poses, self.format)
        freqs: dict[bytes, int] = {}
        for terms in words:
            for term in terms:
                freqs[term] = freqs.get(term, 0) + 1
        return [(t, f, f * boost, _FREQUENCY[f] if f < 256 else pack_uint(f)) for t, f in freqs.items()]


_FREQUENCY = [pack_uint(f) for f in range(256)]  # Frequency.encode of the small frequencies
_ONE = pack_uint(1)


def positions_postings(poses: dict[bytes, list[int]], format_: Any) -> list[tuple[bytes, int, float, bytes]]:
    """The (term, frequency, weight, value) postings of one document from each term's positions, as Whoosh's
    `Positions.word_values` makes them (each value its own object: a block pickles them side by side)."""
    boost = format_.field_boost
    encode = format_.encode
    out = []
    for term, found in poses.items():
        if len(found) == 1:  # Positions.encode of one position: no deltas to make
            value = _ONE + dumps(found, 2)
            out.append((term, 1, boost, value))
        else:
            out.append((term, len(found), len(found) * boost, encode(found)))
    return out


def _whole(expression: Any, value: str) -> list[str]:
    return [m.group(0) for m in expression.finditer(value)]


class FastText(FastIndexing, TEXT):
    """TEXT, indexed word by distinct word."""


class FastKeyword(FastIndexing, KEYWORD):
    """KEYWORD, indexed value by distinct value."""


class NumberColumn(COLUMN):
    """A signed 32-bit number per document, for filtering and sorting only (not searchable as terms)."""

    def __init__(self, default: int) -> None:
        super().__init__(columns.NumericColumn("i", default=default))

    def to_column_value(self, value: Any) -> int:
        return int(value)

    def from_column_value(self, value: Any) -> int:
        return int(value)


class StringColumn(COLUMN):
    """A short string per document, for sorting only."""

    def __init__(self) -> None:
        super().__init__(columns.VarBytesColumn())

    def to_column_value(self, value: Any) -> bytes:
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)

    def from_column_value(self, value: Any) -> str:
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class BytesColumn(COLUMN):
    """Bytes per document, read one document at a time by number and only when asked: unlike a stored field,
    reading another stored field of the document does not read (decompress and unpickle) this one too."""

    def __init__(self) -> None:
        super().__init__(columns.VarBytesColumn())

    def to_column_value(self, value: Any) -> bytes:
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)

    def from_column_value(self, value: Any) -> bytes:
        return bytes(value)
