"""Every parser of user input gives a value or our named error, nothing else (policy files, durations,
logger files)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from heritage.errors import InvalidInput
from heritage.locations.environment import read_logger_csv
from heritage.policy import durations
from heritage.policy.loader import PolicyFileError, Problem, check, parse_text

SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=8)
KEYS = st.sampled_from(
    ["schema", "policy", "id", "version", "material_types", "env", "t", "rh", "hard_rules", "significance",
     "criteria", "weight", "thresholds", "retention_schedule", "rows", "retention", "approvals", "roles", "x"]
)  # fmt: skip
DOCS = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=20
)


@given(st.text(max_size=30))
def test_a_duration_parses_or_raises_value_error(text: str) -> None:
    try:
        value = durations.parse(text)
    except ValueError as exc:
        assert "ISO 8601 duration" in str(exc)
    else:
        assert value.text == text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_a_policy_or_a_policy_file_error(text: str) -> None:
    try:
        doc = parse_text(text, "p.yaml")
    except PolicyFileError as exc:
        assert exc.problems and all(p.source == "p.yaml" and p.line >= 1 for p in exc.problems)
    else:
        assert all(isinstance(p, Problem) for p in check(doc))


@settings(max_examples=150, deadline=None)
@given(
    st.fixed_dictionaries(
        {"schema": st.sampled_from(["heritage-policy/1", "heritage-policy-override/1"])},
        optional={"policy": DOCS, "significance": DOCS, "material_types": DOCS, "approvals": DOCS, "hard_rules": DOCS},
    )
)
def test_any_structure_is_checked_without_crashing(data: dict) -> None:
    doc = parse_text(yaml.safe_dump(data), "p.yaml")
    problems = check(doc)
    assert all(str(p).startswith("p.yaml:") for p in problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_logger_file_is_read_or_refused_with_invalid_input(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        path.write_text(text, encoding="utf-8")
        try:
            rows = read_logger_csv(path)
        except InvalidInput as exc:
            assert str(path) in str(exc)
        else:
            assert rows and all(0 <= r[2] <= 100 for r in rows if r[2] is not None)
