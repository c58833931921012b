"""Column arrays per index segment, for facet counts, filters and sorts at a million records.

Whoosh counts facets by calling Python for every matching document and every facet; at a million
records one facet-only browse takes seconds. Segments never change once written (only their deletion
sets grow), so each segment's facet values are read once into numpy arrays (value ordinals per
document, compressed-row by document), kept in memory and saved beside the segment; a count is then a
`bincount` over the matching documents, a filter a boolean mask, a sort an `argpartition`.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from heritage.search.compact import MASK_POSITIONS, narrowed, narrowed_weights, positions_of_masks
from heritage.search.evaluate import (
    PHRASE_FIELD,
    POSITION_OVERFLOW,
    Segment,
    read_lengths,
    read_positions,
    read_postings,
)
from heritage.search.fields import NO_DATE, NumberColumn
from heritage.search.whoosh_speedups import numeric_column

ID_TYPE = np.int32


class Matched:
    """The documents a search matched in one segment (a mask over all), with the indices that counting
    walks made once for every facet: of the matched documents, or of the others when they are fewer."""

    def __init__(self, mask: np.ndarray, count: int | None = None) -> None:
        self.mask = mask
        self.n = len(mask)
        self.count = int(mask.sum()) if count is None else count
        self._indices: tuple[np.ndarray, bool] | None = None

    def indices(self) -> tuple[np.ndarray, bool]:
        """(indices, subtract): the matched documents, or (subtract=True) the unmatched ones."""
        if self._indices is None:
            subtract = self.count > self.n // 2
            self._indices = (np.flatnonzero(~self.mask if subtract else self.mask), subtract)
        return self._indices


@dataclass
class Column:
    """The values of one keyword field of one segment: a sorted vocabulary and value ordinals per document."""

    vocab: list[str]
    offsets: np.ndarray  # len n+1: the entries of document d are ords[offsets[d]:offsets[d+1]]
    ords: np.ndarray  # value ordinal per entry, grouped by document
    docs: np.ndarray  # document per entry (the same order as ords)
    full: np.ndarray  # counts over every document present when the column was read
    _lookup: dict[str, int] | None = field(default=None, repr=False)
    _by_value: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _slots: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False)  # see slots()

    def slots(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each document's first value (its ordinal; `len(vocab)` where it has none), and the entries beyond
        the first as (documents, ordinals). Most facet fields have one value a document and a few have two
        or three: counting is then a gather over the matched documents and one over the few extra entries,
        instead of expanding each matched document's run of entries (made on first use)."""
        if self._slots is None:
            n = len(self.offsets) - 1
            first = np.full(n, len(self.vocab), dtype=ID_TYPE)
            has = self.offsets[1:] > self.offsets[:-1]
            first[has] = self.ords[self.offsets[:-1][has]]
            beyond = np.ones(len(self.ords), dtype=bool)
            beyond[self.offsets[:-1][has]] = False
            self._slots = (first, self.docs[beyond], self.ords[beyond])
        return self._slots

    def ordinal(self, value: str) -> int | None:
        if self._lookup is None:
            self._lookup = {v: i for i, v in enumerate(self.vocab)}
        return self._lookup.get(value)

    def docs_with(self, values: Iterable[str], n: int) -> np.ndarray:
        """A mask of the documents having any of these values (each value's documents are one slice of an
        index sorted by value, made on first use)."""
        wanted = [o for o in (self.ordinal(v) for v in values) if o is not None]
        single, extra_docs, _extra_ords = self.slots()
        if not len(extra_docs) and len(single) == n and len(wanted) <= 4:  # one value a document: comparing
            mask = single == wanted[0] if wanted else np.zeros(n, dtype=bool)  # beats scattering documents
            for o in wanted[1:]:
                mask |= single == o
            return mask
        mask = np.zeros(n, dtype=bool)
        if wanted:
            if self._by_value is None:
                order = np.argsort(self.ords, kind="stable")
                bounds = np.zeros(len(self.vocab) + 1, dtype=np.int64)
                np.cumsum(np.bincount(self.ords, minlength=len(self.vocab)), out=bounds[1:])
                self._by_value = (self.docs[order], bounds)
            docs, bounds = self._by_value
            for o in wanted:
                mask[docs[bounds[o] : bounds[o + 1]]] = True
        return mask

    def counts(self, mask: np.ndarray, matched: int) -> np.ndarray:
        """Counts of each value over the documents in `mask` (`matched` of them)."""
        return self.counts_over(Matched(mask, matched))

    def counts_over(self, matched: Matched) -> np.ndarray:
        """Counts of each value over the matched documents: those of the few that do not match subtracted
        when most do; their first values gathered and counted, then the entries beyond the first."""
        if matched.count == 0:
            return np.zeros(len(self.vocab), dtype=np.int64)
        if matched.count == matched.n:
            return self.full
        idx, subtract = matched.indices()
        first, extra_docs, extra_ords = self.slots()
        size = len(self.vocab)
        if len(extra_docs) > 2 * len(idx):  # many values a document (decades) and few documents: expand them
            part = self._entries_of(idx)
        else:
            part = np.bincount(first[idx], minlength=size + 1)[:size]
            if len(extra_docs):
                chosen = matched.mask[extra_docs]
                part += np.bincount(extra_ords[~chosen if subtract else chosen], minlength=size)
        return self.full - part if subtract else part

    def _entries_of(self, idx: np.ndarray) -> np.ndarray:
        """Counts over every entry of the documents `idx`."""
        starts = self.offsets[idx]
        lens = self.offsets[idx + 1] - starts
        total = int(lens.sum())
        if total == 0:
            return np.zeros(len(self.vocab), dtype=np.int64)
        shift = np.repeat(np.cumsum(lens) - lens - starts, lens)
        return np.bincount(self.ords[np.arange(total, dtype=np.int64) - shift], minlength=len(self.vocab))


@dataclass
class SegmentColumns:
    """Everything the facet store keeps of one segment."""

    n: int
    columns: dict[str, Column]
    numbers: dict[str, np.ndarray]  # date_from, date_to, position: one int32 per document
    title_rank: np.ndarray  # the rank of each document's sort title within the segment
    lengths: dict[str, np.ndarray | None] = field(default_factory=dict)  # field lengths, read when first scored
    norms: dict[str, tuple[float, np.ndarray]] = field(default_factory=dict)  # BM25 length norms, see Segment
    frequent: FrequentPostings | None = None  # posting lists of the segment's common words, as arrays

    def scoring(self, reader: Any, searcher: Any) -> Segment:
        """The segment as matching and ranking see it, with this store's lengths, norms and arrays."""
        return Segment(reader, searcher, self.lengths, self.frequent, self.norms)


def _read_keyword(reader: Any, fieldname: str, n: int) -> Column:
    vocab: list[str] = []
    doc_parts: list[np.ndarray] = []
    ord_parts: list[np.ndarray] = []
    if fieldname in reader.indexed_field_names():
        for ordinal, term in enumerate(reader.lexicon(fieldname)):
            value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            ids = read_postings(reader, fieldname, term)[0].astype(ID_TYPE)  # deleted ones too: masks drop them
            vocab.append(value)
            doc_parts.append(ids)
            ord_parts.append(np.full(len(ids), ordinal, dtype=ID_TYPE))
    docs = np.concatenate(doc_parts) if doc_parts else np.zeros(0, dtype=ID_TYPE)
    ords = np.concatenate(ord_parts) if ord_parts else np.zeros(0, dtype=ID_TYPE)
    order = np.argsort(docs, kind="stable")
    docs, ords = docs[order], ords[order]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(docs, minlength=n), out=offsets[1:])
    full = np.bincount(ords, minlength=len(vocab)).astype(np.int64)
    return Column(vocab, offsets, ords, docs, full)


def _read_numbers(reader: Any, fieldname: str, n: int) -> np.ndarray:
    if not reader.has_column(fieldname):
        return np.full(n, NO_DATE, dtype=ID_TYPE)
    if isinstance(reader.schema[fieldname], NumberColumn):  # stored as the numbers themselves
        values = numeric_column(reader.column_reader(fieldname, translate=False), n)
        if values is not None:
            return values.astype(ID_TYPE)
    column = reader.column_reader(fieldname)
    return np.fromiter((int(v) for v in column), dtype=ID_TYPE, count=n)


def _read_title_rank(reader: Any, n: int) -> np.ndarray:
    if not reader.has_column("sort_title"):
        return np.zeros(n, dtype=ID_TYPE)
    titles = list(reader.column_reader("sort_title"))
    order = sorted(range(n), key=titles.__getitem__)
    rank = np.empty(n, dtype=ID_TYPE)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=ID_TYPE)
    return rank


def read_segment(
    reader: Any, keyword_fields: Sequence[str], number_fields: Sequence[str], length_fields: Sequence[str] = ()
) -> SegmentColumns:
    n = reader.doc_count_all()
    return SegmentColumns(
        n=n,
        columns={name: _read_keyword(reader, name, n) for name in keyword_fields},
        numbers={name: _read_numbers(reader, name, n) for name in number_fields},
        title_rank=_read_title_rank(reader, n),
        lengths={name: read_lengths(reader, name) for name in length_fields},
    )


COLUMNS_LAYOUT = 2  # of the saved columns; a file of another layout is read from the segment again


def _save(path: Path, seg: SegmentColumns) -> None:
    """Only what cannot be had again cheaply, each array in its narrowest type: per keyword field its
    vocabulary, each document's number of values and the value ordinals (documents, offsets and counts
    follow from them); the title ranks (a sort of every title). Dates, positions and field lengths are
    columns of the segment itself, read again as whole arrays (`_load`)."""
    arrays: dict[str, Any] = {
        "layout": np.asarray([COLUMNS_LAYOUT]),
        "n": np.asarray([seg.n]),
        "title_rank": narrowed(seg.title_rank),
    }
    for name, col in seg.columns.items():
        arrays[f"k.{name}.vocab"] = np.asarray(col.vocab, dtype=object)
        arrays[f"k.{name}.counts"] = narrowed(np.diff(col.offsets))
        arrays[f"k.{name}.ords"] = narrowed(col.ords)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npz")  # the writer and a search
    with tmp.open("wb") as fh:
        np.savez(fh, **arrays)
    tmp.replace(path)


def _column(vocab: list[str], counts: np.ndarray, ords: np.ndarray) -> Column:
    """A column from its saved parts: the entries' documents and offsets from the counts per document."""
    n = len(counts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    docs = np.repeat(np.arange(n, dtype=ID_TYPE), counts.astype(np.int64))
    ords = ords.astype(ID_TYPE)
    return Column(vocab, offsets, ords, docs, np.bincount(ords, minlength=len(vocab)).astype(np.int64))


def _load(
    path: Path,
    reader: Any,
    keyword_fields: Sequence[str],
    number_fields: Sequence[str],
    length_fields: Sequence[str] = (),
) -> SegmentColumns | None:
    try:
        with np.load(path, allow_pickle=True) as data:
            if "layout" not in data.files or int(data["layout"][0]) != COLUMNS_LAYOUT:
                return None
            n = int(data["n"][0])
            columns = {
                name: _column(list(data[f"k.{name}.vocab"]), data[f"k.{name}.counts"], data[f"k.{name}.ords"])
                for name in keyword_fields
            }
            title_rank = data["title_rank"].astype(ID_TYPE)
    except (OSError, KeyError, ValueError):
        return None  # absent, from an older layout or damaged: read the segment again
    if n != reader.doc_count_all():
        return None
    numbers = {name: _read_numbers(reader, name, n) for name in number_fields}
    lengths = {name: read_lengths(reader, name) for name in length_fields}
    return SegmentColumns(n, columns, numbers, title_rank, lengths)


FREQUENT_DOCS = 1000  # a word in at least this many documents of a segment has its posting list kept as arrays


class FrequentPostings:
    """The posting lists (document numbers, frequencies) of a segment's common words in the searched fields,
    decoded once and saved beside the segment as plain arrays.

    Whoosh stores a posting list as pickled, compressed blocks of 128 documents: a word in a tenth of a
    million records is 800 blocks to unpickle for every search that names it. These words are few (the head
    of the vocabulary) and they are most of what searches read; rare words stay in Whoosh's blocks.

    In the phrase field their positions are kept too: a phrase of two common words otherwise unpickles the
    positions of every document holding both, one document at a time, which at a million records is seconds.
    Each posting's positions below 63 are the bits of one 64-bit mask (`bits`), which checks most phrases
    at once; only the positions from 63 on are kept as numbers (`far`), for the postings that have any, so no
    position is kept twice. Frequencies and positions are saved in the narrowest type that holds them.

    The arrays are flat `.npy` files in a folder (`FILES`), with a table of where each word's slices lie, and
    are memory-mapped: a word's list is a view read through the operating system's page cache, which every
    web worker shares, with nothing decompressed, checksummed or copied per search.
    """

    FILES = ("ids", "weights", "bits", "far_rows", "far_offsets", "far_positions")
    LAYOUT = 3  # of the files; arrays of another layout are made again

    def __init__(self, path: Path) -> None:
        self.path = path
        table = json.loads((path / "words.json").read_text(encoding="utf-8"))
        if table.get("layout") != self.LAYOUT:
            raise ValueError(f"{path}: layout {table.get('layout')!r}, not {self.LAYOUT}")
        # a word: [start, end) of its postings; with positions also [bits start, start and end of its far rows,
        # start of its far offsets]
        self._slices: dict[str, list[int]] = table["words"]
        self._arrays = {name: np.load(path / f"{name}.npy", mmap_mode="r") for name in self.FILES}

    @staticmethod
    def key(fieldname: str, text: Any) -> str:
        raw = text if isinstance(text, bytes) else str(text).encode("utf-8")
        return f"{fieldname}.{raw.hex()}"

    def get(self, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray] | None:
        where = self._slices.get(self.key(fieldname, text))
        if where is None:
            return None
        start, end = where[0], where[1]
        return self._arrays["ids"][start:end], self._arrays["weights"][start:end]

    def positions(self, fieldname: str, text: Any, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(document, position) pairs of a common word in the documents `wanted` (sorted), in document then
        position order; None when the word's positions are not kept here."""
        where = self._slices.get(self.key(fieldname, text))
        if where is None or len(where) < 6:
            return None
        start, end, bits_start, far_start, far_end, off_start = where
        ids = self._arrays["ids"][start:end]
        rows = _rows(ids, wanted)
        rows = rows[rows >= 0]
        low_at, low = positions_of_masks(self._arrays["bits"][bits_start : bits_start + (end - start)][rows])
        far_rows = self._arrays["far_rows"][far_start:far_end]
        if not len(far_rows) or not len(rows):
            return ids[rows[low_at]].astype(np.int64), low
        # the wanted rows (sorted) that also have far positions: the fewer far rows looked up among them
        at = np.minimum(np.searchsorted(rows, far_rows), len(rows) - 1)
        far = np.flatnonzero(rows[at] == far_rows)  # of the far rows
        if not len(far):
            return ids[rows[low_at]].astype(np.int64), low
        hit = at[far]  # of the wanted rows, rising
        offsets = self._arrays["far_offsets"][off_start : off_start + (far_end - far_start) + 1]
        starts = offsets[far].astype(np.int64)
        counts = offsets[far + 1].astype(np.int64) - starts
        before = np.cumsum(counts) - counts
        take = np.repeat(starts - before, counts) + np.arange(int(counts.sum()), dtype=np.int64)
        # two runs each in row order, a row's far positions after its low ones: a stable sort merges them
        which = np.concatenate((low_at, np.repeat(hit, counts)))
        order = np.argsort(which, kind="stable")
        positions = np.concatenate((low, self._arrays["far_positions"][take].astype(np.int64)))
        return ids[rows[which[order]]].astype(np.int64), positions[order]

    def bits(self, fieldname: str, text: Any, wanted: np.ndarray) -> np.ndarray | None:
        """For each of the documents `wanted` (sorted, all holding the word): its positions below 63 as the
        bits of a 64-bit word, with `POSITION_OVERFLOW` set where it also occurs further on; None when not kept."""
        where = self._slices.get(self.key(fieldname, text))
        if where is None or len(where) < 6:
            return None
        start, end, bits_start = where[0], where[1], where[2]
        rows = _rows(self._arrays["ids"][start:end], wanted)
        if len(rows) and int(rows.min()) < 0:
            return None
        return self._arrays["bits"][bits_start : bits_start + (end - start)][rows]

    @classmethod
    def build(
        cls,
        reader: Any,
        fieldnames: Sequence[str],
        path: Path,
        min_docs: int = FREQUENT_DOCS,
        positions_field: str | None = PHRASE_FIELD,
    ) -> FrequentPostings:
        parts: dict[str, list[np.ndarray]] = {name: [] for name in cls.FILES}
        sizes = dict.fromkeys(cls.FILES, 0)
        words: dict[str, list[int]] = {}
        indexed = set(reader.indexed_field_names())
        for fieldname in fieldnames:
            if fieldname not in indexed:
                continue
            with_positions = fieldname == positions_field and reader.schema[fieldname].format.supports("positions")
            for text, info in reader.iter_field(fieldname):
                if info.doc_frequency() < min_docs:
                    continue
                ids, weights = read_postings(reader, fieldname, text)
                where = [sizes["ids"], sizes["ids"] + len(ids)]
                parts["ids"].append(ids.astype(ID_TYPE))
                parts["weights"].append(weights)
                sizes["ids"] += len(ids)
                if with_positions:
                    docs, flat = read_positions(reader, fieldname, text, ids)
                    rows = np.searchsorted(ids, docs)
                    offsets = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(ids))))).astype(np.int64)
                    far = flat >= MASK_POSITIONS
                    far_rows, far_counts = np.unique(rows[far], return_counts=True)
                    far_offsets = sizes["far_positions"] + np.concatenate(([0], np.cumsum(far_counts)))
                    where += [sizes["bits"], sizes["far_rows"], sizes["far_rows"] + len(far_rows)]
                    where.append(sizes["far_offsets"])
                    parts["bits"].append(_position_bits(flat, offsets))
                    parts["far_rows"].append(far_rows)
                    parts["far_offsets"].append(far_offsets)
                    parts["far_positions"].append(flat[far])
                    sizes["bits"] += len(ids)
                    sizes["far_rows"] += len(far_rows)
                    sizes["far_offsets"] += len(far_rows) + 1
                    sizes["far_positions"] += int(far.sum())
                words[cls.key(fieldname, text)] = where
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name in cls.FILES:
            array = np.concatenate(parts[name]) if parts[name] else np.zeros(0, dtype=np.int64)
            if name == "ids":
                array = array.astype(ID_TYPE)  # read by every search: as Whoosh's documents are numbered
            elif name == "weights":
                array = narrowed_weights(array)
            elif name == "bits":
                array = array.astype(np.uint64)
            else:
                array = narrowed(array.astype(np.int64))
            np.save(tmp / f"{name}.npy", array)
        (tmp / "words.json").write_text(json.dumps({"layout": cls.LAYOUT, "words": words}), encoding="utf-8")
        try:
            tmp.rename(path)
        except OSError:  # another process made them meanwhile (a folder is not replaced while not empty)
            shutil.rmtree(tmp, ignore_errors=True)
        return cls(path)


def _rows(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The row of each wanted document in a posting list (-1 where absent), in linear time where a binary
    search per document is not."""
    row_of = np.full(int(max(ids[-1], wanted[-1] if len(wanted) else 0)) + 1, -1, dtype=np.int64)
    row_of[ids] = np.arange(len(ids))
    return row_of[wanted]


def _position_bits(flat: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per posting (its positions `flat[offsets[i]:offsets[i + 1]]`, at least one): the positions below 63
    as bits, and `POSITION_OVERFLOW` where there are more."""
    out = np.zeros(len(offsets) - 1, dtype=np.uint64)
    some = offsets[1:] > offsets[:-1]
    if not some.any():
        return out
    low = flat < 63
    values = np.where(low, np.left_shift(np.uint64(1), np.minimum(flat, 62).astype(np.uint64)), np.uint64(0))
    starts = offsets[:-1][some]  # each run ends where the next non-empty one starts
    bits = np.add.reduceat(values, starts)  # distinct powers of two: their sum is their union
    over = np.logical_or.reduceat(~low, starts)
    out[some] = bits | np.where(over, POSITION_OVERFLOW, np.uint64(0))
    return out


class FacetStore:
    """Segment columns by segment id, in memory and saved under `folder` (a cache: deleting it is safe)."""

    def __init__(
        self,
        folder: Path,
        keyword_fields: Sequence[str],
        number_fields: Sequence[str],
        length_fields: Sequence[str] = (),
        postings_fields: Sequence[str] = (),
    ) -> None:
        self.folder = folder
        self.postings_fields = tuple(postings_fields)
        self.keyword_fields = tuple(keyword_fields)
        self.number_fields = tuple(number_fields)
        self.length_fields = tuple(length_fields)
        self._segments: dict[str, SegmentColumns] = {}
        self._lock = threading.Lock()
        self._swept: frozenset[str] | None = None  # the live segments the folder was last cleared for

    def segment(self, reader: Any) -> SegmentColumns:
        segid = reader.segment().segment_id()
        cached = self._segments.get(segid)
        if cached is not None and cached.n == reader.doc_count_all():
            return cached
        with self._lock:
            cached = self._segments.get(segid)
            if cached is not None and cached.n == reader.doc_count_all():
                return cached
            path = self.folder / f"{segid}.npz"
            seg = (
                _load(path, reader, self.keyword_fields, self.number_fields, self.length_fields)
                if path.exists()
                else None
            )
            if seg is None or seg.n != reader.doc_count_all():
                seg = read_segment(reader, self.keyword_fields, self.number_fields, self.length_fields)
                try:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    _save(path, seg)
                except OSError:
                    pass  # a read-only index still answers; it reads the segment again next start
            for column in seg.columns.values():  # now, not at the first search that counts (or before a fork)
                column.slots()
            if self.postings_fields and seg.frequent is None:
                seg.frequent = self._frequent(reader, segid)
            self._segments[segid] = seg
            return seg

    def saved(self, segid: str) -> bool:
        """Whether a segment's columns (and common-word arrays, where kept) are saved: a search only loads them."""
        if not (self.folder / f"{segid}.npz").exists():
            return False
        return not self.postings_fields or (self.folder / f"{segid}.postings" / "words.json").exists()

    def _frequent(self, reader: Any, segid: str) -> FrequentPostings | None:
        path = self.folder / f"{segid}.postings"
        if (path / "words.json").exists():
            try:
                return FrequentPostings(path)
            except (OSError, ValueError, KeyError):
                shutil.rmtree(path, ignore_errors=True)  # damaged or of an earlier layout: made again
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            return FrequentPostings.build(reader, self.postings_fields, path)
        except OSError:
            return None  # not writable: Whoosh's blocks answer

    def forget_except(self, live: Iterable[str]) -> None:
        """Drop segments merged away (from memory and disk); the folder is looked through only when the
        set of live segments is not the one it was last cleared for (every search asks)."""
        keep = frozenset(live)
        if keep == self._swept:
            return
        with self._lock:
            for segid in [s for s in self._segments if s not in keep]:
                del self._segments[segid]
            self._swept = keep
            if self.folder.is_dir():
                for path in self.folder.iterdir():
                    if path.name.split(".")[0] in keep and not path.name.endswith(".postings.npz"):
                        continue  # (a .postings.npz is an earlier layout of the common words' arrays)
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
