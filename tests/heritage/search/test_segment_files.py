"""A compound segment's files are read through its memory map, never copied whole into each searcher."""

from __future__ import annotations

import io
import pickle
import random
import tracemalloc
from pathlib import Path

import pytest
from whoosh.filedb.structfile import BufferFile

from heritage.search import SearchQuery
from heritage.search.whoosh_index import WhooshIndex
from heritage.search.whoosh_speedups import ViewFile
from tests.heritage.search.builders import doc


def test_a_view_file_reads_as_bytesio_does() -> None:
    rng = random.Random(3)
    data = pickle.dumps([rng.random() for _ in range(50)], 2) + b"line one\nline two\n" + bytes(range(256)) * 8
    ours, theirs = ViewFile(memoryview(data)), io.BytesIO(data)
    for _ in range(400):
        op = rng.choice(("read", "seek", "readline", "tell", "readinto"))
        if op == "read":
            size = rng.choice((-1, 0, 1, 7, 100, 5000))
            assert ours.read(size) == theirs.read(size)
        elif op == "seek":
            where, whence = rng.randint(0, len(data) + 10), rng.choice((0, 1, 2))
            where = -rng.randint(0, len(data)) if whence == 2 else where
            where = min(where, 10) if whence == 1 else where
            assert ours.seek(where, whence) == theirs.seek(where, whence)
        elif op == "readline":
            assert ours.readline() == theirs.readline()
        elif op == "readinto":
            a = bytearray(rng.randint(0, 64))
            b = bytearray(len(a))
            assert ours.readinto(a) == theirs.readinto(b) and a == b
        assert ours.tell() == theirs.tell()
    ours.seek(0)
    assert pickle.load(ours) == pickle.loads(data)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    rng = random.Random(8)
    words = [f"w{i}" for i in range(3000)]
    ix = WhooshIndex(tmp_path_factory.mktemp("compound") / "index")
    ix.rebuild(
        doc(f"d{i}", " ".join(rng.choices(words, k=60)), description=" ".join(rng.choices(words, k=80)))
        for i in range(4000)
    )
    return ix


def test_the_index_is_one_compound_segment(index: WhooshIndex) -> None:
    assert len(list(index.current_dir().glob("*.seg"))) == 1


def test_opening_searchers_copies_no_segment(index: WhooshIndex) -> None:
    """Four searchers (a worker's threads) over a segment of several megabytes cost kilobytes each."""
    segment = next(index.current_dir().glob("*.seg")).stat().st_size
    assert segment > 4 * 2**20
    ix = index._index()
    tracemalloc.start()
    try:
        searchers = [ix.searcher() for _ in range(4)]
        for s in searchers:
            assert s.doc_count() == 4000
            assert isinstance(s.reader()._terms._postfile.file, ViewFile)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    for s in searchers:
        s.close()
    assert peak < segment / 4, f"{peak:,} bytes allocated opening 4 searchers over a {segment:,}-byte segment"


def test_searches_read_the_mapped_files(index: WhooshIndex) -> None:
    result = index.search(SearchQuery(q="w1 w2"))
    assert result.total > 0 and result.hits
    assert isinstance(BufferFile(b"abc").file, ViewFile)


def test_a_buffer_file_subset_reads_its_bytes(tmp_path: Path) -> None:
    whole = BufferFile(bytes(range(100)))
    part = whole.subset(10, 20)
    assert part.read(5) == bytes(range(10, 15)) and part.get(0, 3) == bytes(range(10, 13))
