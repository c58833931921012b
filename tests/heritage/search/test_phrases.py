"""Phrases checked on position arrays find exactly the documents Whoosh's own span matcher finds."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from whoosh import query as wq

from heritage.search import SearchQuery
from heritage.search.evaluate import Segment, Stats, evaluate
from heritage.search.facet_store import FrequentPostings
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

LENGTHS = [(60, 160), (2, 40), (2, 40)]
WORDS = ["de", "raad", "brief", "academische", "van", "het", "leuven", "notulen"]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    rng = random.Random(6)
    docs = [
        # every third record long: its words also lie past position 63, beyond the bits kept per document
        doc(f"d{i}", " ".join(rng.choices(WORDS, weights=range(len(WORDS), 0, -1), k=rng.randint(*LENGTHS[i % 3]))))
        for i in range(1500)
    ]
    ix = WhooshIndex(tmp_path_factory.mktemp("phrases") / "index")
    ix.rebuild(docs[:700])
    ix.update(docs[700:])  # a second segment
    ix.delete(["d3", "d800"])
    return ix


def _phrases() -> list[tuple[list[str], int]]:
    rng = random.Random(60)
    out = [(["de", "de"], 1), (["raad", "raad", "raad"], 1), (["de", "raad"], 3), (["niets", "de"], 1)]
    out += [(rng.choices(WORDS, k=rng.randint(2, 4)), rng.choice((1, 1, 1, 2, 3))) for _ in range(60)]
    return out


@pytest.mark.parametrize("kept", [False, True], ids=["whoosh-blocks", "position-arrays"])
@pytest.mark.parametrize(("words", "slop"), _phrases())
def test_a_phrase_matches_the_documents_whoosh_matches(
    index: WhooshIndex, words: list[str], slop: int, kept: bool, tmp_path: Path
) -> None:
    """Positions read from Whoosh's blocks, and from the arrays kept for common words, give Whoosh's answer."""
    phrase = wq.Phrase("text", words, slop=slop)
    with index._searcher() as (searcher, store):
        stats = Stats(searcher)
        segments = index._segments(searcher, store)
        assert len(segments) >= 2
        found: set[int] = set()
        for n, (sub, offset, seg) in enumerate(segments):
            reader = sub.reader()
            frequent = FrequentPostings.build(reader, ("text",), tmp_path / f"{n}.npz", min_docs=30) if kept else None
            mask, _scores = evaluate(phrase, Segment(reader, sub, seg.lengths, frequent), stats)
            live = np.flatnonzero(mask).tolist()
            found |= {d + offset for d in live if not reader.is_deleted(d)}
        expected = set(phrase.docs(searcher))
    assert found == expected


def test_the_catalogue_has_phrases_to_find(index: WhooshIndex) -> None:
    with index._searcher() as (searcher, _store):
        assert len(set(wq.Phrase("text", ["de", "raad"]).docs(searcher))) > 20


@pytest.mark.parametrize("words", [["de", "raad"], ["brief", "van", "het"], ["leuven", "leuven"]])
def test_a_phrase_in_the_search_box_finds_it_in_every_segment(index: WhooshIndex, words: list[str]) -> None:
    with index._searcher() as (searcher, _store):
        expected = {searcher.stored_fields(d)["id"] for d in wq.Phrase("text", words).docs(searcher)}
    result = index.search(SearchQuery(q='"' + " ".join(words) + '"', per_page=100))
    assert result.total == len(expected)
    assert {hit["id"] for hit in result.hits} <= expected
