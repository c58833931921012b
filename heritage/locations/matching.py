"""Where an object may and should be kept: hard constraints first (each failure named), then a weighted
score over the locations that pass (masterplan 2d). Existing placements that break a hard rule are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue
from heritage.locations.tree import DEDICATED_FLAGS, NOT_FOR_KEEPING, Place, load_places
from heritage.models import Item
from heritage.policy import facts as facts_mod
from heritage.policy.model import Material, Policy
from heritage.policy.store import PolicyStore


@dataclass
class Need:
    """What one object asks of a location."""

    item: str
    collection_id: int
    unit_id: int | None
    material: Material | None
    hazards: tuple[str, ...]
    required_flags: frozenset[str]
    forbidden_flags: frozenset[str]
    size: dict[str, float]
    frequent_use: bool
    dose_used: float = 0.0  # lux-hours received in the last 12 months
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def light_category(self) -> str | None:
        return self.material.light_category if self.material else None


def need_for(item: Item, policy: Policy, dose_used: float = 0.0) -> Need:
    attrs = facts_mod.effective_attributes(item, policy.defaults)
    material = policy.materials.get(attrs.get("material") or "")
    hazards = list(material.hazards) if material else []
    hazards += [h for h in attrs.get("hazards") or [] if h not in hazards]
    required = set(material.required_flags) if material else set()
    for h in hazards:
        required |= policy.hazard_flags.get(h, frozenset())
    size = {k: float(v) for k, v in (attrs.get("size") or {}).items() if isinstance(v, int | float)}
    return Need(
        item=item.id,
        collection_id=item.collection_id,
        unit_id=item.unit_id if item.unit_id is not None else item.collection.unit_id,
        material=material,
        hazards=tuple(hazards),
        required_flags=frozenset(required),
        forbidden_flags=material.forbidden_flags if material else frozenset(),
        size=size,
        frequent_use=float(attrs.get("requests_per_year") or 0) >= 10 or bool(attrs.get("teaching_use")),
        dose_used=dose_used,
    )


def _fmt(band: tuple[float, float]) -> str:
    lo, hi = band
    return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"


def hard_failures(policy: Policy, need: Need, place: Place, *, moving_in: bool = True) -> list[str]:
    """Every hard constraint `place` fails for `need`, as sentences; empty when it may go there."""
    constraints = set(policy.matching().get("hard_constraints") or [])
    out: list[str] = []
    if not place.is_placeable:
        reason = next((NOT_FOR_KEEPING[f] for f in place.functions if f in NOT_FOR_KEEPING), None)
        return [reason or f"{place.location.kind} {place.code} is not a place to keep objects"]
    m = need.material
    source = "measured P5-P95" if place.measured else "setpoint"
    if m is not None and "env_band_within_measured" in constraints:
        t, rh = place.t_range(), place.rh_range()
        if m.t is not None:
            if t is None:
                out.append(f"no temperature is known for {place.code}; {m.id} needs {_fmt(m.t)} °C")
            elif t[0] < m.t[0] or t[1] > m.t[1]:
                out.append(f"temperature {_fmt(t)} °C ({source}) is outside {_fmt(m.t)} °C for {m.id}")
        if m.rh is not None:
            if rh is None:
                out.append(f"RH is not controlled in {place.code}; {m.id} needs {_fmt(m.rh)} %")
            elif rh[0] < m.rh[0] or rh[1] > m.rh[1]:
                out.append(f"RH {_fmt(rh)} % ({source}) is outside {_fmt(m.rh)} % for {m.id}")
    if m is not None and "rh_daily_swing_within_limit" in constraints and m.max_daily_rh_swing is not None:
        swing = (place.measured or {}).get("rh_daily_max_swing")
        if swing is not None and float(swing) > m.max_daily_rh_swing:
            out.append(f"daily RH swing up to {float(swing):g} % exceeds {m.max_daily_rh_swing:g} % for {m.id}")
    if m is not None and "security_level" in constraints and m.security_min:
        levels = policy.security_levels
        have = levels.index(place.security) if place.security in levels else -1
        if have < levels.index(m.security_min):
            out.append(f"security {place.security or 'unknown'} is below {m.security_min} for {m.id}")
    if "hazard_compatibility" in constraints:
        missing = sorted(need.required_flags - place.flags)
        if missing:
            out.append(f"hazard {', '.join(need.hazards)} needs a dedicated store ({', '.join(missing)})")
        dedicated = sorted((place.flags & DEDICATED_FLAGS) - need.required_flags)
        if dedicated:
            out.append(f"{place.code} is a dedicated store ({', '.join(dedicated)}) for other hazards only")
    if "forbidden_location_flags" in constraints:
        bad = sorted(need.forbidden_flags & place.flags)
        if bad:
            out.append(f"{m.id if m else 'this material'} may not be kept where {', '.join(bad)}")
    if "capacity_available" in constraints and moving_in and place.capacity:
        free = {k: cap - place.used.get(k, 0.0) for k, cap in place.capacity.items()}
        asked = {k: v for k, v in need.size.items() if k in free}
        if asked:
            short = [f"{k} {free[k]:g} free, {v:g} needed" for k, v in asked.items() if free[k] < v]
            if short:
                out.append(f"not enough room: {'; '.join(short)}")
        elif all(v <= 0 for v in free.values()):
            out.append(f"full ({', '.join(f'{k} {place.used.get(k, 0):g}/{c:g}' for k, c in place.capacity.items())})")
    if "light_budget" in constraints and place.annual_dose is not None and need.light_category:
        max_lux, budget = policy.light_budgets.get(need.light_category, (None, None))
        lux = float(place.light.get("max_lux") or 0)
        if max_lux is not None and lux > float(max_lux):
            out.append(f"light {lux:g} lux exceeds {float(max_lux):g} lux for light category {need.light_category}")
        if budget is not None and place.annual_dose > float(budget):
            out.append(
                f"a year on display here gives {place.annual_dose:,.0f} lx·h, more than the whole "
                f"{need.light_category} budget of {float(budget):,.0f} lx·h (a case or rotation is needed)"
            )
        elif budget is not None and place.annual_dose > float(budget) - need.dose_used:
            out.append(
                f"a year on display here gives {place.annual_dose:,.0f} lx·h; only "
                f"{max(0.0, float(budget) - need.dose_used):,.0f} of the {need.light_category} budget "
                f"of {float(budget):,.0f} lx·h is left"
            )
    return out


def _margin(value: tuple[float, float] | None, band: tuple[float, float] | None) -> float | None:
    if value is None or band is None or band[1] <= band[0]:
        return None
    half = (band[1] - band[0]) / 2
    return max(0.0, min(value[0] - band[0], band[1] - value[1])) / half


def soft_score(policy: Policy, need: Need, place: Place, together: set[int]) -> tuple[float, list[str]]:
    """The weighted score (0-1) of a feasible location, with the reasons that make it up."""
    weights = policy.matching().get("soft_weights") or {}
    reasons: list[str] = []
    m = need.material
    margins = [
        x
        for x in (_margin(place.t_range(), m.t if m else None), _margin(place.rh_range(), m.rh if m else None))
        if x is not None
    ]
    env = sum(margins) / len(margins) if margins else 0.5
    if m is not None and margins:
        reasons.append(f"environment {env:.0%} inside the {m.id} band")
    if need.frequent_use:
        access = 1.0 if place.functions & {"teaching", "research"} or place.site == "LEU" else 0.5
        if (place.setpoint.get("t") or 20) < 8:
            access = 0.0
        reasons.append("near the users of a frequently used object" if access == 1.0 else "far from its users")
    else:
        access = 1.0 if "storage" in place.functions else 0.6
        if access == 1.0:
            reasons.append("a store for an object that is rarely used")
    coherence = 1.0 if place.location.id in together else 0.0
    if coherence:
        reasons.append("its collection is already here")
    if need.unit_id is not None and place.unit_id == need.unit_id:
        owner = 1.0
        reasons.append("a location of the owning unit")
    else:
        owner = 0.5 if place.unit_central else 0.0
        if owner:
            reasons.append("a central location")
    t = place.setpoint.get("t")
    energy = 0.3 if t is not None and float(t) < 10 else 1.0
    capacity = 0.5
    for k, cap in place.capacity.items():
        if cap > 0:
            util = (place.used.get(k, 0.0) + need.size.get(k, 0.0)) / cap
            capacity = max(0.0, 1 - abs(0.75 - util) / 0.75)
            reasons.append(f"{util:.0%} of its {k} in use")
            break
    x = {
        "environment_margin": env,
        "access_fit": access,
        "collection_coherence": coherence,
        "owner_proximity": owner,
        "energy_efficiency": energy,
        "capacity_efficiency": capacity,
    }
    total = sum(float(w) for w in weights.values()) or 1.0
    score = sum(float(weights.get(k, 0)) * v for k, v in x.items()) / total
    return round(score, 3), reasons


def suggest_for(session: Session, item_id: str) -> dict[str, Any]:
    """`{"candidates": [{"location", "score", "reasons"}], "rejected": [{"location", "reasons"}]}` for one item.

    Raises:
        NotFound: no such item.
    """
    from heritage.locations.light import dose_received

    item = catalogue.get_item(session, item_id)
    policy = PolicyStore.load(session).for_catalogue_item(item)
    places = load_places(session)
    need = need_for(item, policy, dose_received(session, item.id, places))
    together = set(
        session.scalars(
            select(Item.location_id)
            .where(Item.collection_id == item.collection_id, Item.location_id.is_not(None))
            .distinct()
        )
    )
    current = facts_mod.location_of(item, {p.location.id: p.location for p in places.values()})
    tie = str(policy.matching().get("tie_breaker") or "")
    candidates, rejected = [], []
    for place in sorted(places.values(), key=lambda p: p.code):
        if place.location.kind in ("site", "building"):
            continue
        failures = hard_failures(policy, need, place, moving_in=current is None or current.id != place.location.id)
        if failures:
            rejected.append({"location": place.code, "reasons": failures})
            continue
        score, reasons = soft_score(policy, need, place, together)
        if current is not None and current.id == place.location.id:
            reasons.insert(0, "its current location")
        candidates.append(
            {
                "location": place.code,
                "score": score,
                "reasons": reasons,
                "_tie": place.path.startswith(tie) or place.code.startswith(tie),
            }
        )
    candidates.sort(key=lambda c: (-c["score"], not c["_tie"], c["location"]))
    limit = int(policy.matching().get("max_candidates") or 5)
    for c in candidates:
        c.pop("_tie")
    return {"candidates": candidates[:limit], "rejected": rejected}


def placement_violations(session: Session) -> list[dict[str, Any]]:
    """Items whose current location breaks a hard rule (items without a material type are not judged)."""
    from heritage.locations.light import dose_received

    places = load_places(session)
    store = PolicyStore.load(session)
    out = []
    for item in session.scalars(select(Item).where(Item.location_id.is_not(None)).order_by(Item.id)):
        policy = store.for_catalogue_item(item)
        need = need_for(item, policy)
        if need.material is None:
            continue
        place = places.get(item.location_id or -1)
        if place is None:
            continue
        need.dose_used = dose_received(session, item.id, places, exclude_current=True)
        failures = hard_failures(policy, need, place, moving_in=False)
        if failures:
            out.append({"item": item.id, "title": item.title, "location": place.code, "reasons": failures})
    return out
