"""A checked policy document compiled into lookups the engine reads per item without parsing anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heritage.policy import durations
from heritage.policy.durations import Duration
from heritage.policy.loader import document_sha256


@dataclass(frozen=True)
class Material:
    id: str
    label: str
    t: tuple[float, float] | None
    rh: tuple[float, float] | None
    max_daily_rh_swing: float | None
    light_category: str | None
    hazards: tuple[str, ...]
    required_flags: frozenset[str]
    forbidden_flags: frozenset[str]
    security_min: str | None
    obsolescence_risk: str | None


@dataclass(frozen=True)
class ScheduleRow:
    series_id: str
    title: str
    disposition: str  # B, V, S
    retention: Duration | None  # None = permanent
    trigger: str
    selection_rule: str | None
    transfer_after: Duration | None
    legal_basis: str | None
    valid_from: date | None = None  # the row (or its list) is in force from this date
    valid_to: date | None = None  # ... until this date (records made later are not judged by it)


@dataclass(frozen=True)
class HardRule:
    id: str
    kind: str  # flags | selection_list | hazard_storage
    if_any: frozenset[str]
    decision: str | None
    explanation: str
    digitise_first: bool = False  # the item goes to the top of the digitisation queue ("copy first")


@dataclass(frozen=True)
class Policy:
    """The effective policy for one scope (the default with its unit and collection overrides)."""

    document: dict[str, Any]
    version: str  # recorded with every decision: "<id>@<version>[+<override>@<version>...]#<sha12>"
    materials: dict[str, Material]
    hazard_flags: dict[str, frozenset[str]]
    light_budgets: dict[str, tuple[float | None, float | None]]  # category -> (max_lux, max lxh per year)
    security_levels: tuple[str, ...]
    hard_rules: tuple[HardRule, ...]
    schedule: dict[str, ScheduleRow]
    criteria: tuple[tuple[str, str, float], ...]  # (id, group, weight)
    criteria_weight_total: float
    modifiers: dict[str, dict[str, float]]
    heritage_group: str | None
    core_threshold: float
    review_threshold: float
    curatorial_threshold: float
    review_interval: Duration
    deaccession_below: float
    deaccession_reasons: frozenset[str]
    priority_weights: dict[str, float]
    demand_saturation: float
    deterioration: dict[str, float]
    obsolescence: dict[str, float]
    rights_reuse: dict[str, float]
    conservation_first: frozenset[str]
    skip_with_surrogate: bool
    digitisation_units: frozenset[str]  # levels of description digitisation works on (empty: every level)
    approvals: dict[str, tuple[tuple[str, ...], bool]]  # kind -> (roles, distinct persons)
    default_transfer_after: Duration
    central_unit: str
    defaults: dict[str, Any] = field(default_factory=dict)
    # policy role -> (the account roles that may act in it, its scope: university | own_org_unit | ...)
    role_accounts: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    # kind -> ((flags, authority), ...): the external permissions an approval needs for an item with such flags
    external_approvals: dict[str, tuple[tuple[frozenset[str], str], ...]] = field(default_factory=dict)

    def matching(self) -> dict[str, Any]:
        return self.document.get("matching") or {}

    def light_budget(self) -> dict[str, Any]:
        return self.document.get("light_budget") or {}


def _band(value: Any) -> tuple[float, float] | None:
    return (float(value[0]), float(value[1])) if isinstance(value, list) and len(value) == 2 else None


def _date(value: Any) -> date | None:
    """A date from YAML (a date, or ISO 8601 text); None when absent."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _duration(value: str | None) -> Duration | None:
    return durations.parse(value) if value and value != "permanent" else None


def compile_policy(document: dict[str, Any], labels: list[str] | None = None) -> Policy:
    """Build the engine's view of a checked document; `labels` name its layers for the version string."""
    meta = document["policy"]
    labels = labels or [f"{meta['id']}@{meta['version']}"]
    version = f"{'+'.join(labels)}#{document_sha256(document)[:12]}"
    hazards = document.get("hazards") or {}
    hazard_flags = {name: frozenset(h.get("location_flags") or []) for name, h in hazards.items()}
    materials: dict[str, Material] = {}
    for m in document.get("material_types") or []:
        env = m.get("env") or {}
        hz = tuple(m.get("hazards") or [])
        required = set(m.get("required_location_flags") or [])
        for h in hz:
            required |= hazard_flags.get(h, frozenset())
        materials[m["id"]] = Material(
            id=m["id"],
            label=m.get("label") or m["id"],
            t=_band(env.get("t")),
            rh=_band(env.get("rh")),
            max_daily_rh_swing=env.get("max_daily_rh_swing"),
            light_category=m.get("light_category"),
            hazards=hz,
            required_flags=frozenset(required),
            forbidden_flags=frozenset(m.get("forbidden_location_flags") or []),
            security_min=m.get("security_min"),
            obsolescence_risk=m.get("obsolescence_risk"),
        )
    rules = tuple(
        HardRule(
            id=r["id"],
            kind=r.get("kind", "flags"),
            if_any=frozenset(r.get("if_any") or []),
            decision=r.get("decision"),
            explanation=r.get("explanation") or r["id"].replace("_", " "),
            digitise_first=bool(r.get("digitise_first")),
        )
        for r in document.get("hard_rules") or []
    )
    retention = document.get("retention_schedule") or {}
    list_from = _date(retention.get("valid_from"))
    schedule = {
        row["series_id"]: ScheduleRow(
            series_id=row["series_id"],
            title=row.get("title") or row["series_id"],
            disposition=row["disposition"],
            retention=_duration(row["retention"]),
            trigger=row.get("trigger") or "closing",
            selection_rule=row.get("selection_rule"),
            transfer_after=_duration(row.get("transfer_after")),
            legal_basis=row.get("legal_basis"),
            valid_from=_date(row.get("valid_from")) or list_from,
            valid_to=_date(row.get("valid_to")),
        )
        for row in retention.get("rows") or []
    }
    sig = document["significance"]
    criteria = tuple((c["id"], c["group"], float(c["weight"])) for c in sig["criteria"])
    thresholds = sig["thresholds"]
    deacc = document.get("deaccession") or {}
    dp = document["digitisation_priority"]
    gates = dp.get("gates") or {}
    lifecycle = document.get("records_lifecycle") or {}
    return Policy(
        document=document,
        version=version,
        materials=materials,
        hazard_flags=hazard_flags,
        light_budgets={
            name: (c.get("max_lux"), c.get("max_lxh_per_year"))
            for name, c in (document.get("light_categories") or {}).items()
        },
        security_levels=tuple(document.get("security_levels") or ["S0", "S1", "S2", "S3", "S4"]),
        hard_rules=rules,
        schedule=schedule,
        criteria=criteria,
        criteria_weight_total=sum(w for _, _, w in criteria),
        modifiers={k: dict(v) for k, v in (sig.get("modifiers") or {}).items()},
        heritage_group=sig.get("heritage_group"),
        core_threshold=float(thresholds["retain_permanent_core"]),
        review_threshold=float(thresholds["retain_with_review"]),
        curatorial_threshold=float(thresholds["curatorial_review"]),
        review_interval=durations.parse(sig.get("review_interval_mid_band") or "P10Y"),
        deaccession_below=float(deacc.get("candidate_below", thresholds["curatorial_review"])),
        deaccession_reasons=frozenset(deacc.get("candidate_if_any") or []),
        priority_weights={k: float(v) for k, v in dp["weights"].items()},
        demand_saturation=float(dp.get("demand_saturates_at_requests_per_year") or 50),
        deterioration={k: float(v) for k, v in (dp.get("deterioration_obsolescence") or {}).items()},
        obsolescence={k: float(v) for k, v in (dp.get("obsolescence_risk") or {}).items()},
        rights_reuse={k: float(v) for k, v in (dp.get("rights_reuse") or {}).items()},
        conservation_first=frozenset(gates.get("conservation_first_if_condition") or []),
        skip_with_surrogate=bool(gates.get("skip_if_adequate_surrogate", True)),
        digitisation_units=frozenset(dp.get("units") or []),
        approvals={
            kind: (tuple(a["roles"]), bool(a.get("distinct_persons", True)))
            for kind, a in (document.get("approvals") or {}).items()
        },
        role_accounts={
            name: (tuple(r.get("user_roles") or []), str(r.get("scope") or "university"))
            for name, r in (document.get("roles") or {}).items()
        },
        external_approvals={
            kind: tuple((frozenset(e["when_flags"]), e["authority"]) for e in a.get("external") or [])
            for kind, a in (document.get("approvals") or {}).items()
        },
        default_transfer_after=durations.parse(lifecycle.get("default_transfer_after_closing") or "P10Y"),
        central_unit=lifecycle.get("central_unit") or "central-archive",
        defaults=dict(document.get("defaults") or {}),
    )
