"""Where an object may and should be kept: hard constraints first (each failure named), then a weighted
score over the locations that pass (masterplan 2d). Existing placements that break a hard rule are flagged.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue
from heritage.locations.tree import DEDICATED_FLAGS, NOT_FOR_KEEPING, Place, load_places
from heritage.models import Item
from heritage.policy import facts as facts_mod
from heritage.policy.model import Material, Policy
from heritage.policy.store import PolicyStore

GRAVITY = 9.81  # m/s²: kg x GRAVITY / 1000 = kN


@cache
def units() -> tuple[tuple[str, ...], dict[tuple[str, str], tuple[float, str]]]:
    """The measures of an extent and the conversions between them (heritage/locations/data/units.toml):
    `(from, to) -> (factor, basis)`, both ways."""
    data = tomllib.loads(resources.files("heritage.locations").joinpath("data/units.toml").read_text("utf-8"))
    conversions: dict[tuple[str, str], tuple[float, str]] = {}
    for row in data.get("conversion") or []:
        factor, basis = float(row["factor"]), str(row.get("basis") or "")
        conversions[(row["from"], row["to"])] = (factor, basis)
        conversions[(row["to"], row["from"])] = (1 / factor, basis)
    return tuple(data["units"]), conversions


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
    flags: frozenset[str] = frozenset()
    ethics_approval: dict[str, Any] | None = None
    own_light_category: str | None = None
    dose: Any = None  # a light.DoseHistory: when each lux-hour of the last 12 months was received

    @property
    def light_category(self) -> str | None:
        if self.own_light_category:
            return self.own_light_category
        return self.material.light_category if self.material else None

    @property
    def extent(self) -> dict[str, float]:
        """The item's size in the measures a capacity is counted in (not its footprint)."""
        known = units()[0]
        return {k: v for k, v in self.size.items() if k in known and v > 0}


def extent_in(extent: dict[str, float], measures: list[str], notes: list[str] | None = None) -> dict[str, float]:
    """An extent in the measures a capacity is counted in: those it shares, else the first one a conversion of
    units.toml reaches (noted in `notes`); empty when it cannot be compared."""
    direct = {k: v for k, v in extent.items() if k in measures}
    if direct:
        return direct
    conversions = units()[1]
    for k in measures:
        for u, v in extent.items():
            if (u, k) in conversions:
                factor, basis = conversions[(u, k)]
                if notes is not None:
                    notes.append(f"the item's {v:,g} {u} counted as {v * factor:,g} {k} ({basis})")
                return {k: v * factor}
    return {}


@dataclass
class Miss:
    """One hard rule a location fails: the rule's id, the sentence, and how far it misses (see `miss_weights`)."""

    rule: str
    reason: str
    distance: float


def need_for(item: Item, policy: Policy, dose_used: float = 0.0) -> Need:
    attrs = facts_mod.effective_attributes(item, policy.defaults)
    material = policy.materials.get(attrs.get("material") or "")
    hazards = list(material.hazards) if material else []
    hazards += [h for h in attrs.get("hazards") or [] if h not in hazards]
    required = set(material.required_flags) if material else set()
    for h in hazards:
        required |= policy.hazard_flags.get(h, frozenset())
    size = {k: float(v) for k, v in (attrs.get("size") or {}).items() if isinstance(v, int | float)}
    approval = attrs.get("ethics_approval")
    own_category = attrs.get("light_category")
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
        flags=frozenset(attrs.get("flags") or []),
        ethics_approval=approval if isinstance(approval, dict) else None,
        own_light_category=own_category if isinstance(own_category, str) and own_category else None,
    )


def _fmt(band: tuple[float, float]) -> str:
    lo, hi = band
    return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"


def _outside(value: tuple[float, float], band: tuple[float, float]) -> float:
    """How far a range lies outside a band (0 when within)."""
    return max(0.0, band[0] - value[0], value[1] - band[1])


def ethics_approved(need: Need) -> bool:
    """Whether the item's attributes record an ethics approval (`{by, date, reference}`, all filled in)."""
    a = need.ethics_approval or {}
    return all(str(a.get(k) or "").strip() for k in ("by", "date", "reference"))


def _env(policy: Policy, need: Need, place: Place, notes: list[str]) -> list[Miss]:
    m = need.material
    if m is None:
        return []
    weights = policy.matching().get("miss_weights") or {}
    tolerance = policy.matching().get("sensor_tolerance") or {}
    categorical = float(weights.get("categorical", 100))
    out: list[Miss] = []
    for key, unit, band, have, label in (
        ("t", "°C", m.t, place.t_range(), "temperature"),
        ("rh", "%", m.rh, place.rh_range(), "RH"),
    ):
        if band is None:
            continue
        measured = place.measured_env and (place.measured or {}).get(f"{key}_p5") is not None
        source = "measured P5-P95" if measured else "setpoint"
        if have is None:
            what = "no temperature is known" if key == "t" else "RH is not controlled"
            out.append(Miss(f"env_{key}", f"{what} in {place.code}; {m.id} needs {_fmt(band)} {unit}", categorical))
            continue
        off = _outside(have, band)
        if off <= 0:
            continue
        allowed = float(tolerance.get(key) or 0) if measured else 0.0
        if off <= allowed:
            notes.append(
                f"{label} {_fmt(have)} {unit} ({source}) is within the {allowed:g} {unit} sensor tolerance "
                f"of {_fmt(band)} {unit}"
            )
            continue
        per = float(weights.get("degree_c" if key == "t" else "rh_percent", 1))
        out.append(
            Miss(
                f"env_{key}",
                f"{label} {_fmt(have)} {unit} ({source}) is outside {_fmt(band)} {unit} for {m.id}",
                (off - allowed) * per,
            )
        )
    return out


def _capacity(policy: Policy, need: Need, place: Place, notes: list[str]) -> list[Miss]:
    weights = policy.matching().get("miss_weights") or {}
    over = float(weights.get("fraction_over", 10))
    extent = need.extent
    if not place.capacity:
        return []
    free = {k: cap - place.used.get(k, 0.0) for k, cap in place.capacity.items()}
    if not extent:
        if all(v <= 0 for v in free.values()):
            used = ", ".join(f"{k} {place.used.get(k, 0):g}/{c:g}" for k, c in place.capacity.items())
            return [Miss("capacity_available", f"full ({used})", over)]
        return []
    asked = extent_in(extent, list(free), notes)
    if not asked:
        have = ", ".join(place.capacity)
        size = ", ".join(f"{v:,g} {u}" for u, v in extent.items())
        return [
            Miss(
                "capacity_units",
                f"capacity counted in {have}; the item's extent {size} cannot be compared",
                float(weights.get("categorical", 100)),
            )
        ]
    short = {k: v for k, v in asked.items() if free[k] < v}
    if not short:
        return []
    text = "; ".join(f"{k} {max(free[k], 0):,g} free, {v:,g} needed" for k, v in short.items())
    missing = max((v - max(free[k], 0.0)) / v for k, v in short.items())
    return [Miss("capacity_available", f"not enough room: {text}", missing * over)]


def _floor_load(policy: Policy, need: Need, place: Place, notes: list[str]) -> list[Miss]:
    """The floor load model: the item's weight (kg x 9.81 / 1000 = kN) over its own footprint (m²) where the
    item records one (`size.footprint_m2`); otherwise the weight of everything in the room (`used.kg` plus the
    item's) over the room's floor area (`area_m2`); neither known: not judged. Refused when the pressure exceeds
    the location's floor load limit (`floor_load_kn_m2`, inherited from the room or building)."""
    kg = need.size.get("kg")
    if place.floor_load is None or not kg:
        return []
    footprint = need.size.get("footprint_m2")
    if footprint:
        load, basis = kg * GRAVITY / 1000 / footprint, f"{kg:,g} kg on {footprint:g} m²"
    elif place.area:
        total = kg + place.used.get("kg", 0.0)
        load, basis = total * GRAVITY / 1000 / place.area, f"{total:,g} kg in all on {place.area:g} m²"
    else:
        notes.append("floor load not judged: neither the item's footprint nor the room's floor area is known")
        return []
    if load <= place.floor_load:
        return []
    over = float((policy.matching().get("miss_weights") or {}).get("fraction_over", 10))
    return [
        Miss(
            "floor_load",
            f"floor load: {basis} is {load:.1f} kN/m², more than the {place.floor_load:g} kN/m² of {place.code}",
            (load / place.floor_load - 1) * over,
        )
    ]


def _light(policy: Policy, need: Need, place: Place) -> list[Miss]:
    category = need.light_category
    if place.annual_dose is None or not category:
        return []
    max_lux, budget = policy.light_budgets.get(category, (None, None))
    over = float((policy.matching().get("miss_weights") or {}).get("fraction_over", 10))
    lux = float(place.light.get("max_lux") or 0)
    out: list[Miss] = []
    if max_lux is not None and lux > float(max_lux):
        out.append(
            Miss(
                "light_budget",
                f"light {lux:g} lux exceeds {float(max_lux):g} lux for light category {category}",
                (lux / float(max_lux) - 1) * over,
            )
        )
    if budget is None:
        return out
    budget = float(budget)
    if place.annual_dose > budget:
        out.append(
            Miss(
                "light_budget",
                f"a year on display here gives {place.annual_dose:,.0f} lx·h, more than the whole "
                f"{category} budget of {budget:,.0f} lx·h (a case or rotation is needed)",
                (place.annual_dose / budget - 1) * over,
            )
        )
        return out
    if need.dose is None:
        return out
    days = need.dose.days_until(budget, place.annual_dose / 365.0)
    if days is not None:
        used = need.dose.rolling(need.dose.now)
        out.append(
            Miss(
                "light_budget",
                f"on display here its rolling 12-month dose ({used:,.0f} lx·h so far) reaches the {category} "
                f"budget of {budget:,.0f} lx·h within {max(0, int(days))} days",
                (1 - days / 365) * over,
            )
        )
    return out


def misses(policy: Policy, need: Need, place: Place, *, moving_in: bool = True) -> tuple[list[Miss], list[str]]:
    """Every hard constraint `place` fails for `need` (with how far it misses), and notes on the ones it passes
    only just (a sensor tolerance, a converted extent)."""
    constraints = set(policy.matching().get("hard_constraints") or [])
    weights = policy.matching().get("miss_weights") or {}
    categorical = float(weights.get("categorical", 100))
    notes: list[str] = []
    if not place.is_placeable:
        reason = next((NOT_FOR_KEEPING[f] for f in place.functions if f in NOT_FOR_KEEPING), None)
        text = reason or f"{place.location.kind} {place.code} is not a place to keep objects"
        return [Miss("placeable", text, categorical * 10)], notes
    m = need.material
    out: list[Miss] = []
    if "env_band_within_measured" in constraints:
        out += _env(policy, need, place, notes)
    if m is not None and "rh_daily_swing_within_limit" in constraints and m.max_daily_rh_swing is not None:
        swing = (place.measured or {}).get("rh_daily_max_swing")
        if swing is not None and float(swing) > m.max_daily_rh_swing:
            out.append(
                Miss(
                    "rh_daily_swing_within_limit",
                    f"daily RH swing up to {float(swing):g} % exceeds {m.max_daily_rh_swing:g} % for {m.id}",
                    (float(swing) - m.max_daily_rh_swing) * float(weights.get("rh_percent", 1)),
                )
            )
    if m is not None and "security_level" in constraints and m.security_min:
        levels = policy.security_levels
        have = levels.index(place.security) if place.security in levels else -1
        if have < levels.index(m.security_min):
            out.append(
                Miss(
                    "security_level",
                    f"security {place.security or 'unknown'} is below {m.security_min} for {m.id}",
                    (levels.index(m.security_min) - have) * float(weights.get("security_level", 5)),
                )
            )
    if "hazard_compatibility" in constraints:
        missing = sorted(need.required_flags - place.flags)
        if missing:
            out.append(
                Miss(
                    "hazard_compatibility",
                    f"hazard {', '.join(need.hazards)} needs a dedicated store ({', '.join(missing)})",
                    categorical,
                )
            )
        dedicated = sorted((place.flags & DEDICATED_FLAGS) - need.required_flags)
        if dedicated:
            out.append(
                Miss(
                    "hazard_compatibility",
                    f"{place.code} is a dedicated store ({', '.join(dedicated)}) for other hazards only",
                    categorical,
                )
            )
    if "forbidden_location_flags" in constraints:
        bad = sorted(need.forbidden_flags & place.flags)
        if bad:
            out.append(
                Miss(
                    "forbidden_location_flags",
                    f"{m.id if m else 'this material'} may not be kept where {', '.join(bad)}",
                    categorical,
                )
            )
    if "capacity_available" in constraints and moving_in:
        out += _capacity(policy, need, place, notes)
    if "floor_load" in constraints and moving_in:
        out += _floor_load(policy, need, place, notes)
    if "light_budget" in constraints:
        out += _light(policy, need, place)
    if "human_remains" in need.flags and "exhibition" in place.functions and not ethics_approved(need):
        out.append(Miss("ethics_approval", "human remains on display need an ethics approval", categorical))
    return out, notes


def hard_failures(policy: Policy, need: Need, place: Place, *, moving_in: bool = True) -> list[str]:
    """Every hard constraint `place` fails for `need`, as sentences; empty when it may go there."""
    return [m.reason for m in misses(policy, need, place, moving_in=moving_in)[0]]


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
    if m is not None and (m.t is not None or m.rh is not None) and not place.measured_env:
        score = max(0.0, score - float(policy.matching().get("setpoint_only_penalty") or 0))
        reasons.append("setpoint only, not measured")
    return round(score, 3), reasons


def suggest_for(session: Session, item_id: str) -> dict[str, Any]:
    """`{"candidates": [{"location", "score", "reasons"}], "rejected": [{"location", "reasons", "miss", "rules"}]}`
    for one item; the rejected ranked by how far they miss (`miss`, the weighted distance over the rules they
    fail, `rules`), the least bad first.

    Raises:
        NotFound: no such item.
    """
    from heritage.locations.light import dose_history

    item = catalogue.get_item(session, item_id)
    policy = PolicyStore.load(session).for_catalogue_item(item)
    places = load_places(session)
    need = need_for(item, policy)
    need.dose = dose_history(session, item, places)
    need.dose_used = need.dose.rolling(need.dose.now)
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
        failed, notes = misses(policy, need, place, moving_in=current is None or current.id != place.location.id)
        if failed:
            rejected.append(
                {
                    "location": place.code,
                    "reasons": [f.reason for f in failed],
                    "miss": round(sum(f.distance for f in failed), 2),
                    "rules": sorted({f.rule for f in failed}),
                }
            )
            continue
        score, reasons = soft_score(policy, need, place, together)
        if current is not None and current.id == place.location.id:
            reasons.insert(0, "its current location")
        candidates.append(
            {
                "location": place.code,
                "score": score,
                "reasons": reasons + notes,
                "_tie": place.path.startswith(tie) or place.code.startswith(tie),
            }
        )
    candidates.sort(key=lambda c: (-c["score"], not c["_tie"], c["location"]))
    rejected.sort(key=lambda r: (r["miss"], r["location"]))
    limit = int(policy.matching().get("max_candidates") or 5)
    for c in candidates:
        c.pop("_tie")
    return {"candidates": candidates[:limit], "rejected": rejected}


def placement_violations(session: Session) -> list[dict[str, Any]]:
    """Items whose current location breaks a hard rule (items with neither a material type nor a flag the rules
    read, such as human remains, are not judged)."""
    from heritage.locations.light import dose_history

    places = load_places(session)
    store = PolicyStore.load(session)
    out = []
    for item in session.scalars(select(Item).where(Item.location_id.is_not(None)).order_by(Item.id)):
        policy = store.for_catalogue_item(item)
        need = need_for(item, policy)
        if need.material is None and "human_remains" not in need.flags:
            continue
        place = places.get(item.location_id or -1)
        if place is None:
            continue
        need.dose = dose_history(session, item, places)
        need.dose_used = need.dose.rolling(need.dose.now)
        failures = hard_failures(policy, need, place, moving_in=False)
        if failures:
            out.append({"item": item.id, "title": item.title, "location": place.code, "reasons": failures})
    return out
