"""The light dose budget of exhibited objects (masterplan 2b, 2d "three functions").

A room declares its light (max lux) and lit hours per year; an object on display there receives
lux x lit hours. The dose of the last 12 months comes from the item's movements (its stays in lit
rooms), plus any dose carried over in `attributes.light_dose_lxh`. Before the category's annual
budget runs out the engine proposes a rotation, with the date by which it must happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.locations.tree import Place, load_places
from heritage.models import Item, Movement
from heritage.policy import facts as facts_mod
from heritage.policy.store import PolicyStore

YEAR = timedelta(days=365)


def _stays(session: Session, item: Item, now: datetime) -> list[tuple[int | None, datetime, datetime]]:
    """(location id, from, to) of each stay in the last 12 months, the current one ending now."""
    moves = session.scalars(
        select(Movement).where(Movement.item_id == item.id).order_by(Movement.at, Movement.id)
    ).all()
    start_window = now - YEAR
    stays = []
    for n, move in enumerate(moves):
        end = moves[n + 1].at if n + 1 < len(moves) else now
        if end > start_window:
            stays.append((move.to_location_id, max(move.at, start_window), end))
    if not moves and item.location_id is not None:
        stays.append((item.location_id, start_window, now))  # no history: assume the whole year here
    return stays


def dose_received(
    session: Session, item_id: str, places: dict[int, Place] | None = None, *, exclude_current: bool = False
) -> float:
    """Lux-hours the item received in the last 12 months (rolling), from its stays in lit rooms."""
    item = session.get(Item, item_id)
    if item is None:
        return 0.0
    places = places if places is not None else load_places(session)
    now = datetime.now(UTC)
    stays = _stays(session, item, now)
    if exclude_current and stays:
        stays = stays[:-1]
    dose = float((item.attributes or {}).get("light_dose_lxh") or 0)
    for loc_id, start, end in stays:
        place = places.get(loc_id) if loc_id is not None else None
        if place is not None and place.annual_dose is not None and "exhibition" in place.functions:
            dose += place.annual_dose * (end - start).total_seconds() / YEAR.total_seconds()
    return dose


@dataclass
class Exposure:
    item: str
    title: str
    location: str
    light_category: str
    budget: float
    used: float
    daily: float
    status: str  # ok | warn | rotate
    rotate_by: date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "title": self.title,
            "location": self.location,
            "light_category": self.light_category,
            "budget_lxh": round(self.budget),
            "used_lxh": round(self.used),
            "fraction": round(self.used / self.budget, 3) if self.budget else None,
            "status": self.status,
            "rotate_by": self.rotate_by.isoformat() if self.rotate_by else None,
        }


def exposures(session: Session, today: date | None = None) -> list[Exposure]:
    """Every object on display in a lit exhibition room, its dose against its budget, and rotation proposals."""
    today = today or date.today()
    places = load_places(session)
    store = PolicyStore.load(session)
    lit = {pid for pid, p in places.items() if p.annual_dose and "exhibition" in p.functions}
    out: list[Exposure] = []
    items = session.scalars(select(Item).where(Item.location_id.in_(lit)).order_by(Item.id)) if lit else []
    for item in items:
        policy = store.for_catalogue_item(item)
        attrs = facts_mod.effective_attributes(item, policy.defaults)
        material = policy.materials.get(attrs.get("material") or "")
        if material is None or material.light_category is None:
            continue
        _max_lux, budget = policy.light_budgets.get(material.light_category, (None, None))
        if budget is None:
            continue
        place = places[item.location_id]  # type: ignore[index]
        used = dose_received(session, item.id, places)
        daily = (place.annual_dose or 0.0) / 365.0
        warn = float(policy.light_budget().get("warn_at_fraction", 0.8))
        rotate = float(policy.light_budget().get("rotate_at_fraction", 1.0))
        limit = rotate * float(budget)
        if used >= limit:
            status, by = "rotate", today
        else:
            days_left = (limit - used) / daily if daily else None
            by = today + timedelta(days=int(days_left)) if days_left is not None and days_left < 365 else None
            status = "warn" if used >= warn * float(budget) or by is not None else "ok"
        out.append(
            Exposure(item.id, item.title, place.code, material.light_category, float(budget), used, daily, status, by)
        )
    return out
