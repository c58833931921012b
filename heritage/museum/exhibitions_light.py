"""The light an exhibition gives its objects: for each object in a lit room or case, the dose of the run (from
the place's light and the exhibition's dates) on top of the object's rolling 12-month dose, against its budget
(`heritage.locations.light`), and the day to rotate it out when the budget will be reached before the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from heritage.locations.light import daily_rate, dose_history, light_category_of
from heritage.locations.tree import load_places
from heritage.models import Exhibition, Item
from heritage.policy import facts as facts_mod
from heritage.policy.store import PolicyStore


@dataclass
class ObjectLight:
    item: str
    location: str | None
    light_category: str | None
    budget_lxh: float | None
    used_lxh: float  # rolling 12 months before the run (or now, when it runs already)
    run_lxh: float  # what the run adds
    status: str  # fits | rotate | no_limit | unlit
    rotate_on: date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "location": self.location,
            "light_category": self.light_category,
            "budget_lxh": round(self.budget_lxh) if self.budget_lxh is not None else None,
            "used_lxh": round(self.used_lxh),
            "run_lxh": round(self.run_lxh),
            "status": self.status,
            "rotate_on": self.rotate_on.isoformat() if self.rotate_on else None,
        }


def exhibition_light(session: Session, exhibition: Exhibition, today: date | None = None) -> list[ObjectLight]:
    """Each object's light over the exhibition's run (objects without a room or an online exhibition: none)."""
    if exhibition.starts_on is None or exhibition.ends_on is None:
        return []
    today = today or date.today()
    places = load_places(session)
    store = PolicyStore.load(session)
    start = max(exhibition.starts_on, today)
    out: list[ObjectLight] = []
    for obj in exhibition.objects:
        item = session.get(Item, obj.item_id)
        if item is None or obj.location_id is None:
            continue
        place = places.get(obj.location_id)
        rate = daily_rate(place)
        days = max(0, (exhibition.ends_on - start).days + 1)
        code = place.code if place else None
        policy = store.for_catalogue_item(item)
        attrs = facts_mod.effective_attributes(item, policy.defaults)
        category = light_category_of(attrs, policy.materials.get(attrs.get("material") or ""))
        budget = policy.light_budgets.get(category, (None, None))[1] if category else None
        history = dose_history(session, item, places, datetime.combine(start, time(), tzinfo=UTC))
        used = history.rolling(history.now)
        if not rate:
            out.append(ObjectLight(item.id, code, category, budget, used, 0.0, "unlit", None))
            continue
        if budget is None:
            out.append(ObjectLight(item.id, code, category, None, used, rate * days, "no_limit", None))
            continue
        limit = float(policy.light_budget().get("rotate_at_fraction", 1.0)) * float(budget)
        until = history.days_until(limit, rate)
        rotate_on = start + timedelta(days=int(until)) if until is not None else None
        fits = rotate_on is None or rotate_on > exhibition.ends_on
        out.append(
            ObjectLight(
                item.id,
                code,
                category,
                float(budget),
                used,
                rate * days,
                "fits" if fits else "rotate",
                None if fits else rotate_on,
            )
        )
    return out
