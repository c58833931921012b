"""The location tree (site > building > room > unit) read for the rules: each location's functions,
environment (setpoint and measured range), light, security, flags and capacity, with what it inherits
from the rooms and buildings around it. The keys of `Location.attributes` are documented in
heritage/policy/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage.errors import NotFound
from heritage.models import Item, Location, Unit

PLACEABLE_FUNCTIONS = frozenset({"storage", "exhibition", "teaching", "research", "administration"})
NOT_FOR_KEEPING = {
    "reading_room": "a reading room is for consulting, not keeping",
    "quarantine": "quarantine is temporary",
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
    def annual_dose(self) -> float | None:
        """lux x lit hours per year: the dose an object on open display here receives in a year."""
        lux, hours = self.light.get("max_lux"), self.light.get("lit_hours_yr")
        return float(lux) * float(hours) if lux is not None and hours is not None else None


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
        attrs = loc.attributes or {}
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
            functions=_functions(loc),
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
