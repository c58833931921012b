"""`heritage policy check` rejects values outside physical and standard ranges, each with FILE:LINE (issue 16:
RH [40, 155] and a light budget raised a hundredfold were accepted)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.cli import main
from heritage.policy.loader import DEFAULT_POLICY

DEFAULT = DEFAULT_POLICY.read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def _check(tmp_path: Path, text: str) -> tuple[int, list[str], Path]:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["policy", "check", str(path)])
    return result.exit_code, result.output.strip().splitlines(), path


def _reports(lines: list[str], path: Path, line: int, message: str) -> bool:
    return any(out.startswith(f"{path}:{line}: ") and message in out for out in lines)


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        # the cases
        (
            "env: {t: [14, 19], rh: [40, 55], max_daily_rh_swing: 5, max_daily_t_swing: 2}",
            "env: {t: [14, 19], rh: [40, 155], max_daily_rh_swing: 5, max_daily_t_swing: 2}",
            "rh: [40, 155]",
            "material_types[0].env.rh: band [40, 155] % RH is outside 0-100",
        ),
        (
            "low:          {max_lux: 200, max_lxh_per_year: 600000}",
            "low:          {max_lux: 200, max_lxh_per_year: 60000000}",
            "max_lxh_per_year: 60000000",
            "light_categories.low.max_lxh_per_year: 60000000 lx h per year is above the CIE 157 maximum of the low "
            "category (600000)",
        ),
        # lux above the category maximum, an unlimited budget where CIE 157 sets one
        (
            "high:         {max_lux: 50,  max_lxh_per_year: 15000}",
            "high:         {max_lux: 500,  max_lxh_per_year: 15000}",
            "max_lux: 500,",
            "light_categories.high.max_lux: 500 lx is above the CIE 157 maximum of the high category (50)",
        ),
        (
            "medium:       {max_lux: 50,  max_lxh_per_year: 150000}",
            "medium:       {max_lux: 50,  max_lxh_per_year: null}",
            "medium:       {max_lux: 50,  max_lxh_per_year: null}",
            "no limit, but CIE 157 allows the medium category at most 150000 lx h per year",
        ),
        # implausible temperatures, environment classes outside 0-100 % RH or running backwards
        (
            "env: {t: [16, 20], rh: [30, 40]}     # masterplan 2a: metals at most 40 % RH",
            "env: {t: [16, 200], rh: [30, 40]}",
            "t: [16, 200]",
            "band [16, 200] degC is outside -40-40 (temperature)",
        ),
        (
            "COLD:   {t_anchor: 4,  t_max: 8,  rh_min: 30, rh_max: 40,",
            "COLD:   {t_anchor: 4,  t_max: 8,  rh_min: 30, rh_max: 140,",
            "rh_max: 140",
            "environment_classes.COLD.rh_max: rh_max 140 is outside 0-100",
        ),
        (
            "COOL:   {t_anchor: 12, t_max: 16, rh_min: 30, rh_max: 50,",
            "COOL:   {t_anchor: 12, t_max: 16, rh_min: 60, rh_max: 50,",
            "rh_min: 60",
            "rh_min 60 is above rh_max 50",
        ),
        (
            "C:  {rh_band: [25, 75], t_abs_max: 30,",
            "C:  {rh_band: [75, 25], t_abs_max: 30,",
            "rh_band: [75, 25]",
            "band [75, 25] runs backwards",
        ),
        # thresholds off the 0-100 index, a negative swing, a freeze above 0 degC
        ("retain_permanent_core: 70", "retain_permanent_core: 170", "retain_permanent_core: 170", "outside 0-100"),
        ("candidate_below: 20", "candidate_below: -5", "candidate_below: -5", "candidate_below -5 is outside 0-100"),
        (
            "env: {t: [16, 25], rh: [40, 60], max_daily_rh_swing: 10}\n    light_category: medium",
            "env: {t: [16, 25], rh: [40, 60], max_daily_rh_swing: -10}\n    light_category: medium",
            "max_daily_rh_swing: -10",
            "a swing cannot be negative (-10)",
        ),
        (
            "{id: fast, t: -30, duration: PT72H",
            "{id: fast, t: 30, duration: PT72H",
            "{id: fast, t: 30",
            "a freeze at 30 degC is not between -40 and 0 degC",
        ),
        ('valid_from: "2018-05-25"', 'valid_from: "2018-13-25"', "2018-13-25", "is not a date (YYYY-MM-DD)"),
        (
            "    herbarium_sheet: fast\n",
            "    herbarium_sheet: fast\n    optical_disc: fast\n",
            "    optical_disc: fast",
            "optical_disc must never be frozen",
        ),
        (
            "units: [file, item, volume, object, specimen]",
            "units: [file, item, box]",
            "units: [file, item, box]",
            "unknown level 'box'",
        ),
    ],
)
def test_values_outside_physical_and_standard_ranges_are_refused_with_their_line(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    assert old in DEFAULT, old
    code, lines, path = _check(tmp_path, DEFAULT.replace(old, new, 1))
    assert code == 1
    assert _reports(lines, path, _line_of(DEFAULT.replace(old, new, 1), needle), message), lines
    assert lines[-1].endswith("nothing applied")


def test_negative_weights_are_refused(tmp_path: Path) -> None:
    text = DEFAULT.replace("environment_margin: 0.35", "environment_margin: -0.35", 1)
    code, lines, path = _check(tmp_path, text)
    assert code == 1 and _reports(lines, path, _line_of(text, "environment_margin: -0.35"), "minimum of 0"), lines


def test_a_stricter_light_budget_is_allowed(tmp_path: Path) -> None:
    text = DEFAULT.replace(
        "high:         {max_lux: 50,  max_lxh_per_year: 15000}", "high:         {max_lux: 30,  max_lxh_per_year: 9000}"
    )
    code, lines, _ = _check(tmp_path, text)
    assert code == 0, lines


def test_an_override_is_held_to_the_same_ranges(tmp_path: Path) -> None:
    path = tmp_path / "unit.yaml"
    path.write_text(
        "schema: heritage-policy-override/1\npolicy: {id: unit, version: 1.0.0}\n"
        "light_categories:\n  medium: {max_lux: 50, max_lxh_per_year: 15000000}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["policy", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:4: light_categories.medium.max_lxh_per_year: 15000000 lx h per year is above" in result.output


def test_an_unquoted_date_is_explained(tmp_path: Path) -> None:
    text = DEFAULT.replace('valid_from: "2018-05-25"', "valid_from: 2018-05-25", 1)
    code, lines, path = _check(tmp_path, text)
    assert code == 1
    assert _reports(lines, path, _line_of(text, "valid_from: 2018-05-25"), 'write the date in quotes: "2018-05-25"')
