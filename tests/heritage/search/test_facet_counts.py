"""Facet counts and filters over a segment's columns equal counting every document's values one by one,
whatever share of documents matches and however many values a document has."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from heritage.search.facet_store import ID_TYPE, Column, Matched


def column(values_per_doc: list[list[int]], vocab_size: int) -> Column:
    docs = np.asarray([d for d, values in enumerate(values_per_doc) for _ in values], dtype=ID_TYPE)
    ords = np.asarray([v for values in values_per_doc for v in values], dtype=ID_TYPE)
    offsets = np.zeros(len(values_per_doc) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in values_per_doc], out=offsets[1:])
    full = np.bincount(ords, minlength=vocab_size).astype(np.int64)
    return Column([f"v{i}" for i in range(vocab_size)], offsets, ords, docs, full)


def values(rng: np.random.Generator, n: int, most: int, vocab: int) -> list[list[int]]:
    return [sorted(set(rng.integers(0, vocab, rng.integers(0, most + 1)).tolist())) for _ in range(n)]


@pytest.mark.parametrize("most", [1, 2, 3, 16])  # one value a document (domain) ... many (decades)
@pytest.mark.parametrize("share", [0.0, 0.01, 0.13, 0.4, 0.5, 0.51, 0.9, 1.0])
def test_counts_are_those_of_the_matched_documents(most: int, share: float) -> None:
    rng = np.random.default_rng(int(share * 100) + most)
    per_doc = values(rng, 3000, most, 40)
    col = column(per_doc, 40)
    mask = rng.random(3000) < share
    expected = Counter(v for d in np.flatnonzero(mask).tolist() for v in per_doc[d])
    matched = Matched(mask)
    for _ in range(2):  # the second time from the rows and indices made the first time
        got = col.counts_over(matched)
        assert {f"v{o}": int(c) for o, c in enumerate(got) if c} == {f"v{o}": c for o, c in expected.items()}
    assert np.array_equal(col.counts(mask, int(mask.sum())), got)


@pytest.mark.parametrize("most", [1, 3])
def test_a_filter_holds_the_documents_having_any_value(most: int) -> None:
    rng = np.random.default_rng(most)
    per_doc = values(rng, 2000, most, 12)
    col = column(per_doc, 12)
    for wanted in (["v3"], ["v1", "v7"], ["v0", "v2", "v4", "v6", "v8", "v10"], ["unknown"], []):
        got = col.docs_with(wanted, 2000)
        ordinals = {int(w[1:]) for w in wanted if w != "unknown"}
        assert got.tolist() == [bool(ordinals & set(v)) for v in per_doc]
