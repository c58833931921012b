"""The registrar's controlled lists and the loan states, read from data/procedures.toml."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from heritage.errors import Input, bad
from heritage.locations.reasons import Coded, Joined

DATA = Path(__file__).parent / "data" / "procedures.toml"


@lru_cache(maxsize=1)
def procedures() -> dict[str, Any]:
    with DATA.open("rb") as handle:
        return tomllib.load(handle)


def values(name: str) -> list[str]:
    """The codes of one controlled list (condition, hazard, entry_reason, ...)."""
    return list(procedures()["lists"][name])


def loan_states() -> list[str]:
    return list(procedures()["loan_states"])


def loan_actions() -> dict[str, tuple[str, str]]:
    """action -> (the state it needs, the state it leads to)."""
    return {action: (pair[0], pair[1]) for action, pair in procedures()["loan_actions"].items()}


def checked(name: str, value: str, what: Input) -> str:
    """`value` if it is in the list `name`.

    Raises:
        BadRequest: it is not, naming the input and the list's values.
    """
    code = (value or "").strip()
    if code not in values(name):
        choices = Joined(tuple(Coded(name, v) for v in values(name)))
        raise bad("%(field)s %(value)s is not one of: %(choices)s", field=what, value=repr(value), choices=choices)
    return code
