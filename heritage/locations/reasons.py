"""The values of a location or museum message (a `metadata_schemas.said.Said`): numbers, lists and codes that
keep their English text for the CLI and the API (`str()`), and their value and parts for a page that says them in
its own language.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Number:
    """A number and the Python format spec its English text is written in (".0%", ",g", ",.0f", ".1f")."""

    value: float
    spec: str = "g"

    def __str__(self) -> str:
        return format(self.value, self.spec)


@dataclass(frozen=True)
class Band:
    """A range such as a temperature band: "18-22", or "18" when both ends are the same."""

    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}-{self.high:g}"


@dataclass(frozen=True)
class Joined:
    """Parts (each a Said, a Number or text) said one after another, such as several shelf measures."""

    parts: tuple[object, ...]
    sep: str = ", "

    def __str__(self) -> str:
        return self.sep.join(str(p) for p in self.parts)


@dataclass(frozen=True)
class Coded:
    """A code of a controlled list (`kind`: condition, loan_state, hazard, ...): the code in English, its label
    (labels.csv `<kind>.<code>`) on a page."""

    kind: str
    code: str

    def __str__(self) -> str:
        return self.code
