"""ISO 8601 durations (P10Y, P6M, P14D, PT12H) as calendar offsets, and adding them to dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PATTERN = re.compile(
    r"^P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$"
)


@dataclass(frozen=True)
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0
    text: str = ""

    def after(self, start: date) -> date:
        """`start` plus this duration; 29 February becomes 28 February in a common year."""
        month_index = start.month - 1 + self.months
        year = start.year + self.years + month_index // 12
        month = month_index % 12 + 1
        day = start.day
        while True:
            try:
                moved = date(year, month, day)
                break
            except ValueError:
                day -= 1
        return moved + timedelta(days=self.days)

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Duration:
    """Raises: ValueError: `text` is not an ISO 8601 duration."""
    match = _PATTERN.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P10Y or P6M")
    y, m, w, d, h, _mi, _s = (int(g) if g else 0 for g in match.groups())
    return Duration(years=y, months=m, days=w * 7 + d + h // 24, text=text)
