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


@cache
def _language_tags() -> dict[str, str]:
    with (FOLDER / "languages.csv").open(encoding="utf-8", newline="") as fh:
        out: dict[str, str] = {}
        for r in csv.DictReader(fh):
            for code in (r["bcp47"], r["iso639_2b"], r["iso639_2t"]):
                out[code.lower()] = r["bcp47"]
        return out


def language_tag(code: str | None) -> str | None:
    """A language tag as BCP 47 (`dut`, `nld`, `NL` -> `nl`); unknown codes pass through in lower case."""
    if not code:
        return None
    code = code.strip()
    return _language_tags().get(code.lower(), code.lower() if len(code) <= 3 else code)
