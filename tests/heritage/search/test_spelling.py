"""Did-you-mean: the numpy edit distance finds exactly the terms a plain Levenshtein finds."""

from __future__ import annotations

import random

import pytest

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
