"""Free-text dates to year ranges, Dutch and English."""

from __future__ import annotations

from datetime import date

import pytest

from metadata_schemas.dates import date_problem, parse_date


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1543", 1543, 1543),
        ("1835-1968", 1835, 1968),
        ("ca. 1650", 1640, 1660),
        ("circa 1650", 1640, 1660),
        ("18e eeuw", 1700, 1799),
        ("18th century", 1700, 1799),
        ("XVIIIe eeuw", 1700, 1799),
        ("1750-1799", 1750, 1799),
        ("1750-99", 1750, 1799),
        ("tweede helft 16de eeuw", 1550, 1599),
        ("first half of the 17th century", 1600, 1649),
        ("1920s", 1920, 1929),
        ("jaren 1920", 1920, 1929),
        ("[1650?]", 1650, 1650),
        ("1543-06-01", 1543, 1543),
        ("1 januari 1835", 1835, 1835),
        ("voor 1700", None, 1700),
        ("3e eeuw v.C.", -300, -201),
        ("1950s-1990s", 1950, 1999),
        ("1950s to 1990s", 1950, 1999),
        ("1950s", 1950, 1959),
        ("jaren 1950", 1950, 1959),
        ("jaren '50", 1950, 1959),
        ("19e eeuw", 1800, 1899),
        ("19th century", 1800, 1899),
        ("19--", 1900, 1999),
        ("[197-?]", 1970, 1979),
        ("©2011", 2011, 2011),
        ("2011-13-01", 2011, 2011),
        ("19uu", 1900, 1999),
        ("196u", 1960, 1969),
        ("195X", 1950, 1959),
        ("1950/..", 1950, None),
        ("../1950", None, 1950),
        ("1950~", 1940, 1960),
        ("M.DCC.LXXX.", 1780, 1780),
        ("mix", None, None),
    ],
)
def test_known_forms(text: str, start: int | None, end: int | None) -> None:
    parsed = parse_date(text)
    assert (parsed.start, parsed.end) == (start, end)
    assert parsed.text == text


@pytest.mark.parametrize("text", ["s.d.", "", "onbekend", "gibberish"])
def test_unreadable_forms_keep_text_without_range(text: str) -> None:
    parsed = parse_date(text)
    assert (parsed.start, parsed.end) == (None, None)


def test_c_before_a_year_is_copyright_in_marc_and_circa_elsewhere() -> None:
    marc = parse_date("c2011", copyright_c=True)
    assert (marc.start, marc.end, marc.certainty, marc.type) == (2011, 2011, None, "copyright")
    assert parse_date("c2011").certainty == "circa"
    assert parse_date("ca. 2011", copyright_c=True).certainty == "circa"
    assert parse_date("circa 2011", copyright_c=True).type is None
    assert parse_date("©2011").type == "copyright"


def test_circa_and_uncertain_are_marked() -> None:
    assert parse_date("ca. 1650").certainty == "circa"
    assert parse_date("[1650?]").certainty == "uncertain"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31-02-1921", "does not exist"),
        ("31/02/1921", "does not exist"),
        ("1921-02-30", "does not exist"),
        ("30.13.1921", "does not exist"),
        ("31 februari 1921", "does not exist"),
        ("February 30, 1921", "does not exist"),
        ("1921-13", "ends before it begins"),
        ("volgend jaar misschien", "cannot be read as a date"),
        ("gibberish", "cannot be read as a date"),
        ("2999", "lies in the future"),
        ("1950-2999", "lies in the future"),
        ("1750-1740", "ends before it begins"),
        ("2011-13-01", "there is no month 13"),
    ],
)
def test_impossible_dates_are_named_with_the_reason(text: str, reason: str) -> None:
    problem = date_problem(text, today=date(2026, 1, 1))
    assert problem is not None and reason in problem and text in problem


@pytest.mark.parametrize(
    "text",
    [
        "1543",
        "28-02-1921",
        "29-02-1920",
        "1921-02-28",
        "1 januari 1835",
        "ca. 1650",
        "18e eeuw",
        "1750-99",
        "[1921?]",
        "1954-",
        "voor 1700",
        "3e eeuw v.C.",
        "s.d.",
        "onbekend",
        "",
        "2025",
    ],
)
def test_possible_dates_pass_without_a_word(text: str) -> None:
    assert date_problem(text, today=date(2026, 1, 1)) is None
