"""Central and decentral custody: a records series kept by a faculty or campus moves to the central
archive when its trigger plus the transfer period is reached (masterplan 5). Proposal, transfer list
and acceptance are each an event; on acceptance custody (the items' unit) becomes the central unit.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.errors import BadRequest, NotFound
from heritage.models import Item, Transfer, Unit, utcnow
from heritage.policy import facts as facts_mod
from heritage.policy.store import PolicyStore

OPEN = ("proposed", "listed")


def _unit_of(item: Item) -> Unit:
    return item.unit or item.collection.unit


def _descendants(session: Session, item: Item) -> list[Item]:
    out, frontier = [], [item]
    while frontier:
        children = list(
            itertools.chain.from_iterable(
                session.scalars(select(Item).where(Item.parent_id == node.id).order_by(Item.position, Item.id))
                for node in frontier
            )
        )
        out += children
        frontier = children
    return out


def due_transfers(session: Session, today: date | None = None) -> list[dict[str, Any]]:
    """Series held by a decentral unit whose transfer period after their trigger has passed."""
    today = today or date.today()
    store = PolicyStore.load(session)
    busy = {t.item_id for t in session.scalars(select(Transfer).where(Transfer.status.in_((*OPEN, "accepted"))))}
    out = []
    for item in session.scalars(select(Item).order_by(Item.id)):
        series = (item.attributes or {}).get("series")
        unit = _unit_of(item)
        if not series or unit is None or unit.central or item.id in busy:
            continue
        policy = store.for_item(unit.slug, item.collection.slug)
        row = policy.schedule.get(series)
        if row is None or row.disposition != "B":
            continue
        period = row.transfer_after or policy.default_transfer_after
        start = facts_mod.trigger_dates(item, item.attributes or {}).get(row.trigger)
        if start is None:
            continue
        due = period.after(start)
        if due <= today:
            out.append(
                {
                    "item": item.id,
                    "title": item.title,
                    "unit": unit.slug,
                    "series": series,
                    "due": due.isoformat(),
                    "reason": f"selection list {series} (B): transfer {period} after {row.trigger} "
                    f"({start}), due {due}",
                    "to_unit": policy.central_unit,
                }
            )
    return out


def propose(session: Session, item_id: str, *, agent: str, today: date | None = None) -> Transfer:
    """Propose the transfer of a due series to the central archive (an event).

    Raises:
        NotFound: no such item.
        BadRequest: the item is not due for transfer, or a transfer is already open.
    """
    item = catalogue.get_item(session, item_id)
    due = {d["item"]: d for d in due_transfers(session, today)}
    if item.id not in due:
        open_ = session.scalar(select(Transfer).where(Transfer.item_id == item.id, Transfer.status.in_(OPEN)))
        if open_ is not None:
            raise BadRequest(f"item {item_id} already has transfer {open_.id} ({open_.status})")
        raise BadRequest(f"item {item_id} is not due for transfer (see heritage transfers due)")
    d = due[item.id]
    target = catalogue.get_unit(session, d["to_unit"])
    if target is None:
        raise NotFound(f"central unit {d['to_unit']!r} (records_lifecycle.central_unit) does not exist")
    transfer = Transfer(
        item_id=item.id,
        from_unit_id=_unit_of(item).id,
        to_unit_id=target.id,
        status="proposed",
        reason=d["reason"],
        proposed_by=agent,
    )
    session.add(transfer)
    session.flush()
    events.record(
        session,
        "transfer proposal",
        item_id=item.id,
        agent=agent,
        detail=f"transfer {transfer.id}: {d['reason']}",
        transfer=transfer.id,
    )
    return transfer


def _get(session: Session, transfer_id: int) -> Transfer:
    transfer = session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound(f"transfer {transfer_id} does not exist")
    return transfer


def make_list(session: Session, transfer_id: int, *, agent: str) -> list[dict[str, Any]]:
    """Draw up the transfer list (the series and every item under it) and record it as an event.

    Raises:
        NotFound: no such transfer.
        BadRequest: the transfer was already accepted or rejected.
    """
    transfer = _get(session, transfer_id)
    if transfer.status not in OPEN:
        raise BadRequest(f"transfer {transfer_id} is {transfer.status}; its list is final")
    series = catalogue.get_item(session, transfer.item_id)
    rows = [series, *_descendants(session, series)]
    listing = [
        {"item": i.id, "local_id": i.local_id, "level": i.level, "title": i.title, "date": i.date_text} for i in rows
    ]
    transfer.items = [r["item"] for r in listing]
    transfer.item_count = len(listing)
    transfer.status = "listed"
    events.record(
        session,
        "transfer list",
        item_id=series.id,
        agent=agent,
        detail=f"transfer {transfer.id}: list of {len(listing)} items",
        transfer=transfer.id,
        items=transfer.items,
    )
    return listing


def accept(session: Session, transfer_id: int, *, agent: str, role: str) -> Transfer:
    """Accept a listed transfer: custody of every listed item moves to the central unit (events).

    Raises:
        NotFound: no such transfer.
        BadRequest: not listed yet, or a role the policy does not name for accepting transfers.
    """
    transfer = _get(session, transfer_id)
    if transfer.status != "listed":
        raise BadRequest(
            f"transfer {transfer_id} is {transfer.status}: draw up its list first (heritage transfers list)"
        )
    roles, _distinct = PolicyStore.load(session).default.approvals.get("transfer", (("university_archivist",), False))
    if role not in roles:
        raise BadRequest(f"role {role!r} does not accept transfers; the policy asks for: {', '.join(roles)}")
    transfer.status, transfer.accepted_by, transfer.accepted_at = "accepted", agent, utcnow()
    target = session.get(Unit, transfer.to_unit_id)
    for item_id in transfer.items:
        item = session.get(Item, item_id)
        if item is not None:
            item.unit_id = transfer.to_unit_id
            events.record(
                session,
                "custody change",
                item_id=item_id,
                agent=agent,
                detail=f"custody to {target.slug if target else transfer.to_unit_id} by transfer {transfer.id}",
                transfer=transfer.id,
            )
    events.record(
        session,
        "transfer accepted",
        item_id=transfer.item_id,
        agent=agent,
        detail=f"transfer {transfer.id} accepted by {agent} ({role}): {transfer.item_count} items",
        transfer=transfer.id,
        role=role,
    )
    session.flush()
    return transfer
