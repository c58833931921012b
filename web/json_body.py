"""Reading the JSON body and form lists of the museum's write routes (loans, entries, acquisitions) one way:
a 400 that names the key, never a 500, for a body that is not an object, an unknown key or a value of the
wrong kind."""

from __future__ import annotations

from typing import Any

from flask import request

from heritage.errors import BadRequest


def json_object(allowed: set[str]) -> dict[str, Any]:
    """Raises: BadRequest: the body is not a JSON object, or holds a key outside `allowed` (named)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object with Content-Type application/json")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequest(f"unknown key(s) {', '.join(map(repr, unknown))}: use {', '.join(sorted(allowed))}")
    return body


def text(body: dict[str, Any], key: str, *, numbers: bool = False) -> str | None:
    """The value of `key` as text (None: absent); `numbers`: a number is taken as its text too (an amount).

    Raises: BadRequest: any other kind of value, or a NUL character.
    """
    value = body.get(key)
    if value is None:
        return None
    kinds = (str, int, float) if numbers else (str,)
    if not isinstance(value, kinds) or isinstance(value, bool) or "\x00" in str(value):
        raise BadRequest(f'"{key}" is a text')
    return str(value)


def texts(body: dict[str, Any], key: str) -> list[str]:
    """Raises: BadRequest: the value of `key` is not a list of texts."""
    value = body.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and "\x00" not in v for v in value):
        raise BadRequest(f'"{key}" is a list of texts')
    return value


def split_ids(value: str) -> list[str]:
    """A form field's identifiers, one per line or separated by commas."""
    return [part.strip() for part in value.replace(",", "\n").splitlines() if part.strip()]
