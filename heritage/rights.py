"""Rights statements by their URI: the label a reader understands and the icon beside it.

The table (`data/rights.csv`: uri, code, nl, en, icon, offered) holds the twelve rightsstatements.org statements,
CC0, the Public Domain Mark and the Creative Commons licences 1.0 to 4.0. A URI is matched in the forms
sources write it (http or https, with or without `www.` and the trailing slash, a `deed.nl` or `legalcode`
page, the statement's `/page/` address); a ported licence (`by/3.0/nl/`) is its licence with the country.
An unknown URI is no statement we can name: it is shown as it is, never hidden. Every surface (record page,
embed page) asks `rights_statement`; the edit form offers the rows marked `offered` (`offered_statements`), so
each label is written once.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RIGHTS = Path(__file__).parent / "data" / "rights.csv"
_PORT = re.compile(r"^(creativecommons\.org/licenses/[a-z-]+/\d\.\d)/([a-z]{2})$")


@dataclass(frozen=True)
class RightsStatement:
    """A statement as a page shows it: `label` in the asked language, `icon` a file name (None: unknown)."""

    uri: str
    code: str | None
    label: str
    icon: str | None

    @property
    def known(self) -> bool:
        return self.code is not None


def _key(uri: str) -> str:
    """The form two spellings of one statement share: no scheme, no www, no page suffix, no trailing slash."""
    key = uri.strip().split("?", 1)[0].split("#", 1)[0].lower()
    key = re.sub(r"^https?://(www\.)?", "", key).rstrip("/")
    key = re.sub(r"/(deed(\.[a-z-]+)?|legalcode(\.[a-z-]+)?)$", "", key)
    return key.replace("rightsstatements.org/page/", "rightsstatements.org/vocab/")


@cache
def _table() -> dict[str, dict[str, str]]:
    with RIGHTS.open(encoding="utf-8", newline="") as fh:
        return {_key(row["uri"]): row for row in csv.DictReader(fh)}


def rights_statement(uri: str | None, lang: str) -> RightsStatement | None:
    """The statement `uri` names, labelled in `lang` ("nl" or "en"); the URI itself when it is not known."""
    if not uri or not uri.strip():
        return None
    key = _key(uri)
    row = _table().get(key)
    country = None
    if row is None and (ported := _PORT.match(key)):
        row, country = _table().get(ported.group(1)), ported.group(2).upper()
    if row is None:
        return RightsStatement(uri.strip(), None, uri.strip(), None)
    label = row[lang] if lang in ("nl", "en") else row["en"]
    return RightsStatement(uri.strip(), row["code"], f"{label} ({country})" if country else label, row["icon"])


@dataclass(frozen=True)
class OfferedStatement:
    """A statement the edit form offers: its URI as it is stored, and its label in each language."""

    uri: str
    labels: dict[str, str]


def offered_statements() -> list[OfferedStatement]:
    """The statements a cataloguer chooses from, in the table's order (current versions, no ported licences)."""
    return [
        OfferedStatement(row["uri"], {"nl": row["nl"], "en": row["en"]})
        for row in _table().values()
        if row.get("offered") == "yes"
    ]
