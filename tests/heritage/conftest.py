"""Fixtures shared by the domain tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.access import public_search_statuses
from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from tests.helpers import access_batch


@pytest.fixture
def catalogue(runner, runtime: Runtime, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The access batch ingested into collection `lek`: local id -> item id."""
    result = runner.invoke(
        main, ["ingest", str(access_batch(tmp_path / "batch")), "--collection", "lek", "--unit", "archief"]
    )
    assert result.exit_code == 0, result.output
    with runtime.sessions() as s:
        return {local: item_id for item_id, local in s.execute(select(Item.id, Item.local_id))}


def public_hits(runtime: Runtime, q: str) -> set[str]:
    """The ids the public finds for `q`."""
    result = runtime.index.search(SearchQuery(q=q, access=public_search_statuses(), per_page=50))
    return {h["id"] for h in result.hits}
