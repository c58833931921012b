"""The decision engine: hard rules first (first match wins), then the significance index; and the
digitisation priority score with its gates. Pure functions of (policy, facts, today), so that the same
item gives the same decision everywhere, and a million items evaluate in seconds (bench/policy.py).

The engine only proposes: destruction and deaccession need the approvals the policy names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from heritage.policy.model import Policy
from metadata_schemas.said import Said, said

DECISIONS = (
    "frozen",
    "retain_permanent",
    "retain_until",
    "destroy_proposed",
    "review_at",
    "review_now",
    "deaccession_candidate",
    "urgent_review",
)


@dataclass(slots=True)
class Facts:
    """What the rules read about one item (built from the database by heritage.policy.facts)."""

    item: str
    material: str | None = None
    series: str | None = None
    flags: frozenset[str] = frozenset()
    significance: dict[str, int] | None = None
    modifiers: dict[str, str] = field(default_factory=dict)
    dates: dict[str, date] = field(default_factory=dict)  # trigger name -> date (closing, date_of_birth, ...)
    appraised_on: date | None = None
    unsafe_hazards: tuple[str, ...] = ()  # hazards whose dedicated store the current location is not
    location: str | None = None
    condition: str | None = None
    deterioration: str | None = None
    requests_per_year: float = 0.0
    teaching_use: bool = False
    exhibition_planned: bool = False
    fragile: bool = False
    unique: bool | None = None
    rights_class: str | None = None
    has_surrogate: bool = False
    failed_scans: bool = False  # a master exists but failed the quality guideline: scan again
    level: str | None = None  # the item's level of description (fonds, series, file, item, ...)
    transferred: bool = False  # in the custody of the central (historical) archive


@dataclass(slots=True)
class Decision:
    """One item's decision. The explanation is English text (the CLI, the JSON, the events); where the engine
    made it, `said` keeps it as a template with its values, so that a page says it in its reader's language."""

    item: str
    decision: str
    rule: str
    explanation: str | Said
    inputs: dict[str, Any]
    policy_version: str
    due: date | None = None
    significance: float | None = None
    said: Said | None = None

    def __post_init__(self) -> None:
        if isinstance(self.explanation, Said):
            self.said, self.explanation = self.explanation, str(self.explanation)

    def as_json(self) -> dict[str, Any]:
        """The contract of `heritage policy evaluate --json`: exactly these six keys."""
        return {
            "item": self.item,
            "decision": self.decision,
            "rule": self.rule,
            "explanation": self.explanation,
            "inputs": self.inputs,
            "policy_version": self.policy_version,
        }


@dataclass(slots=True)
class Priority:
    score: float | None  # 0-100; None when a gate holds the item back
    gate: str | None  # conservation_first | surrogate_exists | not_a_digitisation_unit | None
    factors: dict[str, float]
    first: str | None = None  # the hard rule that says "copy first" (the item goes to the top)
    rescan: bool = False  # the item's existing scans failed the guideline


def significance_index(policy: Policy, facts: Facts) -> tuple[float, dict[str, float], bool]:
    """SI = 100 x sum(w.s) / (3 sum(w)) x product(modifiers), capped at 100; and whether it is heritage."""
    scores = facts.significance or {}
    total = 0.0
    heritage = policy.heritage_group is None
    for cid, group, weight in policy.criteria:
        s = scores.get(cid, 0)
        total += weight * s
        if s >= 1 and group == policy.heritage_group:
            heritage = True
    si = 100.0 * total / (3.0 * policy.criteria_weight_total)
    applied: dict[str, float] = {}
    for name, level in facts.modifiers.items():
        factor = policy.modifiers.get(name, {}).get(level)
        if factor is not None and factor != 1.0:
            si *= factor
            applied[name] = factor
    return min(100.0, round(si, 1)), applied, heritage


def _selection(policy: Policy, facts: Facts, today: date) -> Decision | None:
    row = policy.schedule.get(facts.series) if facts.series else None
    if row is None:
        return None
    inputs: dict[str, Any] = {"series": row.series_id, "disposition": row.disposition}
    head = said(
        "selection list %(series)s (%(title)s): disposition %(disposition)s",
        series=row.series_id,
        title=row.title,
        disposition=row.disposition,
    )
    # When the record was made: its closing date, else the row's trigger date.
    when = "closing" if "closing" in facts.dates else row.trigger
    made = facts.dates.get(when)
    if made is not None and row.valid_to is not None and made > row.valid_to:
        return None  # a row no longer in force does not judge records made after it
    # A V or S row does not judge what the historical archive already holds from before the list's validity:
    # that was appraised when it was transferred (B rows keep it either way).
    since = row.valid_from
    if facts.transferred and row.retention is not None and since is not None and made is not None and made < since:
        inputs.update({"custody": "transferred", when: made.isoformat(), "valid_from": since.isoformat()})
        return Decision(
            facts.item,
            "retain_permanent",
            "selection_list.historical_archive",
            said(
                "selection list %(series)s (%(title)s) is in force from %(valid_from)s; this item (%(made)s) was "
                "already transferred to the historical archive, so the list does not judge it: kept as archive",
                series=row.series_id,
                title=row.title,
                valid_from=row.valid_from,
                made=made,
            ),
            inputs,
            policy.version,
        )
    if row.retention is None:
        text = said("%(head)s, kept permanently", head=head)
        if row.transfer_after is not None:
            text = said(
                "%(head)s, kept permanently; transferred to the central archive %(period)s after %(trigger)s",
                head=head,
                period=row.transfer_after,
                trigger=row.trigger,
            )
            inputs["transfer_after"] = str(row.transfer_after)
        return Decision(facts.item, "retain_permanent", "selection_list.B", text, inputs, policy.version)
    inputs["retention"] = str(row.retention)
    inputs["trigger"] = row.trigger
    start = facts.dates.get(row.trigger)
    if start is None:
        return Decision(
            facts.item,
            "review_now",
            "selection_list.trigger_unknown",
            said(
                "%(head)s, %(retention)s after %(trigger)s, but the item has no %(trigger)s date: "
                "record it so that the retention date can be computed",
                head=head,
                retention=row.retention,
                trigger=row.trigger,
            ),
            inputs,
            policy.version,
            due=today,
        )
    due = row.retention.after(start)
    inputs[row.trigger] = start.isoformat()
    inputs["due"] = due.isoformat()
    if row.disposition == "V":
        if due <= today:
            return Decision(
                facts.item,
                "destroy_proposed",
                "selection_list.V",
                said(
                    "%(head)s: retention %(retention)s after %(trigger)s (%(start)s) ended on %(due)s; "
                    "destruction proposed, it needs the approvals the policy names",
                    head=head,
                    retention=row.retention,
                    trigger=row.trigger,
                    start=start,
                    due=due,
                ),
                inputs,
                policy.version,
                due=due,
            )
        return Decision(
            facts.item,
            "retain_until",
            "selection_list.V",
            said(
                "%(head)s: retain %(retention)s after %(trigger)s (%(start)s), until %(due)s; then propose destruction",
                head=head,
                retention=row.retention,
                trigger=row.trigger,
                start=start,
                due=due,
            ),
            inputs,
            policy.version,
            due=due,
        )
    inputs["selection_rule"] = row.selection_rule
    values = {"head": head, "retention": row.retention, "trigger": row.trigger, "start": start, "due": due}
    text = said("%(head)s: review %(retention)s after %(trigger)s (%(start)s), on %(due)s", **values)
    if row.selection_rule:
        text = said(
            "%(head)s: review %(retention)s after %(trigger)s (%(start)s), on %(due)s "
            "with the sampling rule: %(selection_rule)s",
            selection_rule=row.selection_rule,
            **values,
        )
    return Decision(
        facts.item,
        "review_at",
        "selection_list.S",
        text,
        inputs,
        policy.version,
        due=due,
    )


def decide(policy: Policy, facts: Facts, today: date) -> Decision:
    """The decision for one item, with the rule that fired, its inputs and the policy version.

    An assessed item keeps its significance index whatever rule decided (a protected piece or a hazard
    decided by a hard rule still ranks by it in the digitisation queue).
    """
    decision = _hard_rules(policy, facts, today)
    if decision is None:
        return _by_significance(policy, facts, today)
    if facts.significance:
        decision.significance = significance_index(policy, facts)[0]
    return decision


def _hard_rules(policy: Policy, facts: Facts, today: date) -> Decision | None:
    """The first hard rule that fires, or None."""
    for rule in policy.hard_rules:
        if rule.kind == "flags":
            matched = rule.if_any & facts.flags
            if matched:
                names = sorted(matched)
                return Decision(
                    facts.item,
                    rule.decision or "urgent_review",
                    rule.id,
                    said(
                        "%(rule_explanation)s (%(flags)s)",
                        rule=rule.id,
                        rule_explanation=rule.explanation,
                        flags=", ".join(names),
                    ),
                    {"flags": names},
                    policy.version,
                )
        elif rule.kind == "selection_list":
            decision = _selection(policy, facts, today)
            if decision is not None:
                return decision
        elif rule.kind == "hazard_storage" and facts.unsafe_hazards:
            where = facts.location or said("no recorded location")
            return Decision(
                facts.item,
                rule.decision or "urgent_review",
                rule.id,
                said(
                    "hazard %(hazards)s of material %(material)s is kept in %(location)s, not in a dedicated store: "
                    "%(rule_explanation)s",
                    rule=rule.id,
                    hazards=", ".join(facts.unsafe_hazards),
                    material=facts.material,
                    location=where,
                    rule_explanation=rule.explanation,
                ),
                {"material": facts.material, "hazards": list(facts.unsafe_hazards), "location": facts.location},
                policy.version,
                due=today,
            )
    return None


def _by_significance(policy: Policy, facts: Facts, today: date) -> Decision:
    """The decision of the significance index (no hard rule fired)."""
    if not facts.significance:
        return Decision(
            facts.item,
            "review_now",
            "significance.unscored",
            said("no selection-list series and no significance assessment yet: curatorial appraisal needed"),
            {"series": facts.series} if facts.series else {},
            policy.version,
            due=today,
        )
    si, applied, heritage = significance_index(policy, facts)
    inputs: dict[str, Any] = {"significance_index": si, "scores": dict(facts.significance)}
    if applied:
        inputs["modifiers"] = applied
    note: Said | str = ""
    if not heritage:
        inputs["not_heritage"] = True
        note = said("; flagged not heritage (no %(group)s criterion scored 1 or more)", group=policy.heritage_group)
    if si >= policy.core_threshold:
        result = Decision(
            facts.item,
            "retain_permanent",
            "significance.core",
            said(
                "significance index %(si)s >= %(threshold)s: core collection, kept permanently%(note)s",
                si=si,
                threshold=f"{policy.core_threshold:g}",
                note=note,
            ),
            inputs,
            policy.version,
        )
    elif si >= policy.review_threshold:
        since = facts.appraised_on or today
        due = policy.review_interval.after(since)
        inputs["appraised_on"] = since.isoformat()
        result = Decision(
            facts.item,
            "review_at",
            "significance.retain_with_review",
            said(
                "significance index %(si)s between %(low)s and %(high)s: kept, reviewed %(interval)s after the "
                "appraisal of %(since)s, on %(due)s%(note)s",
                si=si,
                low=f"{policy.review_threshold:g}",
                high=f"{policy.core_threshold:g}",
                interval=policy.review_interval,
                since=since,
                due=due,
                note=note,
            ),
            inputs,
            policy.version,
            due=due,
        )
    elif si >= policy.curatorial_threshold or si >= policy.deaccession_below:
        result = Decision(
            facts.item,
            "review_now",
            "significance.curatorial_review",
            said(
                "significance index %(si)s below %(threshold)s: curatorial review now%(note)s",
                si=si,
                threshold=f"{policy.review_threshold:g}",
                note=note,
            ),
            inputs,
            policy.version,
            due=today,
        )
    else:
        reasons = sorted(policy.deaccession_reasons & facts.flags)
        if reasons:
            inputs["reasons"] = reasons
            result = Decision(
                facts.item,
                "deaccession_candidate",
                "significance.deaccession",
                said(
                    "significance index %(si)s below %(threshold)s and %(reasons)s: deaccession candidate "
                    "(a proposal; the approvals the policy names decide)%(note)s",
                    si=si,
                    threshold=f"{policy.deaccession_below:g}",
                    reasons=", ".join(reasons),
                    note=note,
                ),
                inputs,
                policy.version,
                due=today,
            )
        else:
            result = Decision(
                facts.item,
                "review_now",
                "significance.low_without_reason",
                said(
                    "significance index %(si)s below %(threshold)s but no reason to dispose (%(reasons)s): "
                    "curatorial review%(note)s",
                    si=si,
                    threshold=f"{policy.deaccession_below:g}",
                    reasons=", ".join(sorted(policy.deaccession_reasons)),
                    note=note,
                ),
                inputs,
                policy.version,
                due=today,
            )
    result.significance = si
    return result


def priority(policy: Policy, facts: Facts, si: float | None) -> Priority:
    """The digitisation priority score (0-100) and the gate that holds an item back, if any.

    Only the units digitisation works on are ranked (the policy's `digitisation_priority.units`: files,
    items, objects; a fonds or series is digitised through its parts). A hard rule that says "copy first"
    puts the item at the top (100; the weighted score stays in the factors); an item whose existing
    scans failed the guideline is ranked for a rescan.
    """
    if policy.digitisation_units and facts.level and facts.level not in policy.digitisation_units:
        return Priority(None, "not_a_digitisation_unit", {})
    if facts.condition in policy.conservation_first:
        return Priority(None, "conservation_first", {})
    if policy.skip_with_surrogate and facts.has_surrogate:
        return Priority(None, "surrogate_exists", {})
    material = policy.materials.get(facts.material) if facts.material else None
    demand = facts.requests_per_year
    x_demand = min(1.0, math.log1p(demand) / math.log1p(policy.demand_saturation)) if demand > 0 else 0.0
    if facts.teaching_use or facts.exhibition_planned:
        x_demand = max(x_demand, 0.5)
    if facts.deterioration is not None:
        x_det = policy.deterioration.get(facts.deterioration, 0.0)
    elif material is not None and material.obsolescence_risk:
        x_det = policy.obsolescence.get(material.obsolescence_risk, 0.0)
    else:
        x_det = 0.0
    factors = {
        "significance": (si or 0.0) / 100.0,
        "demand": round(x_demand, 3),
        "deterioration_obsolescence": x_det,
        "uniqueness": 1.0 if facts.unique or facts.unique is None else 0.0,
        "fragility_handling": 1.0 if facts.fragile else 0.0,
        "rights_reuse": policy.rights_reuse.get(facts.rights_class or "unknown", 0.5),
    }
    weights = policy.priority_weights
    total = sum(weights.values())
    score = round(100.0 * sum(weights.get(k, 0.0) * x for k, x in factors.items()) / total, 1)
    rescan = facts.failed_scans and not facts.has_surrogate
    if rescan:
        factors["rescan"] = 1.0
    first = copy_first_rule(policy, facts)
    if first is not None:
        factors["copy_first"] = 1.0
        factors["weighted_score"] = score
        return Priority(100.0, None, factors, first=first, rescan=rescan)
    return Priority(score, None, factors, rescan=rescan)


def copy_first_rule(policy: Policy, facts: Facts) -> str | None:
    """The id of a hard rule with `digitise_first: true` that holds for the item (whatever rule decided)."""
    for rule in policy.hard_rules:
        if not rule.digitise_first:
            continue
        if rule.kind == "flags" and rule.if_any & facts.flags:
            return rule.id
        if rule.kind == "hazard_storage" and facts.unsafe_hazards:
            return rule.id
    return None
