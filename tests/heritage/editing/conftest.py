"""A small ingested catalogue (a fonds, a series, two files) in unit `archief`, and the people who edit it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from heritage import auth
from heritage.access import Viewer
from heritage.catalogue import ensure_unit
from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from tests.helpers import add_user, small_batch


@pytest.fixture
def catalogue(runner, runtime: Runtime, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Local identifier -> item id of the ingested batch (F1 > F1.1 > F1.1.1, F1.1.2)."""
    result = runner.invoke(
        main, ["ingest", str(small_batch(tmp_path / "batch")), "--collection", "pedel", "--unit", "archief"]
    )
    assert result.exit_code == 0, result.output
    with runtime.transaction() as session:
        ensure_unit(session, "elders")
    add_user(runtime, "els", "archivist", "archief")
    add_user(runtime, "piet", "archivist", "elders")
    add_user(runtime, "rita", "reader")
    add_user(runtime, "root", "administrator")
    with runtime.sessions() as s:
        return {local: item_id for item_id, local in s.execute(select(Item.id, Item.local_id))}


def viewer(runtime: Runtime, username: str, scopes: frozenset[str] | None = None) -> Viewer:
    with runtime.sessions() as s:
        return auth.viewer_of(s, auth.get_user(s, username), scopes)
