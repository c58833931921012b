"""The authority types and their labels, and how an agent's name tells its type: data files beside the code."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from heritage.authorities.names import fold
from heritage.errors import BadRequest
from metadata_schemas.authorities import vocabularies

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class AuthorityType:
    name: str
    labels: dict[str, str]  # by language
    eac_entity_type: str | None  # persons, corporate bodies and families export as EAC-CPF


@cache
def types() -> dict[str, AuthorityType]:
    with (DATA / "types.csv").open(encoding="utf-8", newline="") as fh:
        return {
            row["type"]: AuthorityType(row["type"], {"nl": row["nl"], "en": row["en"]}, row["eac_entity_type"] or None)
            for row in csv.DictReader(fh)
        }


def check_type(value: str | None) -> str:
    """Raises: BadRequest: not one of the authority types."""
    if value not in types():
        raise BadRequest(f"authority type {value!r}: one of {', '.join(types())}")
    return value


@cache
def _agent_words() -> dict[str, str]:
    with (DATA / "agent_words.csv").open(encoding="utf-8", newline="") as fh:
        return {fold(row["word"]): row["type"] for row in csv.DictReader(fh)}


def agent_type(name: str) -> str:
    """person, unless a word of the name marks a family or a corporate body (data/agent_words.csv)."""
    words = _agent_words()
    for word in fold(name).split():
        if word in words:
            return words[word]
    return "person"


def schemes() -> tuple[str, ...]:
    """The external id schemes (metadata_schemas/crosswalks/authorities.csv)."""
    return tuple(v.scheme for v in vocabularies())
