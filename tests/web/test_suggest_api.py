"""GET /api/suggest on the demo catalogue: its JSON shape, kinds, narrowing, limits, and hostile input (a 200
with no suggestions or a 400 with a message, never a 500). Who may see what is the leak matrix's part."""

from __future__ import annotations

from typing import Any

import pytest

from heritage.search.suggest import KINDS, MAX_LIMIT


def _ask(client: Any, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/suggest", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"suggestions"}
    for s in body["suggestions"]:
        assert set(s) == {"text", "kind", "count"} and s["kind"] in KINDS and s["count"] >= 1
    return body["suggestions"]


def test_names_places_subjects_and_title_words_complete_the_last_word(demo_client: Any) -> None:
    found = _ask(demo_client, q="leu")
    assert found[0] == {"text": "Leuven", "kind": "place", "count": found[0]["count"]}
    counts = [s["count"] for s in found]
    assert counts == sorted(counts, reverse=True)
    assert {s["kind"] for s in found} >= {"place", "name"}
    vesalius = {(s["text"], s["kind"]) for s in _ask(demo_client, q="VÉSAL")}  # case and accents do not matter
    assert ("Andreas Vesalius", "name") in vesalius and ("vesalius", "title") in vesalius
    # a count is the number of records the search for it finds
    place = found[0]
    total = demo_client.get("/api/items", query_string={"place": place["text"], "per_page": 1}).get_json()["total"]
    assert place["count"] == total


def test_earlier_words_narrow_and_stay_in_the_box(demo_client: Any) -> None:
    jan = _ask(demo_client, q="jan pee")
    assert ("Jan Peeters", "name") in {(s["text"], s["kind"]) for s in jan}  # the name holds the earlier word
    alone = {s["text"]: s["count"] for s in _ask(demo_client, q="leu", limit=20)}
    narrowed = _ask(demo_client, q="kessel leu", limit=20)
    assert narrowed and all(s["text"].lower().startswith("kessel") or "kessel" in s["text"].lower() for s in narrowed)
    for s in narrowed:  # never more than without the narrowing word
        plain = s["text"].removeprefix("kessel ")
        assert s["count"] <= alone.get(plain, s["count"])


def test_limits_and_short_queries(demo_client: Any) -> None:
    assert _ask(demo_client, q="l") == [] and _ask(demo_client, q="") == [] and _ask(demo_client) == []
    assert len(_ask(demo_client, q="de", limit=3)) <= 3
    assert len(_ask(demo_client, q="de")) <= 8
    for bad in ("0", str(MAX_LIMIT + 1), "x", "-1"):
        response = demo_client.get("/api/suggest", query_string={"q": "leu", "limit": bad})
        assert response.status_code == 400 and "limit" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "q",
    [
        '"leu',
        "(leu",
        "leu)",
        "AND",
        "OR leu",
        "*",
        "le*",
        "title:leu",
        "~~",
        "\u200b\u200b",
        "ﷺﷺ",
        "𝕷𝖊𝖚",
        "%00",
        "' OR 1=1",
    ],
)
def test_hostile_input_answers_200(demo_client: Any, q: str) -> None:
    _ask(demo_client, q=q)


def test_refused_with_a_message(demo_client: Any) -> None:
    for params in ({"q": "a" * 201}, {"q": "le\x00u"}, {"q": "leu", "sort": "x"}, {"q": ["le", "leu"]}):
        response = demo_client.get("/api/suggest", query_string=params)
        assert response.status_code == 400, params
        assert response.get_json()["error"]["message"]


@pytest.mark.slow
def test_the_operation_keeps_its_openapi_document(demo_app: Any) -> None:
    """Schemathesis' generated requests (the whole suite fuzzes every operation; this one alone is quick)."""
    import schemathesis

    from tests.web.test_api_openapi import conforms

    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", demo_app)["/api/suggest"]["GET"]
    conforms(operation)()
