"""Location and movement control (Spectrum): every move is a Movement and an event with who, when, from,
to and why; an item's current and past locations; inventory checks of a shelf or room."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.errors import BadRequest, Input, bad
from heritage.locations.tree import get_place, load_places
from heritage.models import InventoryCheck, Item, Location, Movement, Outcome, utcnow
from metadata_schemas.said import Said


def move(
    session: Session, item_id: str, to_code: str, *, agent: str, reason: str, at: datetime | None = None
) -> tuple[Movement, list[Said]]:
    """Move an item to a location; returns the movement and the hard rules the new place breaks (warnings, in
    English by `str()`, in the reader's language on a page).

    Raises:
        NotFound: no such item or location.
        BadRequest: no reason given, or the item is already there.
    """
    from heritage.locations.light import dose_history
    from heritage.locations.matching import misses, need_for
    from heritage.policy.store import PolicyStore

    if not reason.strip():
        raise bad("a move needs a reason (%(field)s)", field=Input("reason", "--reason"))
    item = catalogue.get_item(session, item_id)
    places = load_places(session)
    target = get_place(places, to_code)
    if item.location_id == target.location.id:
        raise bad("item %(item)s is already in %(location)s", item=item_id, location=to_code)
    policy = PolicyStore.load(session).for_catalogue_item(item)
    need = need_for(item, policy)
    need.dose = dose_history(session, item, places)
    warnings = [m.said for m in misses(policy, need, target)[0]]
    source = places.get(item.location_id) if item.location_id else None
    movement = Movement(
        item_id=item.id,
        from_location_id=item.location_id,
        to_location_id=target.location.id,
        at=at or utcnow(),
        agent=agent,
        reason=reason.strip(),
    )
    session.add(movement)
    item.location_id = target.location.id
    _shift_use(item, source.location if source else None, target.location)
    events.record(
        session,
        "movement",
        item_id=item.id,
        agent=agent,
        outcome=Outcome.WARNING if warnings else Outcome.SUCCESS,
        detail=f"moved from {source.code if source else '(no location)'} to {to_code}: {reason.strip()}",
        from_location=source.code if source else None,
        to_location=to_code,
        warnings=[str(w) for w in warnings],
    )
    session.flush()
    return movement, warnings


def _shift_use(item: Item, source: Location | None, target: Location) -> None:
    """Move the item's size (attributes.size) from the source's `used` to the target's."""
    from heritage.locations.matching import extent_in

    size = {k: float(v) for k, v in ((item.attributes or {}).get("size") or {}).items() if isinstance(v, int | float)}
    for loc, sign in ((source, -1), (target, 1)):
        if loc is None or not size:
            continue
        attrs = dict(loc.attributes or {})
        capacity, used = attrs.get("capacity") or {}, dict(attrs.get("used") or {})
        for measure, amount in extent_in(size, list(capacity)).items():  # like units, or converted (units.toml)
            used[measure] = round(max(0.0, float(used.get(measure, 0)) + sign * amount), 3)
        attrs["used"] = used
        loc.attributes = attrs


def history(session: Session, item_id: str) -> dict[str, Any]:
    """The item's current location and its past moves, newest first.

    Raises:
        NotFound: no such item.
    """
    item = catalogue.get_item(session, item_id)
    codes = {loc.id: loc.code for loc in session.scalars(select(Location))}
    moves = session.scalars(
        select(Movement).where(Movement.item_id == item.id).order_by(Movement.at.desc(), Movement.id.desc())
    )
    return {
        "item": item.id,
        "current": codes.get(item.location_id) if item.location_id else None,
        "moves": [
            {
                "at": m.at.isoformat(),
                "from": codes.get(m.from_location_id) if m.from_location_id else None,
                "to": codes.get(m.to_location_id) if m.to_location_id else None,
                "by": m.agent,
                "reason": m.reason,
            }
            for m in moves
        ],
    }


def inventory(session: Session, code: str, scanned: list[str], *, agent: str) -> InventoryCheck:
    """Compare what was scanned at a location (item ids or local identifiers) with what should be there.

    Raises:
        NotFound: no such location.
        BadRequest: nothing was scanned.
    """
    place = get_place(load_places(session), code)
    scanned = [s.strip() for s in scanned if s.strip()]
    if not scanned:
        raise BadRequest(f"inventory of {code}: the scanned list is empty")
    expected = {i.id for i in session.scalars(select(Item).where(Item.location_id == place.location.id))}
    found: set[str] = set()
    unexpected: list[str] = []
    unknown: list[str] = []
    for code_ in scanned:
        item = session.scalar(select(Item).where(or_(Item.id == code_, Item.local_id == code_)).limit(1))
        if item is None:
            unknown.append(code_)
        elif item.id in expected:
            found.add(item.id)
        elif item.id not in unexpected:
            unexpected.append(item.id)
    missing = sorted(expected - found)
    check = InventoryCheck(
        location_id=place.location.id,
        agent=agent,
        scanned=scanned,
        missing=missing,
        unexpected=unexpected,
        unknown=unknown,
    )
    session.add(check)
    events.record(
        session,
        "inventory check",
        agent=agent,
        outcome=Outcome.WARNING if missing or unexpected or unknown else Outcome.SUCCESS,
        detail=f"{code}: {len(found)} found, {len(missing)} missing, "
        f"{len(unexpected)} unexpected, {len(unknown)} unknown",
        location=code,
        missing=missing,
        unexpected=unexpected,
        unknown=unknown,
    )
    session.flush()
    return check
