"""Ingest links the names a core record holds (agents, subjects, places, genres, taxon) to authorities.

Each name is matched by its external id, else by its exact normalised name (names.py; preferred names
before variants, then the oldest), else an authority is created for it. A created authority's id derives
from its type and its external id (or its name key), and every row is written insert-if-absent, so a
re-run, a killed run run again, or two ingests at once never make a second authority or a second link for
the same name. The item's links are then made exactly those of its record (links of names the record no
longer holds go). The editing service calls `link_item` too after it changes a core record.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from heritage import events
from heritage.authorities import service
from heritage.authorities.names import name_key, split_dates
from heritage.authorities.unknown import is_unknown_agent
from heritage.authorities.vocabulary import agent_type
from heritage.db import insert_if_absent
from heritage.errors import NotFound
from heritage.identifiers import derived_id
from heritage.models import Authority, AuthorityId, AuthorityLink
from metadata_schemas.core import CoreRecord

AUTH_PREFIX = "auth:"  # an id as the editing forms write it: `auth:<authority id>`
MAX_ROLE = 64


@dataclass(frozen=True)
class NameRef:
    """A name as a record gives it: its authority type, the name, its id (if any) and the item's role."""

    type: str
    name: str
    id: str | None
    role: str


def names_of(core: CoreRecord) -> list[NameRef]:
    """Every name of the record that an authority stands for."""
    refs = [
        NameRef(agent_type(a.name), a.name, a.id, ((a.role or "").strip().lower() or "agent")[:MAX_ROLE])
        for a in core.agents
        if not is_unknown_agent(a.name)  # "Onbekend" is no person: no authority gathers every unknown maker
    ]
    refs += [NameRef("subject", t.label, t.id, "subject") for t in core.subjects]
    refs += [NameRef("place", t.label, t.id, "place") for t in core.places]
    refs += [NameRef("subject", t.label, t.id, "genre") for t in core.genres]
    if core.taxon and core.taxon.scientific_name:
        refs.append(NameRef("taxon", core.taxon.scientific_name, core.taxon.id, "taxon"))
    return [r for r in refs if r.name and r.name.strip()]


def _by_own_id(session: Session, value: str) -> Authority | None:
    try:
        return service.resolve(session, value.removeprefix(AUTH_PREFIX).strip())
    except NotFound:
        return None


def find_or_create(session: Session, ref: NameRef, *, agent: str, item_id: str | None = None) -> str | None:
    """The id of the authority this name stands for (created when none matches); None for a name without words."""
    if ref.id and ref.id.startswith(AUTH_PREFIX):
        found = _by_own_id(session, ref.id)
        if found is not None:
            return found.id
    canonical = service.canonical_uri(ref.id) if ref.id else None
    if canonical:
        found = service.find_by_uri(session, canonical[0])
        if found is not None:
            return found.id
    name, dates = split_dates(" ".join(ref.name.split()))
    key = name_key(name, ref.type)
    if not key:
        return None
    found = service.find_by_name(session, ref.type, name)
    if found is not None:
        if canonical is None:
            return found.id
        if all(i.scheme != canonical[1] for i in found.ids):  # the record knows an id the authority lacks
            values = {"authority_id": found.id, "scheme": canonical[1], "uri": canonical[0]}
            insert_if_absent(session, AuthorityId, values, ["uri"])
            session.expire(found, ["ids"])
            return found.id
        # the same name with another id of the same vocabulary: another person, place, ... of that name
    authority_id = derived_id("authority", ref.type, "uri" if canonical else "name", canonical[0] if canonical else key)
    values = {"id": authority_id, "type": ref.type, "name": name[: service.MAX_NAME], "variants": [], "dates": dates}
    if not insert_if_absent(session, Authority, values, ["id"]):
        existing = _by_own_id(session, authority_id)
        return existing.id if existing is not None else None
    service.write_keys(session, authority_id, ref.type, [name])
    if canonical:
        insert_if_absent(session, AuthorityId, {"authority_id": authority_id, "scheme": canonical[1],
                                                "uri": canonical[0]}, ["uri"])  # fmt: skip
    events.record(
        session, "authority_creation", agent=agent, detail=f"{ref.type} {name!r} read in the record of {item_id}",
        authority=authority_id, item=item_id,
        changes=[{"field": "name", "before": None, "after": name}]
        + ([{"field": "ids", "before": None, "after": [canonical[0]]}] if canonical else []),
    )  # fmt: skip
    return authority_id


def link_item(session: Session, item_id: str, core: CoreRecord, *, agent: str = events.SOFTWARE_AGENT) -> None:
    """Make the item's authority links exactly those of the names its core record holds."""
    wanted: set[tuple[str, str]] = set()
    for ref in names_of(core):
        authority_id = find_or_create(session, ref, agent=agent, item_id=item_id)
        if authority_id is not None:
            wanted.add((authority_id, ref.role))
    existing = set(
        (authority_id, role)
        for authority_id, role in session.execute(
            select(AuthorityLink.authority_id, AuthorityLink.role).where(AuthorityLink.item_id == item_id)
        )
    )
    for authority_id, role in existing - wanted:
        session.execute(
            delete(AuthorityLink).where(
                AuthorityLink.item_id == item_id, AuthorityLink.authority_id == authority_id, AuthorityLink.role == role
            )
        )
    for authority_id, role in sorted(wanted - existing):
        insert_if_absent(
            session, AuthorityLink, {"item_id": item_id, "authority_id": authority_id, "role": role},
            ["item_id", "authority_id", "role"],
        )  # fmt: skip
