"""Access decisions from free-text access notes, only where the note states them plainly.

An EAD `accessrestrict`, MODS `accessCondition` or MARC 506 is free text; the catalogue's access
rules must not be guessed from it. The table `crosswalks/access_phrases.csv` lists the whole-note
statements that are clear enough ("Open for research.", "Closed until 2030-01-01", "openbaar");
anything else stays a note, and the access stays what the catalogue decides.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent / "crosswalks" / "access_phrases.csv"


@cache
def _phrases() -> list[tuple[re.Pattern[str], str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return [(re.compile(r["pattern"], re.I), r["access"]) for r in csv.DictReader(fh)]


def interpret(note: str | None) -> dict[str, str]:
    """`{"access": ..., "closed_until": ...}` for a clear statement, else `{}`."""
    text = " ".join((note or "").split())
    for pattern, access in _phrases():
        m = pattern.match(text)
        if m:
            out = {"access": access}
            if "until" in pattern.groupindex and m.group("until"):
                out["closed_until"] = m.group("until")
            return out
    return {}


def apply(fields: dict[str, str]) -> dict[str, str]:
    """Add the access decision of `fields["access_note"]` when it is plain."""
    if fields.get("access_note") and "access" not in fields:
        fields.update(interpret(fields["access_note"]))
    return fields
