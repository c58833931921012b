"""Suggestions as one types, against counts made by hand: over two segments, for the public and for staff,
with narrowing words, after a deletion; a word or name only closed items hold is never offered to the public."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from heritage.errors import BadRequest
from heritage.search import SearchQuery
from heritage.search.suggest import suggest
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

PUBLIC = SearchQuery(access=("public", "restricted"))
STAFF = SearchQuery(access=None)
WORDS = ["kaart", "kapel", "kasteel", "kerk", "kever", "klooster", "brief", "briefwisseling", "boek", "akte"]
NAMES = ["Jan Peeters", "Pieter Kerckhove", "Anna Kaas", "Karel Broeck"]
PLACES = ["Leuven", "Kessel-Lo", "Brugge"]


def _docs(rng: random.Random, start: int, n: int) -> list[dict]:  # type: ignore[type-arg]
    out = []
    for i in range(start, start + n):
        out.append(
            doc(
                f"d{i}",
                " ".join(rng.choices(WORDS, k=rng.randint(1, 4))).capitalize(),
                creators=tuple(rng.sample(NAMES, rng.randint(0, 2))),
                places=tuple((p, None) for p in rng.sample(PLACES, rng.randint(0, 1))),
                access=rng.choice(("public", "public", "restricted", "closed")),
            )
        )
    return out


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> tuple[WhooshIndex, list[dict]]:  # type: ignore[type-arg]
    rng = random.Random(18)
    docs = _docs(rng, 0, 120) + _docs(rng, 120, 80)
    docs.append(doc("secret", "Kattenkwaad geheim", creators=("Karel Kwast",), access="closed"))
    index = WhooshIndex(tmp_path_factory.mktemp("suggest") / "index")
    index.update(docs[:120])  # two commits: two segments
    index.update(docs[120:])
    return index, docs


def _expected(docs: list[dict], scope: SearchQuery, prefix: str, narrowing: str = "") -> dict[tuple[str, str], int]:  # type: ignore[type-arg]
    counts: dict[tuple[str, str], int] = {}
    for d in docs:
        if scope.access is not None and d["facets"]["access"][0] not in scope.access:
            continue
        words = d["title"].lower().split()
        everything = " ".join([d["title"], *d["creators"], *d["place_words"]]).lower().replace("-", " ").split()
        if narrowing and narrowing not in everything:
            continue
        for word in set(words):
            if word.startswith(prefix):
                counts["title", word] = counts.get(("title", word), 0) + 1
        for name in d["creators"]:
            if any(w.startswith(prefix) for w in name.lower().split()):
                counts["name", name] = counts.get(("name", name), 0) + 1
        for place in d["place_words"]:
            if any(w.startswith(prefix) for w in place.lower().replace("-", " ").split()):
                counts["place", place] = counts.get(("place", place), 0) + 1
    return counts


@pytest.mark.parametrize("scope", [PUBLIC, STAFF], ids=["public", "staff"])
@pytest.mark.parametrize("typed", ["ka", "ke", "kas", "bri", "kl", "brief ka", "leuven ke"])
def test_counts_are_those_of_the_documents_the_asker_may_find(catalogue, scope: SearchQuery, typed: str) -> None:  # type: ignore[no-untyped-def]
    index, docs = catalogue
    *before, prefix = typed.split()
    expected = _expected(docs, scope, prefix, before[0] if before else "")
    found = suggest(index, typed, scope, limit=20)
    got = {(s.kind, s.text.removeprefix(f"{before[0]} ") if before else s.text): s.count for s in found}
    for key, count in got.items():
        assert expected.get(key) == count, (key, count, expected.get(key))
    if len(expected) <= 12 and not before:  # nothing had to be left out: every expected one is offered
        folded = {text.lower() for _kind, text in got}
        assert {text.lower() for _kind, text in expected} == folded
    counts = [s.count for s in found]
    assert counts == sorted(counts, reverse=True)


def test_a_word_or_name_only_a_closed_item_holds_is_offered_to_staff_only(catalogue) -> None:  # type: ignore[no-untyped-def]
    index, _docs = catalogue
    for typed, text in (("katt", "kattenkwaad"), ("kwa", "Karel Kwast"), ("gehei", "geheim")):
        assert text not in {s.text for s in suggest(index, typed, PUBLIC)}
        assert text in {s.text for s in suggest(index, typed, STAFF)}


def test_a_deletion_changes_the_counts_at_once(tmp_path: Path) -> None:
    index = WhooshIndex(tmp_path / "index")
    index.update([doc("a", "Kapel"), doc("b", "Kapel en kerk"), doc("c", "Kerk")])
    assert [(s.text, s.count) for s in suggest(index, "kap", PUBLIC)] == [("kapel", 2)]
    index.delete(["a"])
    assert [(s.text, s.count) for s in suggest(index, "kap", PUBLIC)] == [("kapel", 1)]
    index.delete(["b"])
    assert suggest(index, "kap", PUBLIC) == []


def test_short_and_overlong_queries(catalogue) -> None:  # type: ignore[no-untyped-def]
    index, _docs = catalogue
    assert suggest(index, "k", PUBLIC) == [] and suggest(index, "  ", PUBLIC) == [] and suggest(index, "", PUBLIC) == []
    with pytest.raises(BadRequest):
        suggest(index, "k" * 201, PUBLIC)
