"""Field values: reading them from an item, checking what an editor gives, and writing them into the core record.

Values are plain JSON: text kinds a string (None when empty), lines and date lines a list of strings,
agents a list of {"name", "role", "id"}, terms a list of {"label", "id"}, a taxon a dict or None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from heritage.editing.fields import FieldSpec, field_named
from heritage.errors import bad
from heritage.models import Access, Item
from metadata_schemas.core import Agent, CoreRecord, Taxon, Term
from metadata_schemas.dates import date_problem_said, parse_date
from metadata_schemas.said import Said, said

LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
AUTHORITY_ID = re.compile(r"^(?:auth:[0-9a-z]{1,32}|https?://\S+)$")  # auth:<authority record id>, or a URI
TAXON_KEYS = ("scientific_name", "rank", "kingdom", "family", "id")
MAX_TEXT = 20_000


def core_record(item: Item) -> CoreRecord:
    """The item's core record as stored (a copy: changing it changes nothing until it is written back)."""
    from heritage.catalogue import core_of

    return core_of(item)


def values_of(item: Item) -> dict[str, Any]:
    """The current value of every field (of every domain) and of every masterplan fact, by field name."""
    core = core_record(item)
    values: dict[str, Any] = {
        "title": core.title or item.title,
        "titles.nl": core.titles.get("nl"),
        "titles.en": core.titles.get("en"),
        "identifiers": list(core.identifiers),
        "agents": [{"name": a.name, "role": a.role, "id": a.id} for a in core.agents],
        "dates": [d.text for d in core.dates if d.text],
        "extent": core.extent,
        "descriptions.nl": core.descriptions.get("nl", core.description),
        "descriptions.en": core.descriptions.get("en"),
        "notes.nl": core.notes.get("nl"),
        "notes.en": core.notes.get("en"),
        "languages": list(core.languages),
        "subjects": _terms_out(core.subjects),
        "places": _terms_out(core.places),
        "genres": _terms_out(core.genres),
        "taxon": {k: getattr(core.taxon, k) for k in TAXON_KEYS} if core.taxon else None,
        "rights": core.rights or item.rights,
        "access": item.access,
        "closed_until": item.closed_until.isoformat() if item.closed_until else None,
        "level": item.level,
    }
    from heritage.editing.fields import all_fields

    for spec in all_fields():
        if spec.is_detail:
            values[spec.name] = core.details.get(spec.name)
    from heritage.editing.masterplan_facts import facts_of

    values.update(facts_of(item))  # the masterplan's facts: `masterplan.<attribute>`
    return values


def _terms_out(terms: Sequence[Term]) -> list[dict[str, Any]]:
    return [{"label": t.label, "id": t.id} for t in terms]


# -- checking what an editor gives ----------------------------------------------------------------


def clean(spec: FieldSpec, raw: Any, current: Any = None) -> Any:
    """The value `raw` means for this field, in its plain form.

    A value the vocabulary does not know is accepted when it is the one the item has already (an imported
    record may carry a role or rights statement of its own), so an unrelated save never fails on it.

    Raises:
        BadRequest: the value is not acceptable; the message names the field and the reason.
    """
    cleaner = _CLEANERS[spec.kind]
    value = cleaner(spec, raw)
    if spec.kind == "choice" and value is not None and value != current:
        known = {c.value for c in spec.choices}
        if value not in known:
            raise bad(
                "%(field)s: %(value)s is not one of the choices (%(choices)s)",
                field=spec.name,
                value=repr(value),
                choices=", ".join(sorted(known)),
            )
    if spec.kind == "agents":
        known_roles = {c.value for c in spec.choices} | {a.get("role") for a in current or []}
        for agent in value:
            if agent["role"] is not None and agent["role"] not in known_roles:
                raise bad(
                    "%(field)s: role %(role)s of %(name)s is not a known role (%(roles)s)",
                    field=spec.name,
                    role=repr(agent["role"]),
                    name=repr(agent["name"]),
                    roles=", ".join(c.value for c in spec.choices),
                )
    return value


def read_text(spec: FieldSpec, raw: Any) -> str | None:
    """A text field as stored: trimmed, one line unless longtext, bounded, storable (None when empty)."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise bad("%(field)s: give a text, not %(kind)s", field=spec.name, kind=type(raw).__name__)
    text = raw.replace("\r\n", "\n").strip()
    if spec.kind != "longtext" and "\n" in text:
        raise bad("%(field)s: one line only", field=spec.name)
    if len(text) > MAX_TEXT:
        raise bad("%(field)s: at most %(most)s characters", field=spec.name, most=MAX_TEXT)
    if not storable(text):
        raise bad("%(field)s: contains a NUL or an unpaired surrogate character", field=spec.name)
    return text or None


def storable(text: str) -> bool:
    """Text every database stores: no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _lines(spec: FieldSpec, raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.replace("\r\n", "\n").split("\n")
    if not isinstance(raw, list):
        raise bad("%(field)s: give a list of texts (or one per line)", field=spec.name)
    out = []
    for entry in raw:
        if not isinstance(entry, str):
            raise bad("%(field)s: every entry is a text, not %(kind)s", field=spec.name, kind=type(entry).__name__)
        entry = entry.strip()
        if not storable(entry) or len(entry) > MAX_TEXT:
            raise bad("%(field)s: an entry is too long or contains a NUL character", field=spec.name)
        if entry:
            out.append(entry)
    if spec.name == "languages":
        for code in out:
            if not LANGUAGE.match(code):
                raise bad(
                    "%(field)s: %(code)s is not a language code (ISO 639: nl, en, la)", field=spec.name, code=repr(code)
                )
    return out


def _records(spec: FieldSpec, raw: Any, keys: tuple[str, ...], required: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad("%(field)s: give a list of objects with %(keys)s", field=spec.name, keys=", ".join(keys))
    out = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, Mapping):
            raise bad(
                "%(field)s: entry %(n)s is not an object with %(keys)s", field=spec.name, n=n, keys=", ".join(keys)
            )
        unknown = set(entry) - set(keys)
        if unknown:
            raise bad(
                "%(field)s: entry %(n)s has unknown keys %(keys)s",
                field=spec.name,
                n=n,
                keys=", ".join(sorted(unknown)),
            )
        values: dict[str, Any] = {}
        for key in keys:
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                raise bad("%(field)s: entry %(n)s: %(key)s is a text", field=spec.name, n=n, key=key)
            value = (value or "").strip() or None
            if value is not None and ("\n" in value or not storable(value) or len(value) > 2000):
                raise bad(
                    "%(field)s: entry %(n)s: %(key)s is one line of at most 2000 characters",
                    field=spec.name,
                    n=n,
                    key=key,
                )
            values[key] = value
        if values[required] is None:
            if any(values.values()):
                raise bad("%(field)s: entry %(n)s has no %(key)s", field=spec.name, n=n, key=required)
            continue  # an empty row of a form
        if values.get("id") is not None and not AUTHORITY_ID.match(values["id"]):
            raise bad(
                "%(field)s: entry %(n)s: id %(id)s is neither a URI (https://...) nor auth:<authority id>",
                field=spec.name,
                n=n,
                id=repr(values["id"]),
            )
        out.append(values)
    return out


def _agents(spec: FieldSpec, raw: Any) -> list[dict[str, Any]]:
    return _records(spec, raw, ("name", "role", "id"), "name")


def _terms(spec: FieldSpec, raw: Any) -> list[dict[str, Any]]:
    return _records(spec, raw, ("label", "id"), "label")


def _taxon(spec: FieldSpec, raw: Any) -> dict[str, Any] | None:
    if raw is None or raw == {}:
        return None
    if isinstance(raw, str):
        raw = {"scientific_name": raw}
    found = _records(spec, [raw], TAXON_KEYS, "scientific_name")
    return found[0] if found else None


def _choice(spec: FieldSpec, raw: Any) -> str | None:
    return read_text(spec, raw)


def _date(spec: FieldSpec, raw: Any) -> str | None:
    text = read_text(spec, raw)
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise bad("%(field)s: %(text)s is not a date (YYYY-MM-DD)", field=spec.name, text=repr(text)) from None


def _coordinates(spec: FieldSpec, raw: Any) -> str | None:
    text = read_text(spec, raw)
    if text is None:
        return None
    m = COORDINATES.match(text)
    if m is None or not (-90 <= float(m[1]) <= 90 and -180 <= float(m[2]) <= 180):
        raise bad(
            "%(field)s: %(text)s is not a latitude and longitude in decimal degrees (50.8798, 4.7005)",
            field=spec.name,
            text=repr(text),
        )
    return f"{m[1]}, {m[2]}"


_CLEANERS = {
    "text": read_text,
    "longtext": read_text,
    "lines": _lines,
    "date_lines": _lines,
    "agents": _agents,
    "terms": _terms,
    "taxon": _taxon,
    "choice": _choice,
    "date": _date,
    "coordinates": _coordinates,
}


def date_warnings(lines: Sequence[str]) -> list[Said]:
    """Why dates are doubtful (`31-02-1921`): kept as typed, the archivist is warned, not refused."""
    return [
        said("%(field)s: %(problem)s", field="dates", problem=problem)
        for line in lines
        if (problem := date_problem_said(line))
    ]


def year_range(lines: Sequence[str]) -> tuple[int | None, int | None]:
    """The year range the dates give (what search and the facets use)."""
    return CoreRecord(title="", dates=[parse_date(line) for line in lines]).date_span


def check_access(values: Mapping[str, Any]) -> None:
    """Raises: BadRequest: a closure date with an access other than closed."""
    if values.get("closed_until") and values.get("access") != Access.CLOSED.value:
        raise bad(
            "%(field)s goes with access closed (an item closed until that date), not with %(access)s",
            field="closed_until",
            access=values.get("access"),
        )
    if not values.get("access"):
        raise bad("%(field)s: choose public, restricted or closed", field="access")


def check_title(values: Mapping[str, Any]) -> None:
    if not (values.get("title") or values.get("titles.nl") or values.get("titles.en")):
        raise bad("%(field)s: an item needs a title", field="title")


# -- writing into the core record -------------------------------------------------------------------


def write(core: CoreRecord, name: str, value: Any) -> None:
    """Put one field's value into the core record (access and closed_until live on the item, not here)."""
    spec = field_named(name)
    assert spec is not None
    if spec.is_detail:
        _put(core.details, name, value)
    elif name == "title":
        core.title = value or ""
    elif name.startswith(("titles.", "notes.")):
        _put(core.titles if name.startswith("titles.") else core.notes, name.split(".", 1)[1], value)
    elif name.startswith("descriptions."):
        lang = name.split(".", 1)[1]
        if (
            lang == "nl"
            and core.description is not None
            and core.descriptions.get("nl", core.description) == core.description
        ):
            core.description = value  # the language-less description is the Dutch one shown: keep them one
        _put(core.descriptions, lang, value)
    elif name in ("identifiers", "languages"):
        setattr(core, name, list(value))
    elif name == "agents":
        core.agents = [Agent(a["name"], a["role"], a["id"]) for a in value]
    elif name == "dates":
        core.dates = [parse_date(line) for line in value]
    elif name in ("subjects", "places", "genres"):
        setattr(core, name, [Term(t["label"], t["id"]) for t in value])
    elif name == "taxon":
        core.taxon = Taxon(**value) if value else None
    elif name in ("extent", "rights", "level"):
        setattr(core, name, value)
    else:
        raise AssertionError(f"no place in the core record for {name}")


def _put(target: dict[str, str], key: str, value: str | None) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value
