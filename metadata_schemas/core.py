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


@dataclass
class Term:
    """A subject, place or genre, with its authority id where the source has one."""

    label: str
    id: str | None = None  # AAT, TGN, LCSH, GBIF, Wikidata, ... URI
    scheme: str | None = None


@dataclass
class DateRange:
    text: str
    start: int | None = None  # year, normalised (negative before the common era)
    end: int | None = None
    certainty: str | None = None  # "circa", "uncertain" or None


@dataclass
class Taxon:
    scientific_name: str
    rank: str | None = None
    kingdom: str | None = None
    family: str | None = None
    id: str | None = None
    scheme: str | None = None  # gbif, ...
    scientific_name_authorship: str | None = None


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

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], {})}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CoreRecord:
        data = {k: v for k, v in data.items() if k in _FIELDS}  # tolerate keys of newer versions
        taxon = data.pop("taxon", None)
        return cls(
            title=data.pop("title", ""),
            agents=[Agent(**{k: v for k, v in a.items() if k in _AGENT}) for a in data.pop("agents", [])],
            dates=[DateRange(**d) for d in data.pop("dates", [])],
            subjects=[Term(**t) for t in data.pop("subjects", [])],
            places=[Term(**t) for t in data.pop("places", [])],
            genres=[Term(**t) for t in data.pop("genres", [])],
            taxon=Taxon(**taxon) if taxon else None,
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
_AGENT = {f for f in Agent.__dataclass_fields__}
