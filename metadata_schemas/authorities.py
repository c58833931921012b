"""Authority ids: recognise the vocabulary of a URI, and turn source-coded ids into URIs.

The vocabularies (AAT, TGN, ULAN, VIAF, Wikidata, GBIF, LCSH, ...) are the table
`crosswalks/authorities.csv`: a scheme, its URI prefixes and the source codes records use for it
(MARC `$2`/`$0` prefixes such as `(DE-588)`, EAD `@source`, LIDO `lido:source`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent / "crosswalks" / "authorities.csv"
_PAREN = re.compile(r"^\((?P<code>[^)]+)\)\s*(?P<id>.+)$")


@dataclass(frozen=True)
class Vocabulary:
    scheme: str
    prefixes: tuple[str, ...]
    codes: tuple[str, ...]


@cache
def vocabularies() -> tuple[Vocabulary, ...]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Vocabulary(r["scheme"], tuple(r["uri_prefixes"].split("|")), tuple(r["source_codes"].lower().split("|")))
            for r in csv.DictReader(fh)
        )


def scheme_of(uri: str | None) -> str | None:
    """The vocabulary a URI belongs to, or None."""
    if not uri:
        return None
    for vocab in vocabularies():
        if uri.startswith(vocab.prefixes):
            return vocab.scheme
    return None


def _by_code(code: str) -> Vocabulary | None:
    code = code.strip().lower()
    for vocab in vocabularies():
        if code in vocab.codes or code == vocab.scheme:
            return vocab
    return None


def authority(value: str | None, source: str | None = None) -> tuple[str | None, str | None]:
    """(URI, scheme) for an id as records write it: a URI, `(DE-588)4067453-8`, or a bare id plus a source code.

    An id whose vocabulary is unknown is kept as it is (scheme None, or the source code), never invented.
    """
    value = (value or "").strip().rstrip(".")  # MARC ends ids with ISBD full stops
    if not value:
        return None, None
    if value.startswith(("http://", "https://")):
        return value, scheme_of(value)
    m = _PAREN.match(value)
    if m:
        source, value = m["code"], m["id"].strip()
        if source.lower() == "dlc" and value.startswith("sh"):
            source = "lcsh"
        elif source.lower() == "ocolc" and value.startswith("fst"):
            source, value = "fast", value[3:].lstrip("0")
    if source:
        vocab = _by_code(source)
        if vocab is not None:
            bare = value.removeprefix("Q") if vocab.scheme == "wikidata" else value
            bare = bare.replace(" ", "")
            if vocab.scheme == "wikidata":
                bare = "Q" + bare
            return vocab.prefixes[0] + bare, vocab.scheme
        return value, source.lower()
    return value, None
