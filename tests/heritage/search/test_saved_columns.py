"""The facet columns saved beside a segment, in their narrow layout, load as the columns read from it."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from heritage.search import SearchQuery
from heritage.search.facet_store import _load, _save, read_segment
from heritage.search.schema import SEARCHED_FIELDS
from heritage.search.whoosh_index import KEYWORD_FIELDS, NUMBER_FIELDS, WhooshIndex
from tests.heritage.search.builders import doc

SUBJECTS = [f"onderwerp {i}" for i in range(300)]  # more values than one byte numbers


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    rng = random.Random(4)
    ix = WhooshIndex(tmp_path_factory.mktemp("columns") / "index")
    ix.rebuild(
        doc(
            f"d{i}",
            f"stuk {i}",
            subjects=tuple({SUBJECTS[i % 300]: 1, **dict.fromkeys(rng.sample(SUBJECTS, rng.choice((0, 0, 2))), 1)})
            if i % 7
            else (),
            dates=(rng.randint(1400, 2000), 2020) if i % 5 else None,
            position=i * 1000,
        )
        for i in range(400)
    )
    return ix


def test_saved_columns_load_as_read(index: WhooshIndex, tmp_path: Path) -> None:
    with index._searcher() as (searcher, _store):
        reader = searcher.leaf_searchers()[0][0].reader()
        read = read_segment(reader, KEYWORD_FIELDS, NUMBER_FIELDS, SEARCHED_FIELDS)
        _save(tmp_path / "s.npz", read)
        loaded = _load(tmp_path / "s.npz", reader, KEYWORD_FIELDS, NUMBER_FIELDS, SEARCHED_FIELDS)
    assert loaded is not None and loaded.n == read.n == 400
    for name, column in read.columns.items():
        other = loaded.columns[name]
        assert other.vocab == column.vocab, name
        for part in ("offsets", "ords", "docs", "full"):
            assert np.array_equal(getattr(other, part), getattr(column, part)), (name, part)
    assert len(read.columns["subject"].vocab) > 255  # ordinals past one byte
    for name in NUMBER_FIELDS:
        assert np.array_equal(loaded.numbers[name], read.numbers[name]), name
    assert np.array_equal(loaded.title_rank, read.title_rank)
    assert all(np.array_equal(loaded.lengths[f], read.lengths[f]) for f in read.lengths if read.lengths[f] is not None)


def test_the_file_holds_narrow_arrays_only(index: WhooshIndex, tmp_path: Path) -> None:
    with index._searcher() as (searcher, _store):
        reader = searcher.leaf_searchers()[0][0].reader()
        _save(tmp_path / "s.npz", read_segment(reader, KEYWORD_FIELDS, NUMBER_FIELDS, SEARCHED_FIELDS))
    with np.load(tmp_path / "s.npz", allow_pickle=True) as data:
        assert data["k.subject.ords"].dtype == np.uint16 and data["k.domain.ords"].dtype == np.uint8
        assert data["k.subject.counts"].dtype == np.uint8 and data["title_rank"].dtype == np.uint16
        assert not [key for key in data.files if key.startswith(("n.", "l.")) or key.endswith((".docs", ".offsets"))]


def test_columns_saved_in_the_earlier_layout_are_read_again(index: WhooshIndex) -> None:
    """The earlier layout (no layout number; documents, offsets, numbers and lengths saved whole) is not
    misread: the segment's columns are read again from Whoosh and saved anew."""
    query = SearchQuery(q="stuk", facet_limit=400, sort="-date", year_from=1500, year_to=1800)
    expected = index.search(query)
    with index._searcher() as (searcher, store):
        segid = searcher.leaf_searchers()[0][0].reader().segment().segment_id()
    path = store.folder / f"{segid}.npz"
    offsets = np.arange(401, dtype=np.int64)
    np.savez(
        path,
        n=np.asarray([400]),
        title_rank=np.zeros(400, dtype=np.int32),
        **{
            f"k.{name}.{part}": value
            for name in KEYWORD_FIELDS
            for part, value in (
                ("vocab", np.asarray(["x"], dtype=object)),
                ("offsets", offsets),
                ("ords", np.zeros(400, dtype=np.int32)),
                ("docs", np.arange(400, dtype=np.int32)),
                ("full", np.asarray([400])),
            )
        },
    )
    fresh = WhooshIndex(index.path)  # a server started on the old files
    found = fresh.search(query)
    assert found.facets == expected.facets and len(found.facets["subject"]) > 100
    assert [h["id"] for h in found.hits] == [h["id"] for h in expected.hits] and found.total == expected.total
    with np.load(path, allow_pickle=True) as data:
        assert "layout" in data.files


def test_an_update_leaves_no_arrays_to_be_made_by_the_next_search(tmp_path: Path) -> None:
    """The segment a save writes (and one Whoosh merges small ones into) gets its columns and common-word arrays
    from the writer: the next search, in any process, only loads them."""
    from whoosh import index as whoosh_index

    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild(doc(f"d{i}", f"brief {i}", subjects=("brieven",)) for i in range(300))
    for i in range(12):  # enough small commits for Whoosh to merge some
        ix.update([doc(f"d{i}", f"brief bewerkt {i}", subjects=("brieven",))])
        ix.delete([f"d{200 + i}"])
    folder = ix.current_dir()
    segments = whoosh_index.open_dir(str(folder))._segments()
    assert len(segments) > 1
    fresh = WhooshIndex(tmp_path / "index")._new_store(folder)  # as another process sees the folder
    for segment in segments:
        assert fresh.saved(segment.segment_id()), segment.segment_id()
    result = WhooshIndex(tmp_path / "index").search(SearchQuery(q="bewerkt"))
    assert result.total == 12
