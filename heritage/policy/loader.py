"""Reading policy files: YAML with the line of every value, checked against the documented schema
(`data/schema.json`) and the rules a schema cannot say (references, bands, unique ids); every
problem is reported as `FILE:LINE: message`, and a file with any problem is never applied.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from heritage.errors import InvalidInput

DATA = Path(__file__).parent / "data"
DEFAULT_POLICY = DATA / "default.yaml"
SCHEMA_FILE = DATA / "schema.json"
LIMITS_FILE = DATA / "limits.yaml"
COMPLETE = "heritage-policy/1"
OVERRIDE = "heritage-policy-override/1"
# Lists whose entries are merged by this key when an override is applied (others are replaced whole).
MERGE_KEYS = {"material_types": "id", "hard_rules": "id", "criteria": "id", "rows": "series_id"}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class PolicyFileError(InvalidInput):
    """A policy file has problems; nothing of it was applied."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class PolicyDocument:
    """A parsed policy file: its data, where each value stands, and where it came from."""

    data: dict[str, Any]
    lines: dict[Path_, int]
    source: str

    def line(self, path: Iterable[str | int]) -> int:
        """The line of `path`, or of its nearest ancestor that the file has."""
        key = tuple(path)
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, 1)

    @property
    def is_override(self) -> bool:
        return self.data.get("schema") == OVERRIDE

    @property
    def sha256(self) -> str:
        return document_sha256(self.data)


def document_sha256(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _lines(node: yaml.Node, path: Path_, out: dict[Path_, int], problems: list[Problem], source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                problems.append(Problem(source, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            seen.add(key)
            out[(*path, key)] = key_node.start_mark.line + 1
            _lines(value_node, (*path, key), out, problems, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            out[(*path, index)] = child.start_mark.line + 1
            _lines(child, (*path, index), out, problems, source)


def parse_text(text: str, source: str) -> PolicyDocument:
    """Parse YAML keeping lines. Raises: PolicyFileError: not YAML, or not a mapping."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise PolicyFileError([Problem(source, line, f"not valid YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise PolicyFileError([Problem(source, 1, f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict) or node is None:
        raise PolicyFileError([Problem(source, 1, "a policy file is a YAML mapping (schema:, policy:, ...)")])
    problems: list[Problem] = []
    lines: dict[Path_, int] = {}
    _lines(node, (), lines, problems, source)
    if problems:
        raise PolicyFileError(problems)
    return PolicyDocument(data=data, lines=lines, source=source)


def read_file(path: Path) -> PolicyDocument:
    """Raises: PolicyFileError: the file cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise PolicyFileError([Problem(str(path), 1, f"cannot read the policy file: {reason}")]) from None
    return parse_text(text, str(path))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_problem(doc: PolicyDocument, error: ValidationError) -> list[Problem]:
    path = tuple(error.absolute_path)
    where = _dotted(path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        return [
            Problem(
                doc.source,
                doc.line((*path, key)),
                f"{_dotted((*path, key))}: unknown key {key!r}"
                + (f" (known: {', '.join(sorted(allowed))})" if allowed else ""),
            )
            for key in error.instance
            if key not in allowed
        ]
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "pattern" and description:
        message = f"{error.instance!r} is not {description}"
    elif error.validator == "type" and isinstance(error.instance, date):
        message = f'write the date in quotes: "{error.instance.isoformat()}" (YAML reads it as a date, not text)'
    elif error.validator in ("anyOf", "oneOf") and path and path[-1] == "retention":
        message = f"{error.instance!r} is neither 'permanent' nor an ISO 8601 duration such as P10Y"
    else:
        message = error.message
    return [Problem(doc.source, doc.line(path), f"{where}: {message}")]


def schema_problems(doc: PolicyDocument, *, partial: bool = False) -> list[Problem]:
    """Schema violations; `partial` (an override on its own) leaves missing sections to the merged check."""
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: doc.line(e.absolute_path))
    problems: list[Problem] = []
    for error in errors:
        if partial and error.validator == "required" and error.absolute_path:
            continue
        problems += _schema_problem(doc, error)
    return problems


def semantic_problems(data: dict[str, Any], doc: PolicyDocument) -> list[Problem]:
    """Rules the schema cannot state: references between sections, ordered bands, unique ids."""
    problems: list[Problem] = []

    def add(path: Path_, message: str) -> None:
        problems.append(Problem(doc.source, doc.line(path), f"{_dotted(path)}: {message}"))

    def unique(section: str, items: list[Any], key: str, path: Path_) -> None:
        seen: set[Any] = set()
        for i, entry in enumerate(items):
            if isinstance(entry, dict) and key in entry:
                if entry[key] in seen:
                    add((*path, i, key), f"{key} {entry[key]!r} appears twice in {section}")
                seen.add(entry[key])

    light = set(data.get("light_categories") or {})
    hazards = set(data.get("hazards") or {})
    levels = list(data.get("security_levels") or [])
    materials = data.get("material_types") or []
    unique("material_types", materials, "id", ("material_types",))
    for i, m in enumerate(materials):
        for band_name in ("t", "rh"):
            band = (m.get("env") or {}).get(band_name)
            if isinstance(band, list) and len(band) == 2 and band[0] > band[1]:
                add(("material_types", i, "env", band_name), f"band {band} runs backwards (low > high)")
        if m.get("light_category") and light and m["light_category"] not in light:
            add(
                ("material_types", i, "light_category"),
                f"unknown light category {m['light_category']!r} (known: {', '.join(sorted(light))})",
            )
        for j, hazard in enumerate(m.get("hazards") or []):
            if hazard not in hazards:
                add(("material_types", i, "hazards", j), f"unknown hazard {hazard!r}: declare it under hazards:")
        if m.get("security_min") and levels and m["security_min"] not in levels:
            add(("material_types", i, "security_min"), f"unknown security level {m['security_min']!r}")
    rules = data.get("hard_rules") or []
    unique("hard_rules", rules, "id", ("hard_rules",))
    for i, rule in enumerate(rules):
        if rule.get("kind", "flags") == "flags" and not (rule.get("if_any") and rule.get("decision")):
            add(("hard_rules", i), f"rule {rule.get('id')!r} of kind flags needs if_any and decision")
        if rule.get("kind") == "hazard_storage" and not rule.get("decision"):
            add(("hard_rules", i), f"rule {rule.get('id')!r} needs a decision")
    sig = data.get("significance") or {}
    criteria = sig.get("criteria") or []
    unique("significance.criteria", criteria, "id", ("significance", "criteria"))
    groups = {c.get("group") for c in criteria if isinstance(c, dict)}
    if sig.get("heritage_group") and criteria and sig["heritage_group"] not in groups:
        add(("significance", "heritage_group"), f"no criterion is in group {sig['heritage_group']!r}")
    t = sig.get("thresholds") or {}
    if (
        all(
            isinstance(t.get(k), int | float)
            for k in ("retain_permanent_core", "retain_with_review", "curatorial_review")
        )
        and not t["retain_permanent_core"] >= t["retain_with_review"] >= t["curatorial_review"]
    ):
        add(
            ("significance", "thresholds"),
            "thresholds must fall: retain_permanent_core >= retain_with_review >= curatorial_review",
        )
    rows = (data.get("retention_schedule") or {}).get("rows") or []
    unique("retention_schedule.rows", rows, "series_id", ("retention_schedule", "rows"))
    for i, row in enumerate(rows):
        if row.get("disposition") in ("V", "S") and row.get("retention") == "permanent":
            add(
                ("retention_schedule", "rows", i, "retention"),
                f"disposition {row['disposition']} needs a period, not 'permanent'",
            )
    declared = data.get("roles") or {}
    roles = set(declared)
    for kind, approval in (data.get("approvals") or {}).items():
        for j, role in enumerate(approval.get("roles") or []):
            if roles and role not in roles:
                add(("approvals", kind, "roles", j), f"unknown role {role!r}: declare it under roles:")
            elif isinstance(declared.get(role), dict) and not declared[role].get("user_roles"):
                add(
                    ("approvals", kind, "roles", j),
                    f"role {role!r} approves {kind} but no account can take it: give it user_roles:",
                )
    for section, key in (("matching", "soft_weights"), ("digitisation_priority", "weights")):
        weights = (data.get(section) or {}).get(key)
        if (
            isinstance(weights, dict)
            and weights
            and not sum(w for w in weights.values() if isinstance(w, int | float)) > 0
        ):
            add((section, key), "the weights add up to zero")
    return problems


@cache
def limits() -> dict[str, Any]:
    """The physical and standard ranges (data/limits.yaml): RH, temperature, the index, CIE 157 maxima."""
    return yaml.safe_load(LIMITS_FILE.read_text(encoding="utf-8"))


def _n(value: float) -> str:
    """A number as people write it: 600000, not 6e+05."""
    return str(int(value)) if float(value).is_integer() else f"{value}"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def range_problems(data: dict[str, Any], doc: PolicyDocument) -> list[Problem]:
    """Values outside physical and standard ranges: RH outside 0-100 %, implausible temperatures, light
    budgets above the CIE 157 category maximum, thresholds off the 0-100 scale, freezing protocols."""
    from heritage.models.vocab import Level

    problems: list[Problem] = []
    known = limits()

    def add(path: Path_, message: str) -> None:
        problems.append(Problem(doc.source, doc.line(path), f"{_dotted(path)}: {message}"))

    def within(path: Path_, value: Any, kind: str, what: str) -> None:
        low, high = known[kind]
        if _number(value) and not low <= value <= high:
            add(path, f"{what} {_n(value)} is outside {_n(low)}-{_n(high)} ({kind.replace('_', ' ')})")

    def band(path: Path_, value: Any, kind: str, unit: str) -> None:
        if isinstance(value, list) and len(value) == 2 and all(_number(v) for v in value):
            low, high = known[kind]
            if not (low <= value[0] <= high and low <= value[1] <= high):
                add(path, f"band {value} {unit} is outside {_n(low)}-{_n(high)} ({kind.replace('_', ' ')})")

    for i, m in enumerate(data.get("material_types") or []):
        env = m.get("env") or {}
        band(("material_types", i, "env", "rh"), env.get("rh"), "relative_humidity", "% RH")
        band(("material_types", i, "env", "t"), env.get("t"), "temperature", "degC")
        swing = env.get("max_daily_rh_swing")
        within(("material_types", i, "env", "max_daily_rh_swing"), swing, "relative_humidity", "daily RH swing")
        for key in ("max_daily_rh_swing", "max_daily_t_swing"):
            if _number(env.get(key)) and env[key] < 0:
                add(("material_types", i, "env", key), f"a swing cannot be negative ({_n(env[key])})")
    for name, cls in (data.get("environment_classes") or {}).items():
        path = ("environment_classes", name)
        for key in ("rh_min", "rh_max"):
            within((*path, key), cls.get(key), "relative_humidity", key)
        for key in ("t_anchor", "t_max"):
            within((*path, key), cls.get(key), "temperature", key)
        if _number(cls.get("rh_min")) and _number(cls.get("rh_max")) and cls["rh_min"] > cls["rh_max"]:
            add((*path, "rh_min"), f"rh_min {_n(cls['rh_min'])} is above rh_max {_n(cls['rh_max'])}")
        if _number(cls.get("t_anchor")) and _number(cls.get("t_max")) and cls["t_anchor"] > cls["t_max"]:
            add((*path, "t_anchor"), f"t_anchor {_n(cls['t_anchor'])} is above t_max {_n(cls['t_max'])}")
    for name, cls in (data.get("ashrae_control_classes") or {}).items():
        path = ("ashrae_control_classes", name)
        for key in ("short_rh", "seasonal_rh", "rh_max"):
            within((*path, key), cls.get(key), "relative_humidity", key)
        for key in ("short_t", "seasonal_t_up", "seasonal_t_down"):
            if _number(cls.get(key)) and cls[key] < 0:
                add((*path, key), f"a fluctuation cannot be negative ({_n(cls[key])})")
        within((*path, "t_abs_max"), cls.get("t_abs_max"), "temperature", "t_abs_max")
        rh_band = cls.get("rh_band")
        band((*path, "rh_band"), rh_band, "relative_humidity", "% RH")
        ordered = isinstance(rh_band, list) and len(rh_band) == 2 and all(_number(v) for v in rh_band)
        if ordered and rh_band[0] > rh_band[1]:
            add((*path, "rh_band"), f"band {rh_band} runs backwards (low > high)")
    cie = known["light_categories"]
    for name, cat in (data.get("light_categories") or {}).items():
        standard = cie.get(name)
        if standard is None or not isinstance(cat, dict):
            continue
        for key, unit in (("max_lux", "lx"), ("max_lxh_per_year", "lx h per year")):
            limit, value = standard[key], cat.get(key)
            if limit is None:
                continue
            if value is None:
                message = f"no limit, but CIE 157 allows the {name} category at most {_n(limit)} {unit}"
                add(("light_categories", name, key), message)
            elif _number(value) and value > limit:
                add(
                    ("light_categories", name, key),
                    f"{_n(value)} {unit} is above the CIE 157 maximum of the {name} category ({_n(limit)})",
                )
    thresholds = (data.get("significance") or {}).get("thresholds") or {}
    for key, value in thresholds.items():
        within(("significance", "thresholds", key), value, "index", key)
    below = (data.get("deaccession") or {}).get("candidate_below")
    within(("deaccession", "candidate_below"), below, "index", "candidate_below")
    levels = {level.value for level in Level}
    for j, unit in enumerate((data.get("digitisation_priority") or {}).get("units") or []):
        if unit not in levels:
            add(("digitisation_priority", "units", j), f"unknown level {unit!r} (known: {', '.join(sorted(levels))})")
    schedule = data.get("retention_schedule") or {}
    days: dict[Path_, Any] = {("retention_schedule", "valid_from"): schedule.get("valid_from")}
    for i, row in enumerate(schedule.get("rows") or []):
        for key in ("valid_from", "valid_to"):
            days[("retention_schedule", "rows", i, key)] = row.get(key)
    parsed: dict[Path_, Any] = {}
    for path, value in days.items():
        if value is None:
            continue
        try:
            parsed[path] = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            add(path, f"{value!r} is not a date (YYYY-MM-DD)")
    for i, _row in enumerate(schedule.get("rows") or []):
        start = parsed.get(("retention_schedule", "rows", i, "valid_from"))
        end = parsed.get(("retention_schedule", "rows", i, "valid_to"))
        if start and end and start > end:
            add(("retention_schedule", "rows", i, "valid_to"), f"valid_to {end} is before valid_from {start}")
    pests = data.get("pest_protocols") or {}
    materials = {m.get("id") for m in data.get("material_types") or [] if isinstance(m, dict)}
    coldest = pests.get("coldest_t", known["temperature"][0])
    within(("pest_protocols", "coldest_t"), pests.get("coldest_t"), "temperature", "coldest_t")
    protocols = set()
    for j, freeze in enumerate(pests.get("freeze") or []):
        protocols.add(freeze.get("id"))
        t = freeze.get("t")
        if _number(t) and _number(coldest) and not coldest <= t < 0:
            message = f"a freeze at {_n(t)} degC is not between {_n(coldest)} and 0 degC"
            add(("pest_protocols", "freeze", j, "t"), message)
    never = pests.get("never_freeze") or {}
    for material, protocol in (pests.get("quarantine_on_entry") or {}).items():
        path = ("pest_protocols", "quarantine_on_entry", material)
        if material not in materials:
            add(path, f"unknown material type {material!r}")
        if protocol not in protocols:
            add(path, f"unknown freeze protocol {protocol!r} (known: {', '.join(sorted(map(str, protocols)))})")
        if material in never:
            add(path, f"{material} must never be frozen (never_freeze: {never[material]})")
    for material in never:
        if material not in materials:
            add(("pest_protocols", "never_freeze", material), f"unknown material type {material!r}")
    return problems


def merge(base: dict[str, Any], override: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    """Overlay `override` on `base`: mappings merge, id-keyed lists merge by id, anything else replaces."""
    out = copy.deepcopy(base)
    for name, value in override.items():
        if name == "schema":
            continue
        current = out.get(name)
        if isinstance(current, dict) and isinstance(value, dict):
            out[name] = merge(current, value, name)
        elif isinstance(current, list) and isinstance(value, list) and name in MERGE_KEYS:
            id_key = MERGE_KEYS[name]
            merged = list(current)
            index = {e.get(id_key): n for n, e in enumerate(merged) if isinstance(e, dict)}
            for entry in value:
                if isinstance(entry, dict) and entry.get(id_key) in index:
                    merged[index[entry[id_key]]] = copy.deepcopy(entry)
                else:
                    merged.append(copy.deepcopy(entry))
            out[name] = merged
        else:
            out[name] = copy.deepcopy(value)
    return out


def check(doc: PolicyDocument, base: dict[str, Any] | None = None) -> list[Problem]:
    """Every problem of a policy file; an override is also checked as applied on `base` (the default)."""
    problems = schema_problems(doc, partial=doc.is_override)
    data = doc.data
    if doc.is_override and not problems:
        data = merge(base if base is not None else default_document().data, doc.data)
        problems = schema_problems(PolicyDocument(data=data, lines=doc.lines, source=doc.source))
    # A value of the wrong shape breaks a semantic check: the schema problems above already name it.
    with contextlib.suppress(TypeError, AttributeError, KeyError):
        problems += semantic_problems(data, doc)
    with contextlib.suppress(TypeError, AttributeError, KeyError):
        problems += range_problems(data, doc)
    return sorted(set(problems), key=lambda p: (p.line, p.message))


def load_checked(path: Path, base: dict[str, Any] | None = None) -> PolicyDocument:
    """Read and check a policy file. Raises: PolicyFileError: with every problem found."""
    doc = read_file(path)
    problems = check(doc, base)
    if problems:
        raise PolicyFileError(problems)
    return doc


@cache
def default_document() -> PolicyDocument:
    """The policy that ships with the system (checked: a broken default is a bug, not a user error)."""
    doc = read_file(DEFAULT_POLICY)
    problems = schema_problems(doc) or semantic_problems(doc.data, doc) + range_problems(doc.data, doc)
    if problems:
        raise PolicyFileError(problems)
    return doc
