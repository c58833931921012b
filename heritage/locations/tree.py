"""The location tree (site > building > room > case/cabinet > shelf) read for the rules: each location's
functions, environment (setpoint and measured range), light, security, flags, capacity and floor load, with
what it inherits from the rooms and buildings around it. A display case (kind `case`) has its own climate and
light where it declares them, used instead of the room's; what it does not declare (its functions, the room's
lit hours) it has from its room. The keys of `Location.attributes` are documented in
heritage/policy/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage.errors import NotFound
from heritage.models import Item, Location, Unit
from metadata_schemas.said import said

PLACEABLE_FUNCTIONS = frozenset({"storage", "exhibition", "teaching", "research", "administration"})
NOT_FOR_KEEPING = {
    "reading_room": said("a reading room is for consulting, not keeping"),
    "quarantine": said("quarantine is temporary"),
}
# Stores dedicated to one hazard take nothing else (nitrate, spirit and radioactive stores are segregated).
DEDICATED_FLAGS = frozenset({"nitrate_vault", "flammables_store", "radioactive_store"})


@dataclass
class Place:
    """A location as the rules see it."""

    location: Location
    code: str
    name: str
    path: str  # "Leuven > Central Depot > Cold store"
    functions: frozenset[str]
    unit_id: int | None
    unit_central: bool
    setpoint: dict[str, float | None]
    measured: dict[str, Any] | None
    light: dict[str, Any]
    security: str | None
    flags: frozenset[str]
    capacity: dict[str, float]
    used: dict[str, float]
    public_hours: float
    site: str
    floor_load: float | None = None  # kN/m², the nearest declared on the way up
    area: float | None = None  # m² of floor, where known

    @property
    def is_placeable(self) -> bool:
        return bool(self.functions & PLACEABLE_FUNCTIONS) and self.location.kind not in ("site", "building")

    def t_range(self) -> tuple[float, float] | None:
        if self.measured and self.measured.get("t_p5") is not None:
            return float(self.measured["t_p5"]), float(self.measured["t_p95"])
        t = self.setpoint.get("t")
        return (float(t), float(t)) if t is not None else None

    def rh_range(self) -> tuple[float, float] | None:
        if self.measured and self.measured.get("rh_p5") is not None:
            return float(self.measured["rh_p5"]), float(self.measured["rh_p95"])
        rh = self.setpoint.get("rh")
        return (float(rh), float(rh)) if rh is not None else None

    @property
    def measured_env(self) -> bool:
        """Whether logger readings (not only a setpoint) describe the climate here."""
        return bool(self.measured and (self.measured.get("t_p5") is not None or self.measured.get("rh_p5") is not None))

    @property
    def lit_hours(self) -> dict[str, float]:
        """Lit hours per year per function (`light.schedules`), or the one `lit_hours_yr` of older records."""
        schedules = self.light.get("schedules")
        if isinstance(schedules, dict) and schedules:
            return {str(k): float(v) for k, v in schedules.items() if isinstance(v, int | float)}
        hours = self.light.get("lit_hours_yr")
        return {"all": float(hours)} if isinstance(hours, int | float) else {}

    @property
    def annual_dose(self) -> float | None:
        """lux x lit hours per year (every function's schedule together): the dose an object on open display here
        receives in a year; None when the light or its hours are not known."""
        lux, hours = self.light.get("max_lux"), self.lit_hours
        return float(lux) * sum(hours.values()) if lux is not None and hours else None


def _functions(loc: Location) -> frozenset[str]:
    declared = (loc.attributes or {}).get("functions")
    if declared:
        return frozenset(declared)
    return frozenset({(loc.function or "").replace(" ", "_")}) - {""}


def load_places(session: Session) -> dict[int, Place]:
    """Every location with what it inherits (flags, unit, site) from its ancestors."""
    locations = {loc.id: loc for loc in session.scalars(select(Location))}
    central = {u.id: u.central for u in session.scalars(select(Unit))}
    places: dict[int, Place] = {}

    def chain(loc: Location) -> list[Location]:
        out = [loc]
        while out[-1].parent_id is not None and out[-1].parent_id in locations and len(out) < 20:
            out.append(locations[out[-1].parent_id])
        return out

    for loc in locations.values():
        up = chain(loc)
        attrs = dict(loc.attributes or {})
        room = up[1] if loc.kind == "case" and len(up) > 1 else None
        if room is not None:  # a case: its own climate and light first, the room's for what it does not declare
            outer = room.attributes or {}
            if not attrs.get("env_setpoint") and not attrs.get("measured"):  # an open case: the room's climate
                attrs["env_setpoint"], attrs["measured"] = outer.get("env_setpoint"), outer.get("measured")
            attrs["light"] = {**(outer.get("light") or {}), **(attrs.get("light") or {})}
            if not (loc.attributes or {}).get("functions") and not loc.function:
                loc_functions = _functions(room)
            else:
                loc_functions = _functions(loc)
        else:
            loc_functions = _functions(loc)
        flags: set[str] = set()
        for node in up:
            flags |= set((node.attributes or {}).get("flags") or [])
        unit_id = next((n.unit_id for n in up if n.unit_id is not None), None)
        security = next(
            (n.attributes.get("security_level") for n in up if (n.attributes or {}).get("security_level")), None
        )
        places[loc.id] = Place(
            location=loc,
            code=loc.code,
            name=loc.name_en or loc.name,
            path=" > ".join(n.name_en or n.name for n in reversed(up)),
            functions=loc_functions,
            unit_id=unit_id,
            unit_central=bool(central.get(unit_id)) if unit_id else False,
            setpoint=dict(attrs.get("env_setpoint") or {}),
            measured=attrs.get("measured"),
            light=dict(attrs.get("light") or {}),
            security=security,
            flags=frozenset(flags),
            capacity={k: float(v) for k, v in (attrs.get("capacity") or {}).items()},
            used={k: float(v) for k, v in (attrs.get("used") or {}).items()},
            public_hours=float(attrs.get("public_hours_yr") or 0),
            site=up[-1].code,
            floor_load=next(
                (
                    float(n.attributes["floor_load_kn_m2"])
                    for n in up
                    if isinstance((n.attributes or {}).get("floor_load_kn_m2"), int | float)
                ),
                None,
            ),
            area=float(attrs["area_m2"]) if isinstance(attrs.get("area_m2"), int | float) else None,
        )
    return places


def get_place(places: dict[int, Place], code: str) -> Place:
    """Raises: NotFound: no location has this code."""
    for place in places.values():
        if place.code == code:
            return place
    raise NotFound(f"location {code!r} does not exist")


def items_per_location(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Item.location_id, func.count()).where(Item.location_id.is_not(None)).group_by(Item.location_id)
    )
    return {loc: n for loc, n in rows}
