"""Any text in the search box is read or refused with our named error: never another exception, from the
parser or from the search behind it (operators, brackets, quotes, fields and symbols in any order)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from heritage.errors import BadRequest
from heritage.search import SearchQuery
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

PIECES = ["NOT", "NIET", "OR", "OF", "AND", "EN", "ANDNOT", "ANDMAYBE", "TO", "reglement", "raad", "de", "x"]
PIECES += ["(", ")", '"', "*", "~", "~2", "^2", "title:", "titel:", "text:", "[a TO z]", "{", "}", "\\", "+", "-"]
PIECES += [":", "'", "regl*", "raad~", "/", "NOT(", ")NOT", "\u00e9", "\x00"]
queries = st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "  "])), min_size=1, max_size=8).map(
    lambda parts: "".join(piece + gap for piece, gap in parts)
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    ix = WhooshIndex(Path(tmp_path_factory.mktemp("property")) / "index")
    ix.rebuild([doc("r1", "Reglement voor de studenten"), doc("r2", "Notulen van de Academische Raad")])
    return ix


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(q=st.one_of(queries, st.text(max_size=40)))
def test_any_query_is_answered_or_refused_with_a_reason(index: WhooshIndex, q: str) -> None:
    try:
        result = index.search(SearchQuery(q=q, access=("public",)))
    except BadRequest as exc:
        assert str(exc)
    else:
        assert result.total >= 0
