"""A small ingested catalogue (a fonds, a series, two files) in unit `archief`, and the people who edit it."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage import auth
from heritage.access import Viewer
from heritage.runtime import Runtime
from tests.helpers import add_user, pedel_catalogue


@pytest.fixture
def catalogue(runner, runtime: Runtime, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Local identifier -> item id of the ingested batch (F1 > F1.1 > F1.1.1, F1.1.2)."""
    ids = pedel_catalogue(runner, runtime, tmp_path)
    add_user(runtime, "rita", "reader")
    add_user(runtime, "root", "administrator")
    return ids


def viewer(runtime: Runtime, username: str, scopes: frozenset[str] | None = None) -> Viewer:
    with runtime.sessions() as s:
        return auth.viewer_of(s, auth.get_user(s, username), scopes)
