"""The light dose budget of exhibited objects (masterplan 2b, 2d "three functions").

A room (or a display case, which has its own light) declares its light: `max_lux` and the lit hours per
year of each of its functions (`schedules`: exhibition, teaching, administration, ...); an object there
receives lux x all the lit hours. The dose is a rolling 12 months: what the item received in the last
365 days, from its stays (its movements), plus any dose carried over in `attributes.light_dose_lxh` (received
before movements were recorded, of unknown date: it is counted as if it stays in the window). A rotation is
proposed only when, going on at the current place's rate, the rolling dose will actually reach the budget
within the next 12 months (older exposure drops out of the window as new exposure comes in).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.locations.tree import Place, load_places
from heritage.models import Item, Movement
from heritage.policy import facts as facts_mod
from heritage.policy.store import PolicyStore

YEAR = timedelta(days=365)
DAY = timedelta(days=1)


@dataclass
class DoseHistory:
    """An item's exposure in the last 12 months: a carried-over dose and (from, to, lx·h per day) segments."""

    now: datetime
    carried: float = 0.0
    segments: list[tuple[datetime, datetime, float]] = field(default_factory=list)

    def rolling(self, at: datetime, future_rate: float = 0.0) -> float:
        """The dose of the 12 months up to `at`, going on at `future_rate` lx·h a day after now."""
        window = at - YEAR
        total = self.carried
        for start, end, rate in [*self.segments, (self.now, max(at, self.now), future_rate)]:
            overlap = (min(end, at) - max(start, window)).total_seconds()
            if overlap > 0 and rate:
                total += rate * overlap / DAY.total_seconds()
        return total

    def days_until(self, limit: float, future_rate: float) -> float | None:
        """Days from now until the rolling dose reaches `limit` at `future_rate`, or None when it stays below
        within the next 12 months (0 when it has already been reached)."""
        current = self.rolling(self.now)
        if current >= limit:
            return 0.0
        if current + future_rate * 365 < limit:  # even if nothing dropped out of the window
            return None
        for day in range(1, 366):
            if self.rolling(self.now + day * DAY, future_rate) >= limit:
                lo, hi = float(day - 1), float(day)  # the crossing within the day, to the hour
                for _ in range(12):
                    mid = (lo + hi) / 2
                    if self.rolling(self.now + mid * DAY, future_rate) >= limit:
                        hi = mid
                    else:
                        lo = mid
                return hi
        return None


def daily_rate(place: Place | None) -> float:
    """lx·h per day an object on open display at `place` receives."""
    return (place.annual_dose or 0.0) / 365.0 if place is not None else 0.0


def _stays(session: Session, item: Item, now: datetime) -> list[tuple[int | None, datetime, datetime]]:
    """(location id, from, to) of each stay in the last 12 months, the current one ending now."""
    moves = session.scalars(
        select(Movement).where(Movement.item_id == item.id).order_by(Movement.at, Movement.id)
    ).all()
    start_window = now - YEAR
    stays = []
    for n, move in enumerate(moves):
        at = move.at if move.at.tzinfo else move.at.replace(tzinfo=UTC)
        end = moves[n + 1].at if n + 1 < len(moves) else now
        end = end if end.tzinfo else end.replace(tzinfo=UTC)
        if end > start_window:
            stays.append((move.to_location_id, max(at, start_window), end))
    if not moves and item.location_id is not None:
        stays.append((item.location_id, start_window, now))  # no history: assume the whole year here
    return stays


def dose_history(session: Session, item: Item, places: dict[int, Place], now: datetime | None = None) -> DoseHistory:
    """The item's exposure of the last 12 months, from its stays in lit places."""
    now = now or datetime.now(UTC)
    history = DoseHistory(now=now, carried=float((item.attributes or {}).get("light_dose_lxh") or 0))
    for loc_id, start, end in _stays(session, item, now):
        rate = daily_rate(places.get(loc_id) if loc_id is not None else None)
        if rate:
            history.segments.append((start, end, rate))
    return history


def dose_received(
    session: Session, item_id: str, places: dict[int, Place] | None = None, *, exclude_current: bool = False
) -> float:
    """Lux-hours the item received in the last 12 months (rolling), from its stays in lit places."""
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
        rate = daily_rate(places.get(loc_id) if loc_id is not None else None)
        dose += rate * (end - start).total_seconds() / DAY.total_seconds()
    return dose


def light_category_of(attrs: dict[str, Any], material: Any) -> str | None:
    """The item's own light category (`attributes.light_category`) over its material's."""
    own = attrs.get("light_category")
    if isinstance(own, str) and own:
        return own
    return material.light_category if material is not None else None


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
    annual: float = 0.0  # lx·h a year at the current place (all its functions' lit hours)

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
            "annual_lxh": round(self.annual),
            "window": "rolling 12 months",
        }


def exposures(session: Session, today: date | None = None) -> list[Exposure]:
    """Every object in a lit place (an exhibition room or a case), its rolling 12-month dose against its budget,
    and a rotation date when the budget will be reached within 12 months at the current rate."""
    today = today or date.today()
    now = datetime.now(UTC)
    places = load_places(session)
    store = PolicyStore.load(session)
    lit = {pid for pid, p in places.items() if p.annual_dose}
    out: list[Exposure] = []
    items = session.scalars(select(Item).where(Item.location_id.in_(lit)).order_by(Item.id)) if lit else []
    for item in items:
        policy = store.for_catalogue_item(item)
        attrs = facts_mod.effective_attributes(item, policy.defaults)
        material = policy.materials.get(attrs.get("material") or "")
        category = light_category_of(attrs, material)
        if category is None:
            continue
        _max_lux, budget = policy.light_budgets.get(category, (None, None))
        if budget is None:
            continue
        place = places[item.location_id]  # type: ignore[index]
        history = dose_history(session, item, places, now)
        used = history.rolling(now)
        daily = daily_rate(place)
        warn = float(policy.light_budget().get("warn_at_fraction", 0.8))
        rotate = float(policy.light_budget().get("rotate_at_fraction", 1.0))
        limit = rotate * float(budget)
        days = history.days_until(limit, daily)
        if days is not None and days <= 0:
            status, by = "rotate", today
        else:
            by = today + timedelta(days=int(days)) if days is not None else None
            status = "warn" if used >= warn * float(budget) or by is not None else "ok"
        out.append(
            Exposure(
                item.id,
                item.title,
                place.code,
                category,
                float(budget),
                used,
                daily,
                status,
                by,
                annual=place.annual_dose or 0.0,
            )
        )
    return out
