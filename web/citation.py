"""How to cite an item: a sentence for a footnote, BibTeX and CSL-JSON (for Zotero and citeproc).

A citation follows the item's kind, as each domain cites: an archival unit by repository, collection,
reference code, title and date; a book by author, title, place, publisher, year and shelfmark; a specimen by
collection and catalogue number, scientific name, collector (who is no author), date collected and locality;
a museum object by maker, title, date, inventory number and institution. A maker that is not known
("Onbekend") is no author. Every citation gives the title proper (the title in the item's own language) and
ends in the item's permalink, which never changes. The words of a citation are labels (labels.csv, `cite.`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heritage.authorities.unknown import is_unknown_agent
from heritage.authorities.vocabulary import agent_type
from heritage.models import Item
from metadata_schemas.core import CoreRecord
from web.date_labels import date_label
from web.i18n import label

INSTITUTION = {"nl": "KU Leuven", "en": "KU Leuven"}
AUTHOR_ROLES = frozenset({"creator", "author", "maker", "cartographer", "artist", "painter", "composer", "aut", "cre"})
PUBLISHER_ROLES = frozenset({"publisher", "printer", "pbl", "prt"})
COLLECTOR_ROLES = frozenset({"collector", "col", "recordedby", "recorded_by"})
PUBLICATION_EVENTS = frozenset({"publication", "production", "printing", "issue"})
# what the identifier of an item is called, by its domain
IDENTIFIER_KIND = {"archive": "reference_code", "library": "shelfmark", "science": "catalogue_number"}


@dataclass
class Source:
    """What a citation of one item says, read once from the item and its core record."""

    kind: str  # archive, book, specimen, object
    title: str
    authors: list[str]
    year: str | None
    date_text: str | None
    identifier: str | None
    identifier_kind: str
    collection: str
    repository: str
    publishers: list[str] = field(default_factory=list)
    place: str | None = None
    collectors: list[str] = field(default_factory=list)
    locality: str | None = None
    scientific_name: str | None = None


def _kind(item: Item, core: CoreRecord) -> str:
    domain = item.collection.domain
    if domain == "library" or item.level == "volume":
        return "book"
    if domain == "science" or item.level == "specimen" or core.taxon is not None:
        return "specimen"
    if domain == "museum" or item.level == "object":
        return "object"
    return "archive"


def _names(core: CoreRecord, roles: frozenset[str]) -> list[str]:
    return [a.name for a in core.agents if (a.role or "creator").lower() in roles and not is_unknown_agent(a.name)]


def _year(item: Item) -> str | None:
    if item.date_from is None:
        return None
    return str(item.date_from) if item.date_to in (None, item.date_from) else f"{item.date_from}-{item.date_to}"


def _place(core: CoreRecord) -> str | None:
    """Where a book was published: its publication event's place (a record's places are what it is about)."""
    for event in core.events:
        if event.type in PUBLICATION_EVENTS and event.places:
            return event.places[0].label
    # a sheet's one place column of a printed book is its imprint's place (Basel for the Fabrica)
    return core.places[0].label if len(core.places) == 1 and not core.events else None


def source(item: Item, core: CoreRecord, lang: str) -> Source:
    """The parts of the item's citation, in `lang` where they have a language (collection, repository)."""
    kind = _kind(item, core)
    unit = item.unit or item.collection.unit
    collection = item.collection.title_en if lang == "en" and item.collection.title_en else item.collection.title
    repository = (unit.name_en if lang == "en" and unit.name_en else unit.name) if unit else INSTITUTION[lang]
    authors = [] if kind == "specimen" else _names(core, AUTHOR_ROLES)
    if not authors and kind not in ("specimen",):
        # a source without roles: its first agent, unless it is a publisher, a collector or unknown
        first = [a.name for a in core.agents[:1] if not a.role and not is_unknown_agent(a.name)]
        authors = first
    return Source(
        kind=kind,
        title=core.title or item.title,  # the title proper, as the source has it
        authors=authors,
        year=_year(item),
        date_text=date_label(item.date_text, lang),
        identifier=item.local_id,
        identifier_kind="inventory_number" if kind == "object" else IDENTIFIER_KIND.get(item.collection.domain, "id"),
        collection=collection,
        repository=repository,
        publishers=_names(core, PUBLISHER_ROLES) if kind == "book" else [],
        place=_place(core) if kind == "book" else None,
        collectors=_names(core, COLLECTOR_ROLES) if kind == "specimen" else [],
        locality=", ".join(p.label for p in core.places if p.label) or core.details.get("science.locality")
        if kind == "specimen"
        else None,
        scientific_name=core.taxon.scientific_name if core.taxon else None,
    )


def _identifier(s: Source, lang: str) -> str | None:
    return f"{label('cite', s.identifier_kind, lang)} {s.identifier}" if s.identifier else None


def _holder(s: Source, lang: str) -> str:
    """The collection and who keeps it: "Coleoptera collection, Biology, KU Leuven"."""
    parts = [s.collection]
    if s.repository and s.repository != INSTITUTION[lang]:
        parts.append(s.repository)
    parts.append(INSTITUTION[lang])
    return ", ".join(parts)


def _collected(s: Source, lang: str) -> str | None:
    """ "collected by X, Locality, 1919-06" (a specimen's collecting event)."""
    parts = []
    if s.collectors:
        parts.append(f"{label('cite', 'collected_by', lang)} {', '.join(s.collectors)}")
    parts += [v for v in (s.locality, s.date_text) if v]
    return ", ".join(parts) if parts else None


def _imprint(s: Source) -> str | None:
    """ "Basel: Johannes Oporinus, 1543"."""
    where = ": ".join(v for v in (s.place, ", ".join(s.publishers)) if v)
    return ", ".join(v for v in (where, s.date_text) if v) or None


def text(item: Item, core: CoreRecord, permalink: str, lang: str, today: date | None = None) -> str:
    """A footnote in `lang`, as the item's domain cites; ends in the permalink and the date consulted."""
    consulted = (today or date.today()).isoformat()
    s = source(item, core, lang)
    parts: list[str | None] = [", ".join(s.authors) or None, s.title]
    if s.kind == "archive":  # where it is found first, as archives are cited: repository, collection, code
        where = [s.repository, INSTITUTION[lang]] if s.repository != INSTITUTION[lang] else [INSTITUTION[lang]]
        if _folded(s.collection) not in {_folded(s.title), _folded(item.title), _folded(item.title_en or "")}:
            where.append(s.collection)  # a fonds that is the collection is named once, by its title
        parts = [", ".join(where), _identifier(s, lang), s.title, s.date_text]
    elif s.kind == "book":
        parts += [_imprint(s), f"{_holder(s, lang)}, {_identifier(s, lang)}" if s.identifier else _holder(s, lang)]
    elif s.kind == "specimen":
        parts += [
            _collected(s, lang),
            f"{_holder(s, lang)}, {_identifier(s, lang)}" if s.identifier else _holder(s, lang),
        ]
    else:  # a museum object
        parts += [s.date_text, _identifier(s, lang), _holder(s, lang)]
    seen = label("cite", "consulted", lang)
    sentences = [p.rstrip(".") for p in parts if p]
    return ". ".join(p[:1].upper() + p[1:] for p in sentences) + f". {permalink} ({seen} {consulted})."


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _bibtex_escape(value: str) -> str:
    return re.sub(r"([{}%&$#_\\])", r"\\\1", value)


def bibtex(item: Item, core: CoreRecord, permalink: str, lang: str = "en", today: date | None = None) -> str:
    """One BibTeX entry: @book for a book (publisher, address, shelfmark in the note), @misc for the rest
    (where it is kept in `howpublished`); the identifier is never a `number` (that is a series number)."""
    s = source(item, core, lang)
    fields: list[tuple[str, str | None]] = [("author", " and ".join(_bibtex_name(a) for a in s.authors) or None)]
    fields.append(("title", s.title))
    if s.kind == "book":
        fields += [("publisher", ", ".join(s.publishers) or None), ("address", s.place)]
        fields += [*_when(item, s), ("note", "; ".join(v for v in (_as_written(s), _identifier(s, lang)) if v))]
        fields.append(("library", _holder(s, lang)))
    elif s.kind == "specimen":
        fields += [("howpublished", "; ".join(v for v in (_holder(s, lang), _identifier(s, lang)) if v))]
        fields += [("note", _collected(s, lang)), *_when(item, s)]
    else:
        where = (
            [_identifier(s, lang), _holder(s, lang)] if s.kind == "object" else [_holder(s, lang), _identifier(s, lang)]
        )
        fields += [("howpublished", ", ".join(v for v in where if v)), *_when(item, s), ("note", _as_written(s))]
    fields += [("url", permalink), ("urldate", (today or date.today()).isoformat())]
    kind = "book" if s.kind == "book" else "misc"
    body = ",\n".join(f"  {k} = {{{v if k == 'author' else _bibtex_escape(v)}}}" for k, v in fields if v)
    return f"@{kind}{{{item.id},\n{body}\n}}\n"


def _bibtex_name(name: str) -> str:
    """A person's name as it is (BibTeX finds the surname); any other name braced whole, so that
    "Rectoraat Katholieke Universiteit Leuven" is not read as a person called Leuven."""
    escaped = _bibtex_escape(name)
    return escaped if agent_type(name) == "person" else f"{{{escaped}}}"


def _when(item: Item, s: Source) -> list[tuple[str, str | None]]:
    """`year` (one year, as BibTeX wants it) and, for a span, biblatex's `date` range."""
    if item.date_from is None:
        return []
    span = f"{item.date_from}/{item.date_to}" if item.date_to not in (None, item.date_from) else None
    return [("year", str(item.date_from)), ("date", span)]


def _as_written(s: Source) -> str | None:
    """The date as the record writes it, when it says more than the years ("ca. 1470", "19th century")."""
    return (
        s.date_text if s.date_text and s.date_text.replace("-", "/") not in (s.year or "").replace("-", "/") else None
    )


CSL_TYPES = {"book": "book", "archive": "manuscript", "specimen": "document", "object": "document"}


def csl_json(
    item: Item, core: CoreRecord, permalink: str, lang: str = "en", today: date | None = None
) -> dict[str, Any]:
    """One CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    s = source(item, core, lang)
    day = today or date.today()
    data: dict[str, Any] = {
        "id": item.id,
        "type": CSL_TYPES[s.kind],
        "title": s.title,
        "archive": _holder(s, lang).removeprefix(f"{s.collection}, "),
        "archive-place": "Leuven",
        "collection-title": s.collection,
        "URL": permalink,
        "accessed": {"date-parts": [[day.year, day.month, day.day]]},
    }
    if s.authors:
        data["author"] = [{"literal": name} for name in s.authors]
    if item.date_from is not None and s.kind != "specimen":
        parts = [[item.date_from]]
        if item.date_to not in (None, item.date_from):
            parts.append([item.date_to])
        data["issued"] = {"date-parts": parts}
    if s.kind == "book":
        if s.publishers:
            data["publisher"] = ", ".join(s.publishers)
        if s.place:
            data["publisher-place"] = s.place
        if s.identifier:
            data["call-number"] = s.identifier
    elif s.kind == "specimen":
        if s.identifier:
            data["collection-number"] = s.identifier
            data["archive_location"] = s.identifier
        collected = _collected(s, lang)
        if collected:
            data["note"] = collected
    elif s.identifier:
        data["archive_location"] = s.identifier
    if s.date_text and "issued" not in data and s.kind != "specimen":
        data["issued"] = {"literal": s.date_text}
    if core.extent:
        data["dimensions"] = core.extent
    if core.languages:
        data["language"] = core.languages[0]
    return data
