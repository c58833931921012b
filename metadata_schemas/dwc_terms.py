"""Darwin Core terms and their crosswalk to the core record (`crosswalks/dwc.csv`), shared by the
occurrence CSV reader and the Darwin Core Archive reader and writer."""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

from metadata_schemas import dwc_qualifiers
from metadata_schemas.authorities import authority
from metadata_schemas.core import Agent, Coordinates, CoreRecord, Note, Taxon, Term
from metadata_schemas.crosswalk import is_url
from metadata_schemas.dates import parse_date
from metadata_schemas.tables import level_for

TABLE = Path(__file__).parent / "crosswalks" / "dwc.csv"
DWC = "http://rs.tdwg.org/dwc/terms/"
DCTERMS = "http://purl.org/dc/terms/"
LIST_SEPARATOR = " | "
_SPLIT = re.compile(r"\s*(?<!\|)\|(?!\|)\s*")  # a lone pipe: `|||` in a value (an AT export) is its text


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


def to_core(
    values: dict[str, str], local_id: str | None = None, notes: list[Note] | None = None
) -> tuple[CoreRecord, dict[str, str]]:
    """The core record of one occurrence or taxon row (`values` keyed by Darwin Core term), with the typed
    notes its archive's extensions give it (`notes`)."""
    v = {k: (val or "").strip() for k, val in values.items() if val and val.strip()}
    core = CoreRecord(title="")
    fields: dict[str, str] = {}
    mapping = {term: field for term, field in table().values()}
    core.local_id = local_id or v.get("occurrenceID") or v.get("taxonID") or v.get("catalogNumber")
    parts: dict[str, str] = {}  # date parts and coordinates, put together after the row is read
    for term, field in mapping.items():
        if term not in v:
            continue
        value = v[term]
        if field == "identifiers":
            core.identifiers += [x for x in split(value) if x not in core.identifiers]
        elif field.startswith("taxon."):
            _taxon(core, term, field, value)
        elif field.startswith("agents."):
            role = field.split(".")[1]
            ids = split(v.get(f"{term}ID", ""))
            for n, name in enumerate(split(value)):
                uri = authority(ids[n])[0] if n < len(ids) else None
                core.agents.append(Agent(name, role, uri))
        elif field == "dates.collected":
            _add_date(core, value, "collected")
        elif field.startswith(("dates.", "coordinates.")):
            parts[field] = value
        elif field == "dates":
            for text in split(value) if term == "verbatimEventDate" else [value]:
                _add_date(core, text, None)
        elif field == "places":
            for name in split(value) if term == "higherGeography" else [value]:
                if all(p.label != name for p in core.places):
                    core.places.append(Term(name, kind=term))
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
        elif field == "typed_notes":
            core.typed_notes.append(Note(term, value))
        elif field.startswith("fields."):
            fields[field.split(".", 1)[1]] = value
        elif field in ("title", "type", "rights", "parent") and getattr(core, field) in (None, ""):
            setattr(core, field, value)
    _collected(core, parts)
    _coordinates(core, parts, fields)
    core.typed_notes += notes or []
    _place_ids(core)
    _part_of(core)
    dwc_qualifiers.read(core)
    if core.taxon is not None:
        _complete_taxon(core.taxon)
    if not core.title:
        name = core.taxon.scientific_name if core.taxon else ""
        number = core.identifiers[0] if core.identifiers else ""
        core.title = f"{name} ({number})" if name and number else name or number
    core.level = level_for("dwc", core.type)
    return core, fields


PART_OF = "(part of) "  # associatedOccurrences' own way of naming the record this one is part of


def _note(core: CoreRecord, term: str) -> Note | None:
    return next((n for n in core.typed_notes if n.type == term), None)


def _place_ids(core: CoreRecord) -> None:
    """higherGeographyID naming one id per higherGeography place (the ids `from_core` writes): each place
    gets its id; any other higherGeographyID stays a note, as written."""
    note = _note(core, "higherGeographyID")
    places = [p for p in core.places if p.kind == "higherGeography"]
    if note is None or not places:
        return
    ids = [ref.strip() for ref in _SPLIT.split(note.text)]  # empty where a place has no id
    if len(ids) != len(places) or LIST_SEPARATOR.join(ids).strip() != note.text:
        return
    for place, ref in zip(places, ids, strict=True):
        if ref:
            found, scheme = authority(ref)
            place.id, place.scheme = ref, scheme if found == ref else None
    core.typed_notes.remove(note)


def _part_of(core: CoreRecord) -> None:
    """associatedOccurrences opening with `(part of) ID` (as `from_core` writes an occurrence's parent
    record, an archival series or a work): the record's parent; the rest stays the note it was."""
    note = _note(core, "associatedOccurrences")
    if note is None or core.parent or not note.text.startswith(PART_OF):
        return
    first, _, rest = note.text.partition(LIST_SEPARATOR)
    core.parent = first[len(PART_OF) :].strip() or None
    if rest:
        note.text = rest
    else:
        core.typed_notes.remove(note)


def _taxon(core: CoreRecord, term: str, field: str, value: str) -> None:
    core.taxon = core.taxon or Taxon(scientific_name="")
    taxon = core.taxon
    part = field.split(".")[1]
    if part == "id":
        if not taxon.id:
            source = "gbif" if field.endswith(".gbif") else None
            taxon.id, taxon.scheme = authority(value, source)
    elif part == "classification":
        taxon.classification.setdefault(term, value)
    elif part == "vernacular_names":
        taxon.vernacular_names += [n for n in split(value) if n not in taxon.vernacular_names]
    elif not getattr(taxon, part):
        setattr(taxon, part, value)
    if part in ("kingdom", "family"):
        taxon.classification.setdefault(term, value)


def _complete_taxon(taxon: Taxon) -> None:
    """A checklist row often gives only genus and epithet: they make the scientific name."""
    if not taxon.scientific_name:
        ranks = ("genus", "specificEpithet", "infraspecificEpithet")
        words = [taxon.classification[r] for r in ranks if taxon.classification.get(r)]
        if len(words) > 1 and words[0] == taxon.classification.get("genus"):
            taxon.scientific_name = " ".join(words)
            taxon.rank = taxon.rank or ("species" if len(words) == 2 else "infraspecificname")


_RANK_MARKERS = {"subsp.": "subspecies", "ssp.": "subspecies", "var.": "variety", "f.": "form"}
_FAMILY = re.compile(r"\(([A-Z][a-z]+(?:idae|aceae))\)")


def complete_taxon(taxon: Taxon, title: str = "") -> None:
    """Fill in what the name itself says, for a publisher such as GBIF: genus and epithets from a binomial
    or trinomial, its rank, the family a title names in brackets (`Carabus auratus (Carabidae)`), and the
    kingdom an animal family's ending (-idae, zoological code) implies."""
    words = taxon.scientific_name.split()
    name = [words[0]] if words and words[0][:1].isupper() else []
    marker = None
    for word in words[1:]:
        if word in _RANK_MARKERS:
            marker = _RANK_MARKERS[word]
        elif word.isalpha() and word.islower():
            name.append(word)
        else:
            break  # the authorship begins
    c = taxon.classification
    if len(name) >= 2:
        c.setdefault("genus", name[0])
        c.setdefault("specificEpithet", name[1])
        if len(name) == 3:
            c.setdefault("infraspecificEpithet", name[2])
        taxon.rank = taxon.rank or (marker or "subspecies" if len(name) == 3 else "species")
    elif len(name) == 1 and re.fullmatch(r"[A-Z][a-z]+(idae|aceae)", name[0]):
        c.setdefault("family", name[0])
        taxon.rank = taxon.rank or "family"
    family = taxon.family or c.get("family")
    if not family and (m := _FAMILY.search(title)):
        family = m.group(1)
    if family:
        taxon.family = family
        c.setdefault("family", family)
        if not (taxon.kingdom or c.get("kingdom")) and family.endswith("idae"):
            taxon.kingdom = c["kingdom"] = "Animalia"


def _add_date(core: CoreRecord, text: str, kind: str | None) -> None:
    if all(d.text != text for d in core.dates):
        date = parse_date(text)
        date.type = kind
        core.dates.append(date)


def _collected(core: CoreRecord, parts: dict[str, str]) -> None:
    """DwC 1.4 EarliestDateCollected/LatestDateCollected, or year/month/day, as one date collected."""
    if any(d.type == "collected" for d in core.dates):
        return
    earliest, latest = parts.get("dates.earliest"), parts.get("dates.latest")
    if earliest or latest:
        text = "/".join(dict.fromkeys(filter(None, [earliest, latest])))
    elif "dates.year" in parts:
        month = parts.get("dates.month")
        pieces = [parts["dates.year"], month, parts.get("dates.day") if month else None]
        text = "-".join(p.zfill(2) if n else p for n, p in enumerate(pieces) if p)
    else:
        return
    date = parse_date(text)
    date.type = "collected"
    core.dates.insert(0, date)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def coordinate_problem(fields: dict[str, str]) -> str | None:
    """The message for coordinates kept as written because they are no decimal numbers, if any."""
    if "coordinates" not in fields:
        return None
    return f"coordinates kept as written, not as decimal degrees and metres: {fields['coordinates']}"


def _coordinates(core: CoreRecord, parts: dict[str, str], fields: dict[str, str]) -> None:
    """Decimal coordinates, datum, uncertainty and elevation; what is not a number stays as written."""
    given = {k.split(".", 1)[1]: val for k, val in parts.items() if k.startswith("coordinates.")}
    if not given:
        return
    lat, lon = _number(given.get("latitude")), _number(given.get("longitude"))
    numbers = {k: _number(given.get(k)) for k in ("uncertainty", "elevation", "elevation_max")}
    if lat is None or lon is None or any(numbers[k] is None and given.get(k) for k in numbers):
        fields["coordinates"] = "; ".join(f"{k}: {val}" for k, val in given.items())  # kept, as written
    if lat is None or lon is None:
        return
    core.coordinates = Coordinates(
        lat,
        lon,
        elevation=numbers["elevation"],
        uncertainty=numbers["uncertainty"],
        datum=given.get("datum"),
        text=given.get("text"),
        elevation_max=numbers["elevation_max"],
    )


def _terms_of(core: str) -> tuple[str, ...]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return tuple(row["term"] for row in csv.DictReader(fh) if row["core"] == core)


NOTE_TERMS = _terms_of("typed_notes")  # terms kept as typed notes (the note's type is the term) and written back
# place terms a place is written back to (its Term.kind); higherGeography takes the rest
PLACE_TERMS = tuple(t for t in _terms_of("places") if t != "higherGeography")
# Every column is a term of the Darwin Core list (the dcterms it adopts included); `title` (dcterms, not on
# that list) is only written by `convert`, so that a record that is no specimen keeps its name.
TERMS = (
    "basisOfRecord",
    "catalogNumber",
    "otherCatalogNumbers",
    "scientificName",
    "scientificNameAuthorship",
    "taxonRank",
    "kingdom",
    "phylum",
    "class",
    "order",
    "family",
    "subfamily",
    "genus",
    "subgenus",
    "specificEpithet",
    "infraspecificEpithet",
    "higherClassification",
    "vernacularName",
    "scientificNameID",
    "recordedBy",
    "recordedByID",
    "identifiedBy",
    "identifiedByID",
    "eventDate",
    "verbatimEventDate",
    "higherGeography",
    *PLACE_TERMS,
    "decimalLatitude",
    "decimalLongitude",
    "geodeticDatum",
    "coordinateUncertaintyInMeters",
    "minimumElevationInMeters",
    "maximumElevationInMeters",
    "verbatimCoordinates",
    "occurrenceRemarks",
    "license",
    "language",
    "associatedMedia",
    *NOTE_TERMS,
)
COLUMNS = ("title", *TERMS)  # an occurrence core written by `convert`
TAXON_COLUMNS = (*COLUMNS, "parentNameUsageID")  # a checklist: parentNameUsageID is the parent taxon
CLASSIFICATION = ("kingdom", "phylum", "class", "order", "family", "subfamily", "genus", "subgenus")
EPITHETS = ("specificEpithet", "infraspecificEpithet", "higherClassification")
_DCTERMS_NAMES = ("title", "license", "language", "modified", "rightsHolder", "bibliographicCitation", "references")
TERM_URIS = {name: (DCTERMS if name in _DCTERMS_NAMES else DWC) + name for name in TAXON_COLUMNS}


def uri(term: str) -> str:
    return TERM_URIS.get(term, DWC + term)


def _decimal(value: float | None, *, degrees: bool = False) -> str:
    """Degrees as decimals (`-49.0`), metres whole when they are (`225`): as exports usually write them."""
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and not degrees else repr(value)


def from_core(core: CoreRecord, *, part_of: bool = False) -> dict[str, str]:
    """The row (by term) that reads back (through `to_core`) as the same core record; `part_of`: an
    occurrence core, with no column for its parent record but associatedOccurrences."""
    collectors = [a for a in core.agents if a.role != "identifier"]
    identifiers = [a for a in core.agents if a.role == "identifier"]
    taxon = core.taxon
    collected = next((d for d in core.dates if d.type == "collected"), None)
    where = core.coordinates
    others = [d for d in core.dates if d is not collected]
    row = {
        "title": core.title,
        "basisOfRecord": core.type or "",
        "catalogNumber": core.identifiers[0] if core.identifiers else "",
        "otherCatalogNumbers": LIST_SEPARATOR.join(core.identifiers[1:]),
        "scientificName": taxon.scientific_name if taxon else "",
        "scientificNameAuthorship": (taxon.scientific_name_authorship or "") if taxon else "",
        "taxonRank": (taxon.rank or "") if taxon else "",
        "vernacularName": LIST_SEPARATOR.join(taxon.vernacular_names) if taxon else "",
        "scientificNameID": (taxon.id or "") if taxon else "",
        "parentNameUsageID": core.parent or "",
        "recordedBy": LIST_SEPARATOR.join(a.name for a in collectors),
        "recordedByID": LIST_SEPARATOR.join(a.id or "" for a in collectors) if any(a.id for a in collectors) else "",
        "identifiedBy": LIST_SEPARATOR.join(a.name for a in identifiers),
        "identifiedByID": LIST_SEPARATOR.join(a.id or "" for a in identifiers)
        if any(a.id for a in identifiers)
        else "",
        "eventDate": collected.text if collected else "",
        "verbatimEventDate": LIST_SEPARATOR.join(d.text for d in others),
        "higherGeography": LIST_SEPARATOR.join(p.label for p in core.places if p.kind not in PLACE_TERMS),
        "decimalLatitude": _decimal(where.latitude, degrees=True) if where else "",
        "decimalLongitude": _decimal(where.longitude, degrees=True) if where else "",
        "geodeticDatum": (where.datum or "") if where else "",
        "coordinateUncertaintyInMeters": _decimal(where.uncertainty) if where else "",
        "minimumElevationInMeters": _decimal(where.elevation) if where else "",
        "maximumElevationInMeters": _decimal(where.elevation_max) if where else "",
        "verbatimCoordinates": (where.text or "") if where else "",
        "occurrenceRemarks": core.description or "",
        "license": core.rights or "",
        "language": LIST_SEPARATOR.join(core.languages),
        "associatedMedia": LIST_SEPARATOR.join(core.files),
    }
    for term in PLACE_TERMS:
        row[term] = LIST_SEPARATOR.join(p.label for p in core.places if p.kind == term)
    for term in NOTE_TERMS:
        row[term] = LIST_SEPARATOR.join(n.text for n in core.typed_notes if n.type == term)
    if not row["dynamicProperties"]:
        row["dynamicProperties"] = dwc_qualifiers.written(core, collectors, identifiers, others)
    higher = [p for p in core.places if p.kind not in PLACE_TERMS]
    if not row["higherGeographyID"] and any(p.id for p in higher):
        row["higherGeographyID"] = LIST_SEPARATOR.join(p.id or "" for p in higher)
    if part_of and core.parent:
        row["associatedOccurrences"] = LIST_SEPARATOR.join(
            filter(None, [PART_OF + core.parent, row["associatedOccurrences"]])
        )
    for rank in (*CLASSIFICATION, *EPITHETS):
        row[rank] = (taxon.classification.get(rank) or "") if taxon else ""
    if taxon:
        row["kingdom"] = taxon.kingdom or row["kingdom"]
        row["family"] = taxon.family or row["family"]
    return row
