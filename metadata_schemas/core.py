"""The core record: one shape every standard crosswalks to, for search, display and policy.

Language-tagged values are dicts keyed by BCP 47 language codes ("nl", "en"); "und" when unknown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Agent:
    name: str
    role: str | None = None  # creator, contributor, publisher, collector, ... (MARC relator terms)
    id: str | None = None  # authority URI (VIAF, ULAN, Wikidata, ...); its vocabulary: authorities.scheme_of
    kind: str | None = None  # person, corporate, family, meeting: a corporate name is not written as a person's


@dataclass
class Term:
    """A subject, place or genre, with its authority id where the source has one."""

    label: str
    id: str | None = None  # AAT, TGN, LCSH, GBIF, Wikidata, ... URI
    scheme: str | None = None
    # What the term names, to write it back where it came from: MARC 6xx person, corporate, meeting, title,
    # chronological, classification; Darwin Core place terms country, locality, ...
    kind: str | None = None


@dataclass
class DateRange:
    text: str
    start: int | None = None  # year, normalised (negative before the common era)
    end: int | None = None
    certainty: str | None = None  # "circa", "uncertain" or None
    type: str | None = None  # created, issued, copyright, inclusive, bulk, collected, ... (the source's kind)


@dataclass
class Taxon:
    scientific_name: str
    rank: str | None = None
    kingdom: str | None = None
    family: str | None = None
    id: str | None = None
    scheme: str | None = None  # gbif, ...
    scientific_name_authorship: str | None = None
    # The higher classification by Darwin Core rank term (kingdom, phylum, class, order, family, genus,
    # subgenus, specificEpithet, infraspecificEpithet); `kingdom` and `family` above stay for older readers.
    classification: dict[str, str] = field(default_factory=dict)
    vernacular_names: list[str] = field(default_factory=list)


@dataclass
class Note:
    """A note by its kind, as the source types it (EAD element names, MARC 5xx, MODS note@type)."""

    type: str  # bioghist, scopecontent, acqinfo, custodhist, processinfo, prefercite, arrangement, odd, general, ...
    text: str
    lang: str | None = None
    label: str | None = None  # the source's own heading for it, when it gives one


@dataclass
class Container:
    """Where an archival unit sits: a box, folder, reel, ... (EAD container)."""

    type: str | None
    value: str
    label: str | None = None  # instance label (Mixed materials, Graphic materials, ...)
    parent: str | None = None  # the value of the container it sits in (folder 3 in box 2)


@dataclass
class Parallel:
    """A value in another script beside its romanised form (MARC 880, MODS altRepGroup, xml:lang-Script)."""

    field: str  # the core field it belongs with: title, agents, subjects, places, publisher, notes, ...
    value: str
    script: str | None = None  # ISO 15924: Hebr, Arab, Hani, Hang, Cyrl, Grek, ...
    lang: str | None = None
    romanised: str | None = None  # the romanised value it stands beside


@dataclass
class Event:
    """Something that happened to the object, with its own date and place (LIDO events, MODS originInfo)."""

    type: str  # production, creation, publication, acquisition, collecting, finding, use, ...
    date: DateRange | None = None
    places: list[Term] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)
    materials: list[Term] = field(default_factory=list)
    techniques: list[Term] = field(default_factory=list)
    note: str | None = None


@dataclass
class Measurement:
    type: str | None  # height, width, depth, diameter, weight, ...
    value: str
    unit: str | None = None
    text: str | None = None  # the display form the source gives


@dataclass
class Coordinates:
    latitude: float
    longitude: float
    elevation: float | None = None  # metres
    uncertainty: float | None = None  # metres
    datum: str | None = None  # geodetic datum (WGS84, ...)
    text: str | None = None  # verbatim coordinates as the source gives them
    elevation_max: float | None = None  # metres: the upper bound when the elevation is a range (Darwin Core)


@dataclass
class Part:
    """A work inside the item (MODS relatedItem constituent, MARC 505/700 $t, EAD dao parts)."""

    title: str
    agents: list[Agent] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    extent: str | None = None  # where in the item: folios, pages
    note: str | None = None
    identifiers: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


@dataclass
class CoreRecord:
    """The crosswalked description of one item; `title` is the display title in the record's language."""

    title: str
    titles: dict[str, str] = field(default_factory=dict)
    identifiers: list[str] = field(default_factory=list)
    agents: list[Agent] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    extent: str | None = None
    description: str | None = None
    descriptions: dict[str, str] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    subjects: list[Term] = field(default_factory=list)
    places: list[Term] = field(default_factory=list)
    genres: list[Term] = field(default_factory=list)
    taxon: Taxon | None = None
    rights: str | None = None
    level: str | None = None
    parent: str | None = None  # the parent's local id within the same source
    type: str | None = None
    local_id: str | None = None  # the record's own id within its source (EAD c@id, MARC 001, lidoRecID, ...)
    files: list[str] = field(default_factory=list)  # scans and files it describes, relative to its source
    notes: dict[str, str] = field(default_factory=dict)  # per language, as `descriptions`
    # Domain fields a cataloguer keeps (container, shelfmark, locality, material, ...), keyed by their field
    # names in heritage/editing/fields.toml ("archives.container", "museum.material").
    details: dict[str, str] = field(default_factory=dict)
    # The fuller description a real record carries; every standard reads into these and writes from them.
    typed_notes: list[Note] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    physical_locations: list[str] = field(default_factory=list)
    parallels: list[Parallel] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    materials: list[Term] = field(default_factory=list)
    techniques: list[Term] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    coordinates: Coordinates | None = None
    # How the resource is issued (MODS originInfo/issuance, MARC leader/07): monographic, serial, ...
    issuance: str | None = None
    # Absolute URLs the record points to (MARC 856 $u, MODS location/url), beside `files` in the source.
    links: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], {})}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoreRecord:
        data = {k: v for k, v in data.items() if k in _FIELDS}  # tolerate keys of newer versions
        taxon = data.pop("taxon", None)
        coordinates = data.pop("coordinates", None)
        return cls(
            title=data.pop("title", ""),
            agents=_agents(data.pop("agents", [])),
            dates=_dates(data.pop("dates", [])),
            subjects=_terms(data.pop("subjects", [])),
            places=_terms(data.pop("places", [])),
            genres=_terms(data.pop("genres", [])),
            taxon=_make(Taxon, taxon) if taxon else None,
            typed_notes=[_make(Note, n) for n in data.pop("typed_notes", [])],
            containers=[_make(Container, c) for c in data.pop("containers", [])],
            parallels=[_make(Parallel, p) for p in data.pop("parallels", [])],
            parts=[_part(p) for p in data.pop("parts", [])],
            events=[_event(e) for e in data.pop("events", [])],
            materials=_terms(data.pop("materials", [])),
            techniques=_terms(data.pop("techniques", [])),
            measurements=[_make(Measurement, m) for m in data.pop("measurements", [])],
            coordinates=_make(Coordinates, coordinates) if coordinates else None,
            **data,
        )

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang) or self.title

    def description_in(self, lang: str) -> str | None:
        return self.descriptions.get(lang) or self.description

    @property
    def date_span(self) -> tuple[int | None, int | None]:
        starts = [d.start for d in self.dates if d.start is not None]
        ends = [d.end for d in self.dates if d.end is not None]
        return (min(starts) if starts else None, max(ends) if ends else None)

    @property
    def date_text(self) -> str | None:
        return "; ".join(d.text for d in self.dates if d.text) or None


_FIELDS = {f for f in CoreRecord.__dataclass_fields__}


def _make(cls: Any, data: dict[str, Any]) -> Any:
    """A dataclass from its dict, ignoring keys a newer version may have added."""
    return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _agents(items: list[dict[str, Any]]) -> list[Agent]:
    return [_make(Agent, a) for a in items]


def _dates(items: list[dict[str, Any]]) -> list[DateRange]:
    return [_make(DateRange, d) for d in items]


def _terms(items: list[dict[str, Any]]) -> list[Term]:
    return [_make(Term, t) for t in items]


def _part(data: dict[str, Any]) -> Part:
    part = _make(Part, data)
    part.agents, part.dates = _agents(data.get("agents", [])), _dates(data.get("dates", []))
    return part


def _event(data: dict[str, Any]) -> Event:
    event = _make(Event, data)
    event.date = _make(DateRange, data["date"]) if data.get("date") else None
    event.places, event.agents = _terms(data.get("places", [])), _agents(data.get("agents", []))
    event.materials, event.techniques = _terms(data.get("materials", [])), _terms(data.get("techniques", []))
    return event
