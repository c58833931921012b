"""How to cite an item: a sentence for a footnote, BibTeX and CSL-JSON (for Zotero and citeproc).

Every citation ends in the item's permalink, which never changes.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from heritage.models import Item
from metadata_schemas.core import CoreRecord

INSTITUTION = {"nl": "KU Leuven", "en": "KU Leuven"}
CSL_TYPES = {"library": "book", "archive": "manuscript", "science": "dataset", "museum": "article"}
BIBTEX_TYPES = {"volume": "book", "item": "misc", "file": "misc"}


def _creators(core: CoreRecord) -> list[str]:
    main = [a.name for a in core.agents if (a.role or "creator") in ("creator", "author", "maker", "cartographer")]
    return main or [a.name for a in core.agents[:1]]


def _year(item: Item) -> str | None:
    if item.date_from is None:
        return None
    return str(item.date_from) if item.date_to in (None, item.date_from) else f"{item.date_from}-{item.date_to}"


def text(item: Item, core: CoreRecord, permalink: str, lang: str, today: date | None = None) -> str:
    """A footnote: creators, title, date, identifier, collection, institution, permalink, date consulted."""
    consulted = (today or date.today()).isoformat()
    parts = []
    creators = _creators(core)
    if creators:
        parts.append(", ".join(creators))
    parts.append(core.title or item.title)  # a citation gives the title as the source has it
    if item.date_text:
        parts.append(item.date_text)
    if item.local_id:
        parts.append(item.local_id)
    collection = item.collection.title_en if lang == "en" and item.collection.title_en else item.collection.title
    parts.append(f"{collection}, {INSTITUTION[lang]}")
    seen = "consulted" if lang == "en" else "geraadpleegd"
    return ". ".join(p.rstrip(".") for p in parts) + f". {permalink} ({seen} {consulted})."


def _bibtex_escape(value: str) -> str:
    return re.sub(r"([{}%&$#_\\\\])", r"\\\1", value)


def bibtex(item: Item, core: CoreRecord, permalink: str) -> str:
    kind = BIBTEX_TYPES.get(item.level, "misc")
    fields: list[tuple[str, str]] = [("title", core.title or item.title)]
    creators = _creators(core)
    if creators:
        fields.append(("author", " and ".join(creators)))
    if item.date_from is not None:
        fields.append(("year", _year(item) or ""))
    if item.date_text:
        fields.append(("note", item.date_text))
    if item.local_id:
        fields.append(("number", item.local_id))
    fields += [
        ("howpublished", item.collection.title),
        ("organization", INSTITUTION["en"]),
        ("url", permalink),
        ("urldate", date.today().isoformat()),
    ]
    body = ",\n".join(f"  {k} = {{{_bibtex_escape(v)}}}" for k, v in fields if v)
    return f"@{kind}{{{item.id},\n{body}\n}}\n"


def csl_json(item: Item, core: CoreRecord, permalink: str) -> dict[str, Any]:
    """One CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    data: dict[str, Any] = {
        "id": item.id,
        "type": "book" if item.level == "volume" else CSL_TYPES.get(item.collection.domain, "document"),
        "title": core.title or item.title,
        "archive": item.collection.title,
        "archive-place": "Leuven",
        "publisher": INSTITUTION["en"],
        "URL": permalink,
        "accessed": {"date-parts": [[date.today().year, date.today().month, date.today().day]]},
    }
    creators = _creators(core)
    if creators:
        data["author"] = [{"literal": name} for name in creators]
    if item.date_from is not None:
        parts = [[item.date_from]]
        if item.date_to not in (None, item.date_from):
            parts.append([item.date_to])
        data["issued"] = {"date-parts": parts}
    if item.local_id:
        data["archive_location"] = item.local_id
    if core.extent:
        data["dimensions"] = core.extent
    if core.languages:
        data["language"] = core.languages[0]
    return data
