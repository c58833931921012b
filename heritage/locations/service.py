"""Locations as data the board keeps: one way to create or change a location (`save`), which the CSV import
(`heritage locations import FILE`), the staff pages (/locations) and any other surface call. Every field
arrives as text (a form field, a CSV cell) and is validated here; each create or change is an event.

Fields (the CSV columns and the form's fields): `code`, `name`, `name_en`, `kind` (site, building, room,
case, cabinet, shelf), `parent` (a location code; a case's room), `building` (the parent where `parent` is
empty), `unit` (the owning unit's slug), `functions` (separated by `;`, `,` or `|`), `capacity` with
`capacity_unit` (linear_m, drawers, m3, kg, objects) and `used` (in the same unit), `floor_load` (kN/m²),
`area_m2`, `t` and `rh` (setpoints), `flags`, `security_level`, `max_lux` and `lit_hours_<function>` (lit hours
a year per function). A field present in the input is set (an empty one is cleared); an absent one is left
as it was, so a re-import of the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.access import Viewer
from heritage.errors import BadRequest, Forbidden, InvalidInput, NotFound, bad
from heritage.locations.matching import units
from heritage.models import Location
from heritage.policy.store import PolicyStore

KINDS = ("site", "building", "room", "case", "cabinet", "shelf")
FUNCTIONS = ("storage", "teaching", "research", "administration", "exhibition", "reading_room", "quarantine")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TOKEN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
HOURS_A_YEAR = 8784  # a leap year
FIELDS = (
    "code",
    "name",
    "name_en",
    "kind",
    "parent",
    "building",
    "unit",
    "functions",
    "capacity",
    "capacity_unit",
    "used",
    "floor_load",
    "area_m2",
    "t",
    "rh",
    "flags",
    "security_level",
    "max_lux",
    *(f"lit_hours_{f}" for f in FUNCTIONS),
)
# Where each range comes from: setpoints a store can hold (a freezer for pest control to a warm hall),
# RH a percentage, floor loads up to heavy compact shelving and beyond, lux up to daylight.
RANGES = {
    "t": (-40.0, 40.0, "°C"),
    "rh": (0.0, 100.0, "%"),
    "floor_load": (0.1, 100.0, "kN/m²"),
    "area_m2": (0.01, 100000.0, "m²"),
    "capacity": (0.0, 1e9, ""),
    "used": (0.0, 1e9, ""),
    "max_lux": (0.0, 100000.0, "lux"),
}


KEEPER_ROLES = frozenset({"collection_manager", "administrator"})


def may_keep_locations(who: Viewer) -> bool:
    """Whether `who` may add and change locations: collection managers and administrators (with a token, one
    with the `edit` scope)."""
    return who.allows("edit") and (who.is_admin or any(role in KEEPER_ROLES for role, _unit in who.roles))


def require_keeper(who: Viewer) -> None:
    """Raises: Forbidden: `who` may not add or change locations."""
    if not may_keep_locations(who):
        raise Forbidden("adding and changing locations is for collection managers and administrators")


@dataclass
class Saved:
    location: Location
    status: str  # created | updated | unchanged
    changes: dict[str, Any] = field(default_factory=dict)


def _number(fields: dict[str, str], key: str) -> float | None:
    text = (fields.get(key) or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise bad("%(field)s: '%(value)s' is not a number", field=key, value=fields[key]) from None
    lo, hi, unit = RANGES.get(key, (0.0, float(HOURS_A_YEAR), "h"))
    if not lo <= value <= hi:
        raise bad(
            "%(field)s: %(value)s is outside %(lo)s-%(hi)s%(unit)s",
            field=key,
            value=f"{value:g}",
            lo=f"{lo:g}",
            hi=f"{hi:g}",
            unit=f" {unit}" if unit else "",
        )
    return value


def _list(text: str | None) -> list[str]:
    return [t.strip() for t in re.split(r"[;,|]", text or "") if t.strip()]


def _ancestors(session: Session, loc: Location | None) -> list[Location]:
    out: list[Location] = []
    while loc is not None and len(out) < 50:
        out.append(loc)
        loc = session.get(Location, loc.parent_id) if loc.parent_id is not None else None
    return out


def parse(session: Session, fields: dict[str, str], *, current: Location | None = None) -> dict[str, Any]:
    """The validated values of `fields` (only those present): columns and attributes.

    Raises:
        BadRequest: a field is missing, malformed or out of range (the message names it).
    """
    unknown = sorted(k for k in fields if k not in FIELDS and k)
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)} (known: {', '.join(FIELDS)})", field=unknown[0])
    out: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    code = (fields.get("code") or (current.code if current else "")).strip()
    if not CODE.match(code):
        raise bad(
            "%(field)s: '%(value)s' is not a location code (letters, digits, '.', '_', '-'; at most 64)",
            field="code",
            value=code,
        )
    out["code"] = code
    if "name" in fields or current is None:
        name = (fields.get("name") or "").strip()
        if not name or len(name) > 200:
            raise bad("%(field)s: a location needs a name of at most 200 characters", field="name")
        out["name"] = name
    if "name_en" in fields:
        out["name_en"] = (fields.get("name_en") or "").strip()[:200] or None
    if "kind" in fields or current is None:
        kind = (fields.get("kind") or "").strip().lower()
        if kind not in KINDS:
            raise bad(
                "%(field)s: '%(value)s' is not one of %(known)s", field="kind", value=kind, known=", ".join(KINDS)
            )
        out["kind"] = kind
    kind = out.get("kind") or (current.kind if current else "")
    if "parent" in fields or "building" in fields:
        parent_code = (fields.get("parent") or "").strip() or (fields.get("building") or "").strip()
        key = "parent" if (fields.get("parent") or "").strip() else "building"
        if parent_code:
            parent = session.scalar(select(Location).where(Location.code == parent_code))
            if parent is None:
                raise bad("%(field)s: location '%(code)s' does not exist", field=key, code=parent_code)
            if current is not None and current in _ancestors(session, parent):
                raise bad(
                    "%(field)s: %(parent)s lies within %(code)s; a location cannot hold itself",
                    field=key,
                    parent=parent_code,
                    code=code,
                )
            if parent.code == code:
                raise bad("%(field)s: a location cannot be its own parent", field=key)
            out["parent_id"] = parent.id
        else:
            out["parent_id"] = None
    parent_id = out.get("parent_id", current.parent_id if current else None)
    if kind == "case" and parent_id is None:
        raise bad("%(field)s: a case stands in a room; name the room as its parent", field="parent")
    if "unit" in fields:
        slug = (fields.get("unit") or "").strip()
        if slug:
            unit = catalogue.get_unit(session, slug)
            if unit is None:
                raise bad("%(field)s: '%(value)s' is not a unit", field="unit", value=slug)
            out["unit_id"] = unit.id
        else:
            out["unit_id"] = None
    if "functions" in fields:
        functions = _list(fields.get("functions"))
        wrong = [f for f in functions if f not in FUNCTIONS]
        if wrong:
            raise bad(
                "%(field)s: %(value)s is not a function (one of %(known)s)",
                field="functions",
                value=", ".join(wrong),
                known=", ".join(FUNCTIONS),
            )
        attrs["functions"] = list(dict.fromkeys(functions)) or None
    known_units = units()[0]
    if "capacity" in fields or "capacity_unit" in fields or "used" in fields:
        capacity, used = _number(fields, "capacity"), _number(fields, "used")
        unit = (fields.get("capacity_unit") or "").strip()
        if unit and unit not in known_units:
            raise bad(
                "%(field)s: '%(value)s' is not a unit of capacity (%(known)s)",
                field="capacity_unit",
                value=unit,
                known=", ".join(known_units),
            )
        if (capacity is not None or used is not None) and not unit:
            raise bad(
                "%(field)s: a capacity needs its unit (%(known)s)", field="capacity_unit", known=", ".join(known_units)
            )
        if used is not None and capacity is not None and used > capacity:
            raise bad(
                "%(field)s: %(used)s %(unit)s is more than the capacity of %(capacity)s",
                field="used",
                used=f"{used:g}",
                unit=unit,
                capacity=f"{capacity:g}",
            )
        attrs["capacity"] = {unit: capacity} if capacity is not None else None
        attrs["used"] = {unit: used} if used is not None else None
    if "floor_load" in fields:
        attrs["floor_load_kn_m2"] = _number(fields, "floor_load")
    if "area_m2" in fields:
        attrs["area_m2"] = _number(fields, "area_m2")
    if "t" in fields or "rh" in fields:
        t, rh = _number(fields, "t"), _number(fields, "rh")
        attrs["env_setpoint"] = {"t": t, "rh": rh} if t is not None or rh is not None else None
    if "flags" in fields:
        flags = _list(fields.get("flags"))
        wrong = [f for f in flags if not TOKEN.match(f)]
        if wrong:
            raise bad(
                "%(field)s: %(value)s is not a flag (lower case, digits and _)", field="flags", value=", ".join(wrong)
            )
        attrs["flags"] = list(dict.fromkeys(flags)) or None
    if "security_level" in fields:
        level = (fields.get("security_level") or "").strip()
        levels = PolicyStore.load(session).default.security_levels
        if level and level not in levels:
            raise bad(
                "%(field)s: '%(value)s' is not one of the policy's levels (%(known)s)",
                field="security_level",
                value=level,
                known=", ".join(levels),
            )
        attrs["security_level"] = level or None
    light_keys = ["max_lux", *(f"lit_hours_{f}" for f in FUNCTIONS)]
    if any(k in fields for k in light_keys):
        light = dict((current.attributes or {}).get("light") or {}) if current else {}
        if "max_lux" in fields:
            light["max_lux"] = _number(fields, "max_lux")
        schedules = dict(light.get("schedules") or {})
        for function in FUNCTIONS:
            key = f"lit_hours_{function}"
            if key in fields:
                schedules[function] = _number(fields, key)
        schedules = {k: v for k, v in schedules.items() if v is not None}
        if sum(schedules.values()) > HOURS_A_YEAR:
            raise bad(
                "%(field)s: %(hours)s lit hours a year in all, more than a year has (%(most)s)",
                field=next(f"lit_hours_{k}" for k in schedules),
                hours=f"{sum(schedules.values()):g}",
                most=HOURS_A_YEAR,
            )
        if schedules:
            light.pop("lit_hours_yr", None)
        light["schedules"] = schedules or None
        light = {k: v for k, v in light.items() if v is not None}
        attrs["light"] = light or None
    out["attributes"] = attrs
    return out


def field_problems(session: Session, fields: dict[str, str]) -> list[str]:
    """Every field's problem in `fields` (not only the first): the fields are checked again without each one
    found at fault, until they pass or a field is at fault twice."""
    current = session.scalar(select(Location).where(Location.code == (fields.get("code") or "").strip()))
    left, found, seen = dict(fields), [], set()
    while True:
        try:
            parse(session, left, current=current)
            return found
        except BadRequest as exc:
            if str(exc) not in found:
                found.append(str(exc))
            if exc.field is None or exc.field in seen or exc.field not in left:
                return found
            seen.add(exc.field)
            del left[exc.field]


def save(session: Session, fields: dict[str, str], *, agent: str, code: str | None = None, new: bool = False) -> Saved:
    """Create the location `fields["code"]`, or change it (`code`: the one being edited; a new code renames it).
    With `new`, the code must not be taken (a form that adds a location does not change another).

    Raises:
        NotFound: `code` names no location.
        BadRequest: a field is invalid, or a new code is taken (nothing is changed).
    """
    current = None
    if code is not None:
        current = session.scalar(select(Location).where(Location.code == code))
        if current is None:
            raise NotFound(f"location {code!r} does not exist")
    else:
        wanted = (fields.get("code") or "").strip()
        current = session.scalar(select(Location).where(Location.code == wanted)) if wanted else None
        if new and current is not None:
            raise bad("%(field)s: '%(code)s' is taken by another location", field="code", code=wanted)
    values = parse(session, fields, current=current)
    taken = current is not None and values["code"] != current.code
    if taken and session.scalar(select(Location).where(Location.code == values["code"])) is not None:
        raise bad("%(field)s: '%(code)s' is taken by another location", field="code", code=values["code"])
    attrs = values.pop("attributes")
    if current is None:
        loc = Location(code=values["code"], name=values["name"], kind=values["kind"], attributes={})
        session.add(loc)
        before: dict[str, Any] = {}
        status = "created"
    else:
        loc = current
        before = _snapshot(loc)
        status = "updated"
    for key, value in values.items():
        setattr(loc, key, value)
    merged = dict(loc.attributes or {})
    for key, value in attrs.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if "functions" in attrs:
        loc.function = (attrs["functions"] or [None])[0]
    loc.attributes = merged
    session.flush()
    after = _snapshot(loc)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if current is not None and not changes:
        return Saved(loc, "unchanged")
    events.record(
        session,
        f"location {status}",
        agent=agent,
        detail=f"{loc.code} ({loc.name}) {status}: {', '.join(sorted(changes))}",
        location=loc.code,
        changes=changes,
    )
    return Saved(loc, status, changes)


def _snapshot(loc: Location) -> dict[str, Any]:
    return {
        "code": loc.code,
        "name": loc.name,
        "name_en": loc.name_en,
        "kind": loc.kind,
        "parent_id": loc.parent_id,
        "unit_id": loc.unit_id,
        **{k: v for k, v in (loc.attributes or {}).items() if k != "measured"},
    }


def fields_of(session: Session, loc: Location) -> dict[str, str]:
    """A location as the text fields `save` takes (the edit form's values)."""
    attrs = loc.attributes or {}
    parent = session.get(Location, loc.parent_id) if loc.parent_id is not None else None
    unit = None
    if loc.unit_id is not None:
        from heritage.models import Unit

        unit = session.get(Unit, loc.unit_id)
    capacity = attrs.get("capacity") or {}
    cap_unit, cap = next(iter(capacity.items()), ("", None))
    used = (attrs.get("used") or {}).get(cap_unit) if cap_unit else None
    setpoint = attrs.get("env_setpoint") or {}
    light = attrs.get("light") or {}
    schedules = light.get("schedules") or {}

    def num(v: Any) -> str:
        return f"{float(v):g}" if isinstance(v, int | float) else ""

    out = {
        "code": loc.code,
        "name": loc.name,
        "name_en": loc.name_en or "",
        "kind": loc.kind,
        "parent": parent.code if parent else "",
        "unit": unit.slug if unit else "",
        "functions": ";".join(attrs.get("functions") or ([loc.function] if loc.function else [])),
        "capacity": num(cap),
        "capacity_unit": cap_unit,
        "used": num(used),
        "floor_load": num(attrs.get("floor_load_kn_m2")),
        "area_m2": num(attrs.get("area_m2")),
        "t": num(setpoint.get("t")),
        "rh": num(setpoint.get("rh")),
        "flags": ";".join(attrs.get("flags") or []),
        "security_level": attrs.get("security_level") or "",
        "max_lux": num(light.get("max_lux")),
    }
    for function in FUNCTIONS:
        out[f"lit_hours_{function}"] = num(schedules.get(function))
    return out


def _problems_or(exc: BadRequest, session: Session, fields: dict[str, str]) -> list[str]:
    found = field_problems(session, fields)
    return found if found and str(exc) in found else [str(exc), *[f for f in found if f != str(exc)]]


ALIASES = {"function": "functions", "floor_load_kn_m2": "floor_load", "setpoint_t": "t", "setpoint_rh": "rh"}


def import_file(session: Session, path: Path, *, agent: str) -> dict[str, int]:
    """Create or update the locations of a CSV file (a header row of field names), by code.

    Every problem is reported as `FILE:LINE: message`; a file with any problem changes nothing.

    Raises:
        InvalidInput: the file cannot be read or a row is invalid (nothing stored).
    """
    from metadata_schemas.csv_sheet import decode_text

    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the file: {exc.strerror}") from None
    if text is None:
        raise InvalidInput(f"{path}:1: not a text file (neither UTF-8 nor Windows-1252)")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows or not any(c.strip() for c in rows[0]):
        raise InvalidInput(f"{path}:1: the file is empty; it needs a header row ({', '.join(FIELDS[:5])}, ...)")
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in rows[0]]
    problems = [f"{path}:1: unknown column {h!r}" for h in header if h and h not in FIELDS]
    if "code" not in header:
        problems.append(f"{path}:1: the header needs a code column")
    if problems:
        raise InvalidInput("\n".join(problems) + "\nnothing was imported")
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    entries: list[tuple[int, dict[str, str]]] = []
    seen: dict[str, int] = {}
    problems = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            problems.append((line, f"the row has {len(row)} fields, the header {len(header)}"))
            continue
        fields = {h: (row[n] if n < len(row) else "") for n, h in enumerate(header) if h}
        code = fields.get("code", "").strip()
        if code in seen:
            problems.append((line, f"code {code!r} is on line {seen[code]} already"))
            continue
        seen[code] = line
        entries.append((line, fields))
    # parents before the locations in them, wherever they stand in the file
    parent_of = {
        f.get("code", "").strip(): (f.get("parent") or "").strip() or (f.get("building") or "").strip()
        for _, f in entries
    }

    def depth(code: str) -> int:
        n, seen_codes = 0, {code}
        while parent_of.get(code) in parent_of and parent_of[code] not in seen_codes and n < 50:
            code = parent_of[code]
            seen_codes.add(code)
            n += 1
        return n

    for line, fields in sorted(entries, key=lambda e: (depth(e[1].get("code", "").strip()), e[0])):
        try:
            counts[save(session, fields, agent=agent).status] += 1
        except BadRequest as exc:
            problems.extend((line, msg) for msg in (_problems_or(exc, session, fields)))
        except NotFound as exc:
            problems.append((line, str(exc)))
    if problems:  # the caller's transaction is rolled back: a file with any problem changes nothing
        text = "\n".join(f"{path}:{line}: {msg}" for line, msg in sorted(problems, key=lambda p: p[0])[:50])
        raise InvalidInput(text + "\nnothing was imported")
    return counts
