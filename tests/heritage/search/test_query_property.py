"""Any text in the search box is searched: never an exception, from the parser or from the search behind it
(operators, brackets, quotes, fields and symbols in any order). The rules of `query_syntax` decide how: a
query that keeps them is read with its syntax, any other as its plain words (`query.plain_words`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage.search import SearchQuery
from heritage.search.query import plain_words
from heritage.search.query_syntax import MAX_WORDS, PATTERN, broken_rule
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

PIECES = ["NOT", "NIET", "OR", "OF", "AND", "EN", "ANDNOT", "ANDMAYBE", "TO", "reglement", "raad", "de", "x"]
PIECES += ["(", ")", '"', "*", "~", "~2", "^2", "title:", "titel:", "text:", "[a TO z]", "{", "}", "\\", "+", "-"]
PIECES += [":", "'", "regl*", "raad~", "/", "NOT(", ")NOT", "NOT:", "x:NOT", "OR:", "a.b", "\u00e9", "\n", "\x00"]
queries = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "  ", "\t"])), min_size=1, max_size=10
).map(lambda parts: "".join(piece + gap for piece, gap in parts))


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    ix = WhooshIndex(Path(tmp_path_factory.mktemp("property")) / "index")
    ix.rebuild([doc("r1", "Reglement voor de studenten"), doc("r2", "Notulen van de Academische Raad")])
    return ix


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(q=st.one_of(queries, st.text(max_size=40)))
def test_any_query_is_searched_with_its_syntax_or_as_plain_words(index: WhooshIndex, q: str) -> None:
    broken = broken_rule(q)
    assert (broken is None and "\x00" not in q) == (re.search(PATTERN, q) is not None)  # the rules, as one pattern
    result = index.search(SearchQuery(q=q, access=("public",)))
    assert result.total >= 0, q
    if broken is not None:  # read as its plain words: it finds what they find
        words = plain_words(q)
        expected = index.search(SearchQuery(q=words, access=("public",))).total if words.strip() else 0
        assert result.total == expected, q


def test_the_word_limit_and_the_depth_limit_read_the_first_words(index: WhooshIndex) -> None:
    most = " ".join(["reglement"] * MAX_WORDS)
    assert broken_rule(most) is None and index.search(SearchQuery(q=most)).total == 1
    assert broken_rule(f"{most} raad") is not None
    assert index.search(SearchQuery(q=f"{most} raad")).total == 1  # the first 64 words are searched
    assert index.search(SearchQuery(q="(" * 9 + "raad" + ")" * 9)).total == 1
    assert index.search(SearchQuery(q="(" * 8 + "raad" + ")" * 8)).total == 1
