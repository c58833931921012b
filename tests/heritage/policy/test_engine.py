"""Every rule type of the decision model, each with its explanation, inputs and the policy version."""

from __future__ import annotations

from datetime import date

import pytest

from heritage.policy.engine import Facts, decide, priority, significance_index
from heritage.policy.loader import default_document
from heritage.policy.model import Policy, compile_policy

TODAY = date(2026, 6, 15)
CORE = {"historic": 3, "scientific_research_informative": 3, "history_of_science_university": 3, "artistic": 2}


@pytest.fixture(scope="module")
def policy() -> Policy:
    return compile_policy(default_document().data)


def test_a_legal_hold_freezes_even_a_series_due_for_destruction(policy: Policy) -> None:
    facts = Facts("i1", series="FIN-01", flags=frozenset({"legal_hold"}), dates={"closing": date(2000, 12, 31)})
    d = decide(policy, facts, TODAY)
    assert (d.decision, d.rule, d.inputs) == ("frozen", "legal_hold", {"flags": ["legal_hold"]})
    assert "legal hold" in d.explanation and d.policy_version.startswith("kuleuven-heritage-default@1.0.0#")


def test_selection_list_B_keeps_permanently(policy: Policy) -> None:
    d = decide(policy, Facts("i", series="GOV-01"), TODAY)
    assert (d.decision, d.rule) == ("retain_permanent", "selection_list.B")
    assert "GOV-01" in d.explanation and "transferred to the central archive P10Y" in d.explanation
    assert d.inputs == {"series": "GOV-01", "disposition": "B", "transfer_after": "P10Y"}


def test_selection_list_V_retains_until_a_date_then_proposes_destruction(policy: Policy) -> None:
    waiting = decide(policy, Facts("i", series="FIN-01", dates={"closing": date(2020, 12, 31)}), TODAY)
    assert (waiting.decision, waiting.due) == ("retain_until", date(2030, 12, 31))
    assert "until 2030-12-31; then propose destruction" in waiting.explanation
    due = decide(policy, Facts("i", series="FIN-01", dates={"closing": date(2012, 12, 31)}), TODAY)
    assert (due.decision, due.rule, due.due) == ("destroy_proposed", "selection_list.V", date(2022, 12, 31))
    assert due.inputs == {
        "series": "FIN-01",
        "disposition": "V",
        "retention": "P10Y",
        "trigger": "closing",
        "closing": "2012-12-31",
        "due": "2022-12-31",
    }


def test_selection_list_S_reviews_at_a_date_with_the_sampling_rule(policy: Policy) -> None:
    d = decide(policy, Facts("i", series="HR-01", dates={"date_of_birth": date(1950, 2, 28)}), TODAY)
    assert (d.decision, d.rule, d.due) == ("review_at", "selection_list.S", date(2060, 2, 28))
    assert d.inputs["selection_rule"] == "academic staff (ZAP) B; other staff V"
    assert "with the sampling rule: academic staff (ZAP) B; other staff V" in d.explanation


def test_a_missing_trigger_date_asks_for_it(policy: Policy) -> None:
    d = decide(policy, Facts("i", series="HR-01"), TODAY)
    assert (d.decision, d.rule, d.due) == ("review_now", "selection_list.trigger_unknown", TODAY)
    assert "no date_of_birth date" in d.explanation


def test_protected_items_are_kept_and_hazards_without_safe_storage_are_urgent(policy: Policy) -> None:
    kept = decide(policy, Facts("i", flags=frozenset({"human_remains", "duplicate"})), TODAY)
    assert (kept.decision, kept.rule, kept.inputs) == ("retain_permanent", "protected", {"flags": ["human_remains"]})
    urgent = decide(
        policy,
        Facts("i", material="film_nitrate", unsafe_hazards=("flammable_solid_nitrate",), location="LEU-CD-R1"),
        TODAY,
    )
    assert (urgent.decision, urgent.rule) == ("urgent_review", "hazard_without_safe_storage")
    assert "flammable_solid_nitrate" in urgent.explanation and "LEU-CD-R1" in urgent.explanation


def test_the_significance_index_sets_the_rest(policy: Policy) -> None:
    core = decide(policy, Facts("i", significance=CORE, modifiers={"rarity_representativeness": "rare"}), TODAY)
    assert (core.decision, core.rule) == ("retain_permanent", "significance.core")
    si, applied, heritage = significance_index(
        policy, Facts("i", significance=CORE, modifiers={"rarity_representativeness": "rare"})
    )
    # 100 x (0.2*3 + 0.2*3 + 0.13*3 + 0.12*2) / (3 x 1.0) = 61.0, x 1.2 rare = 73.2
    assert (si, applied, heritage) == (73.2, {"rarity_representativeness": 1.2}, True)
    assert core.inputs["significance_index"] == 73.2 and "73.2 >= 70" in core.explanation
    mid = decide(policy, Facts("i", significance=CORE, appraised_on=date(2020, 1, 1)), TODAY)
    assert (mid.decision, mid.rule, mid.due) == ("review_at", "significance.retain_with_review", date(2030, 1, 1))
    low = decide(
        policy, Facts("i", significance={"historic": 3, "artistic": 2, "scientific_research_informative": 1}), TODAY
    )
    assert (low.decision, low.rule, low.due) == ("review_now", "significance.curatorial_review", TODAY)


def test_deaccession_is_only_proposed_with_a_reason(policy: Policy) -> None:
    candidate = decide(policy, Facts("i", significance={"historic": 1}, flags=frozenset({"duplicate"})), TODAY)
    assert (candidate.decision, candidate.rule) == ("deaccession_candidate", "significance.deaccession")
    assert candidate.inputs["reasons"] == ["duplicate"] and "a proposal" in candidate.explanation
    without = decide(policy, Facts("i", significance={"historic": 1}), TODAY)
    assert (without.decision, without.rule) == ("review_now", "significance.low_without_reason")


def test_no_cultural_historic_criterion_flags_not_heritage(policy: Policy) -> None:
    d = decide(policy, Facts("i", significance={"use_teaching_research": 3, "use_exhibition_public": 3}), TODAY)
    assert d.inputs["not_heritage"] is True and "flagged not heritage" in d.explanation


def test_unscored_items_go_to_appraisal(policy: Policy) -> None:
    d = decide(policy, Facts("i"), TODAY)
    assert (d.decision, d.rule) == ("review_now", "significance.unscored")


def test_digitisation_priority_ranks_and_gates(policy: Policy) -> None:
    urgent = priority(
        policy,
        Facts(
            "a",
            material="film_bw_acetate",
            deterioration="active_decay",
            requests_per_year=50,
            fragile=True,
            unique=True,
            rights_class="public_domain",
        ),
        80.0,
    )
    calm = priority(
        policy, Facts("b", deterioration="stable", unique=False, rights_class="in_copyright_third_party"), 30.0
    )
    assert urgent.gate is None and calm.gate is None
    # 100 x (0.25*0.8 + 0.20*1 + 0.20*0.8 + 0.15*1 + 0.10*1 + 0.10*1) / 1.0 = 91.0
    assert urgent.score == 91.0 and urgent.factors["demand"] == 1.0
    assert calm.score is not None and calm.score < urgent.score
    assert priority(policy, Facts("c", condition="unsafe_to_digitise"), 90).gate == "conservation_first"
    assert priority(policy, Facts("d", has_surrogate=True), 90).gate == "surrogate_exists"
