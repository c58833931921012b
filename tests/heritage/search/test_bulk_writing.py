"""A segment written from arrays (`bulk_writing.ArrayWriter`) is the segment Whoosh's own writer makes of the
same records: the same terms, term statistics, posting blocks, field lengths, stored fields and columns."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema
from whoosh.writing import SegmentWriter

from heritage.search.bulk_writing import CHUNK_POSTINGS, ArrayWriter, supports
from heritage.search.schema import codec, schema
from heritage.search.whoosh_index import to_fields
from tests.heritage.search.builders import doc

WORDS = [
    "reglement",
    "brief",
    "briefwisseling",
    "rector",
    "universiteit",
    "leuven",
    "akte",
    "notulen",
    "kaart",
    "foto",
    "herbarium",
    "Règlement",
    "façade",
    "Straße",
    "Ærø",
    "þing",
    "ðæt",
    "œuvre",
    "Ĳssel",
    "größe",
    "Αθήνα",
    "Ελληνικά",
    "東京大学",
    "図書館",
    "北京",
    "ירושלים",
    "ספר",
    "القاهرة",
    "كتاب",
    "Москва",
    "книга",
    "1789",
    "12.5",
    "r.1.3",
    "a.b.c",
    "x",
]


def _text(rng: random.Random, k: int) -> str:
    return " ".join(rng.choices(WORDS, k=k))


def _records(n: int, seed: int = 5) -> list[dict[str, Any]]:
    """Records with every field kind: titles in two languages, descriptions of unknown language, people,
    subjects, linked and unlinked places, pages of full text (with empty pages), several scripts, records
    with nothing but a title, dates and none, and words common enough to fill several blocks."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        bare = i % 17 == 0
        pages = tuple((p, _text(rng, rng.randint(0, 60))) for p in range(1, rng.randint(2, 5)) if p != 2 or i % 3)
        start = rng.randint(1400, 2000)
        out.append(
            doc(
                f"r{i:05d}",
                _text(rng, rng.randint(1, 12)),
                lang=rng.choice(("nl", "en", None)),
                title_en=None if bare or rng.random() < 0.6 else _text(rng, 5),
                description="" if bare else _text(rng, rng.randint(0, 40)),
                domain=rng.choice(("archive", "library", "museum", "science")),
                collection=f"c{rng.randint(0, 9)}",
                creators=() if bare else tuple(rng.sample(("Jansen, Piet", "Müller, Jürgen", "Ó Briain"), 2)),
                subjects=() if bare else (rng.choice(("Geologie", "Ελληνικά", "brieven")),),
                places=() if bare else (("Leuven", "geo:1"), ("Sint-Truiden", None)),
                languages=("nl", "en") if i % 5 == 0 else ("nl",),
                dates=None if i % 7 == 0 else (start, start + rng.choice((0, 9, 120))),
                access=rng.choice(("public", "restricted", "closed")),
                parent="" if i % 4 else f"r{i // 4:05d}",
                position=i % 11,
                images=i % 2 == 0,
                pages=() if bare or i % 3 else pages,
            )
        )
    return out


def _build(folder: Path, writer_class: type, records: list[dict[str, Any]], **kwargs: Any) -> Any:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema())
    writer = writer_class(ix, **kwargs)
    for record in records:
        writer.add_document(**to_fields(record))
    writer.commit()
    return whoosh_index.open_dir(str(folder))


def _postings(reader: Any, fieldname: str, text: bytes) -> list[tuple[Any, ...]]:
    matcher = reader.postings(fieldname, text)
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return out


def _infos(reader: Any) -> list[tuple[Any, ...]]:
    return [
        (
            info.weight(),
            info.doc_frequency(),
            info.min_length(),
            info.max_length(),
            info.max_weight(),
            info.min_id(),
            info.max_id(),
        )
        for info in (reader.term_info(fieldname, text) for fieldname, text in reader.all_terms())
    ]


def assert_same_segment(stock: Any, ours: Any) -> None:
    with stock.reader() as a, ours.reader() as b:
        assert a.doc_count_all() == b.doc_count_all()
        assert list(a.all_terms()) == list(b.all_terms())
        assert _infos(a) == _infos(b)
        for fieldname, text in a.all_terms():
            assert _postings(a, fieldname, text) == _postings(b, fieldname, text), (fieldname, text)
        names = stock.schema.names()
        for docnum in range(a.doc_count_all()):
            assert a.stored_fields(docnum) == b.stored_fields(docnum)
            for name in names:
                assert a.doc_field_length(docnum, name) == b.doc_field_length(docnum, name)
        for name in names:
            assert a.has_column(name) == b.has_column(name)
            if a.has_column(name):
                assert list(a.column_reader(name)) == list(b.column_reader(name))
            if stock.schema[name].scorable and name in set(a.indexed_field_names()):
                assert a.field_length(name) == b.field_length(name)
                assert a.max_field_length(name) == b.max_field_length(name)
        for name in stock.schema.names():
            if name in set(a.indexed_field_names()):
                for text in list(a.lexicon(name))[:50]:
                    assert a.doc_frequency(name, text) == b.doc_frequency(name, text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    records = _records(900)
    root = tmp_path_factory.mktemp("bulk")
    return _build(root / "stock", SegmentWriter, records), _build(root / "arrays", ArrayWriter, records)


def test_every_term_posting_and_statistic_is_whooshs(built: tuple[Any, Any]) -> None:
    stock, ours = built
    with stock.reader() as reader:
        assert reader.doc_frequency("text", "brief") > 300  # several blocks of 128
        assert reader.doc_frequency("fulltext", "東京") > 0 and reader.doc_frequency("text", "ירושלים") > 0
        assert "fulltext" in set(reader.indexed_field_names())
    assert_same_segment(stock, ours)


def test_words_in_few_records_are_inlined_as_the_catalogues_codec_inlines_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the catalogue's codec (`codec.CatalogueCodec`), a word in fewer than INLINE_BELOW records keeps its
    postings in its term entry, written from the arrays exactly as the codec's own writer writes them (every
    block compressed, as Whoosh does, the terms file is byte for byte the codec's)."""
    import heritage.search.bulk_writing as bulk
    from heritage.search.codec import INLINE_BELOW

    monkeypatch.setattr(bulk, "COMPRESS_FROM", 0)

    records = _records(500, seed=7)
    stock = _build(tmp_path / "stock", SegmentWriter, records, codec=codec())
    ours = _build(tmp_path / "arrays", ArrayWriter, records, codec=codec())
    assert_same_segment(stock, ours)
    with stock.reader() as a, ours.reader() as b:
        inlined = [(f, t) for f, t in a.all_terms() if a.term_info(f, t).is_inlined()]
        assert len(inlined) > 100 and all(b.term_info(f, t).is_inlined() for f, t in inlined)
        assert all(a.doc_frequency(f, t) < INLINE_BELOW for f, t in inlined)
        assert a._terms._dbfile.get(0, _size(a._terms._dbfile)) == b._terms._dbfile.get(0, _size(b._terms._dbfile))


def test_the_postings_files_are_byte_for_byte_whooshs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every block compressed, as Whoosh's writer does, the postings and terms files are Whoosh's own."""
    import heritage.search.bulk_writing as bulk

    monkeypatch.setattr(bulk, "COMPRESS_FROM", 0)
    records = _records(400, seed=3)
    stock, ours = _build(tmp_path / "stock", SegmentWriter, records), _build(tmp_path / "arrays", ArrayWriter, records)
    with stock.reader() as a, ours.reader() as b:
        for file_a, file_b in ((a._terms._postfile, b._terms._postfile), (a._terms._dbfile, b._terms._dbfile)):
            size = _size(file_a)
            assert size > 10_000 and _size(file_b) == size
            assert file_a.get(0, size) == file_b.get(0, size)


def test_small_blocks_are_stored_uncompressed(built: tuple[Any, Any]) -> None:
    """Whoosh reads a block by the compression its header names; the small ones are not worth zlib's set-up."""
    stock, ours = built
    with stock.reader() as a, ours.reader() as b:
        stored = {}
        for name, reader in (("stock", a), ("ours", b)):
            matcher = reader.postings("id", b"r00001")
            stored[name] = matcher._compression
            stored[f"{name} size"] = _size(reader._terms._postfile)
        matcher = b.postings("text", b"brief")
        assert matcher._compression == 3  # a full block of 128 postings is compressed
    assert stored["stock"] == 3 and stored["ours"] == 0
    assert stored["ours size"] < stored["stock size"] * 1.1, stored


def _size(structfile: Any) -> int:
    structfile.seek(0, 2)
    return structfile.tell()


def test_terms_spread_over_several_chunks_are_written_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import heritage.search.bulk_writing as bulk

    monkeypatch.setattr(bulk, "CHUNK_POSTINGS", 50)  # every few terms a new chunk, a common word alone in one
    assert bulk.CHUNK_POSTINGS < CHUNK_POSTINGS
    records = _records(300, seed=9)
    assert_same_segment(
        _build(tmp_path / "stock", SegmentWriter, records), _build(tmp_path / "arrays", ArrayWriter, records)
    )


def test_a_schema_with_spelling_words_keeps_whooshs_writer(tmp_path: Path) -> None:
    from whoosh.analysis import StemmingAnalyzer

    assert supports(schema())
    spelled = Schema(id=ID(stored=True), body=TEXT(analyzer=StemmingAnalyzer(), spelling=True))
    assert not supports(spelled)
    ix = whoosh_index.create_in(str(tmp_path), spelled)
    with pytest.raises(ValueError, match="spellings"):
        ArrayWriter(ix)
    ix.writer().commit()  # the lock was let go


def _by_record(ix: Any) -> dict[tuple[str, bytes], dict[str, tuple[Any, ...]]]:
    """Every posting of an index of one or more segments, keyed by term and then by the record's id."""
    out: dict[tuple[str, bytes], dict[str, tuple[Any, ...]]] = {}
    with ix.searcher() as searcher:
        for sub, _offset in searcher.leaf_searchers():
            reader = sub.reader()
            ids = [reader.stored_fields(d)["id"] for d in range(reader.doc_count_all())]
            for fieldname, text in reader.all_terms():
                postings = out.setdefault((fieldname, text), {})
                for docnum, weight, value in _postings(reader, fieldname, text):
                    lengths = reader.doc_field_length(docnum, fieldname)
                    postings[ids[docnum]] = (weight, value, lengths)
    return out


def test_a_rebuild_in_two_processes_holds_whooshs_postings(tmp_path: Path) -> None:
    """Two processes write a segment each, and have its search arrays ready before the swap."""
    from heritage.search.whoosh_index import WhooshIndex

    records = _records(700, seed=11)
    index = WhooshIndex(tmp_path / "index")
    assert index.rebuild(iter(records), procs=2) == 700
    ours = whoosh_index.open_dir(str(index.current_dir()))
    assert len(ours._segments()) == 2
    facets = index.current_dir() / "facets"
    for segment in ours._segments():
        assert (facets / f"{segment.segment_id()}.npz").exists()
        assert (facets / f"{segment.segment_id()}.postings" / "words.json").exists()
    stock = _build(tmp_path / "stock", SegmentWriter, records, codec=codec())  # the rebuild's codec: inlining
    assert _by_record(ours) == _by_record(stock)
    with ours.searcher() as a, stock.searcher() as b:
        for name in stock.schema.names():
            if stock.schema[name].scorable and name in set(b.reader().indexed_field_names()):
                assert a.field_length(name) == b.field_length(name)


def test_a_process_holding_too_many_postings_writes_another_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import heritage.search.bulk_writing as bulk
    from heritage.search.whoosh_index import WhooshIndex

    monkeypatch.setattr(bulk, "MAX_SEGMENT_POSTINGS", 20_000)  # the processes are forked: they see it too
    records = _records(500, seed=12)
    index = WhooshIndex(tmp_path / "index")
    index.rebuild(iter(records), procs=2)
    ours = whoosh_index.open_dir(str(index.current_dir()))
    assert len(ours._segments()) > 2 and all(s.doc_count_all() for s in ours._segments())
    assert _by_record(ours) == _by_record(_build(tmp_path / "stock", SegmentWriter, records, codec=codec()))


def _fail_in_a_process(storage: Any, schema: Any, segment: Any) -> None:
    raise RuntimeError("disk full")


def test_a_process_that_fails_fails_the_rebuild(tmp_path: Path) -> None:
    from heritage.search.bulk_writing import ArrayMpWriter

    ix = whoosh_index.create_in(str(tmp_path), schema())
    writer = ArrayMpWriter(ix, 2, after=_fail_in_a_process)
    for record in _records(300):
        writer.add_document(**to_fields(record))
    with pytest.raises(Exception, match="exit code 1"):
        writer.commit()
    assert whoosh_index.open_dir(str(tmp_path)).doc_count_all() == 0
