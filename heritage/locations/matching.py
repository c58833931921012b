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
from heritage.locations.reasons import Band, Joined, Number
from heritage.locations.tree import DEDICATED_FLAGS, NOT_FOR_KEEPING, Place, load_places
from heritage.models import Item
from heritage.policy import facts as facts_mod
from heritage.policy.model import Material, Policy
from heritage.policy.store import PolicyStore
from metadata_schemas.said import Said, said

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


def extent_in(extent: dict[str, float], measures: list[str], notes: list[Said] | None = None) -> dict[str, float]:
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
                    notes.append(
                        said(
                            "the item's %(size)s %(unit)s counted as %(counted)s %(measure)s (%(basis)s)",
                            size=Number(v, ",g"),
                            unit=u,
                            counted=Number(v * factor, ",g"),
                            measure=k,
                            basis=basis,
                        )
                    )
                return {k: v * factor}
    return {}


@dataclass
class Miss:
    """One hard rule a location fails: the rule's id, the sentence (a template and its values, so that a page can
    say it in its reader's language), and how far it misses (see `miss_weights`)."""

    rule: str
    said: Said
    distance: float

    @property
    def reason(self) -> str:
        """The sentence in English (the CLI, the API, logs)."""
        return str(self.said)


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


def _fmt(band: tuple[float, float]) -> Band:
    return Band(*band)


def _outside(value: tuple[float, float], band: tuple[float, float]) -> float:
    """How far a range lies outside a band (0 when within)."""
    return max(0.0, band[0] - value[0], value[1] - band[1])


def ethics_approved(need: Need) -> bool:
    """Whether the item's attributes record an ethics approval (`{by, date, reference}`, all filled in)."""
    a = need.ethics_approval or {}
    return all(str(a.get(k) or "").strip() for k in ("by", "date", "reference"))


def _env(policy: Policy, need: Need, place: Place, notes: list[Said]) -> list[Miss]:
    m = need.material
    if m is None:
        return []
    weights = policy.matching().get("miss_weights") or {}
    tolerance = policy.matching().get("sensor_tolerance") or {}
    categorical = float(weights.get("categorical", 100))
    out: list[Miss] = []
    for key, unit, band, have, label in (
        ("t", "°C", m.t, place.t_range(), said("temperature")),
        ("rh", "%", m.rh, place.rh_range(), said("RH")),
    ):
        if band is None:
            continue
        measured = place.measured_env and (place.measured or {}).get(f"{key}_p5") is not None
        source = said("measured P5-P95") if measured else said("setpoint")
        if have is None:
            what = said("no temperature is known") if key == "t" else said("RH is not controlled")
            text = said(
                "%(what)s in %(location)s; %(material)s needs %(band)s %(unit)s",
                what=what,
                location=place.code,
                material=m.id,
                band=_fmt(band),
                unit=unit,
            )
            out.append(Miss(f"env_{key}", text, categorical))
            continue
        off = _outside(have, band)
        if off <= 0:
            continue
        allowed = float(tolerance.get(key) or 0) if measured else 0.0
        if off <= allowed:
            notes.append(
                said(
                    "%(what)s %(have)s %(unit)s (%(source)s) is within the %(allowed)s %(unit)s sensor tolerance "
                    "of %(band)s %(unit)s",
                    what=label,
                    have=_fmt(have),
                    unit=unit,
                    source=source,
                    allowed=Number(allowed),
                    band=_fmt(band),
                )
            )
            continue
        per = float(weights.get("degree_c" if key == "t" else "rh_percent", 1))
        out.append(
            Miss(
                f"env_{key}",
                said(
                    "%(what)s %(have)s %(unit)s (%(source)s) is outside %(band)s %(unit)s for %(material)s",
                    what=label,
                    have=_fmt(have),
                    unit=unit,
                    source=source,
                    band=_fmt(band),
                    material=m.id,
                ),
                (off - allowed) * per,
            )
        )
    return out


def _capacity(policy: Policy, need: Need, place: Place, notes: list[Said]) -> list[Miss]:
    weights = policy.matching().get("miss_weights") or {}
    over = float(weights.get("fraction_over", 10))
    extent = need.extent
    if not place.capacity:
        return []
    free = {k: cap - place.used.get(k, 0.0) for k, cap in place.capacity.items()}
    if not extent:
        if all(v <= 0 for v in free.values()):
            used = Joined(
                tuple(
                    said(
                        "%(measure)s %(used)s/%(capacity)s",
                        measure=k,
                        used=Number(place.used.get(k, 0)),
                        capacity=Number(c),
                    )
                    for k, c in place.capacity.items()
                )
            )
            return [Miss("capacity_available", said("full (%(used)s)", used=used), over)]
        return []
    asked = extent_in(extent, list(free), notes)
    if not asked:
        have = ", ".join(place.capacity)
        size = Joined(tuple(said("%(size)s %(unit)s", size=Number(v, ",g"), unit=u) for u, v in extent.items()))
        return [
            Miss(
                "capacity_units",
                said(
                    "capacity counted in %(measures)s; the item's extent %(size)s cannot be compared",
                    measures=have,
                    size=size,
                ),
                float(weights.get("categorical", 100)),
            )
        ]
    short = {k: v for k, v in asked.items() if free[k] < v}
    if not short:
        return []
    text = Joined(
        tuple(
            said(
                "%(measure)s %(free)s free, %(needed)s needed",
                measure=k,
                free=Number(max(free[k], 0), ",g"),
                needed=Number(v, ",g"),
            )
            for k, v in short.items()
        ),
        "; ",
    )
    missing = max((v - max(free[k], 0.0)) / v for k, v in short.items())
    return [Miss("capacity_available", said("not enough room: %(short)s", short=text), missing * over)]


def _floor_load(policy: Policy, need: Need, place: Place, notes: list[Said]) -> list[Miss]:
    """The floor load model: the item's weight (kg x 9.81 / 1000 = kN) over its own footprint (m²) where the
    item records one (`size.footprint_m2`); otherwise the weight of everything in the room (`used.kg` plus the
    item's) over the room's floor area (`area_m2`); neither known: not judged. Refused when the pressure exceeds
    the location's floor load limit (`floor_load_kn_m2`, inherited from the room or building)."""
    kg = need.size.get("kg")
    if place.floor_load is None or not kg:
        return []
    footprint = need.size.get("footprint_m2")
    if footprint:
        load = kg * GRAVITY / 1000 / footprint
        basis = said("%(kg)s kg on %(area)s m²", kg=Number(kg, ",g"), area=Number(footprint))
    elif place.area:
        total = kg + place.used.get("kg", 0.0)
        load = total * GRAVITY / 1000 / place.area
        basis = said("%(kg)s kg in all on %(area)s m²", kg=Number(total, ",g"), area=Number(place.area))
    else:
        notes.append(said("floor load not judged: neither the item's footprint nor the room's floor area is known"))
        return []
    if load <= place.floor_load:
        return []
    over = float((policy.matching().get("miss_weights") or {}).get("fraction_over", 10))
    return [
        Miss(
            "floor_load",
            said(
                "floor load: %(basis)s is %(load)s kN/m², more than the %(limit)s kN/m² of %(location)s",
                basis=basis,
                load=Number(load, ".1f"),
                limit=Number(place.floor_load),
                location=place.code,
            ),
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
                said(
                    "light %(lux)s lux exceeds %(max_lux)s lux for light category %(category)s",
                    lux=Number(lux),
                    max_lux=Number(float(max_lux)),
                    category=category,
                ),
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
                said(
                    "a year on display here gives %(dose)s lx·h, more than the whole %(category)s budget of "
                    "%(budget)s lx·h (a case or rotation is needed)",
                    dose=Number(place.annual_dose, ",.0f"),
                    category=category,
                    budget=Number(budget, ",.0f"),
                ),
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
                said(
                    "on display here its rolling 12-month dose (%(dose)s lx·h so far) reaches the %(category)s "
                    "budget of %(budget)s lx·h within %(days)s days",
                    dose=Number(used, ",.0f"),
                    category=category,
                    budget=Number(budget, ",.0f"),
                    days=max(0, int(days)),
                ),
                (1 - days / 365) * over,
            )
        )
    return out


def misses(policy: Policy, need: Need, place: Place, *, moving_in: bool = True) -> tuple[list[Miss], list[Said]]:
    """Every hard constraint `place` fails for `need` (with how far it misses), and notes on the ones it passes
    only just (a sensor tolerance, a converted extent)."""
    constraints = set(policy.matching().get("hard_constraints") or [])
    weights = policy.matching().get("miss_weights") or {}
    categorical = float(weights.get("categorical", 100))
    notes: list[Said] = []
    if not place.is_placeable:
        reason = next((NOT_FOR_KEEPING[f] for f in place.functions if f in NOT_FOR_KEEPING), None)
        text = reason or said(
            "%(kind)s %(location)s is not a place to keep objects", kind=place.location.kind, location=place.code
        )
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
                    said(
                        "daily RH swing up to %(swing)s %% exceeds %(limit)s %% for %(material)s",
                        swing=Number(float(swing)),
                        limit=Number(m.max_daily_rh_swing),
                        material=m.id,
                    ),
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
                    said(
                        "security %(level)s is below %(minimum)s for %(material)s",
                        level=place.security or said("unknown"),
                        minimum=m.security_min,
                        material=m.id,
                    ),
                    (levels.index(m.security_min) - have) * float(weights.get("security_level", 5)),
                )
            )
    if "hazard_compatibility" in constraints:
        missing = sorted(need.required_flags - place.flags)
        if missing:
            out.append(
                Miss(
                    "hazard_compatibility",
                    said(
                        "hazard %(hazards)s needs a dedicated store (%(flags)s)",
                        hazards=", ".join(need.hazards),
                        flags=", ".join(missing),
                    ),
                    categorical,
                )
            )
        dedicated = sorted((place.flags & DEDICATED_FLAGS) - need.required_flags)
        if dedicated:
            out.append(
                Miss(
                    "hazard_compatibility",
                    said(
                        "%(location)s is a dedicated store (%(flags)s) for other hazards only",
                        location=place.code,
                        flags=", ".join(dedicated),
                    ),
                    categorical,
                )
            )
    if "forbidden_location_flags" in constraints:
        bad = sorted(need.forbidden_flags & place.flags)
        if bad:
            out.append(
                Miss(
                    "forbidden_location_flags",
                    said(
                        "%(material)s may not be kept where %(flags)s",
                        material=m.id if m else said("this material"),
                        flags=", ".join(bad),
                    ),
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
        out.append(Miss("ethics_approval", said("human remains on display need an ethics approval"), categorical))
    return out, notes


def _margin(value: tuple[float, float] | None, band: tuple[float, float] | None) -> float | None:
    if value is None or band is None or band[1] <= band[0]:
        return None
    half = (band[1] - band[0]) / 2
    return max(0.0, min(value[0] - band[0], band[1] - value[1])) / half


def soft_score(policy: Policy, need: Need, place: Place, together: set[int]) -> tuple[float, list[Said]]:
    """The weighted score (0-1) of a feasible location, with the reasons that make it up."""
    weights = policy.matching().get("soft_weights") or {}
    reasons: list[Said] = []
    m = need.material
    margins = [
        x
        for x in (_margin(place.t_range(), m.t if m else None), _margin(place.rh_range(), m.rh if m else None))
        if x is not None
    ]
    env = sum(margins) / len(margins) if margins else 0.5
    if m is not None and margins:
        reasons.append(
            said("environment %(margin)s inside the %(material)s band", margin=Number(env, ".0%"), material=m.id)
        )
    if need.frequent_use:
        access = 1.0 if place.functions & {"teaching", "research"} or place.site == "LEU" else 0.5
        if (place.setpoint.get("t") or 20) < 8:
            access = 0.0
        reasons.append(
            said("near the users of a frequently used object") if access == 1.0 else said("far from its users")
        )
    else:
        access = 1.0 if "storage" in place.functions else 0.6
        if access == 1.0:
            reasons.append(said("a store for an object that is rarely used"))
    coherence = 1.0 if place.location.id in together else 0.0
    if coherence:
        reasons.append(said("its collection is already here"))
    if need.unit_id is not None and place.unit_id == need.unit_id:
        owner = 1.0
        reasons.append(said("a location of the owning unit"))
    else:
        owner = 0.5 if place.unit_central else 0.0
        if owner:
            reasons.append(said("a central location"))
    t = place.setpoint.get("t")
    energy = 0.3 if t is not None and float(t) < 10 else 1.0
    capacity = 0.5
    for k, cap in place.capacity.items():
        if cap > 0:
            util = (place.used.get(k, 0.0) + need.size.get(k, 0.0)) / cap
            capacity = max(0.0, 1 - abs(0.75 - util) / 0.75)
            reasons.append(said("%(share)s of its %(measure)s in use", share=Number(util, ".0%"), measure=k))
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
        reasons.append(said("setpoint only, not measured"))
    return round(score, 3), reasons


def _in_english(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "reasons": [str(x) for x in r["reasons"]]} for r in rows]


def suggest_for(session: Session, item_id: str) -> dict[str, Any]:
    """`{"candidates": [{"location", "score", "reasons"}], "rejected": [{"location", "reasons", "miss", "rules"}]}`
    for one item; the rejected ranked by how far they miss (`miss`, the weighted distance over the rules they
    fail, `rules`), the least bad first. The reasons are English sentences (the CLI and the API).

    Raises:
        NotFound: no such item.
    """
    found = suggestions(session, item_id)
    return {"candidates": _in_english(found["candidates"]), "rejected": _in_english(found["rejected"])}


def suggestions(session: Session, item_id: str) -> dict[str, Any]:
    """`suggest_for` with each reason a `Said` (template and values), for a page in its reader's language.

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
                    "reasons": [f.said for f in failed],
                    "miss": round(sum(f.distance for f in failed), 2),
                    "rules": sorted({f.rule for f in failed}),
                }
            )
            continue
        score, reasons = soft_score(policy, need, place, together)
        if current is not None and current.id == place.location.id:
            reasons.insert(0, said("its current location"))
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
    read, such as human remains, are not judged), each with its reasons in English."""
    return _in_english(violations(session))


def violations(session: Session) -> list[dict[str, Any]]:
    """`placement_violations` with each reason a `Said`, for a page in its reader's language."""
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
        failures = [m.said for m in misses(policy, need, place, moving_in=False)[0]]
        if failures:
            out.append({"item": item.id, "title": item.title, "location": place.code, "reasons": failures})
    return out
