"""Words in few records have their postings kept in the terms file, and read, rank and merge as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from heritage.search import SearchQuery
from heritage.search.codec import INLINE_BELOW
from heritage.search.evaluate import read_positions, read_postings
from heritage.search.whoosh_index import WhooshIndex, to_fields
from tests.heritage.search.builders import doc

DOCS = [
    doc("a1", "Zeldzaam woord zeldzaam", description="een lange brief over de raad van de universiteit"),
    doc("a2", "Brief aan de raad", description="de raad antwoordt"),
    doc("a3", "Brief van de rector", pages=((1, "de tekst van pagina een"), (2, "unicum op pagina twee"))),
]


def _reader_terms(ix: WhooshIndex, fieldname: str) -> dict[bytes, bool]:
    with ix._searcher() as (searcher, _store):
        return {
            t: i.is_inlined() for sub, _o in searcher.leaf_searchers() for t, i in sub.reader().iter_field(fieldname)
        }


def test_a_word_in_few_records_is_inlined_and_reads_as_a_block_would(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild([*DOCS, *(doc(f"f{i}", "Brief aan de raad") for i in range(INLINE_BELOW))])
    inlined = _reader_terms(ix, "text")
    assert inlined[b"zeldzaam"] and inlined[b"rector"] and _reader_terms(ix, "fulltext")[b"unicum"]
    assert not inlined[b"brief"] and not inlined[b"raad"]  # in INLINE_BELOW records or more: blocks as before
    with ix._searcher() as (searcher, _store):
        reader = searcher.leaf_searchers()[0][0].reader()
        ids, weights = read_postings(reader, "text", "zeldzaam")
        assert ids.tolist() == [0] and weights.tolist() == [2.0]  # its frequency, not 1
        docs, positions = read_positions(reader, "text", "zeldzaam", np.asarray([0, 1, 2]))
        assert docs.tolist() == [0, 0] and positions.tolist() == [0, 2]
    assert [h["id"] for h in ix.search(SearchQuery(q='"zeldzaam woord"')).hits] == ["a1"]
    assert [h["id"] for h in ix.search(SearchQuery(q="text:unicum")).hits] == ["a3"]
    assert ix.search(SearchQuery(q="a2")).total == 1  # its id: inlined too


def test_updates_merge_inlined_segments_and_delete_by_id(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild(DOCS)
    for i in range(12):  # enough small segments for Whoosh to merge them
        ix.update([doc(f"b{i}", f"uniek{i} stuk")])
    ix.update([doc("a1", "Vervangen titel")])
    ix.delete(["a2"])
    ix._index().optimize()
    assert ix.search(SearchQuery(q="uniek7")).total == 1
    assert ix.search(SearchQuery(q="zeldzaam")).total == 0 and ix.search(SearchQuery(q="vervangen")).total == 1
    assert ix.search(SearchQuery(q="brief")).total == 1  # a3; a2 was deleted
    assert ix.count() == 14


def test_an_index_written_with_whooshs_own_codec_reads_alike(tmp_path: Path) -> None:
    """Each segment names its codec: a generation written before this codec answers the same searches."""
    ours = WhooshIndex(tmp_path / "ours")
    ours.rebuild(DOCS)
    theirs = WhooshIndex(tmp_path / "theirs")
    theirs.rebuild([])
    writer = whoosh_index.open_dir(str(theirs.current_dir())).writer(codec=W3Codec())
    for d in DOCS:
        writer.add_document(**to_fields(d))
    writer.commit()
    assert not any(_reader_terms(theirs, "text").values())
    for q in ("zeldzaam", '"de raad"', "brief", "text:unicum", "a2"):
        a, b = ours.search(SearchQuery(q=q)), theirs.search(SearchQuery(q=q))
        assert [(h["id"], round(h["score"], 5)) for h in a.hits] == [(h["id"], round(h["score"], 5)) for h in b.hits]
        assert a.facets == b.facets
