"""Normalised names: what counts as "the same name" when ingest matches one, and what a suggestion searches.

A key is the name with
- Unicode compatibility forms unfolded and diacritics dropped (é -> e, ü -> u; ø, ł, æ, œ, đ, ı, þ by the
  table `data/letters.csv`), then case-folded (ß -> ss);
- every character that is not a letter or a digit made a space, spaces collapsed ("Peeters-Smets, J." ->
  "peeters smets j");
- for persons and families: "Surname, Forename" read as "Forename Surname" (one comma; the part after it
  must not be a date), and a trailing date part dropped ("Peeters, Jan, 1850-1920" -> "jan peeters"), so the
  two orders that sources use meet.
Nothing else is normalised: initials are not expanded, titles ("Dr.") and particles ("van") are kept.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

LETTERS = Path(__file__).parent / "data" / "letters.csv"
KEY_LENGTH = 255
MAX_WORDS = 8  # a name gives a search key starting at each of its first words, up to this many
INVERTED_TYPES = frozenset({"person", "family"})
_DATES = re.compile(
    r"^(?:(?:ca?\.?|circa|b\.|d\.|fl\.|geb\.|overl\.)\s*)?[\d?\s.\-–/]+(?:\s*(?:bc|v\.?\s*chr\.?))?$", re.I
)
_NON_WORD = re.compile(r"[^\w]+|_+")


@cache
def _letters() -> dict[int, str]:
    with LETTERS.open(encoding="utf-8", newline="") as fh:
        return {ord(row["letter"]): row["as"] for row in csv.DictReader(fh)}


def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_letters()))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_letters())
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).split())


def is_dates(text: str) -> bool:
    """Whether a name part is a life span or a date ("1850-1920", "ca. 1600", "1850-")."""
    text = text.strip()
    return bool(text) and any(c.isdigit() for c in text) and bool(_DATES.match(text))


def split_dates(name: str) -> tuple[str, str | None]:
    """("Peeters, Jan", "1850-1920") from "Peeters, Jan, 1850-1920"; the name alone when it has no date part."""
    head, sep, tail = name.rstrip(" .,").rpartition(",")
    if sep and head.strip() and is_dates(tail):
        return head.strip(), tail.strip()
    return name.strip(), None


def natural_order(name: str, type: str) -> str:
    """ "Jan Peeters" from "Peeters, Jan" (persons and families); other names as they are."""
    name, _dates = split_dates(name)
    if type not in INVERTED_TYPES or name.count(",") != 1:
        return name
    surname, forename = (part.strip() for part in name.split(","))
    if not surname or not forename:
        return name
    return f"{forename} {surname}"


def name_key(name: str, type: str) -> str:
    """The key ingest matches on: `fold` of the name in natural order."""
    return fold(natural_order(name, type))[:KEY_LENGTH]


def search_keys(name: str, type: str) -> list[str]:
    """Every key a suggestion may find the name by: its exact key and the same starting at each later word
    (and the name as written, when persons put the surname first), longest first."""
    exact = name_key(name, type)
    words = exact.split()
    keys = [exact]
    keys += [" ".join(words[i:] + words[:i])[:KEY_LENGTH] for i in range(1, min(len(words), MAX_WORDS))]
    as_written = fold(split_dates(name)[0])[:KEY_LENGTH]
    keys.append(as_written)
    return list(dict.fromkeys(k for k in keys if k))


def query_key(text: str) -> str:
    """A typed prefix as keys are searched: folded, commas and all punctuation as spaces."""
    return fold(text)[:KEY_LENGTH]
