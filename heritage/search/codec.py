"""The Whoosh codec of the catalogue index: Whoosh's own, with a word's postings kept inside its entry in the
terms file when it is in fewer than `INLINE_BELOW` documents (issue 22: a smaller index).

On its own in the postings file, one document's posting costs a block (length, statistics, a compressed
pickle) of about 100 bytes, and most words of a catalogue (identifiers, names, rare words) are in one
record only: at 100,000 records they were half the postings file. Whoosh reads inlined postings already
(`W3Codec.postings_reader`); its writer calls a method that `W3TermInfo` names differently, so it never
could write them (Whoosh-Reloaded 2.7.5). Each segment names the codec that wrote it, so an index written
before reads as it was.
"""

from __future__ import annotations

import pickle
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter, W3TermInfo
from whoosh.matching import ListMatcher
from whoosh.util.numeric import length_to_byte

INLINE_BELOW = 8  # postings in fewer documents than this are kept in the term's entry


class _InlinedTermInfo(W3TermInfo):
    """A term's entry with its postings inside, pickled compactly: Whoosh pickles them with protocol 2,
    which writes each posting's value (bytes) as a call to `_codecs.encode` of a string, some 30 bytes
    more than the value; whole weights are kept as integers. `W3TermInfo.from_bytes` reads any protocol."""

    def to_bytes(self) -> bytes:
        head = self._struct.pack(
            1,
            self._weight,
            self._df,
            0 if self._minlength is None else length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
            self._maxweight,
            0xFFFFFFFF if self._minid is None else self._minid,
            0xFFFFFFFF if self._maxid is None else self._maxid,
        )
        ids, weights, values = self._inlined
        whole = tuple(int(w) if float(w).is_integer() else w for w in weights)
        return head + pickle.dumps((ids, whole, values), pickle.HIGHEST_PROTOCOL)


class _InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self) -> Any:
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = _InlinedTermInfo()  # the statistics all come from this one block
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


class _InlineMatcher(ListMatcher):
    """Whoosh's matcher over inlined postings, giving b"" (not "") as the value of a posting without one
    (a field without frequencies or positions): merging segments asks for bytes."""

    def value(self) -> Any:
        return self._values[self._i] if self._values else b""


class CatalogueCodec(W3Codec):
    """W3Codec, writing the postings of words in few documents inline."""

    def __init__(self, inlinelimit: int = INLINE_BELOW, **kwargs: Any) -> None:
        super().__init__(inlinelimit=inlinelimit, **kwargs)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None) -> Any:
        if not terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        ids, weights, values = terminfo.inlined_postings()
        return _InlineMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
