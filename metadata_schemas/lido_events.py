"""LIDO events, materials and techniques, and measurements: read into the core record and written back.

Every `eventSet/event` becomes a core `Event` (its type the first eventType term, as LIDO records give
it: Production, Acquisition, Herstellung, ...), with its date, places, actors and materials; an object
without a production date takes the dates of its other events (typed by event), so it is not undated.
`termMaterialsTech` typed `.../technique` is a technique, any other a material (CIDOC LIDO terminology);
`objectMeasurementsSet/objectMeasurements/measurementsSet` gives the measurements.
"""

from __future__ import annotations

from lxml import etree

from metadata_schemas.authorities import authority, scheme_of
from metadata_schemas.core import Agent, Coordinates, CoreRecord, DateRange, Event, Measurement, Note, Part, Term
from metadata_schemas.dates import parse_date
from metadata_schemas.xmlsafe import XML_NS, text_of

LIDO = "http://www.lido-schema.org"
GML = "http://www.opengis.net/gml"
NS = {
    "lido": LIDO,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "gml": GML,
}
EVENTS = "lido:descriptiveMetadata/lido:eventWrap/lido:eventSet/lido:event"
POSITIONS = (  # where the object is: its repository's location, else the place of an event
    "lido:descriptiveMetadata/lido:objectIdentificationWrap/lido:repositoryWrap/lido:repositorySet"
    "/lido:repositoryLocation/lido:gml/gml:Point/gml:pos",
    f"{EVENTS}/lido:eventPlace/lido:place/lido:gml/gml:Point/gml:pos",
)
RELATED = "lido:descriptiveMetadata/lido:objectRelationWrap/lido:relatedWorksWrap/lido:relatedWorkSet"
HAS_PART = ("has part", "is composed of", "hat teil", "besteht aus")
INSCRIPTIONS = "lido:descriptiveMetadata/lido:objectIdentificationWrap/lido:inscriptionsWrap/lido:inscriptions"
INSCRIPTION_NOTES = ("inscription", "inscription_description")
MEASUREMENTS = (
    "lido:descriptiveMetadata/lido:objectIdentificationWrap/lido:objectMeasurementsWrap/lido:objectMeasurementsSet"
)
OBJECT_MATERIALS = (
    "lido:descriptiveMetadata/lido:objectIdentificationWrap/lido:objectMaterialsTechWrap/lido:objectMaterialsTechSet"
)


def _first(node: etree._Element, *paths: str) -> str | None:
    """The first non-empty text the paths find, trying them in order (the first path is preferred)."""
    for path in paths:
        for el in node.xpath(path, namespaces=NS):
            text = text_of(el) if not isinstance(el, str) else text_of(str(el))
            if text:
                return text
    return None


def event_type(event: etree._Element) -> str:
    """The event's type as the record names it (the first term), else the last part of its concept URI."""
    term = _first(event, "(lido:eventType/lido:term|lido:eventType/skos:Concept/skos:prefLabel)[1]")
    if term:
        return term
    uri = _first(event, "lido:eventType/lido:conceptID|lido:eventType/skos:Concept/@rdf:about") or "event"
    return uri.rstrip("/").rsplit("/", 1)[-1]


def _date(event: etree._Element, kind: str) -> DateRange | None:
    earliest = _first(event, "lido:eventDate/lido:date/lido:earliestDate")
    latest = _first(event, "lido:eventDate/lido:date/lido:latestDate")
    text = _first(event, "lido:eventDate/lido:displayDate") or "/".join(filter(None, [earliest, latest]))
    if not text:
        return None
    normal = f"{earliest}/{latest}" if earliest and latest else earliest or latest
    date = parse_date(text, normal)
    date.type = kind
    return date


def _agents(event: etree._Element, kind: str) -> list[Agent]:
    out: list[Agent] = []
    for in_role in event.xpath("lido:eventActor/lido:actorInRole", namespaces=NS):
        name = _first(in_role, "lido:actor/lido:nameActorSet/lido:appellationValue")
        if not name:
            continue
        uri, _scheme = authority(
            _first(in_role, "lido:actor/lido:actorID[1]"), _first(in_role, "lido:actor/lido:actorID[1]/@lido:source")
        )
        role = _first(in_role, "(lido:roleActor/lido:term|lido:roleActor/skos:Concept/skos:prefLabel)[1]") or kind
        actor_type = (_first(in_role, "lido:actor/@lido:type") or "").lower()
        person = "person" in actor_type or actor_type.endswith("lido00163")
        agent_kind = "person" if person else "corporate" if "corporat" in actor_type else None
        out.append(Agent(name, role, uri, agent_kind))
    return out


def _places(event: etree._Element) -> list[Term]:
    out: list[Term] = []
    for place in event.xpath("lido:eventPlace/lido:place", namespaces=NS):
        label = _first(place, "lido:namePlaceSet/lido:appellationValue")
        if label:
            uri, scheme = authority(_first(place, "lido:placeID[1]"), _first(place, "lido:placeID[1]/@lido:source"))
            out.append(Term(label, uri, scheme))
    return out


def _concept(term: etree._Element) -> tuple[str | None, str | None]:
    """The concept id of a term: the first in a known vocabulary (AAT, GND, Wikidata, ...), else the first."""
    ids = [authority(text_of(c)) for c in term.xpath("lido:conceptID|skos:Concept/@rdf:about", namespaces=NS)]
    ids = [i for i in ids if i[0]]
    return next((i for i in ids if i[1]), ids[0] if ids else (None, None))


def materials_tech(parent: etree._Element, path: str) -> tuple[list[Term], list[Term]]:
    """(materials, techniques) of the `termMaterialsTech` under `parent`; its display text when it has none."""
    materials: list[Term] = []
    techniques: list[Term] = []
    for wrap in parent.xpath(path, namespaces=NS):
        terms = wrap.xpath("lido:materialsTech/lido:termMaterialsTech", namespaces=NS)
        for term in terms:
            label = _first(
                term,
                "lido:term[@lido:pref='http://terminology.lido-schema.org/lido00169'][not(@xml:lang)]",
                "lido:term[not(@lido:addedSearchTerm='yes')]",
                "skos:Concept/skos:prefLabel",
            )
            if not label:
                continue
            uri, scheme = _concept(term)
            target = techniques if "techni" in (term.get(f"{{{LIDO}}}type") or "").lower() else materials
            if all(t.label != label for t in target):
                target.append(Term(label, uri, scheme))
        display = _first(wrap, "lido:displayMaterialsTech")
        if not terms and display and all(t.label != display for t in materials):
            materials.append(Term(display))
    return materials, techniques


def read_events(element: etree._Element, core: CoreRecord) -> None:
    """Fill events, dates of undated objects, materials, techniques and measurements of one `lido` record."""
    for node in element.xpath(EVENTS, namespaces=NS):
        kind = event_type(node)
        materials, techniques = materials_tech(node, "lido:eventMaterialsTech")
        note = _first(node, "lido:eventName/lido:appellationValue|lido:eventDescriptionSet/lido:descriptiveNoteValue")
        event = Event(kind, _date(node, kind), _places(node), _agents(node, kind), materials, techniques, note)
        core.events.append(event)
        for term in materials:
            core.materials += [term] if all(t.label != term.label for t in core.materials) else []
        for term in techniques:
            core.techniques += [term] if all(t.label != term.label for t in core.techniques) else []
    kinds = {a.name: a.kind for e in core.events for a in e.agents if a.kind}
    for agent in core.agents:  # the table reads names and roles; the kind comes from actor@type
        agent.kind = agent.kind or kinds.get(agent.name)
    materials, techniques = materials_tech(element, OBJECT_MATERIALS)
    core.materials += [m for m in materials if all(t.label != m.label for t in core.materials)]
    core.techniques += [m for m in techniques if all(t.label != m.label for t in core.techniques)]
    for date in core.dates:  # the production dates the table read: typed by their event
        date.type = next((e.type for e in core.events if e.date and e.date.text == date.text), date.type)
    if not core.dates:  # no production date: the object is dated by its other events
        core.dates = [e.date for e in core.events if e.date is not None]
    core.coordinates = core.coordinates or _position(element)
    _inscriptions(element, core)
    _related_works(element, core)
    for measurement_set in element.xpath(MEASUREMENTS, namespaces=NS):
        display = _first(measurement_set, "lido:displayObjectMeasurements")
        for one in measurement_set.xpath("lido:objectMeasurements/lido:measurementsSet", namespaces=NS):
            value = _first(one, "lido:measurementValue")
            if value:
                kind = _first(one, "lido:measurementType[@xml:lang='en']", "lido:measurementType")
                core.measurements.append(Measurement(kind, value, _first(one, "lido:measurementUnit"), display))


def _inscriptions(element: etree._Element, core: CoreRecord) -> None:
    """Each inscription's transcription and description as typed notes, labelled with its type (front, ...)."""
    for inscription in element.xpath(INSCRIPTIONS, namespaces=NS):
        label = inscription.get(f"{{{LIDO}}}type")
        for kind, path in zip(
            INSCRIPTION_NOTES,
            ("lido:inscriptionTranscription", "lido:inscriptionDescription/lido:descriptiveNoteValue"),
            strict=True,
        ):
            for el in inscription.xpath(path, namespaces=NS):
                text = text_of(el)
                if text:
                    lang = el.get(f"{{{XML_NS}}}lang")
                    core.typed_notes.append(Note(kind, text, lang, label))


def _related_works(element: etree._Element, core: CoreRecord) -> None:
    """relatedWorkSets: a part ("has part", "is composed of") is a core part, any other a relation note."""
    for related in element.xpath(RELATED, namespaces=NS):
        work = "lido:relatedWork/lido:object"
        name = _first(
            related, "lido:relatedWork/lido:displayObject", f"{work}/lido:objectWebResource", f"{work}/lido:objectID"
        )
        if not name:
            continue
        kinds = related.xpath("lido:relatedWorkRelType//*[self::lido:term or self::skos:prefLabel]", namespaces=NS)
        label = _first(
            related, "(lido:relatedWorkRelType/lido:term|lido:relatedWorkRelType/skos:Concept/skos:prefLabel)[1]"
        )
        if any(text_of(k).lower() in HAS_PART for k in kinds):
            core.parts.append(
                Part(name, identifiers=[text_of(i) for i in related.xpath(f"{work}/lido:objectID", namespaces=NS)])
            )
        else:
            core.typed_notes.append(Note("relation", name, label=label))


def _position(element: etree._Element) -> Coordinates | None:
    """A GML point (`lat lon`, as WGS 84 gives it) of the object's repository or of one of its events."""
    text = _first(element, *POSITIONS)
    parts = (text or "").replace(",", " ").split()
    try:
        return Coordinates(float(parts[0]), float(parts[1]), text=text) if len(parts) == 2 else None
    except ValueError:
        return None


# --- writing -------------------------------------------------------------------------------------------


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(
        parent,
        f"{{{LIDO}}}{name}",
        {(f"{{{LIDO}}}{k}" if k in ("type", "source") else k): v for k, v in attrs.items() if v},
    )
    if text is not None:
        el.text = text
    return el


def write_event(wrap: etree._Element, event: Event) -> None:
    """One eventSet, its children in LIDO's order (type, actors, date, places, materials, description)."""
    node = _sub(_sub(wrap, "eventSet"), "event")
    _sub(_sub(node, "eventType"), "term", event.type)
    for agent in event.agents:
        in_role = _sub(_sub(node, "eventActor"), "actorInRole")
        actor = _sub(in_role, "actor", type={"person": "person", "corporate": "corporation"}.get(agent.kind or "", ""))
        if agent.id:
            _sub(actor, "actorID", agent.id, type="uri", source=scheme_of(agent.id) or "")
        _sub(_sub(actor, "nameActorSet"), "appellationValue", agent.name)
        if agent.role and agent.role != event.type:
            _sub(_sub(in_role, "roleActor"), "term", agent.role)
    if event.date is not None:
        write_date(node, event.date)
    for place in event.places:
        where = _sub(_sub(node, "eventPlace"), "place")
        if place.id:
            _sub(where, "placeID", place.id, type="uri", source=place.scheme or "")
        _sub(_sub(where, "namePlaceSet"), "appellationValue", place.label)
    write_materials(node, event.materials, event.techniques)
    if event.note:
        _sub(_sub(node, "eventDescriptionSet"), "descriptiveNoteValue", event.note)


def write_date(node: etree._Element, date: DateRange) -> None:
    event_date = _sub(node, "eventDate")
    _sub(event_date, "displayDate", date.text)
    if date.start is not None and date.end is not None and 0 <= date.start <= date.end <= 9999:
        span = _sub(event_date, "date")
        _sub(span, "earliestDate", f"{date.start:04d}")
        _sub(span, "latestDate", f"{date.end:04d}")


def write_materials(
    node: etree._Element, materials: list[Term], techniques: list[Term], wrap: str = "eventMaterialsTech"
) -> None:
    """termMaterialsTech typed material or technique, each in a wrap of its own (eventMaterialsTech, ...)."""
    for kind, terms in (("material", materials), ("technique", techniques)):
        for term in terms:
            tech = _sub(_sub(_sub(node, wrap), "materialsTech"), "termMaterialsTech")
            tech.set(f"{{{LIDO}}}type", f"http://terminology.lido-schema.org/termMaterialsTech_type/{kind}")
            if term.id:
                _sub(tech, "conceptID", term.id, type="uri", source=term.scheme or "")
            _sub(tech, "term", term.label)


def write_measurements(identification: etree._Element, extent: str | None, measurements: list[Measurement]) -> None:
    if not extent and not measurements:
        return
    measurement_set = _sub(_sub(identification, "objectMeasurementsWrap"), "objectMeasurementsSet")
    _sub(measurement_set, "displayObjectMeasurements", extent or measurements[0].text or "")
    if measurements:
        wrap = _sub(measurement_set, "objectMeasurements")
        for one in measurements:
            values = _sub(wrap, "measurementsSet")
            _sub(values, "measurementType", one.type or "")
            _sub(values, "measurementUnit", one.unit or "")
            _sub(values, "measurementValue", one.value)


def write_object_materials(identification: etree._Element, materials: list[Term], techniques: list[Term]) -> None:
    """Materials and techniques of the object that no event holds (LIDO 1.1 objectMaterialsTechWrap)."""
    if materials or techniques:
        write_materials(
            _sub(identification, "objectMaterialsTechWrap"), materials, techniques, "objectMaterialsTechSet"
        )


def write_repository(
    wrap: etree._Element, identifiers: list[str], locations: list[str], point: Coordinates | None
) -> None:
    """repositorySets: the work ids, then each physical location as a repository name (its point in the first)."""
    sets = max(1, len(locations))
    for number in range(sets):
        repository = _sub(wrap, "repositorySet")
        if number < len(locations):
            _sub(_sub(_sub(repository, "repositoryName"), "legalBodyName"), "appellationValue", locations[number])
        for ident in identifiers if number == 0 else []:
            _sub(repository, "workID", ident, type="inventory number")
        if number == 0 and point is not None:
            gml = _sub(_sub(repository, "repositoryLocation"), "gml")
            pos = etree.SubElement(etree.SubElement(gml, f"{{{GML}}}Point"), f"{{{GML}}}pos")
            pos.text = f"{point.latitude} {point.longitude}"


def write_inscriptions(identification: etree._Element, notes: list[Note]) -> None:
    """Inscription notes as inscriptions, a description joining the transcription of the same label before it."""
    notes = [n for n in notes if n.type in INSCRIPTION_NOTES]
    if not notes:
        return
    wrap = _sub(identification, "inscriptionsWrap")
    current: etree._Element | None = None
    label: str | None = None
    for note in notes:
        if current is None or note.type == "inscription" or note.label != label:
            current, label = _sub(wrap, "inscriptions", type=note.label or ""), note.label
        if note.type == "inscription":
            el = _sub(current, "inscriptionTranscription", note.text)
        else:
            el = _sub(_sub(current, "inscriptionDescription"), "descriptiveNoteValue", note.text)
        if note.lang:
            el.set(f"{{{XML_NS}}}lang", note.lang)


def write_related_works(wrap: etree._Element, parts: list[Part], relations: list[Note]) -> None:
    """Parts as relatedWorkSets of type "has part" (their title and ids), relation notes with their label."""
    if not parts and not relations:
        return
    works = _sub(wrap, "relatedWorksWrap")
    for title, idents, kind in [(p.title, p.identifiers, "has part") for p in parts] + [
        (n.text, [], n.label) for n in relations
    ]:
        related = _sub(works, "relatedWorkSet")
        work = _sub(related, "relatedWork")
        _sub(work, "displayObject", title)
        if idents:
            thing = _sub(work, "object")
            for ident in idents:
                _sub(thing, "objectID", ident, type="local")
        if kind:
            _sub(_sub(related, "relatedWorkRelType"), "term", kind)
