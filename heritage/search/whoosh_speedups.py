"""Two places where Whoosh reads one value at a time through several Python calls, done as whole arrays.

- Writing a segment, Whoosh asks for the field length of the document of every posting (a column read,
  a file-exists check and a struct unpack each: a third of the time of writing a catalogue's postings).
  `install()` makes the segment writer read each length column once, as bytes.
- Reading a numeric column (dates, positions, field lengths) into numpy: one `frombuffer`.

The results are the same numbers Whoosh computes; only the route is shorter.

And one place where Whoosh copies what it should only map: a segment stored as one compound file is
mapped into memory, and each file in it opened through `BufferFile`, which wraps its view in a `BytesIO`,
a copy. Every searcher opened a segment's postings, terms and columns that way: at a million records a
gigabyte per searcher per segment, and seconds of copying (a web worker with four threads grew to 9 GB).
`install()` gives `BufferFile` a reader over the mapped view instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh import columns
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.filedb.structfile import BufferFile
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

_BYTE_LENGTH = [byte_to_length(i) if i else 0 for i in range(256)]


class _Lengths:
    """`doc_field_length` over a just-written segment, each field's length column read once."""

    def __init__(self, perdoc: Any) -> None:
        self.perdoc = perdoc
        self.raw: dict[str, bytes] = {}

    def _column(self, fieldname: str) -> bytes:
        raw = self.raw.get(fieldname)
        if raw is None:
            reader = self.perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            raw = b"" if reader is None else _fixed_bytes(reader)
            self.raw[fieldname] = raw
        return raw

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        raw = self.raw.get(fieldname)
        if raw is None:
            raw = self._column(fieldname)
        return _BYTE_LENGTH[raw[docnum]] if docnum < len(raw) else default


def _fixed_bytes(reader: Any) -> bytes:
    """The stored bytes of a fixed-width column (entries past `_count` hold the default)."""
    return reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)


def _flush_segment(self: Any) -> None:  # SegmentWriter._flush_segment, with `_Lengths`
    self.perdocwriter.close()
    pdr = self.per_document_reader() if self.codec.length_stats else None
    postings = self.pool.iter_postings()
    self.fieldwriter.add_postings(self.schema, _Lengths(pdr) if pdr is not None else None, postings)
    self.fieldwriter.close()
    if pdr is not None:
        pdr.close()


class ViewFile:
    """A read-only file over a memoryview (of a mapped segment file) that reads without copying the view."""

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._pos + size, len(self._view))
        out = self._view[self._pos : end].tobytes() if end > self._pos else b""
        self._pos = max(self._pos, end)
        return out

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        line = bytearray()
        while size is None or size < 0 or len(line) < size:
            byte = self.read(1)
            if not byte:
                break
            line += byte
            if byte == b"\n":
                break
        return bytes(line)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    """`BufferFile.__init__` with `ViewFile` where Whoosh had `BytesIO(buf)`."""
    self._buf = buf
    self._name = name
    self.file = ViewFile(memoryview(buf))
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def install() -> None:
    SegmentWriter._flush_segment = _flush_segment
    BufferFile.__init__ = _buffer_file_init


def numeric_column(reader: Any, n: int) -> np.ndarray | None:
    """A raw numeric column reader (untranslated) as an int64 array of `n` values, or None for another kind."""
    if type(reader) is not columns.NumericColumn.Reader or reader._typecode not in "bBhHiIlLqQ":
        return None
    size = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 4, "L": 4, "q": 8, "Q": 8}[reader._typecode]
    kind = "i" if reader._typecode.islower() else "u"
    stored = np.frombuffer(_fixed_bytes(reader), dtype=np.dtype(f">{kind}{size}")).astype(np.int64)
    if len(stored) >= n:
        return stored[:n]
    out = np.full(n, reader._default, dtype=np.int64)
    out[: len(stored)] = stored
    return out
