"""Resumption tokens: the position of a list (keyset: the last datestamp and id sent) and its frozen
arguments, signed so that they cannot be forged, with an expiry so that they lapse cleanly.

A keyset position survives concurrent changes: a record added or changed during a harvest moves past
the list's frozen upper bound and is picked up by the next incremental harvest; nothing is skipped
or sent twice among the records that did not change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any


class TokenError(ValueError):
    """The token is not one of ours, was altered, or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(state: dict[str, Any], secret: bytes, expires: datetime) -> str:
    payload = json.dumps({**state, "exp": int(expires.timestamp())}, separators=(",", ":"), sort_keys=True)
    body = _b64(payload.encode("utf-8"))
    signature = hmac.new(secret, body.encode("ascii"), hashlib.sha256).digest()[:18]
    return f"{body}.{_b64(signature)}"


def decode(token: str, secret: bytes, now: datetime) -> dict[str, Any]:
    """Raises: TokenError: forged, malformed or expired."""
    body, _, signature = token.partition(".")
    if not body or not signature or len(token) > 4096:
        raise TokenError("is not a resumption token of this repository")
    expected = hmac.new(secret, body.encode("ascii", "replace"), hashlib.sha256).digest()[:18]
    try:
        given = _unb64(signature)
    except (ValueError, TypeError):
        raise TokenError("is not a resumption token of this repository") from None
    if not hmac.compare_digest(given, expected):
        raise TokenError("is not a resumption token of this repository (altered or forged)")
    try:
        state = json.loads(_unb64(body))
    except (ValueError, TypeError):
        raise TokenError("cannot be read") from None
    if not isinstance(state, dict) or not isinstance(state.get("exp"), int):
        raise TokenError("cannot be read")
    if state["exp"] < int(now.timestamp()):
        expired = datetime.fromtimestamp(state["exp"], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise TokenError(f"expired at {expired}; start the list again")
    return state
