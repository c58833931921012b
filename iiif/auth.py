"""IIIF Authorization Flow 2.0: the service descriptions an image service declares, and the documents its
probe and token services answer with (the JSON shapes of the specification, https://iiif.io/api/auth/2.0/).

An image service declares the flow when its item is not public (restricted, or closed for staff only): the
declaration depends on the item's access status alone, never on who asks, so manifests may be cached. One
probe service per image (`/iiif/auth/2/probe/<image id>`); one access service (the `active` profile: our
sign-in page), token service and logout service for the whole site. Texts, in Dutch and English, are in
`data/auth_labels.json`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from heritage.models import Access

CONTEXT = "http://iiif.io/api/auth/2/context.json"
PREFIX = "/iiif/auth/2"
TOKEN_ERRORS = ("invalidRequest", "invalidOrigin", "missingAspect", "expiredAspect", "invalidAspect", "unavailable")
LABELS = Path(__file__).parent / "data" / "auth_labels.json"


@cache
def _labels() -> dict[str, dict[str, str]]:
    return json.loads(LABELS.read_text(encoding="utf-8"))


def text(key: str, **values: str) -> dict[str, list[str]]:
    """A language map (nl, en) of one text of `data/auth_labels.json`."""
    return {lang: [value.format(**values)] for lang, value in _labels()[key].items()}


def probe_url(base: str, image_id: str) -> str:
    return f"{base}{PREFIX}/probe/{image_id}"


def access_url(base: str) -> str:
    return f"{base}{PREFIX}/access"


def token_url(base: str) -> str:
    return f"{base}{PREFIX}/token"


def logout_url(base: str) -> str:
    return f"{base}{PREFIX}/logout"


def needs_auth(status: Access) -> bool:
    """Whether an image of an item with this access status (in force today) declares the flow."""
    return status is not Access.PUBLIC


def services(base: str, image_id: str) -> list[dict[str, Any]]:
    """The `service` list of an image service: a probe service with its access, token and logout services."""
    return [
        {
            "id": probe_url(base, image_id),
            "type": "AuthProbeService2",
            "errorHeading": text("probe_error_heading"),
            "errorNote": text("probe_error_note"),
            "service": [
                {
                    "id": access_url(base),
                    "type": "AuthAccessService2",
                    "profile": "active",
                    "label": text("access_label"),
                    "heading": text("access_heading"),
                    "note": text("access_note"),
                    "confirmLabel": text("access_confirm"),
                    "service": [
                        {
                            "id": token_url(base),
                            "type": "AuthAccessTokenService2",
                            "errorHeading": text("token_error_heading"),
                            "errorNote": text("token_error_note"),
                        },
                        {"id": logout_url(base), "type": "AuthLogoutService2", "label": text("logout_label")},
                    ],
                }
            ],
        }
    ]


def probe_result(status: int, **extra: Any) -> dict[str, Any]:
    """An `AuthProbeResult2`: `status` 200 (the token's user may see the image) or 401, with heading and note."""
    return {"@context": CONTEXT, "type": "AuthProbeResult2", "status": status, **extra}


def access_token(token: str, expires_in: int, message_id: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "AuthAccessToken2",
        "accessToken": token,
        "expiresIn": expires_in,
        "messageId": message_id,
    }


def token_error(profile: str, message_id: str) -> dict[str, Any]:
    """An `AuthAccessTokenError2` with one of the specification's profiles (the client shows heading and note)."""
    if profile not in TOKEN_ERRORS:
        raise ValueError(f"unknown token error profile {profile!r}")
    return {
        "@context": CONTEXT,
        "type": "AuthAccessTokenError2",
        "profile": profile,
        "heading": text("token_error_heading"),
        "note": text("token_error_note"),
        "messageId": message_id,
    }
