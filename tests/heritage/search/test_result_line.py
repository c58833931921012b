"""A result line is stored without what the columns give back, and every search shows it as it was."""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from heritage.search import SearchQuery, result_line
from heritage.search.whoosh_index import WhooshIndex, to_fields
from tests.heritage.search.builders import doc


def _docs() -> list[dict[str, Any]]:
    plain = doc("a1", "Brief aan de rector", description="over de raad", dates=(1850, 1851), images=True)
    undated = doc("a2", "Brief zonder datum", parent="a1", unit="", access="restricted")
    odd = doc("a3", "Brief met twee eenheden", pages=((1, "de brief zelf"),), dates=(1700, 1790))
    odd["facets"]["unit"] = ["b-unit", "a-unit"]  # two values: the line's "b-unit" is not the first one
    odd["display"]["unit"] = "b-unit"
    odd["display"]["level"] = "dossier"  # a line may differ from its facet: it stays stored
    odd["display"]["extra"] = {"note": "a key the stored order does not name"}
    return [plain, undated, odd]


@pytest.mark.parametrize("index_at", [0, 1, 2])
def test_a_packed_line_unpacks_as_it_was(index_at: int) -> None:
    d = _docs()[index_at]
    fields = to_fields(d)

    def values(name: str) -> list[str]:
        return sorted(v for v in str(fields.get(name) or "").split("\x1f") if v)

    def number(name: str) -> int:
        return int(fields[name])

    packed = fields["stored"]
    unpacked = result_line.unpack(packed, values, number)
    assert unpacked == d["display"] and list(unpacked) == list(d["display"])  # the same keys in the same order


def test_the_stored_line_is_smaller() -> None:
    d = _docs()[0]
    packed = to_fields(d)["stored"]
    assert "domain" not in repr(packed) and "archive" not in repr(packed)  # neither the key nor its value
    before = len(zlib.compress(pickle.dumps(d["display"], 2), 3))
    assert len(zlib.compress(pickle.dumps(packed, 2), 3)) < 0.75 * before


def test_search_results_show_the_lines_as_indexed(tmp_path: Path) -> None:
    docs = _docs()
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild(docs[:2])
    ix.update(docs[2:])  # a second segment: documents numbered from its offset
    found = {h["id"]: h for h in ix.search(SearchQuery(q="brief")).hits}
    for d in docs:
        line = {k: v for k, v in found[d["id"]].items() if k not in ("id", "score", "snippet", "text_hits")}
        assert line == d["display"]


def test_an_index_storing_the_mappings_reads_as_before(tmp_path: Path) -> None:
    """An index written before stores each line as a mapping: read as it is."""
    docs = _docs()
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild([])
    writer = whoosh_index.open_dir(str(ix.current_dir())).writer(codec=W3Codec())
    for d in docs:
        writer.add_document(**{**to_fields(d), "stored": d["display"]})
    writer.commit()
    found = {h["id"]: h for h in ix.search(SearchQuery(q="brief")).hits}
    assert all(found[d["id"]]["unit"] == d["display"]["unit"] for d in docs)
    assert found["a3"]["extra"] == {"note": "a key the stored order does not name"}
