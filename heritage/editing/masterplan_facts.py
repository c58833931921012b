"""The masterplan's facts on the record: what the policy's rules read about an item (`items.attributes`:
significance, statement, material, light category, flags, hazards, series, trigger dates, size), edited as
fields named `masterplan.<attribute>` (masterplan.toml) through the one editing service.

Their choices are the policy's in force for the item (its criteria, modifiers, materials, light categories,
hazards, selection-list series and the triggers its rows name), never a list of their own. A value the policy
does not know is kept when it is the one the item has already (a policy may drop a material later). Lifting a
legal hold is not an edit: `heritage policy lift-hold` does it, by an administrator with a reason. A save that
changes a fact re-evaluates the item in the same transaction (`reevaluate`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage.editing.fields import FieldSpec, masterplan_fields
from heritage.editing.values import read_text, storable
from heritage.errors import bad
from heritage.models import Item, PolicyVersion

PREFIX = "masterplan."
SCORES = {"none": 0, "low": 1, "medium": 2, "high": 3}  # the RCE assessment per criterion, stored 0-3
SCORE_WORDS = {number: word for word, number in SCORES.items()}
SIZE_UNITS = ("linear_m", "drawers", "m3", "kg")  # the capacity units of locations (heritage/policy/README.md)
ASSESSMENT = ("masterplan.significance", "masterplan.modifiers", "masterplan.significance_statement")
APPRAISED_ON = "masterplan.appraised_on"
FLAGS = "masterplan.flags"
LEGAL_HOLD = "legal_hold"
# What a descendant takes over from its ancestors (heritage.policy.facts): a change re-evaluates the parts too.
INHERITED = ("masterplan.series", "masterplan.flags")


def is_fact(name: str) -> bool:
    return name.startswith(PREFIX)


def attribute(name: str) -> str:
    """`masterplan.material` -> `material`, its key in `items.attributes`."""
    return name.removeprefix(PREFIX)


def fact_fields() -> list[FieldSpec]:
    return list(masterplan_fields())


@dataclass(frozen=True)
class FactChoices:
    """What the policy in force for an item offers for each fact (ids; English names where the policy has them)."""

    criteria: tuple[str, ...]
    modifiers: dict[str, tuple[str, ...]]
    materials: dict[str, str]  # id -> the policy's label
    light_categories: tuple[str, ...]
    flags: tuple[str, ...]
    hazards: tuple[str, ...]
    series: dict[str, str]  # series id -> title
    triggers: tuple[str, ...]
    size_units: tuple[str, ...] = SIZE_UNITS

    def of(self, name: str) -> tuple[str, ...]:
        """The ids one fact (or the parts of one: criteria, modifiers, triggers, units) may take."""
        return {
            "masterplan.significance": self.criteria,
            "masterplan.modifiers": tuple(self.modifiers),
            "masterplan.material": tuple(self.materials),
            "masterplan.light_category": self.light_categories,
            "masterplan.flags": self.flags,
            "masterplan.hazards": self.hazards,
            "masterplan.series": tuple(self.series),
            "masterplan.dates": self.triggers,
            "masterplan.size": self.size_units,
        }.get(name, ())


def choices_of(policy: Any) -> FactChoices:
    """The choices of a compiled policy (heritage.policy.model.Policy)."""
    from heritage.policy.facts import FLAG_NAMES

    named = {flag for rule in policy.hard_rules for flag in rule.if_any}
    triggers: list[str] = []
    for row in policy.schedule.values():
        if row.trigger not in triggers:
            triggers.append(row.trigger)
    return FactChoices(
        criteria=tuple(c[0] for c in policy.criteria),
        modifiers={name: tuple(levels) for name, levels in policy.modifiers.items()},
        materials={m.id: m.label for m in policy.materials.values()},
        light_categories=tuple(policy.light_budgets),
        flags=tuple(sorted(FLAG_NAMES | named)),
        hazards=tuple(policy.hazard_flags),
        series={row.series_id: row.title for row in policy.schedule.values()},
        triggers=tuple(triggers),
    )


def policy_of(session: Session, item: Item) -> Any:
    """The policy in force for the item (its unit's and collection's overrides on the base), compiled.

    The store is kept with the session while no policy version is recorded (a sheet of many rows reads and
    compiles it once, not per row); a newly recorded version is read at once.
    """
    from heritage.policy.store import PolicyStore

    newest = session.scalar(select(func.max(PolicyVersion.id)))
    kept = session.info.get("masterplan_facts.store")
    if newest is None or kept is None or kept[0] != newest:
        store = PolicyStore.load(session)
        kept = (session.scalar(select(func.max(PolicyVersion.id))), store)
        session.info["masterplan_facts.store"] = kept
    return kept[1].for_catalogue_item(item)


def item_choices(session: Session, item: Item) -> FactChoices:
    return choices_of(policy_of(session, item))


# -- reading ----------------------------------------------------------------------------------------


def _score_word(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value in SCORE_WORDS:
        return SCORE_WORDS[value]
    return value


def facts_of(item: Item) -> dict[str, Any]:
    """The item's own facts by field name, in the plain form the service takes (scores as words)."""
    attrs = item.attributes or {}
    out: dict[str, Any] = {}
    for spec in masterplan_fields():
        raw = attrs.get(attribute(spec.name))
        if spec.kind == "scores":
            out[spec.name] = {k: _score_word(v) for k, v in raw.items()} if isinstance(raw, Mapping) else {}
        elif spec.kind in ("levels", "trigger_dates", "size"):
            out[spec.name] = dict(raw) if isinstance(raw, Mapping) else {}
        elif spec.kind == "set":
            out[spec.name] = sorted(str(v) for v in raw) if isinstance(raw, list | tuple) else []
        elif isinstance(raw, date):
            out[spec.name] = raw.isoformat()
        else:
            out[spec.name] = raw if raw not in ("", None) else None
    return out


# -- checking what an editor gives ----------------------------------------------------------------


def _known(spec: FieldSpec, value: str, allowed: Sequence[str], current: Any) -> None:
    """Raises: BadRequest: `value` is not one of `allowed` (nor among what the item has already)."""
    had = current if isinstance(current, list | tuple | set) else [current] if isinstance(current, str) else []
    if value in allowed or value in had:
        return
    params = {"field": spec.name, "value": repr(value), "choices": ", ".join(allowed)}
    if spec.name == "masterplan.material":
        raise bad("%(field)s: %(value)s is not a material type of the policy in force (%(choices)s)", **params)
    if spec.name == "masterplan.light_category":
        raise bad("%(field)s: %(value)s is not a light category of the policy in force (%(choices)s)", **params)
    if spec.name == "masterplan.series":
        raise bad("%(field)s: %(value)s is not a selection-list series of the policy in force (%(choices)s)", **params)
    if spec.name == FLAGS:
        raise bad("%(field)s: %(value)s is not a flag of the policy in force (%(choices)s)", **params)
    raise bad("%(field)s: %(value)s is not a hazard of the policy in force (%(choices)s)", **params)


def _mapping(spec: FieldSpec, raw: Any) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if not isinstance(raw, Mapping):
        raise bad("%(field)s: give an object of name -> value", field=spec.name)
    return {str(k): v for k, v in raw.items()}


def _id(spec: FieldSpec, raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise bad("%(field)s: give a text, not %(kind)s", field=spec.name, kind=type(raw).__name__)
    text = raw.strip()
    if len(text) > 200 or "\n" in text or not storable(text):
        raise bad("%(field)s: one line of at most 200 characters", field=spec.name)
    return text or None


def _day(spec: FieldSpec, raw: Any, part: str | None = None) -> str | None:
    text = _id(spec, raw) if not isinstance(raw, date) else raw.isoformat()
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        where = f"{part}: " if part else ""
        raise bad(
            "%(field)s: %(where)s%(text)s is not a date (YYYY-MM-DD)", field=spec.name, where=where, text=repr(text)
        ) from None


def _scores(spec: FieldSpec, raw: Any, current: Any, allowed: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    had = current if isinstance(current, Mapping) else {}
    for criterion, value in _mapping(spec, raw).items():
        if value is None or value == "":
            continue  # not assessed on this criterion
        if criterion not in allowed and criterion not in had:
            raise bad(
                "%(field)s: %(value)s is not a criterion of the policy in force (%(choices)s)",
                field=spec.name,
                value=repr(criterion),
                choices=", ".join(allowed),
            )
        word = value.strip().lower() if isinstance(value, str) else value
        if isinstance(word, str) and word.isdigit():
            word = int(word)
        if isinstance(word, int) and not isinstance(word, bool) and word in SCORE_WORDS:
            out[criterion] = word
        elif isinstance(word, str) and word in SCORES:
            out[criterion] = SCORES[word]
        else:
            raise bad(
                "%(field)s: %(criterion)s: %(value)s is not high, medium, low or none (3, 2, 1, 0)",
                field=spec.name,
                criterion=criterion,
                value=repr(value),
            )
    return out


def _levels(spec: FieldSpec, raw: Any, current: Any, choices: FactChoices) -> dict[str, str]:
    out: dict[str, str] = {}
    had = current if isinstance(current, Mapping) else {}
    for name, value in _mapping(spec, raw).items():
        level = _id(spec, value)
        if level is None:
            continue
        if had.get(name) == level:
            out[name] = level
            continue
        if name not in choices.modifiers:
            raise bad(
                "%(field)s: %(value)s is not a comparative criterion of the policy in force (%(choices)s)",
                field=spec.name,
                value=repr(name),
                choices=", ".join(choices.modifiers),
            )
        if level not in choices.modifiers[name]:
            raise bad(
                "%(field)s: %(name)s: %(value)s is not one of %(choices)s",
                field=spec.name,
                name=name,
                value=repr(level),
                choices=", ".join(choices.modifiers[name]),
            )
        out[name] = level
    return out


def _set(spec: FieldSpec, raw: Any, current: Any, allowed: Sequence[str]) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        raw = raw.replace("|", ";").split(";")
    if not isinstance(raw, list | tuple):
        raise bad("%(field)s: give a list of names", field=spec.name)
    out: set[str] = set()
    for entry in raw:
        name = _id(spec, entry)
        if name is None:
            continue
        _known(spec, name, allowed, current)
        out.add(name)
    return sorted(out)


def _dates(spec: FieldSpec, raw: Any, current: Any, allowed: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    had = current if isinstance(current, Mapping) else {}
    for trigger, value in _mapping(spec, raw).items():
        day = _day(spec, value, trigger)
        if day is None:
            continue
        if trigger not in allowed and trigger not in had:
            raise bad(
                "%(field)s: %(value)s is not a trigger the selection list names (%(choices)s)",
                field=spec.name,
                value=repr(trigger),
                choices=", ".join(allowed),
            )
        out[trigger] = day
    return out


def _size(spec: FieldSpec, raw: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for unit, value in _mapping(spec, raw).items():
        if value is None or value == "":
            continue
        if unit not in SIZE_UNITS:
            raise bad(
                "%(field)s: %(value)s is not a unit (%(choices)s)",
                field=spec.name,
                value=repr(unit),
                choices=", ".join(SIZE_UNITS),
            )
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip().replace(",", "."))
            except ValueError:
                number = None
        if number is None or number != number or number < 0 or number > 1e9:
            raise bad(
                "%(field)s: %(unit)s: %(value)s is not a number from 0", field=spec.name, unit=unit, value=repr(value)
            )
        out[unit] = int(number) if number.is_integer() and unit == "drawers" else number
    return out


def clean_fact(spec: FieldSpec, raw: Any, current: Any, choices: FactChoices) -> Any:
    """The stored form of one fact as given (scores 0-3, lists sorted, dates ISO).

    Raises:
        BadRequest: a value the policy in force does not offer (and the item does not have already), a score
        outside high/medium/low/none, a date that is not a date, a size that is not a number; names the field.
    """
    name = spec.name
    if spec.kind == "scores":
        return _scores(spec, raw, current, choices.criteria)
    if spec.kind == "levels":
        return _levels(spec, raw, current, choices)
    if spec.kind == "trigger_dates":
        return _dates(spec, raw, current, choices.triggers)
    if spec.kind == "size":
        return _size(spec, raw)
    if spec.kind == "set":
        return _set(spec, raw, current, choices.of(name))
    if spec.kind == "date":
        return _day(spec, raw)
    if spec.kind == "longtext":
        return read_text(spec, raw)
    value = _id(spec, raw)
    if value is not None:
        _known(spec, value, choices.of(name), current)
    return value


def stored(name: str, value: Any) -> Any:
    """A fact as `facts_of` gives it back (scores as words): what revisions record and saves compare."""
    if name == "masterplan.significance" and isinstance(value, Mapping):
        return {k: _score_word(v) for k, v in value.items()}
    return value


def clean_facts(
    session: Session,
    item: Item,
    values: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    today: date | None = None,
) -> dict[str, Any]:
    """Every given fact checked against the policy in force for the item, in the form `facts_of` gives.

    `masterplan.appraised_on` becomes today when the assessment (scores, modifiers, statement) changes and the
    editor gives no date of its own.

    Raises:
        BadRequest: see `clean_fact`; the removal of the flag legal_hold (an administrator lifts a hold with a
        reason: `heritage policy lift-hold`).
    """
    if not values:
        return {}
    specs = {spec.name: spec for spec in masterplan_fields()}
    with session.no_autoflush:  # a new item is not in the session yet: reading the policy must not flush it
        choices = item_choices(session, item)
    cleaned: dict[str, Any] = {}
    for name, raw in values.items():
        spec = specs[name]
        before = current.get(name)
        had = {k: SCORES.get(v, v) for k, v in before.items()} if spec.kind == "scores" and before else before
        cleaned[name] = stored(name, clean_fact(spec, raw, had, choices))
    if FLAGS in cleaned and LEGAL_HOLD in (current.get(FLAGS) or []) and LEGAL_HOLD not in cleaned[FLAGS]:
        raise bad(
            "%(field)s: lifting a legal hold is done by an administrator with a reason: "
            "heritage policy lift-hold %(item)s --reason ...",
            field=FLAGS,
            item=item.id,
        )
    assessed = any(name in cleaned and cleaned[name] != current.get(name) for name in ASSESSMENT)
    if assessed and APPRAISED_ON not in values:
        cleaned[APPRAISED_ON] = (today or date.today()).isoformat()
    return cleaned


# -- writing and re-evaluating --------------------------------------------------------------------


def write_facts(item: Item, after: Mapping[str, Any]) -> None:
    """Put the facts (by field name, in the form `facts_of` gives) into `items.attributes` (a new dict, so the
    change is seen); an empty value removes its key. Attributes of no field (condition, demand, ...) stay."""
    attrs = dict(item.attributes or {})
    for name, value in after.items():
        key = attribute(name)
        if name == "masterplan.significance" and isinstance(value, Mapping):
            value = {k: SCORES.get(v, v) if isinstance(v, str) else v for k, v in value.items()}
        if value in (None, "", [], {}):
            attrs.pop(key, None)
        else:
            attrs[key] = value
    item.attributes = attrs


def reevaluate(session: Session, item: Item, changed: Sequence[str]) -> None:
    """Evaluate the item again now (in the caller's transaction), so its stored decision, the review and
    digitisation queues and the masterplan panels say what the new facts mean. When a fact its parts inherit
    changed (series, flags) and it has parts, its collection is evaluated again (one pass over it)."""
    from heritage.policy.service import evaluate

    session.flush()
    if any(name in INHERITED for name in changed) and item.children:
        evaluate(session, collection=item.collection.slug)
    else:
        evaluate(session, item_id=item.id)


def fact_cell(name: str, value: Any) -> str:
    """A fact (or one part of one) as a sheet cell: lists joined by `; `, an object as `key: value; ...`."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {fact_cell(name, v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_fact_cell(spec: FieldSpec, cell: str) -> Any:
    """What a sheet cell means for a whole fact: `key: value; key: value` for scores, levels, trigger dates
    and sizes, the text itself for the others (a set is split on `;` by the service).

    Raises:
        BadRequest: an entry of an object without `key: value`.
    """
    text = cell.strip()
    if spec.kind not in ("scores", "levels", "trigger_dates", "size"):
        return text or None
    out: dict[str, str] = {}
    for entry in (e.strip() for e in text.replace("|", ";").split(";")):
        if not entry:
            continue
        key, sep, value = entry.partition(":")
        if not sep or not key.strip():
            raise bad("%(field)s: %(entry)s is not name: value", field=spec.name, entry=repr(entry))
        out[key.strip()] = value.strip()
    return out
