"""Names that say the maker is not known ("Onbekend", "Anonymous", "N.N.", "s.n.") are statements, not agents.

Such a name is no creator facet value, no citation author and no authority: seven objects by "Onbekend" are
not the work of one person. The record keeps the statement; the record page says "maker unknown". The
words are data (`data/unknown_agents.csv`), compared folded (names.fold: case, diacritics, punctuation).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from heritage.authorities.names import fold

UNKNOWN_AGENTS = Path(__file__).parent / "data" / "unknown_agents.csv"


@cache
def _table() -> tuple[frozenset[str], tuple[str, ...]]:
    with UNKNOWN_AGENTS.open(encoding="utf-8", newline="") as fh:
        rows = [(fold(row["name"]), row["match"]) for row in csv.DictReader(fh)]
    exact = frozenset(name for name, match in rows if match == "exact")
    prefixes = tuple(name for name, match in rows if match == "prefix")
    return exact, prefixes


def is_unknown_agent(name: str | None) -> bool:
    """Whether `name` only says that the agent is unknown (an empty name says nothing, and is not one)."""
    key = fold(name or "")
    if not key:
        return False
    exact, prefixes = _table()
    return key in exact or any(key == p or key.startswith(p + " ") for p in prefixes)


def known_names(names: list[str]) -> list[str]:
    """The names that are agents, in their order."""
    return [n for n in names if not is_unknown_agent(n)]
