"""A policy file is data checked against a documented schema; every problem names its line; a bad file
is never applied."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from heritage.cli import main
from heritage.policy.loader import DEFAULT_POLICY, check, parse_text
from tests.conftest import shared_path

DEFAULT = DEFAULT_POLICY.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_the_shipped_default_is_valid() -> None:
    result = CliRunner().invoke(main, ["policy", "check", str(DEFAULT_POLICY)])
    assert result.exit_code == 0, result.output
    assert "valid policy" in result.output


def test_every_problem_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    text = (
        DEFAULT.replace(
            "light_category: medium\n    security_min: S1", "light_category: mediun\n    security_min: S1", 1
        )
        .replace("retention: P1Y,", "retention: P1X,", 1)
        .replace("  tie_breaker: LEU-CD", "  tie_breaker: LEU-CD\n  colour: red", 1)
        .replace("env: {t: [14, 19], rh: [45, 55]", "env: {t: [19, 14], rh: [45, 55]", 1)
    )
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["policy", "check", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert f"{path}:{_line_of(text, 'colour: red')}: matching.colour: unknown key 'colour'" in lines[1] or any(
        f"{path}:{_line_of(text, 'colour: red')}: matching.colour: unknown key 'colour'" in line for line in lines
    )
    expected = [
        (_line_of(text, "retention: P1X"), "'P1X' is neither 'permanent' nor an ISO 8601 duration"),
        (_line_of(text, "light_category: mediun"), "unknown light category 'mediun'"),
        (_line_of(text, "t: [19, 14]"), "band [19, 14] runs backwards"),
    ]
    for line, message in expected:
        assert any(out.startswith(f"{path}:{line}: ") and message in out for out in lines), (line, message, lines)
    assert lines[-1] == f"{path}: 4 problem(s); nothing applied"


def test_yaml_syntax_errors_and_duplicate_keys_name_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: heritage-policy/1\npolicy:\n  id: x\n  version: [1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["policy", "check", str(broken)])
    assert result.exit_code == 1 and f"{broken}:5: not valid YAML" in result.output
    twice = tmp_path / "twice.yaml"
    twice.write_text(DEFAULT + "\npolicy: {id: again, version: 2.0.0}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["policy", "check", str(twice)])
    assert result.exit_code == 1
    assert f"{twice}:{len(DEFAULT.splitlines()) + 2}: duplicate key 'policy'" in result.output


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["policy", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "nope.yaml:1: cannot read the policy file" in result.output


def test_an_override_is_checked_as_applied_on_the_default() -> None:
    good = parse_text(
        "schema: heritage-policy-override/1\npolicy: {id: faculty, version: 1.0.0}\n"
        "significance:\n  thresholds: {retain_permanent_core: 60, retain_with_review: 35, curatorial_review: 15}\n",
        "override.yaml",
    )
    assert check(good) == []
    bad = parse_text(
        "schema: heritage-policy-override/1\npolicy: {id: faculty, version: 1.0.0}\n"
        "approvals:\n  transfer: {roles: [dean]}\n",
        "override.yaml",
    )
    assert [str(p) for p in check(bad)] == [
        "override.yaml:4: approvals.transfer.roles[0]: unknown role 'dean': declare it under roles:"
    ]


def test_the_shared_draft_is_read_and_its_problems_named() -> None:
    """The shared starting draft has titles with unquoted commas in flow mappings: YAML reads extra keys."""
    draft = shared_path("design", "default-policy.yaml")
    result = CliRunner().invoke(main, ["policy", "check", str(draft)])
    assert result.exit_code == 1
    assert f"{draft}:" in result.output and "unknown key" in result.output
