"""Linked place names: the labels a place has in other languages, keyed by its authority id.

A record that names "Leuven <http://vocab.getty.edu/tgn/7007874>" is found by "Louvain" and "Löwen",
because the authority id links those labels; a title that merely contains the word "Louvain" is not
linked to anything and is found only by that word. The labels come from `data/place_labels.csv` (a
data file a cataloguer extends) and, at query time, from the labels other records give the same id.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

LABELS_FILE = Path(__file__).parent / "data" / "place_labels.csv"


@lru_cache(maxsize=1)
def alternate_labels() -> dict[str, tuple[str, ...]]:
    """Authority id -> every label the data file knows for it."""
    labels: dict[str, list[str]] = {}
    with LABELS_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            bucket = labels.setdefault(row["id"].strip(), [])
            if row["label"].strip() not in bucket:
                bucket.append(row["label"].strip())
    return {key: tuple(value) for key, value in labels.items()}


def labels_for(authority_id: str | None) -> tuple[str, ...]:
    return alternate_labels().get(authority_id or "", ())
