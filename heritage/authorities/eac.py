"""Persons, corporate bodies and families as EAC-CPF 2010 (revised) records (namespace urn:isbn:1-931666-33-4).

One record per authority: its id, names (the preferred one first), external ids, dates of existence,
maintenance history (from its events) and the items it created or is the subject of, as resource
relations. Only the items the given viewer may see are named (the public by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.access import PUBLIC, Viewer, visible_items_clause
from heritage.authorities.service import history
from heritage.authorities.vocabulary import types
from heritage.models import Authority, AuthorityLink, Event, Item, utcnow

NS = "urn:isbn:1-931666-33-4"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "urn:isbn:1-931666-33-4 https://eac.staatsbibliothek-berlin.de/schema/cpf.xsd"
SUBJECT_ROLES = frozenset({"subject"})
MAX_RELATIONS = 10_000


def _e(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    child = etree.SubElement(parent, f"{{{NS}}}{name}", attrs)
    if text is not None:
        child.text = text
    return child


def agent_types() -> dict[str, str]:
    """Authority type -> EAC-CPF entityType, for the types EAC-CPF describes."""
    return {name: t.eac_entity_type for name, t in types().items() if t.eac_entity_type}


def record(
    session: Session,
    authority: Authority,
    *,
    agency: str,
    base_url: str | None = None,
    viewer: Viewer = PUBLIC,
    events: list[Event] | None = None,
) -> etree._Element:
    """The EAC-CPF record of one person, corporate body or family (`events`: its history, oldest first)."""
    entity_type = agent_types()[authority.type]
    root = etree.Element(f"{{{NS}}}eac-cpf", nsmap={None: NS, "xlink": XLINK, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    control = _e(root, "control")
    _e(control, "recordId", authority.id)
    if events is None:
        events = list(reversed(history(session, authority.id)))
    _e(control, "maintenanceStatus", "revised" if len(events) > 1 else "new")
    _e(_e(control, "maintenanceAgency"), "agencyName", agency)
    maintenance = _e(control, "maintenanceHistory")
    for event in events or [None]:  # type: ignore[list-item]
        at: datetime = event.at if event is not None else authority.created_at or utcnow()
        happened = _e(maintenance, "maintenanceEvent")
        kind = "created" if event is None or event.type == "authority_creation" else "revised"
        _e(happened, "eventType", kind)
        _e(happened, "eventDateTime", at.strftime("%Y-%m-%d %H:%M"), standardDateTime=at.strftime("%Y-%m-%dT%H:%M:%S"))
        machine = event is None or event.agent.startswith("heritage ")
        _e(happened, "agentType", "machine" if machine else "human")
        _e(happened, "agent", event.agent if event is not None else "heritage")
        if event is not None and event.detail:
            _e(happened, "eventDescription", event.detail)
    description = _e(root, "cpfDescription")
    identity = _e(description, "identity")
    for external in authority.ids:
        _e(identity, "entityId", external.uri)
    _e(identity, "entityType", entity_type)
    for name in [authority.name, *(authority.variants or [])]:
        _e(_e(identity, "nameEntry"), "part", name)
    if authority.dates:
        _e(_e(_e(description, "description"), "existDates"), "date", authority.dates)
    items = session.execute(
        select(Item.id, Item.title, AuthorityLink.role)
        .join(AuthorityLink, AuthorityLink.item_id == Item.id)
        .where(AuthorityLink.authority_id == authority.id, visible_items_clause(viewer))
        .order_by(Item.title, Item.id, AuthorityLink.role)
        .limit(MAX_RELATIONS)
    ).all()
    if items:
        relations = _e(description, "relations")
        for item_id, title, role in items:
            kind = "subjectOf" if role in SUBJECT_ROLES else "creatorOf" if role == "creator" else "other"
            attrs = {"resourceRelationType": kind, f"{{{XLINK}}}type": "simple"}
            if base_url:
                attrs[f"{{{XLINK}}}href"] = f"{base_url.rstrip('/')}/items/{item_id}"
            relation = etree.SubElement(relations, f"{{{NS}}}resourceRelation", attrs)
            _e(relation, "relationEntry", title)
            if kind == "other":
                _e(_e(relation, "descriptiveNote"), "p", role)
    return root


def agents(session: Session, authority_id: str | None = None) -> Iterator[Authority]:
    """The persons, corporate bodies and families to export (merged ones left out), by id."""
    query = select(Authority).where(Authority.type.in_(list(agent_types())), Authority.merged_into.is_(None))
    if authority_id is not None:
        query = query.where(Authority.id == authority_id)
    yield from session.scalars(query.order_by(Authority.id))


def serialise(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
