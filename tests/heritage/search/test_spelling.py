"""Did-you-mean: the numpy edit distance finds exactly the terms a plain Levenshtein finds, and a suggestion
comes only from what the asker may find (its words, their order, and what the corrected query finds)."""

from __future__ import annotations

import random

import pytest

from heritage.search import SearchQuery
from heritage.search.spelling import Lexicon
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

LETTERS = "abdeklnorstuvé"


def levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Lexicon:
    rng = random.Random(6)
    words = ["".join(rng.choices(LETTERS, k=rng.randint(1, 9))) for _ in range(600)]
    index = WhooshIndex(tmp_path_factory.mktemp("spelling") / "index")
    index.rebuild([doc(f"d{i}", " ".join(words[i * 6 : i * 6 + 6])) for i in range(100)])
    with index._searcher() as (searcher, _store):
        return Lexicon([sub.reader() for sub, _offset in searcher.leaf_searchers()], "text")


@pytest.mark.parametrize("word", ["a", "reglement", "kloster", "énorme", "tvsdlk", "abdeklnorstu", "xx"])
@pytest.mark.parametrize("prefix", [0, 1])
def test_terms_within_two_edits(lexicon: Lexicon, word: str, prefix: int) -> None:
    expected = {t for t in lexicon.terms if t != word and levenshtein(word, t) <= 2 and t[:prefix] == word[:prefix]}
    assert {t for t, _freq in lexicon.within(word, 2, prefix)} == expected


def test_a_misspelt_word_finds_the_word(lexicon: Lexicon) -> None:
    word = max(lexicon.terms, key=len)
    assert word in {t for t, _freq in lexicon.within(word[:-1] + "q", 1)}


PUBLIC = ("public", "restricted")


@pytest.fixture
def open_and_closed(tmp_path) -> WhooshIndex:  # type: ignore[no-untyped-def]
    """`apothekerspot` only in closed items (five of them); `apothekerspet` in two public ones."""
    index = WhooshIndex(tmp_path / "index")
    closed = [doc(f"c{n}", "Apothekerspot geheim", access="closed") for n in range(5)]
    index.rebuild([*closed, doc("p1", "Apothekerspet open"), doc("p2", "Apothekerspet ook open")])
    return index


def test_a_word_only_closed_items_hold_is_never_suggested_to_the_public(open_and_closed: WhooshIndex) -> None:
    index = open_and_closed
    assert index.search(SearchQuery(q="apothekersplt", access=None)).suggestion == "apothekerspot"  # staff: 6 > 2
    public = index.search(SearchQuery(q="apothekersplt", access=PUBLIC))
    assert public.total == 0 and public.suggestion == "apothekerspet"  # the order counts visible items only
    typed_right = index.search(SearchQuery(q="apothekerspot", access=PUBLIC))  # as if nobody had written it
    assert typed_right.total == 0 and typed_right.suggestion == "apothekerspet"


def test_a_suggestion_is_offered_only_when_it_finds_something(open_and_closed: WhooshIndex) -> None:
    index = open_and_closed
    index.update([doc("p3", "Zeepziederij")])
    assert index.search(SearchQuery(q="zeepzederij", access=PUBLIC)).suggestion == "zeepziederij"
    # each word has a visible correction, but no visible item holds both
    assert index.search(SearchQuery(q="zeepzederij apothekerspt", access=PUBLIC)).suggestion is None
    assert index.search(SearchQuery(q="zeepzederij", access=PUBLIC, filters={"level": ["fonds"]})).suggestion is None


def test_a_deleted_item_leaves_no_suggestion(open_and_closed: WhooshIndex) -> None:
    index = open_and_closed
    index.delete(["p1", "p2"])
    assert index.search(SearchQuery(q="apothekersplt", access=PUBLIC)).suggestion is None
    staff_unit = SearchQuery(q="apothekersplt", access=PUBLIC, units=("central-archive",))
    assert index.search(staff_unit).suggestion == "apothekerspot"  # staff of the unit see its closed items


def test_an_empty_index_warms_and_answers_a_misspelling(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A new catalogue: the server's warm-up (and did-you-mean) met a reader of no segment and crashed."""
    index = WhooshIndex(tmp_path / "index")
    index.clear()
    index.warm()
    result = index.search(SearchQuery(q="reglemnt"))
    assert result.total == 0
