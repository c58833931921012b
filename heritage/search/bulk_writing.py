"""Writing a rebuild's segments from arrays, in Whoosh's own segment format.

Whoosh's segment writer sends every posting through a pool that pickles it into a temporary run file,
sorts the runs as Python tuples and merges them back through a heap, then hands the postings one by one to
the posting writer, which keeps each block's statistics posting by posting: at a million records that is
most of a rebuild. A rebuild writes fresh segments with nothing to merge, so `ArrayWriter` keeps a segment's
postings in flat arrays, sorts them once with numpy and writes each term's blocks and term info exactly as
`whoosh.codec.whoosh3` does (the same pickled, compressed blocks of 128 postings, block infos and term
infos): the segment is a normal Whoosh segment that every reader opens unchanged
(`tests/heritage/search/test_bulk_writing.py` compares one written both ways, posting by posting).
"""

from __future__ import annotations

import queue
import struct
import zlib
from array import array
from collections.abc import Callable
from itertools import repeat
from pickle import HIGHEST_PROTOCOL, dumps
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.filedb import filetables
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import IndexingError, SegmentWriter

from heritage.search.build_meter import ANALYSIS, ARRAYS, POSTINGS, BuildMeter
from heritage.search.codec import CatalogueCodec
from heritage.search.whoosh_speedups import _Lengths

_TERM_INFO = struct.Struct("!BfIBBfII")  # W3TermInfo._struct: flags, weight, doc freq, lengths, max weight, ids
_EXTENT = struct.Struct("!qi")  # where a term's blocks lie in the postings file: offset, length
_BLOCK_LENGTH = struct.Struct("!i")
_KEY_VALUE_LENGTHS = filetables._lengths  # before each key and value in a hash file
_LENGTH_OF_BYTE = np.asarray([byte_to_length(i) if i else 0 for i in range(256)], dtype=np.int64)
_NO_LENGTH = np.iinfo(np.int64).max
CHUNK_POSTINGS = 1 << 20  # postings turned into Python objects at a time while writing
# A block whose pickle is shorter is stored uncompressed (its info says so, and every reader honours that, as
# Whoosh meant to for blocks under 20 bytes): zlib costs a large fixed set-up per call and gains nothing on
# the one- and few-posting blocks of most terms. 0 compresses every block, as Whoosh's writer does.
COMPRESS_FROM = 160
# Postings a rebuild's process holds in memory before it writes them as a segment and starts another: with the
# word caches, the held postings and the sort, a process peaked at 4.1 GB at this limit (a million generated
# records in two processes, 93 postings a record: two segments a process, about 430,000 and 70,000 records).
MAX_SEGMENT_POSTINGS = 40_000_000


def supports(schema: Any) -> bool:
    """Whether `ArrayWriter` writes every field of `schema` as Whoosh would: no term vectors and no separate
    spelling words (neither is in the catalogue's schema; a schema with them keeps Whoosh's writer)."""
    return all(not field.vector and not field.separate_spelling() for _name, field in schema.items())


class ArrayPool:
    """A segment's postings as flat arrays: a term number, document, weight and value per posting.

    Terms are numbered per field as they first occur; values (Whoosh's encoded frequencies or positions)
    are one byte string with a size per posting.
    """

    def __init__(self) -> None:
        self.fields: dict[str, dict[bytes, int]] = {}  # field name -> term bytes -> term number
        self.term_count = 0
        self.terms = array("I")
        self.docs = array("I")
        self.weights = array("d")
        self.values = bytearray()
        self.sizes = array("I")

    @property
    def fieldnames(self) -> set[str]:
        return set(self.fields)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        """One posting (fieldname, term bytes, document, weight, value), as Whoosh's pool takes it."""
        fieldname, tbytes, docnum, weight, vbytes = item
        numbers = self.fields.setdefault(fieldname, {})
        number = numbers.get(tbytes)
        if number is None:
            number = numbers[tbytes] = self.term_count
            self.term_count += 1
        self.terms.append(number)
        self.docs.append(docnum)
        self.weights.append(weight)
        self.values += vbytes or b""
        self.sizes.append(len(vbytes or b""))

    def cleanup(self) -> None:
        """Nothing on disk to remove (Whoosh's pool keeps temporary run files)."""


class ArrayWriter(SegmentWriter):
    """A segment writer for a rebuild: postings kept in an `ArrayPool` and written by `write_postings`."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        inlining = self.codec._inlinelimit > 1 if isinstance(self.codec, W3Codec) else False
        if (
            not isinstance(self.codec, W3Codec)
            or (inlining and not isinstance(self.codec, CatalogueCodec))
            or not supports(self.schema)
        ):
            self.cancel()
            raise ValueError(
                "ArrayWriter writes whoosh3 segments (postings inlined as the catalogue's codec inlines them), "
                "without vectors or spellings"
            )
        self.pool: Any = ArrayPool()
        self.meter: BuildMeter | None = None  # told as each field's postings are written

    def add_document(self, **fields: Any) -> None:
        """Whoosh's `SegmentWriter.add_document` with the postings appended to the pool's arrays directly."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    items = field.index(value)
                    if not isinstance(items, list):  # stock fields (ID) give a generator
                        items = list(items)
                    numbers = pool.fields.setdefault(fieldname, {})
                    terms_append, weights_append, sizes_append = (
                        pool.terms.append,
                        pool.weights.append,
                        pool.sizes.append,
                    )
                    values = pool.values
                    for tbytes, freq, weight, vbytes in items:
                        number = numbers.get(tbytes)
                        if number is None:
                            number = numbers[tbytes] = pool.term_count
                            pool.term_count += 1
                        terms_append(number)
                        weights_append(weight * fieldboost)
                        if vbytes:
                            values += vbytes
                            sizes_append(len(vbytes))
                        else:
                            sizes_append(0)
                        length += freq
                    pool.docs.extend(repeat(docnum, len(items)))
                    if not field.scorable:
                        length = 0
                stored, column = field.stored, field.column_type
                customval = fields.get(f"_stored_{fieldname}", value) if stored or column else value
                if stored or length:  # (otherwise Whoosh's per-document writer has nothing to do)
                    perdocwriter.add_field(fieldname, field, customval if stored else None, length)
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            write_postings(self.fieldwriter, self.schema, self.pool, _Lengths(pdr), self.meter, self.docnum)
        finally:
            pdr.close()
        self.fieldwriter.close()


def _sorted(pool: ArrayPool) -> tuple[list[tuple[str, list[bytes]]], np.ndarray, np.ndarray]:
    """Each field (sorted) with its terms (sorted by bytes), the postings' order (field, term, document),
    and each term's number of postings in that order."""
    fields: list[tuple[str, list[bytes]]] = []
    rank = np.empty(pool.term_count, dtype=np.int32)
    numbers: list[int] = []
    for fieldname in sorted(pool.fields):
        items = sorted(pool.fields[fieldname].items())
        fields.append((fieldname, [t for t, _n in items]))
        numbers += [n for _t, n in items]
    rank[np.asarray(numbers, dtype=np.int64)] = np.arange(pool.term_count, dtype=np.int32)
    terms = np.frombuffer(pool.terms, dtype=np.uint32)
    docs = np.frombuffer(pool.docs, dtype=np.uint32)
    keys = rank[terms]
    if len(docs) < 2 or bool((docs[1:] >= docs[:-1]).all()):  # added in document order: a stable sort suffices
        order = np.argsort(keys, kind="stable")
    else:
        order = np.lexsort((docs, keys))
    counts = np.bincount(keys, minlength=pool.term_count)
    return fields, order, counts


def write_postings(
    fieldwriter: Any,
    schema: Any,
    pool: ArrayPool,
    lengths: _Lengths,
    meter: BuildMeter | None = None,
    doc_count: int = 0,
) -> None:
    """Write the pool's terms and posting blocks through a `W3FieldWriter`'s files, as `add_postings` would;
    `meter` is told each field's share of the segment's `doc_count` documents' writing as it is written."""
    if not pool.term_count:
        if meter is not None:
            meter.add(POSTINGS * doc_count)
        return
    codec = fieldwriter._codec
    fields, order, counts = _sorted(pool)
    # (kept small: at tens of millions of postings these copies are most of a rebuild's memory)
    docs = np.frombuffer(pool.docs, dtype=np.uint32)[order]
    weights = np.frombuffer(pool.weights, dtype=np.float64)[order]
    sizes = np.frombuffer(pool.sizes, dtype=np.uint32)
    ends = np.cumsum(sizes, dtype=np.int64)
    value_ends = ends[order]
    del ends
    value_starts = value_ends - sizes[order]
    values = np.frombuffer(pool.values, dtype=np.uint8)
    first = 0  # of the current field's terms, in `counts` order
    start = 0  # of the current field's postings
    for fieldname, texts in fields:
        field = schema[fieldname]
        raw = np.frombuffer(lengths._column(fieldname), dtype=np.uint8)
        field_lengths = _LENGTH_OF_BYTE[raw]
        term_counts = counts[first : first + len(texts)]
        end = start + int(term_counts.sum())
        fieldwriter.start_field(fieldname, field)
        _write_field(
            fieldwriter,
            field,
            texts,
            term_counts,
            docs[start:end],
            weights[start:end],
            (values, value_starts[start:end], value_ends[start:end]),
            field_lengths,
            codec,
        )
        fieldwriter.finish_field()
        if meter is not None:
            meter.add(POSTINGS * doc_count * (end - start) / len(order))
        first += len(texts)
        start = end


def _write_field(
    fieldwriter: Any,
    field: Any,
    texts: list[bytes],
    term_counts: np.ndarray,
    docs: np.ndarray,
    weights: np.ndarray,
    values: tuple[np.ndarray, np.ndarray, np.ndarray],
    field_lengths: np.ndarray,
    codec: Any,
) -> None:
    """One field's terms, a chunk of terms at a time (each chunk's postings become Python objects at once)."""
    term_ends = np.cumsum(term_counts)
    term_starts = term_ends - term_counts
    done = 0
    while done < len(texts):
        # the terms whose postings fit in a chunk (at least one term)
        limit = int(term_starts[done]) + CHUNK_POSTINGS
        stop = max(done + 1, int(np.searchsorted(term_ends, limit, side="right")))
        lo, hi = int(term_starts[done]), int(term_ends[stop - 1])
        _write_terms(
            fieldwriter,
            field,
            texts[done:stop],
            term_starts[done:stop] - lo,
            term_ends[done:stop] - lo,
            docs[lo:hi],
            weights[lo:hi],
            (values[0], values[1][lo:hi], values[2][lo:hi]),
            field_lengths,
            codec,
        )
        done = stop


def _write_terms(
    fieldwriter: Any,
    field: Any,
    texts: list[bytes],
    term_starts: np.ndarray,
    term_ends: np.ndarray,
    docs: np.ndarray,
    weights: np.ndarray,
    values: tuple[np.ndarray, np.ndarray, np.ndarray],
    field_lengths: np.ndarray,
    codec: Any,
) -> None:
    """Some terms of a field: their blocks into the postings file, their term infos into the terms table."""
    blocklimit, level = codec._blocklimit, codec._compression
    compress_from = COMPRESS_FROM
    fixed = field.format.fixed_value_size()
    postfile, tindex = fieldwriter._postfile, fieldwriter._tindex
    fieldid = pack_ushort(fieldwriter._fieldid)
    n = len(docs)
    docs = docs.astype(np.int64)
    # blocks: each term's postings in runs of `blocklimit`
    per_term = (term_ends - term_starts + blocklimit - 1) // blocklimit
    block_term = np.repeat(np.arange(len(texts)), per_term)
    within = np.arange(len(block_term)) - np.repeat(np.cumsum(per_term) - per_term, per_term)
    block_starts = term_starts[block_term] + within * blocklimit
    block_ends = np.minimum(block_starts + blocklimit, term_ends[block_term])
    # per posting: its id as the block stores it (the first of a block whole, the others as deltas)
    deltas = np.empty(n, dtype=np.int64)
    deltas[0] = docs[0]
    deltas[1:] = docs[1:] - docs[:-1]
    deltas[block_starts] = docs[block_starts]
    rounded = weights.astype(np.float32)
    lens = np.zeros(n, dtype=np.int64)
    if len(field_lengths):  # a document past the length column has length 0, as Whoosh reads it
        kept = docs < len(field_lengths)
        lens[kept] = field_lengths[docs[kept]]
    # the postings' values in posting order, one byte string, and where each starts
    raw, vstarts, vends = values
    vsizes = vends - vstarts
    voffsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(vsizes, out=voffsets[1:])
    total = int(voffsets[-1])
    gather = np.repeat(vstarts - voffsets[:-1], vsizes) + np.arange(total, dtype=np.int64)
    chunk_values = raw[gather].tobytes() if total else b""
    vo = voffsets.tolist()
    # per block: Whoosh's statistics
    max_weight = np.maximum.reduceat(weights, block_starts).tolist()
    sums = np.add.reduceat(rounded.astype(np.float64), block_starts)
    all_one = np.logical_and.reduceat(rounded == 1.0, block_starts).tolist()
    all_same = np.logical_and.reduceat(
        rounded == np.repeat(rounded[block_starts], block_ends - block_starts), block_starts
    )
    min_len = np.minimum.reduceat(np.where(lens > 0, lens, _NO_LENGTH), block_starts)
    max_len = np.maximum.reduceat(lens, block_starts)
    min_len_byte = [length_to_byte(v) if v != _NO_LENGTH else 0 for v in min_len.tolist()]
    max_len_byte = [length_to_byte(v) for v in max_len.tolist()]
    # per term
    term_first_block = np.cumsum(per_term) - per_term
    term_weight = np.add.reduceat(sums, term_first_block).astype(np.float32).tolist()
    term_max_weight = np.maximum.reduceat(np.asarray(max_weight), term_first_block).tolist()
    term_min_len = np.minimum.reduceat(min_len, term_first_block).tolist()
    term_max_len = np.maximum.reduceat(max_len, term_first_block).tolist()
    ids = deltas.tolist()
    last_ids = docs[block_ends - 1].tolist()
    first_ids = docs[term_starts].tolist()
    rounded_list = rounded.tolist()
    starts, ends = block_starts.tolist(), block_ends.tolist()
    all_same = all_same.tolist()
    blocks_of, dfs = per_term.tolist(), (term_ends - term_starts).tolist()
    out = bytearray()
    base = postfile.tell()
    table = bytearray()
    table_base = tindex.dbfile.tell()
    inline_below = codec._inlinelimit  # the catalogue's codec keeps a word in few documents in its term entry
    b = 0
    for t, text in enumerate(texts):
        if dfs[t] < inline_below:
            info_bytes = _inlined(b, starts, ends, docs, weights, chunk_values, vo, fixed)
            info_bytes = (
                _TERM_INFO.pack(
                    1,
                    float(weights[starts[b] : ends[b]].sum()),
                    dfs[t],
                    min_len_byte[b],
                    max_len_byte[b],
                    term_max_weight[t],
                    first_ids[t],
                    last_ids[b],
                )
                + info_bytes
            )
            b += 1
            _add_term(tindex, fieldid + text, info_bytes, table, table_base)
            continue
        offset = base + len(out)
        out += WHOOSH3_HEADER_MAGIC
        last_block = b + blocks_of[t] - 1
        while b <= last_block:
            s, e = starts[b], ends[b]
            if all_one[b]:
                wmini: Any = None
            elif all_same[b]:
                wmini = rounded_list[s]
            else:
                wmini = tuple(rounded_list[s:e])
            if fixed == 0:
                vmini: Any = None
            elif fixed is None or fixed < 0:
                vmini = tuple(chunk_values[vo[i] : vo[i + 1]] for i in range(s, e) if vo[i + 1] > vo[i])
            else:
                vmini = chunk_values[vo[s] : vo[e]]
            data = dumps((tuple(ids[s:e]), wmini, vmini), 2)
            comp = level if len(data) >= compress_from else 0
            if comp:
                data = zlib.compress(data, comp)
            info = dumps((e - s, last_ids[b], max_weight[b], comp, min_len_byte[b], max_len_byte[b]), 2)
            size = len(info) + len(data)
            out += _BLOCK_LENGTH.pack(-size if b == last_block else size)
            out += info
            out += data
            b += 1
        min_len_t = term_min_len[t]
        key = fieldid + text
        info_bytes = _TERM_INFO.pack(
            0,
            term_weight[t],
            dfs[t],
            length_to_byte(min_len_t) if min_len_t != _NO_LENGTH else 0,
            length_to_byte(term_max_len[t]),
            term_max_weight[t],
            first_ids[t],
            last_ids[b - 1],
        ) + _EXTENT.pack(offset, base + len(out) - offset)
        _add_term(tindex, key, info_bytes, table, table_base)
    tindex.dbfile.write(bytes(table))
    postfile.write(bytes(out))


def _add_term(tindex: Any, key: bytes, info_bytes: bytes, table: bytearray, table_base: int) -> None:
    """OrderedHashWriter.add, its writes gathered into `table`: the same bytes, positions and hash buckets."""
    if key <= tindex.lastkey:
        raise ValueError(f"Keys must increase: {tindex.lastkey!r}..{key!r}")
    pos = table_base + len(table)
    tindex.index.append(pos)
    table += _KEY_VALUE_LENGTHS.pack(len(key), len(info_bytes))
    table += key
    table += info_bytes
    h = tindex.hashfn(key)
    tindex.buckets[h & 255].append((h, pos))
    tindex.lastkey = key


def _inlined(
    b: int,
    starts: list[int],
    ends: list[int],
    docs: np.ndarray,
    weights: np.ndarray,
    chunk_values: bytes,
    vo: list[int],
    fixed: int | None,
) -> bytes:
    """The pickled postings of a term kept in its entry (one block's worth), as `codec._InlinedTermInfo` writes
    them: absolute ids, whole weights as integers, each posting's value (none for a field without values)."""
    s, e = starts[b], ends[b]
    ids = tuple(docs[s:e].tolist())
    whole = tuple(int(w) if float(w).is_integer() else w for w in weights[s:e].tolist())
    shared: dict[bytes, bytes] = {}  # equal values as one object, as the fields' cached encodings are: pickled once
    values = (
        ()
        if fixed == 0
        else tuple(shared.setdefault(v, v) for i in range(s, e) if (v := chunk_values[vo[i] : vo[i + 1]]))
    )
    return dumps((ids, whole, values), HIGHEST_PROTOCOL)


class _ArrayTask(SubWriterTask):
    """Whoosh's sub-writer process with an `ArrayWriter`, finishing its own segment (multisegment) and then
    running `after(storage, schema, segment)` on it, here, beside the other processes."""

    after: Callable[[Any, Any, Any], None] | None = None
    meter: BuildMeter | None = None

    def run(self) -> None:
        ix = self.storage.open_index(self.indexname)
        self.writer = self._new_writer(ix)
        segments = []
        while True:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
            if self.meter is not None:
                self.meter.add(ANALYSIS * jobinfo[1])
            if len(self.writer.pool.docs) >= MAX_SEGMENT_POSTINGS:  # memory: write this segment, start another
                segments.append(self._write(self.writer))
                self.writer = self._new_writer(ix)
        if self.writer.docnum or not segments:
            segments.append(self._write(self.writer))
        else:  # nothing came after the last segment was written (its files go with the commit's clean-up)
            self.writer._close_segment()
        self.resultqueue.put((None, None, segments), timeout=5)

    def _new_writer(self, ix: Any) -> ArrayWriter:
        writer = ArrayWriter(ix, _lk=False, **self.kwargs)
        writer.meter = self.meter
        return writer

    def _write(self, writer: ArrayWriter) -> Any:
        segment = writer._finalize_segment()
        if self.after is not None:
            self.after(self.storage, writer.schema, segment)
            if self.meter is not None:
                self.meter.add(ARRAYS * segment.doc_count_all())
        return segment


class ArrayMpWriter(MpWriter):
    """Whoosh's multiprocessing writer (documents handed to `procs` processes in batches through files), each
    process writing one segment of its own with an `ArrayWriter`; the segments are not merged.

    `after(storage, schema, segment)` runs in each process once its segment is written (the rebuild
    prepares the segment's search arrays there, in parallel). The processes tell `meter` what they have done:
    documents analysed, postings written, arrays made."""

    def __init__(
        self,
        ix: Any,
        procs: int,
        after: Callable[[Any, Any, Any], None] | None = None,
        meter: BuildMeter | None = None,
        **kwargs: Any,
    ):
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)
        self.after = after
        self.meter = meter

    def _new_task(self) -> Any:
        task = _ArrayTask(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, True)
        task.after = self.after
        task.meter = self.meter
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        """Stop the processes (Whoosh only flags its own copies of them) and let go of the index."""
        for task in self.tasks:
            task.terminate()
            task.join()
        self.tasks = []
        SegmentWriter.cancel(self)

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        """Whoosh's multisegment commit, except that a process that died is an error, not a missing segment."""
        if self.docbuffer:
            self._enqueue()
        for _task in self.tasks:
            self.jobqueue.put(None)
        segments = self._merge_segments(mergetype, optimize, merge)
        results: list[Any] = []
        while len(results) < len(self.tasks):
            try:
                results.append(self.resultqueue.get(timeout=1))
            except queue.Empty:
                if self.meter is not None:
                    self.meter.poll()
                failed = [task.exitcode for task in self.tasks if task.exitcode not in (None, 0)]
                if failed:
                    self.cancel()
                    raise IndexingError(f"an indexing process ended with exit code {failed[0]}") from None
        for task in self.tasks:
            task.join()
        segments += [segment for _run, _names, written in results for segment in written]
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(segments)
        self._finish()
