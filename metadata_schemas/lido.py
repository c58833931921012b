"""LIDO 1.0 and 1.1 museum object records (`lidoWrap` of `lido` records), read and written.

Read through `crosswalks/lido.csv` (CIDOC LIDO terminology); written as LIDO 1.1 records that also
keep to LIDO 1.0 where it can (one `descriptiveMetadata` block, production event, resource set).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from metadata_schemas import crosswalk
from metadata_schemas.core import CoreRecord, Event
from metadata_schemas.dc import lang_values
from metadata_schemas.errors import Problem
from metadata_schemas.lido_events import (
    read_events,
    write_event,
    write_inscriptions,
    write_measurements,
    write_object_materials,
    write_related_works,
    write_repository,
)
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.xmlsafe import XML_NS, XSI, Sniff, local, write_tree
from metadata_schemas.xmlstandard import XmlStandard, record_problem

LIDO = "http://www.lido-schema.org"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NAMESPACES = (("lido", LIDO), ("skos", SKOS), ("rdf", RDF))
NOT_SPECIFIED = "not specified"
PRODUCTION_WORDS = ("produc", "creat", "herstell", "vervaardig", "design", "publica", "entstehung")


def _q(name: str) -> str:
    return f"{{{LIDO}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(
        parent, _q(name), {(_q(k) if k in ("type", "source") else k): v for k, v in attrs.items() if v}
    )
    if text is not None:
        el.text = text
    return el


class Lido(XmlStandard):
    name = "lido"
    schema_keys = ("lido10", "lido11")
    label = "LIDO"
    record_tags = (f"{{{LIDO}}}lido",)
    record_label = "lido record"
    expected = f"<lidoWrap> or <lido> in {LIDO}"

    def matches(self, shape: Sniff) -> bool:
        return shape.payload in (f"{{{LIDO}}}lido", f"{{{LIDO}}}lidoWrap")

    def schema_key(self, element: etree._Element) -> str | None:
        location = element.getroottree().getroot().get(f"{{{XSI}}}schemaLocation", "")
        return "lido10" if "v1.0" in location else "lido11"

    def check(self, element: etree._Element, source: str, position: int) -> list[Problem]:
        out: list[Problem] = []
        names = {local(c.tag) for c in element}
        for required in ("lidoRecID", "descriptiveMetadata", "administrativeMetadata"):
            if required not in names:
                out.append(record_problem(source, element, position, f"no lido:{required}"))
        return out

    def read(self, element: etree._Element, position: int, path: Path) -> ParsedRecord:
        core, fields = crosswalk.load("lido", NAMESPACES).apply(element)
        read_events(element, core)
        core.level = "object"
        return self.parsed(core, element, position, fields)

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        root = etree.Element(_q("lidoWrap"), nsmap={"lido": LIDO, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{LIDO} http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd")
        for position, core in enumerate(records, start=1):
            root.append(lido_element(core, position))
        write_tree(root, out)


def lido_element(core: CoreRecord, position: int) -> etree._Element:
    """A `lido` record that reads back (through `crosswalks/lido.csv`) as the same core record."""
    record_id = core.local_id or (core.identifiers[0] if core.identifiers else f"record-{position}")
    lido = etree.Element(_q("lido"))
    _sub(lido, "lidoRecID", record_id, type="local")
    if core.type:
        _sub(_sub(lido, "category"), "term", core.type)
    titles = lang_values(core.title or "(untitled)", core.titles)
    main_lang = titles[0][0] or "und"
    descriptive = _sub(lido, "descriptiveMetadata")
    descriptive.set(f"{{{XML_NS}}}lang", main_lang)
    work_types = _sub(_sub(descriptive, "objectClassificationWrap"), "objectWorkTypeWrap")
    for term in core.genres or [None]:
        work_type = _sub(work_types, "objectWorkType")
        if term is not None and term.id:
            _sub(work_type, "conceptID", term.id, type="uri", source=term.scheme or "")
        _sub(work_type, "term", term.label if term is not None else NOT_SPECIFIED)
    identification = _sub(descriptive, "objectIdentificationWrap")
    title_wrap = _sub(identification, "titleWrap")
    for lang, text in titles:
        value = _sub(_sub(title_wrap, "titleSet"), "appellationValue", text)
        if lang and lang != main_lang:
            value.set(f"{{{XML_NS}}}lang", lang)
    write_inscriptions(identification, core.typed_notes)
    others = [i for i in core.identifiers if i != record_id]
    if others or core.physical_locations or core.coordinates:
        write_repository(_sub(identification, "repositoryWrap"), others, core.physical_locations, core.coordinates)
    descriptions = lang_values(core.description, core.descriptions)
    if descriptions:
        wrap = _sub(identification, "objectDescriptionWrap")
        for lang, text in descriptions:
            note = _sub(_sub(wrap, "objectDescriptionSet"), "descriptiveNoteValue", text)
            if lang and lang != main_lang:
                note.set(f"{{{XML_NS}}}lang", lang)
    write_measurements(identification, core.extent, core.measurements)
    events = list(core.events)
    held_materials = {t.label for e in events for t in e.materials}
    held_techniques = {t.label for e in events for t in e.techniques}
    write_object_materials(
        identification,
        [t for t in core.materials if t.label not in held_materials],
        [t for t in core.techniques if t.label not in held_techniques],
    )
    write_events(descriptive, core)
    relations = [n for n in core.typed_notes if n.type == "relation"]
    relation_wrap = _sub(descriptive, "objectRelationWrap") if core.subjects or core.parts or relations else None
    if relation_wrap is not None and core.subjects:
        subject_set = _sub(_sub(relation_wrap, "subjectWrap"), "subjectSet")
        subject = _sub(subject_set, "subject")
        for term in core.subjects:
            concept = _sub(subject, "subjectConcept")
            if term.id:
                _sub(concept, "conceptID", term.id, type="uri", source=term.scheme or "")
            _sub(concept, "term", term.label)
    if relation_wrap is not None:
        write_related_works(relation_wrap, core.parts, relations)
    administrative = _sub(lido, "administrativeMetadata")
    administrative.set(f"{{{XML_NS}}}lang", main_lang)
    if core.rights:
        _sub(_sub(_sub(_sub(administrative, "rightsWorkWrap"), "rightsWorkSet"), "rightsType"), "term", core.rights)
    record_wrap = _sub(administrative, "recordWrap")
    _sub(record_wrap, "recordID", record_id, type="local")
    _sub(_sub(record_wrap, "recordType"), "term", core.level or "item")
    _sub(_sub(_sub(record_wrap, "recordSource"), "legalBodyName"), "appellationValue", "heritage")
    if core.files:
        resource_wrap = _sub(administrative, "resourceWrap")
        for ref in core.files:
            _sub(_sub(_sub(resource_wrap, "resourceSet"), "resourceRepresentation"), "linkResource", ref)
    return lido


def _production(kind: str) -> bool:
    """Whether crosswalks/lido.csv reads an event of this type as the production (its `dates` row)."""
    return any(word in kind.lower() for word in PRODUCTION_WORDS)


def write_events(descriptive: etree._Element, core: CoreRecord) -> None:
    """The record's events; agents, dates and places no event holds go to a production event."""
    events = list(core.events)
    held_agents = {(a.name, a.role) for e in events for a in e.agents}
    held_dates = {(e.date.text) for e in events if e.date is not None}
    held_places = {p.label for e in events for p in e.places}
    agents = [a for a in core.agents if (a.name, a.role) not in held_agents]
    dates = [d for d in core.dates if d.text not in held_dates]
    places = [p for p in core.places if p.label not in held_places]
    # Dates read back as the object's dates when they are of production events, or when no event is one:
    # so typed dates (issued, copyright, ...) keep their type only if none of them is a production date.
    typed = bool(dates) and all(d.type and not _production(d.type) for d in dates)
    kinds = [d.type if d.type and (typed or _production(d.type)) else "Production" for d in dates]
    if agents or dates or places:
        # one date per event: the later dates get events of their own
        events.append(Event(kinds[0] if dates else "Production", dates[0] if dates else None, places, agents))
        events += [Event(kind, date) for kind, date in zip(kinds[1:], dates[1:], strict=True)]
    if events:
        wrap = _sub(descriptive, "eventWrap")
        for event in events:
            write_event(wrap, event)


STANDARD = Lido()
