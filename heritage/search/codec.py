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

from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.matching import ListMatcher

INLINE_BELOW = 2  # postings in fewer documents than this are kept in the term's entry


class _InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self) -> Any:
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
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
