"""The edit form's inputs, read into the values the editing service takes (`heritage.editing`) and shown back.

Flask-free: a form is any mapping with `get` and `getlist` (werkzeug's MultiDict). Reading never refuses
anything: it only gives the typed text its shape (lines, rows of agents and terms, a taxon); the service
validates once, and a refused save shows the form again with exactly what the editor typed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

ROW_PARTS = {"agents": ("name", "role", "id"), "terms": ("label", "id")}
TAXON_PARTS = ("scientific_name", "rank", "kingdom", "family", "id")
LIST_KINDS = frozenset({"lines", "date_lines"})
# The masterplan's facts (heritage/editing/masterplan.toml): one value per part (criterion, modifier, trigger,
# unit) read from inputs `<name>-<part>`, or a set of names from checkboxes `<name>`.
PART_KINDS = frozenset({"scores", "levels", "trigger_dates", "size"})
SET_KINDS = frozenset({"set"})
BLANK_ROWS = 2  # empty rows under a list of agents or terms, to add to it without scripts
GROUPS = Path(__file__).parent / "data" / "edit_groups.toml"
_ROW_KEY = re.compile(r"^(?P<field>.+)-(?P<row>\d{1,4})-(?P<part>[a-z_]+)$")


class FormData(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...

    def __iter__(self) -> Iterator[str]: ...


class Spec(Protocol):
    """What the form needs of a field (heritage.editing.FieldSpec)."""

    name: str
    kind: str


def input_id(name: str, *parts: str | int) -> str:
    """An element id for a field (or one part of a row): `titles.nl` -> `f-titles-nl`."""
    return "-".join(["f", name.replace(".", "-").replace("_", "-"), *map(str, parts)])


def _text(value: Any) -> str:
    return str(value).replace("\r\n", "\n").strip() if value is not None else ""


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in _text(value).split("\n") if line.strip()]


def _rows(form: FormData, name: str, parts: Sequence[str]) -> list[dict[str, str | None]]:
    """Rows `name-0-part`, `name-1-part`, ... in their order; a row whose every part is empty is dropped."""
    numbers = sorted(
        {int(m["row"]) for key in form if (m := _ROW_KEY.match(key)) and m["field"] == name},
    )
    rows = []
    for n in numbers:
        row = {part: _text(form.get(f"{name}-{n}-{part}")) or None for part in parts}
        if any(row.values()):
            rows.append(row)
    return rows


def form_value(spec: Spec, form: FormData) -> Any:
    """The value of one field as typed, in the shape the service takes."""
    name, kind = spec.name, spec.kind
    if kind in LIST_KINDS:
        return _lines(form.get(name))
    if kind == "agents":
        return _rows(form, name, ROW_PARTS["agents"])
    if kind == "terms":
        return _rows(form, name, ROW_PARTS["terms"])
    if kind == "taxon":
        taxon = {part: _text(form.get(f"{name}-{part}")) or None for part in TAXON_PARTS}
        return taxon if any(taxon.values()) else None
    if kind in PART_KINDS:
        prefix = f"{name}-"
        return {
            key[len(prefix) :]: _text(form.get(key)) for key in form if key.startswith(prefix) and _text(form.get(key))
        }
    if kind in SET_KINDS:
        return sorted({_text(v) for v in form.getlist(name) if _text(v)})
    return _text(form.get(name)) or None


def values_from_form(specs: Iterable[Spec], form: FormData) -> dict[str, Any]:
    """Every field of the form as typed (fields the form does not hold are left out)."""
    return {spec.name: form_value(spec, form) for spec in specs}


def normalised(kind: str, value: Any) -> Any:
    """A value as the form would give it back, so that the stored and the typed value compare equal."""
    if kind in LIST_KINDS:
        items = value if isinstance(value, list | tuple) else _lines(value)
        return [str(v).strip() for v in items if str(v).strip()]
    if kind in ("agents", "terms"):
        parts = ROW_PARTS[kind]
        rows = []
        for row in value or []:
            shaped = {p: _text(row.get(p)) or None for p in parts} if isinstance(row, Mapping) else {}
            if any(shaped.values()):
                rows.append(shaped)
        return rows
    if kind == "taxon":
        if not isinstance(value, Mapping):
            return None
        taxon = {p: _text(value.get(p)) or None for p in TAXON_PARTS}
        return taxon if any(taxon.values()) else None
    if kind in PART_KINDS:
        parts = value if isinstance(value, Mapping) else {}
        return {str(k): plain(v) for k, v in parts.items() if plain(v)}
    if kind in SET_KINDS:
        return sorted({plain(v) for v in value or [] if plain(v)}) if isinstance(value, list | tuple) else []
    return shown_text(kind, value) or None


def plain(value: Any) -> str:
    """One value of a masterplan fact as an input shows it (a whole number without `.0`)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


def changed_values(specs: Iterable[Spec], typed: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The typed fields whose value differs from the stored one (what a save sends to the service)."""
    return {
        spec.name: typed[spec.name]
        for spec in specs
        if spec.name in typed
        and normalised(spec.kind, typed[spec.name]) != normalised(spec.kind, current.get(spec.name))
    }


def shown_text(kind: str, value: Any) -> str:
    """A value as the text of one input or textarea (lists one per line, coordinates as `lat, lon`)."""
    if value is None:
        return ""
    if kind in LIST_KINDS:
        return "\n".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    if kind == "coordinates":
        if isinstance(value, Mapping):
            lat, lon = value.get("lat", value.get("latitude")), value.get("lon", value.get("longitude"))
            return f"{lat}, {lon}" if lat is not None and lon is not None else ""
        if isinstance(value, list | tuple) and len(value) == 2:
            return f"{value[0]}, {value[1]}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def shown_rows(kind: str, value: Any, blank: int = BLANK_ROWS) -> list[dict[str, str]]:
    """The rows of an agents or terms field, with empty rows to add to it."""
    parts = ROW_PARTS[kind]
    rows = [{p: v or "" for p, v in row.items()} for row in normalised(kind, value)]
    return rows + [dict.fromkeys(parts, "") for _ in range(blank)]


def shown_value(kind: str, value: Any) -> str:
    """A value in one line, for the side-by-side view of a conflict and for the history."""
    if kind == "agents":
        return "; ".join(
            " · ".join(p for p in (r["name"], r["role"], r["id"]) if p) for r in normalised(kind, value) if r
        )
    if kind == "terms":
        return "; ".join(" · ".join(p for p in (r["label"], r["id"]) if p) for r in normalised(kind, value))
    if kind == "taxon":
        taxon = normalised(kind, value)
        return " · ".join(v for v in taxon.values() if v) if taxon else ""
    if kind in LIST_KINDS or kind in SET_KINDS:
        return "; ".join(normalised(kind, value))
    if kind in PART_KINDS:
        return "; ".join(f"{k}: {v}" for k, v in normalised(kind, value).items())
    return shown_text(kind, value)


def any_value(value: Any) -> str:
    """A value of unknown kind (a history entry of a field no longer in the form) in one line."""
    if value is None:
        return ""
    if isinstance(value, Mapping):
        return " · ".join(f"{k}: {any_value(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, list | tuple):
        return "; ".join(any_value(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Group:
    """A fieldset of the form: its key (for the legend's label) and its fields, in order."""

    key: str
    fields: tuple[Any, ...]


@lru_cache(maxsize=1)
def _group_table() -> tuple[tuple[str, tuple[str, ...]], ...]:
    with GROUPS.open("rb") as fh:
        data = tomllib.load(fh)
    return tuple((g["key"], tuple(g["fields"])) for g in data["group"])


def grouped(specs: Sequence[Any]) -> list[Group]:
    """The fields in the fieldsets of `edit_groups.toml` (names ending in `.` take every field with that
    prefix, such as a domain's fields); a field no group names lands in the last one."""
    table = _group_table()
    placed: dict[str, list[Any]] = {key: [] for key, _ in table}
    for spec in specs:
        key = next(
            (
                k
                for k, names in table
                if spec.name in names or any(n.endswith(".") and spec.name.startswith(n) for n in names)
            ),
            table[-1][0],
        )
        placed[key].append(spec)
    return [Group(key, tuple(fields)) for key, fields in placed.items() if fields]
