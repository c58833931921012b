"""Any text in the search box is read or refused with our named error: never another exception, from the
parser or from the search behind it (operators, brackets, quotes, fields and symbols in any order). The
rules of `query_syntax` decide which: the API's document gives them as the pattern of `q`, so a query they
keep must be one the search reads, and one they break must be refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage.errors import BadRequest
from heritage.search import SearchQuery
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
def test_a_query_is_read_exactly_when_it_keeps_the_rules(index: WhooshIndex, q: str) -> None:
    broken = broken_rule(q)
    assert (broken is None and "\x00" not in q) == (re.search(PATTERN, q) is not None)  # the document says the same
    try:
        result = index.search(SearchQuery(q=q, access=("public",)))
    except BadRequest as exc:
        assert broken is not None, (q, str(exc))  # refused only for a rule the document states
        assert str(exc)
    else:
        assert broken is None and result.total >= 0, q


def test_the_word_limit_is_the_rules_and_the_parsers_alike(index: WhooshIndex) -> None:
    most = " ".join(["reglement"] * MAX_WORDS)
    assert broken_rule(most) is None and index.search(SearchQuery(q=most)).total == 1
    with pytest.raises(BadRequest, match=f"more than {MAX_WORDS} words"):
        index.search(SearchQuery(q=f"{most} raad"))
    with pytest.raises(BadRequest, match="more than 8 deep"):
        index.search(SearchQuery(q="(" * 9 + "raad" + ")" * 9))
    assert index.search(SearchQuery(q="(" * 8 + "raad" + ")" * 8)).total == 1
