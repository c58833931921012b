"""Common words' posting lists kept as arrays beside a segment are exactly Whoosh's, and searches answer alike."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from heritage.search import SearchQuery
from heritage.search.evaluate import Segment, Stats, evaluate, read_positions, read_postings
from heritage.search.facet_store import FrequentPostings
from heritage.search.query import parse
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

WORDS = ["brief", "raad", "academische", "leuven", "notulen", "reglement", "studenten", "kaart"]
FIELDS = ("title", "text", "text_nl", "text_en")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    rng = random.Random(6)
    ix = WhooshIndex(tmp_path_factory.mktemp("frequent") / "index")
    ix.rebuild([doc(f"d{i}", " ".join(rng.choices(WORDS, k=rng.randint(1, 12)))) for i in range(600)])
    ix.delete(["d5"])
    return ix


def test_the_arrays_are_whooshs_posting_lists(index: WhooshIndex, tmp_path: Path) -> None:
    with index._searcher() as (searcher, _store):
        reader = searcher.leaf_searchers()[0][0].reader()
        frequent = FrequentPostings.build(reader, FIELDS, tmp_path / "p.npz", min_docs=50)
        checked = 0
        for fieldname in FIELDS:
            for text, info in reader.iter_field(fieldname):
                kept = frequent.get(fieldname, text.decode("utf-8"))
                assert (kept is not None) == (info.doc_frequency() >= 50)
                if kept is not None:
                    ids, weights = read_postings(reader, fieldname, text)
                    assert np.array_equal(kept[0], ids) and np.array_equal(kept[1], weights)
                    checked += 1
        assert checked >= 20


def test_the_phrase_fields_positions_are_whooshs(index: WhooshIndex, tmp_path: Path) -> None:
    """Kept for the common words of `text` only, and for any set of wanted documents the same pairs."""
    rng = random.Random(7)
    with index._searcher() as (searcher, _store):
        reader = searcher.leaf_searchers()[0][0].reader()
        frequent = FrequentPostings.build(reader, FIELDS, tmp_path / "p.npz", min_docs=50)
        assert frequent.positions("title", "brief", np.arange(10)) is None
        for word in WORDS:
            ids = read_postings(reader, "text", word)[0]
            for wanted in (ids, np.asarray(sorted(rng.sample(range(reader.doc_count_all()), 40)))):
                kept = frequent.positions("text", word, wanted)
                assert kept is not None
                expected = read_positions(reader, "text", word, wanted)
                assert np.array_equal(kept[0], expected[0]) and np.array_equal(kept[1], expected[1])
                assert len(kept[0]) >= len(np.intersect1d(wanted, ids))


@pytest.mark.parametrize("text", ["brief", "raad leuven", '"academische raad"', "kaart OR notulen", "regl*"])
def test_searches_answer_alike_from_the_arrays(index: WhooshIndex, text: str, tmp_path: Path) -> None:
    with index._searcher() as (searcher, store):
        sub = index._segments(searcher, store)[0][0]
        reader = sub.reader()
        q = parse(text, searcher.schema, reader)
        frequent = FrequentPostings.build(reader, FIELDS, tmp_path / "p.npz", min_docs=50)
        plain = evaluate(q, Segment(reader, sub, {}), Stats(searcher))
        arrays = evaluate(q, Segment(reader, sub, {}, frequent), Stats(searcher))
    assert plain[0].any()
    assert np.array_equal(plain[0], arrays[0]) and np.allclose(plain[1], arrays[1])
    assert index.search(SearchQuery(q=text)).total == int((plain[0] & ~_deleted(reader)).sum())


def _deleted(reader) -> np.ndarray:  # type: ignore[no-untyped-def]
    mask = np.zeros(reader.doc_count_all(), dtype=bool)
    mask[list(reader.deleted_docs_set)] = True
    return mask


def test_a_forked_process_reads_the_arrays_through_its_own_file(index: WhooshIndex, tmp_path: Path) -> None:
    """A web server's master maps them before forking workers, which read them side by side."""
    import os

    with index._searcher() as (searcher, _store):
        reader = searcher.leaf_searchers()[0][0].reader()
        frequent = FrequentPostings.build(reader, FIELDS, tmp_path / "p.npz", min_docs=50)
        expected = read_postings(reader, "text", "brief")[0]
    pid = os.fork()
    if pid == 0:  # the child reads many times while the parent does too; it never returns into pytest
        code = 1
        try:
            ok = all(np.array_equal(frequent.get("text", "brief")[0], expected) for _ in range(300))  # type: ignore[index]
            code = 0 if ok else 1
        finally:
            os._exit(code)
    ok = all(np.array_equal(frequent.get("text", "brief")[0], expected) for _ in range(300))  # type: ignore[index]
    _pid, status = os.waitpid(pid, 0)
    assert ok and os.waitstatus_to_exitcode(status) == 0


def test_arrays_of_an_earlier_layout_are_made_again(index: WhooshIndex) -> None:
    with index._searcher() as (searcher, store):
        segid = searcher.leaf_searchers()[0][0].reader().segment().segment_id()
    table = store.folder / f"{segid}.postings" / "words.json"
    store._segments.clear()
    table.write_text('{"layout": 1, "words": {}}', encoding="utf-8")
    assert index.search(SearchQuery(q='"academische raad"')).total > 0
    with index._searcher() as (searcher, store):
        seg = store.segment(searcher.leaf_searchers()[0][0].reader())
    assert seg.frequent is not None  # (no word is common enough here to be kept: the table is empty)
    assert f'"layout": {FrequentPostings.LAYOUT}' in table.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def long_index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    """Records with long descriptions (positions far beyond a mask's 63) and pages of full text (positions
    from page * PAGE_GAP)."""
    rng = random.Random(8)
    ix = WhooshIndex(tmp_path_factory.mktemp("frequent-long") / "index")
    docs = []
    for i in range(300):
        words = rng.choices(WORDS, k=rng.choice((1, 5, 70, 400)))
        pages = tuple((p, " ".join(rng.choices(WORDS, k=rng.randint(1, 90)))) for p in range(1, rng.randint(1, 4) + 1))
        docs.append(doc(f"d{i}", words[0], description=" ".join(words[1:]), pages=pages if i % 3 else ()))
    ix.rebuild(docs)
    return ix


@pytest.mark.parametrize("fieldname", ["text", "fulltext"])
def test_positions_beyond_the_masks_are_whooshs(long_index: WhooshIndex, fieldname: str, tmp_path: Path) -> None:
    """Low positions come from the masks, the others from the numbers kept beside them: together Whoosh's."""
    rng = random.Random(9)
    with long_index._searcher() as (searcher, _store):
        reader = searcher.leaf_searchers()[0][0].reader()
        frequent = FrequentPostings.build(reader, (fieldname,), tmp_path / "p", min_docs=20, positions_field=fieldname)
        largest = 0
        for word in WORDS:
            ids = read_postings(reader, fieldname, word)[0]
            one = ids[:1]
            some = np.asarray(sorted(rng.sample(range(reader.doc_count_all()), 60)))
            for wanted in (ids, one, some, ids[:0]):
                kept = frequent.positions(fieldname, word, wanted)
                assert kept is not None
                expected = read_positions(reader, fieldname, word, wanted)
                assert np.array_equal(kept[0], expected[0]) and np.array_equal(kept[1], expected[1])
                largest = max(largest, int(expected[1].max(initial=0)))
    assert largest > (3 * 32768 if fieldname == "fulltext" else 255)  # past a page gap; past one byte
    assert frequent._arrays["far_positions"].dtype == (np.uint32 if fieldname == "fulltext" else np.uint16)
    assert frequent._arrays["weights"].dtype.kind == "u"


def test_phrases_over_long_records_answer_alike_from_the_arrays(long_index: WhooshIndex, tmp_path: Path) -> None:
    with long_index._searcher() as (searcher, store):
        sub = long_index._segments(searcher, store)[0][0]
        reader = sub.reader()
        frequent = FrequentPostings.build(reader, FIELDS, tmp_path / "p", min_docs=20)
        for text in ('"academische raad"', '"brief kaart leuven"', 'tekst:"notulen reglement"'):
            q = parse(text, searcher.schema, reader)
            plain = evaluate(q, Segment(reader, sub, {}), Stats(searcher))
            arrays = evaluate(q, Segment(reader, sub, {}, frequent), Stats(searcher))
            assert plain[0].any(), text
            assert np.array_equal(plain[0], arrays[0]) and np.allclose(plain[1], arrays[1])
