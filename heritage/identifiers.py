"""Permanent public identifiers for items and files.

Ids are short lowercase base32 strings. When a source gives a local identifier, the id is derived from
it (uuid5), so re-running the same ingest yields the same ids: permalinks survive a rebuild.
"""

from __future__ import annotations

import base64
import re
import uuid

NAMESPACE = uuid.UUID("6f1b7c2e-3a4d-5e6f-8a9b-0c1d2e3f4a5b")
ID_PATTERN = re.compile(r"^[a-z2-7]{12}$")


def _encode(u: uuid.UUID) -> str:
    return base64.b32encode(u.bytes).decode("ascii").lower()[:12]


def derived_id(*parts: str) -> str:
    """A stable id derived from the given parts (for example collection slug and local identifier)."""
    return _encode(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def random_id() -> str:
    return _encode(uuid.uuid4())


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))
