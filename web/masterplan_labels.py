"""The masterplan figures as a reader sees them: titles, column names and values in the page's language.

The figures themselves (heritage.policy.figures) keep their codes, because their CSV and JSON are data for
machines; the dashboard shows the same table with names (labels.csv `figure.*`, `figure_column.*`,
`figure_note.*`, and the vocabularies of decisions, domains, gates and measures), units and collections by
their names, locations by name and code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from babel.numbers import format_decimal, format_percent
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.errors import Input
from heritage.locations.reasons import Band, Coded, Joined, Number
from heritage.models import Collection, Location, Unit
from heritage.policy.figures import Figure
from metadata_schemas.said import Said
from web.i18n import current_language, label

# column -> the vocabulary whose labels name its values
VOCABULARY_COLUMNS = {"decision": "decision", "domain": "domain", "measure": "measure"}
BEFORE = re.compile(r"^before (\d{4})$")
LATER = re.compile(r"^(\d{4}) and later$")
GATE = re.compile(r"^gate: (\w+)$")


def names(session: Session, lang: str) -> dict[str, dict[str, str]]:
    def pick(name: str, name_en: str | None) -> str:
        return name_en if lang == "en" and name_en else name

    return {
        "unit": {s: pick(n, e) for s, n, e in session.execute(select(Unit.slug, Unit.name, Unit.name_en))},
        "collection": {
            s: pick(t, e) for s, t, e in session.execute(select(Collection.slug, Collection.title, Collection.title_en))
        },
        "location": {
            c: f"{pick(n, e)} ({c})"
            for c, n, e in session.execute(select(Location.code, Location.name, Location.name_en))
        },
    }


def _value(column: str, value: Any, names: dict[str, dict[str, str]]) -> Any:
    if not isinstance(value, str):
        return value
    if column in names:
        return names[column].get(value, value)
    if column in VOCABULARY_COLUMNS:
        return label(VOCABULARY_COLUMNS[column], value)
    if column == "year":
        if m := BEFORE.match(value):
            return _("before %(year)s", year=m.group(1))
        if m := LATER.match(value):
            return _("%(year)s and later", year=m.group(1))
    if column == "band" and (m := GATE.match(value)):
        return _("held back: %(gate)s", gate=label("priority_gate", m.group(1)))
    return value


def shown(session: Session, figures: list[Figure]) -> list[Figure]:
    """Each figure with its title, notes, columns and values named in the reader's language."""
    lang = current_language()
    names_ = names(session, lang)
    out = []
    for fig in figures:
        rows = [[_value(c, v, names_) for c, v in zip(fig.columns, row, strict=True)] for row in fig.rows]
        out.append(
            replace(
                fig,
                title=label("figure", fig.name) if fig.title else fig.title,
                note=label("figure_note", fig.name) if fig.note else "",
                columns=[label("figure_column", c) for c in fig.columns],
                rows=rows,
            )
        )
    return out


DURATION = re.compile(r"^P(\d+)([YMD])$")
DURATION_WORDS = {
    "nl": {"Y": ("jaar", "jaar"), "M": ("maand", "maanden"), "D": ("dag", "dagen")},
    "en": {"Y": ("year", "years"), "M": ("month", "months"), "D": ("day", "days")},
}
# a value of the engine's explanations -> the vocabulary whose labels name it (lists are ", "-separated)
EXPLANATION_VOCABULARIES = {
    "flags": "flag",
    "reasons": "flag",
    "hazards": "hazard",
    "material": "material",
    "trigger": "trigger",
    "disposition": "disposition",
}


def duration_words(value: str, lang: str) -> str:
    """ "P10Y" -> "10 jaar" / "10 years" (other ISO 8601 durations stay as written)."""
    found = DURATION.match(value)
    if not found:
        return value
    n, unit = int(found.group(1)), found.group(2)
    one, many = DURATION_WORDS.get(lang, DURATION_WORDS["en"])[unit]
    return f"{n} {one if n == 1 else many}"


def explained(decision: Any) -> str:
    """A stored decision's explanation in the reader's language: its template translated, flags, materials,
    hazards, triggers and periods by their names, a hard rule by its label. A decision stored before
    explanations were kept as templates (or an override's reason) is shown as it was written."""
    if isinstance(decision, Mapping):
        text, data = decision.get("explanation") or "", decision.get("explanation_said")
    else:
        text, data = decision.explanation, getattr(decision, "explanation_said", None)
    if not data:
        return text
    message = Said.from_json(data)
    lang = current_language()
    rule = str(message.params.get("rule") or "")

    def value(key: str, v: object) -> str:
        shown = str(v)
        if key == "rule_explanation" and label("decision_rule", rule) != rule:
            return label("decision_rule", rule)
        if key in EXPLANATION_VOCABULARIES:
            kind = EXPLANATION_VOCABULARIES[key]
            return ", ".join(label(kind, part) for part in shown.split(", "))
        if key in ("retention", "interval", "period"):
            return duration_words(shown, lang)
        return shown

    return message.translated(_, value)


# a value of a location reason -> the vocabulary whose labels name it (lists are ", "-separated)
REASON_VOCABULARIES = {
    "category": "light_category",
    "flags": "location_flag",
    "hazards": "hazard",
    "kind": "location_kind",
    "level": "security_level",
    "material": "material",
    "measure": "capacity_unit",
    "measures": "capacity_unit",
    "minimum": "security_level",
    "unit": "capacity_unit",
}


def _number(n: Number, lang: str) -> str:
    """A number as the language writes it, with the precision its English text has."""
    if n.spec.endswith("%"):
        return format_percent(n.value, locale=lang)
    if n.spec.endswith("f"):
        places = int(n.spec.rstrip("f").rpartition(".")[2] or 0)
        return format_decimal(n.value, format="#,##0" + ("." + "0" * places if places else ""), locale=lang)
    return format_decimal(n.value, locale=lang)


def reason(message: Said | str) -> str:
    """A location reason (heritage.locations.matching) in the reader's language: its template translated,
    numbers written the language's way, light categories, hazards, materials, flags and security levels by name;
    locations as they are. In English exactly the sentence the CLI and the API give."""
    lang = current_language()
    if not isinstance(message, Said) or lang == "en":
        return str(message)
    return in_language(message)


def in_language(
    message: Said, vocabularies: Mapping[str, str] = REASON_VOCABULARIES, inputs: Mapping[str, str] | None = None
) -> str:
    """`message` in the reader's language (English too): its template translated, numbers written the language's
    way, the values of `vocabularies` (key -> the vocabulary that names it) by their labels, and each input it
    names (`heritage.errors.Input`) by `inputs` (its name -> the label of the page's form)."""
    lang = current_language()

    def value(key: str, v: object) -> str:
        if isinstance(v, Input):
            return (inputs or {}).get(v.name, v.name.replace("_", " "))
        if isinstance(v, Coded):
            return label(v.kind, v.code)
        if isinstance(v, Number):
            return _number(v, lang)
        if isinstance(v, Band):
            ends = (v.low,) if v.low == v.high else (v.low, v.high)
            return "-".join(format_decimal(x, locale=lang) for x in ends)
        if isinstance(v, Joined):
            return v.sep.join(p.translated(_, value) if isinstance(p, Said) else value(key, p) for p in v.parts)
        if key in vocabularies and isinstance(v, str):
            return ", ".join(label(vocabularies[key], part) for part in v.split(", "))
        return str(v)

    return message.translated(_, value)


def reasons(messages: list[Said] | list[str]) -> str:
    """Location reasons in the reader's language, one after another."""
    return "; ".join(reason(m) for m in messages)


def score(value: float) -> str:
    """A suggestion's score as the reader's language writes it (0,683 in Dutch; as the CLI gives it in English)."""
    lang = current_language()
    return str(value) if lang == "en" else format_decimal(value, locale=lang)
