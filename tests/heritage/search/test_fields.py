"""The fast field types index exactly what Whoosh's stock TEXT and KEYWORD fields index."""

from __future__ import annotations

import pytest
from whoosh.fields import KEYWORD, TEXT

from heritage.search.analyzers import MULTI_SEPARATOR, folded, identifier, keywords, stemmed
from heritage.search.fields import FastKeyword, FastText

TEXTS = [
    "Règlement organique de l'Université catholique de Louvain, 1834.",
    "Reglement voor de studenten van de Universiteit; reglementen der hallen\nen de studenten",
    "Regulations for the students and the students' hall (U.S.A. edition), p. 3.14 — ÉGLISE Saint-Pierre",
    "BE-KUL-UA-R.1.3 bc-ves-1543 a b c a a",
    "",
    "   ",
    "één twee één Ærø straße 1543-1564 de de de",
]
ANALYZERS = {"folded": folded, "nl": lambda: stemmed("nl"), "en": lambda: stemmed("en"), "identifier": identifier}


def _index(field: object, value: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted(field.index(value))  # type: ignore[attr-defined]


@pytest.mark.parametrize("phrase", [True, False])
@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_fast_text_indexes_the_same_terms_frequencies_and_positions(name: str, phrase: bool) -> None:
    stock = TEXT(analyzer=ANALYZERS[name](), phrase=phrase)
    fast = FastText(analyzer=ANALYZERS[name](), phrase=phrase)
    for text in TEXTS:
        assert _index(fast, text) == _index(stock, text), text
        assert _index(fast, text) == _index(stock, text), text  # from the word cache this time


def test_fast_keyword_indexes_the_same_values() -> None:
    stock = KEYWORD(analyzer=keywords(), scorable=True)
    fast = FastKeyword(analyzer=keywords(), scorable=True)
    for value in ["archive", MULTI_SEPARATOR.join(["1800", "1810", "1800"]), f"a b{MULTI_SEPARATOR}{MULTI_SEPARATOR}c"]:
        assert _index(fast, value) == _index(stock, value)


def test_the_word_cache_is_not_pickled_into_the_index_schema() -> None:
    import pickle

    field = FastText(analyzer=folded())
    field.index("een woord")
    assert "_terms" in field.__dict__
    assert "_terms" not in pickle.loads(pickle.dumps(field)).__dict__
