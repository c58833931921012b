"""Small vocabulary tables shared by the standards: levels of description and MARC record types."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent / "crosswalks"
CORE_LEVELS = (
    "fonds",
    "subfonds",
    "series",
    "subseries",
    "file",
    "item",
    "collection",
    "volume",
    "page",
    "specimen",
    "object",
    "otherlevel",
)


@cache
def _levels() -> list[tuple[str, str, str]]:
    with (FOLDER / "levels.csv").open(encoding="utf-8", newline="") as fh:
        return [(r["source"], r["value"].lower(), r["level"]) for r in csv.DictReader(fh)]


def level_for(source: str, value: str | None) -> str | None:
    """The catalogue level of a standard's own level value (None when the table does not know it)."""
    if not value:
        return None
    value = value.strip().lower()
    for src, val, level in _levels():
        if src == source and val == value:
            return level
    return value if value in CORE_LEVELS else None


def value_for(source: str, level: str | None) -> str | None:
    """A standard's own value for a catalogue level: the first row that maps to it."""
    if not level:
        return None
    for src, val, lvl in _levels():
        if src == source and lvl == level:
            return val
    return None


@cache
def marc_types() -> list[tuple[str, str]]:
    with (FOLDER / "marc21_leader.csv").open(encoding="utf-8", newline="") as fh:
        return [(r["code"], r["type"]) for r in csv.DictReader(fh) if r["position"] == "6"]
