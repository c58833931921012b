"""Darwin Core terms and their crosswalk to the core record (`crosswalks/dwc.csv`), shared by the
occurrence CSV reader and the Darwin Core Archive reader and writer."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from metadata_schemas.authorities import authority
from metadata_schemas.core import Agent, CoreRecord, Taxon, Term
from metadata_schemas.crosswalk import is_url
from metadata_schemas.dates import parse_date
from metadata_schemas.tables import level_for

TABLE = Path(__file__).parent / "crosswalks" / "dwc.csv"
DWC = "http://rs.tdwg.org/dwc/terms/"
DCTERMS = "http://purl.org/dc/terms/"
LIST_SEPARATOR = " | "
_SPLIT = re.compile(r"\s*\|\s*")


@cache
def table() -> dict[str, tuple[str, str]]:
    """Every accepted column name (lower case, aliases included) -> (term, core field)."""
    out: dict[str, tuple[str, str]] = {}
    with TABLE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for name in [row["term"], *filter(None, row["aliases"].split("|"))]:
                out.setdefault(name.strip().lower(), (row["term"], row["core"]))
    return out


def simple(term: str) -> str:
    """`http://rs.tdwg.org/dwc/terms/catalogNumber` or `dwc:catalogNumber` -> `catalogNumber`."""
    return re.split(r"[/#:]", term.strip())[-1]


def canonical(column: str) -> str | None:
    """The Darwin Core term a column header or term URI stands for, or None."""
    name = column.strip().lower()
    found = table().get(name) or table().get(simple(name))
    return found[0] if found else None


def split(value: str) -> list[str]:
    return [v for v in _SPLIT.split(value.strip()) if v]


def to_core(values: dict[str, str], local_id: str | None = None) -> tuple[CoreRecord, dict[str, str]]:
    """The core record of one occurrence or taxon row (`values` keyed by Darwin Core term)."""
    v = {k: (val or "").strip() for k, val in values.items() if val and val.strip()}
    core = CoreRecord(title="")
    fields: dict[str, str] = {}
    mapping = {term: field for term, field in table().values()}
    core.local_id = local_id or v.get("occurrenceID") or v.get("taxonID") or v.get("catalogNumber")
    for term, field in mapping.items():
        if term not in v:
            continue
        value = v[term]
        if field == "identifiers":
            core.identifiers += [x for x in split(value) if x not in core.identifiers]
        elif field.startswith("taxon."):
            core.taxon = core.taxon or Taxon(scientific_name="")
            part = field.split(".")[1]
            if part == "id":
                if not core.taxon.id:
                    source = "gbif" if field.endswith(".gbif") else None
                    core.taxon.id, core.taxon.scheme = authority(value, source)
            elif not getattr(core.taxon, part):
                setattr(core.taxon, part, value)
        elif field.startswith("agents."):
            role = field.split(".")[1]
            ids = split(v.get(f"{term}ID", ""))
            for n, name in enumerate(split(value)):
                uri = authority(ids[n])[0] if n < len(ids) else None
                core.agents.append(Agent(name, role, uri))
        elif field == "dates":
            if term == "year" and core.dates:
                continue
            for text in split(value) if term == "verbatimEventDate" else [value]:
                if all(d.text != text for d in core.dates):
                    core.dates.append(parse_date(text))
        elif field == "places":
            for name in split(value) if term == "higherGeography" else [value]:
                if all(p.label != name for p in core.places):
                    core.places.append(Term(name))
        elif field == "description":
            core.description = f"{core.description}\n\n{value}" if core.description else value
        elif field == "languages":
            core.languages += [x for x in split(value) if x not in core.languages]
        elif field == "files":
            for ref in split(value):
                if is_url(ref):
                    fields["links"] = f"{fields['links']} {ref}" if fields.get("links") else ref
                elif ref not in core.files:
                    core.files.append(ref)
        elif field.startswith("fields."):
            fields[field.split(".", 1)[1]] = value
        elif field in ("title", "type", "rights", "parent") and getattr(core, field) in (None, ""):
            setattr(core, field, value)
    if core.taxon is not None and not core.taxon.scientific_name:
        core.taxon.scientific_name = ""
    if not core.title:
        name = core.taxon.scientific_name if core.taxon else ""
        number = core.identifiers[0] if core.identifiers else ""
        core.title = f"{name} ({number})" if name and number else name or number
    core.level = level_for("dwc", core.type)
    return core, fields


COLUMNS = (
    "title",
    "basisOfRecord",
    "catalogNumber",
    "otherCatalogNumbers",
    "scientificName",
    "scientificNameAuthorship",
    "taxonRank",
    "kingdom",
    "family",
    "scientificNameID",
    "parentNameUsageID",
    "recordedBy",
    "recordedByID",
    "identifiedBy",
    "identifiedByID",
    "eventDate",
    "verbatimEventDate",
    "higherGeography",
    "occurrenceRemarks",
    "license",
    "language",
    "associatedMedia",
)
TERM_URIS = {name: (DCTERMS if name in ("title", "license", "language") else DWC) + name for name in COLUMNS}


def from_core(core: CoreRecord) -> dict[str, str]:
    """The row (by term) that reads back (through `to_core`) as the same core record."""
    collectors = [a for a in core.agents if a.role != "identifier"]
    identifiers = [a for a in core.agents if a.role == "identifier"]
    taxon = core.taxon
    return {
        "title": core.title,
        "basisOfRecord": core.type or "",
        "catalogNumber": core.identifiers[0] if core.identifiers else "",
        "otherCatalogNumbers": LIST_SEPARATOR.join(core.identifiers[1:]),
        "scientificName": taxon.scientific_name if taxon else "",
        "scientificNameAuthorship": (taxon.scientific_name_authorship or "") if taxon else "",
        "taxonRank": (taxon.rank or "") if taxon else "",
        "kingdom": (taxon.kingdom or "") if taxon else "",
        "family": (taxon.family or "") if taxon else "",
        "scientificNameID": (taxon.id or "") if taxon else "",
        "parentNameUsageID": core.parent or "",
        "recordedBy": LIST_SEPARATOR.join(a.name for a in collectors),
        "recordedByID": LIST_SEPARATOR.join(a.id or "" for a in collectors) if any(a.id for a in collectors) else "",
        "identifiedBy": LIST_SEPARATOR.join(a.name for a in identifiers),
        "identifiedByID": LIST_SEPARATOR.join(a.id or "" for a in identifiers)
        if any(a.id for a in identifiers)
        else "",
        "eventDate": core.dates[0].text if core.dates else "",
        "verbatimEventDate": LIST_SEPARATOR.join(d.text for d in core.dates[1:]),
        "higherGeography": LIST_SEPARATOR.join(p.label for p in core.places),
        "occurrenceRemarks": core.description or "",
        "license": core.rights or "",
        "language": LIST_SEPARATOR.join(core.languages),
        "associatedMedia": LIST_SEPARATOR.join(core.files),
    }
