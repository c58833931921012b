"""Normalise free-text dates of heritage records (Dutch and English) to a year range.

"1543", "1835-1968", "ca. 1650", "18e eeuw", "first half of the 17th century", "1920s", "[1650?]",
"1543-06-01/1544" all become a `DateRange` with start and end years; what cannot be read keeps its
text with no range, so nothing is lost and nothing is invented.
"""

from __future__ import annotations

import re
from datetime import date

from metadata_schemas.core import DateRange
from metadata_schemas.said import Said, said

CIRCA_SPAN = 10
_CIRCA = r"(?:ca\.?|c\.|c(?=\d)|circa|omstreeks|ongeveer|approx\.?|about|rond|±|~)"
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_UNDATED = {
    "s.d.",
    "sd",
    "s.a.",
    "sine anno",
    "n.d.",
    "nd",
    "undated",
    "zonder datum",
    "geen datum",
    "no date",
    "z.d.",
    "z.j.",
    "zonder jaar",
    "onbekend",
    "unknown",
}
_PARTS = {  # (fraction start, fraction end) of a century
    "eerste helft": (0, 50),
    "first half": (0, 50),
    "1e helft": (0, 50),
    "1ste helft": (0, 50),
    "tweede helft": (50, 100),
    "second half": (50, 100),
    "2e helft": (50, 100),
    "2de helft": (50, 100),
    "begin": (0, 25),
    "early": (0, 25),
    "vroeg": (0, 25),
    "midden": (40, 60),
    "mid": (40, 60),
    "eind": (75, 100),
    "einde": (75, 100),
    "late": (75, 100),
    "laat": (75, 100),
    "eerste kwart": (0, 25),
    "first quarter": (0, 25),
    "laatste kwart": (75, 100),
    "last quarter": (75, 100),
}
_BCE = r"(?:bc|bce|v\.?\s?c\.?|v\.?\s?chr\.?|voor christus)"

_YEAR = r"(-?\d{1,4})"
_ISO = r"(-?\d{3,4})(?:-\d{2}(?:-\d{2})?)?"


def _roman(value: str) -> int | None:
    total, prev = 0, 0
    for ch in reversed(value.lower()):
        if ch not in _ROMAN:
            return None
        n = _ROMAN[ch]
        total = total - n if n < prev else total + n
        prev = max(prev, n)
    return total or None


def _century(text: str) -> tuple[int, int] | None:
    m = re.search(r"\b(\d{1,2}|[ivxlc]+)\s*(?:e|de|ste|th|st|nd|rd)?\s*(?:eeuw|century|c\.)", text)
    if not m:
        return None
    raw = m.group(1)
    number = int(raw) if raw.isdigit() else _roman(raw)
    if not number or number > 21:
        return None
    start = (number - 1) * 100
    lo, hi = 0, 100
    for words, (a, b) in sorted(_PARTS.items(), key=lambda kv: -len(kv[0])):
        if words in text[: m.start()] or words in text[m.end() :]:
            lo, hi = a, b
            break
    if re.search(_BCE, text):  # the 3rd century BCE runs from -300 to -201
        return (-number * 100 + lo, -number * 100 + hi - 1)
    return (start + lo, start + hi - 1)


_NORMAL = re.compile(r"^(-?\d{4})(?:-\d{2}(?:-\d{2})?)?(?:/(-?\d{4})(?:-\d{2}(?:-\d{2})?)?)?$")


def parse_date(text: str, normal: str | None = None, *, copyright_c: bool = False) -> DateRange:
    """Read one free-text date into a year range; unknown forms keep their text and no range.

    `normal` is a machine-readable form beside the text (EAD `@normal`, ISO 8601 `1900/1950`); when it
    parses, it gives the range and the text only says whether the date is approximate. `copyright_c`
    reads `c2011` as a copyright year, as MARC 260/264 $c writes it (AACR2/RDA), not as circa; `©2011`
    is a copyright year everywhere. Doubtful dates (month 13, a range that ends before it begins) still
    parse: `date_problem` says what is wrong, for the reader to report.
    """
    parsed = _parse_text(text, copyright_c)
    m = _NORMAL.match((normal or "").strip())
    if m:
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else start
        return DateRange(parsed.text, min(start, end), max(start, end), parsed.certainty, parsed.type)
    return parsed


_COPYRIGHT = re.compile(r"(?:©|℗|copyright|phonogram)\s*(\d{4})")
_COPYRIGHT_C = re.compile(r"(?:[cp©℗]|copyright|phonogram)\s*(\d{4})")
_DECADES = re.compile(r"(\d{3})0\s*'?s?\s*(?:-|/|to|tot|until|t/m)\s*(\d{3})0\s*'?s")
_MARC_UNKNOWN = re.compile(r"(\d{3}-|\d{2}--)(?:\s*-\s*(\d{3}-|\d{2}--))?")
_SHORT_DECADE = re.compile(r"(?:jaren\s*)?['’](\d)0\s*(?:'?s|er jaren)?")


def _roman_year(raw: str) -> int | None:
    """A year in capital Roman numerals from M (1000) on, written the canonical way ("MDCCLXXX")."""
    letters = re.sub(r"[\s.\[\]]", "", raw)
    if not re.fullmatch(r"M{1,2}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})", letters):
        return None
    return _roman(letters)


def _unknown_digits(text: str) -> tuple[int, int]:
    """The years a year with unknown last digits can be: "197-" 1970-1979, "19--" 1900-1999."""
    known = text.rstrip("-")
    width = 10 ** (4 - len(known))
    return int(known) * width, int(known) * width + width - 1


def _parse_text(text: str, copyright_c: bool = False) -> DateRange:
    raw = text.strip()
    t = raw.lower().strip(" .;,")
    if not t or t in _UNDATED:
        return DateRange(raw)
    uncertain = "?" in t or t.startswith("[")
    t = t.replace("[", "").replace("]", "").replace("?", "").replace("–", "-").replace("—", "-").strip()
    certainty = "uncertain" if uncertain else None
    bce = bool(re.search(_BCE, t))
    sign = -1 if bce else 1

    m = (_COPYRIGHT_C if copyright_c else _COPYRIGHT).fullmatch(t)
    if m:  # "c2011", "©2011", "℗1998": the year of the copyright, exactly
        year = int(m.group(1))
        return DateRange(raw, year, year, certainty, "copyright")

    m = re.fullmatch(r"(\d{1,3})([ux]{1,3})", t)
    if m and len(m.group(0)) == 4:  # MARC 008 / MODS "19uu", EDTF "195X": digits not known
        start, end = _unknown_digits(m.group(1) + "-" * len(m.group(2)))
        return DateRange(raw, start, end, certainty)

    m = re.fullmatch(r"(\d{3,4})(?:-\d{2}(?:-\d{2})?)?\s*/(?:\s*\.\.)?|(?:\.\.\s*)?/\s*(\d{3,4})(?:-\d{2}){0,2}", t)
    if m:  # EDTF open intervals: "1950/.." from 1950 on, "../1950" until 1950
        return DateRange(raw, int(m.group(1)), None) if m.group(1) else DateRange(raw, None, int(m.group(2)))

    m = re.fullmatch(r"(-?\d{3,4})(?:-\d{2}(?:-\d{2})?)?\s*[~%]", t)
    if m:  # EDTF "1950~" approximate (and "%" approximate and uncertain): as circa
        year = int(m.group(1))
        return DateRange(raw, year - CIRCA_SPAN, year + CIRCA_SPAN, "circa")

    m = _MARC_UNKNOWN.fullmatch(t)
    if m:  # AACR2 "19--" (some year of the 1900s), "197-" (of the 1970s), "197--198-"
        first, last = _unknown_digits(m.group(1)), _unknown_digits(m.group(2) or m.group(1))
        return DateRange(raw, first[0], last[1], certainty or "uncertain")

    m = _DECADES.fullmatch(t)
    if m:  # "1950s-1990s": from the first year of the first decade to the last year of the last
        return DateRange(raw, int(m.group(1)) * 10, int(m.group(2)) * 10 + 9, certainty)
    m = _SHORT_DECADE.fullmatch(t)
    if m and ("jaren" in t or t.endswith("s")):  # "jaren '50", "'50s": the decade of the 20th century
        decade = 1900 + int(m.group(1)) * 10
        return DateRange(raw, decade, decade + 9, certainty)

    year = _roman_year(raw)
    if year is not None:  # an imprint year in Roman numerals: "M.DCC.LXXX."
        return DateRange(raw, year, year, certainty)

    century = _century(t)
    if century:
        return DateRange(raw, century[0], century[1], certainty)

    m = re.fullmatch(rf"{_CIRCA}\s*{_YEAR}(?:\s*-\s*{_YEAR})?\s*(?:{_BCE})?", t)
    if m:
        a = int(m.group(1)) * sign
        b = int(m.group(2)) * sign if m.group(2) else a
        return DateRange(raw, min(a, b) - CIRCA_SPAN, max(a, b) + CIRCA_SPAN, "circa")

    m = re.fullmatch(rf"({_CIRCA}\s*)?(?:jaren\s*)?(\d{{3}})0\s*(?:'?s|er jaren)?", t)
    if m and ("s" in t or "jaren" in t):
        decade = int(m.group(2)) * 10
        if m.group(1):
            return DateRange(raw, decade - CIRCA_SPAN, decade + 9 + CIRCA_SPAN, "circa")
        return DateRange(raw, decade, decade + 9, certainty)

    m = re.fullmatch(rf"{_ISO}\s*-\s*", t)
    if m:  # "1954-": begun, still running
        return DateRange(raw, int(m.group(1)) * sign, None, certainty)

    m = re.fullmatch(rf"(?:voor|before|vóór)\s*{_YEAR}", t)
    if m:
        return DateRange(raw, None, int(m.group(1)) * sign, certainty)
    m = re.fullmatch(rf"(?:na|after)\s*{_YEAR}", t)
    if m:
        return DateRange(raw, int(m.group(1)) * sign, None, certainty)

    m = re.fullmatch(r"(-?\d{3,4})-(\d{2})-(\d{2})", t)
    if m and not 1 <= int(m.group(2)) <= 12:  # "2011-13-01": an impossible day of 2011 (date_problem says so)
        year = int(m.group(1)) * sign
        return DateRange(raw, year, year, certainty)

    m = re.fullmatch(r"(-?\d{3,4})-(0[1-9]|1[0-2])(?:-\d{2})?(?:t[\d:.]+z?)?", t)
    if m:  # an ISO date (year-month[-day]); "1750-99" is a range, "1750-06" a month
        year = int(m.group(1)) * sign
        return DateRange(raw, year, year, certainty)

    m = re.fullmatch(rf"{_ISO}\s*(?:-|/|tot|to|until|t/m)\s*(-?\d{{1,4}})(?:-\d{{2}}(?:-\d{{2}})?)?\s*(?:{_BCE})?", t)
    if m:
        a, b = int(m.group(1)) * sign, int(m.group(2)) * sign
        if b < a and not bce and len(m.group(2)) < len(m.group(1)):
            b = int(m.group(1)[: len(m.group(1)) - len(m.group(2))] + m.group(2))  # "1750-99"
        return DateRange(raw, min(a, b), max(a, b), certainty)

    m = re.fullmatch(rf"{_ISO}(?:t[\d:]+z?)?\s*(?:{_BCE})?", t)
    if m:
        year = int(m.group(1)) * sign
        return DateRange(raw, year, year, certainty)

    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", t)]
    if years:  # a date with words around it: "1 januari 1835", "Leuven, 1543"
        return DateRange(raw, min(years), max(years), certainty)
    return DateRange(raw)


_MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "february", "feb"), 2),
    **dict.fromkeys(("maart", "march", "mrt", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("augustus", "august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
_DMY = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_D_MONTH_Y = re.compile(r"(?<!\d)(\d{1,2})(?:e|ste|de|st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})(?!\d)")
_MONTH_D_Y = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_RANGE = re.compile(r"(\d{3,4})\s*(?:-|/|tot|to|until|t/m)\s*(\d{1,4})")


def _day_problem(year: int, month: int, day: int) -> Said | None:
    if not 1 <= month <= 12:
        return said("there is no month %(month)s", month=month)
    try:
        date(year, month, day)
    except ValueError:
        return said("month %(month)s of %(year)s has no day %(day)s", month=month, year=year, day=day)
    return None


def _calendar_problem(t: str) -> Said | None:
    """Why a day named in the text cannot exist (31 February, month 13); None when every day named can."""
    for m in _DMY.finditer(t):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
        problem = _day_problem(year, month, day)
        if problem and _day_problem(year, day, month) is not None:  # nor read month-first, as in 02/28/1921
            return problem
    for m in _YMD.finditer(t):
        if problem := _day_problem(int(m[1]), int(m[2]), int(m[3])):
            return problem
    for m in _D_MONTH_Y.finditer(t):
        if m[2] in _MONTHS and (problem := _day_problem(int(m[3]), _MONTHS[m[2]], int(m[1]))):
            return problem
    for m in _MONTH_D_Y.finditer(t):
        if m[1] in _MONTHS and (problem := _day_problem(int(m[3]), _MONTHS[m[1]], int(m[2]))):
            return problem
    return None


def _reversed(t: str) -> bool:
    """A plain range whose end comes before its start ("1750-1740"; "1921-13" read as 1921 to 1913)."""
    m = _RANGE.fullmatch(t)
    if m is None or re.fullmatch(r"\d{3,4}-(0[1-9]|1[0-2])", t):  # "1921-02" is a month, not a range
        return False
    start, end = m[1], m[2]
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return int(end) < int(start)


def date_problem(text: str, today: date | None = None) -> str | None:
    """Why a free-text date is doubtful (a day that does not exist, words no reading understands, a year
    still to come, a range that ends before it begins); None when it is a possible date or says "undated".

    The year range `parse_date` gives is kept either way: this only tells the archivist what to look at.
    """
    problem = date_problem_said(text, today)
    return str(problem) if problem is not None else None


def date_problem_said(text: str, today: date | None = None) -> Said | None:
    """`date_problem` as a template and its values (a web page says it in its reader's language)."""
    t = text.strip().lower().replace("[", "").replace("]", "").replace("?", "").strip()
    if not t.strip(" .;,") or t in _UNDATED or t.strip(" .;,") in _UNDATED:
        return None
    t = t.strip(" .;,")
    t = t.replace("–", "-").replace("—", "-")
    if problem := _calendar_problem(t):
        return said("date %(date)s does not exist: %(problem)s", date=repr(text), problem=problem)
    if _reversed(t):
        return said("date %(date)s ends before it begins", date=repr(text))
    parsed = parse_date(text)
    if parsed.start is None and parsed.end is None:
        return said("date %(date)s cannot be read as a date", date=repr(text))
    year = (today or date.today()).year
    latest = max(y for y in (parsed.start, parsed.end) if y is not None)
    if latest > year:
        return said("date %(date)s lies in the future (%(year)s)", date=repr(text), year=latest)
    return None
