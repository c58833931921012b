"""The search outbox: a change committed by a process that dies before re-indexing reaches the index at the
next command (issue 14: a killed `access set ITEM closed` left the item in the public search)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from heritage import access_changes
from heritage.cli import main
from heritage.models import SearchRequest
from heritage.runtime import Runtime
from heritage.search import outbox
from heritage.search.indexer import index_items, reindex_all
from tests.heritage.conftest import public_hits

pytestmark = pytest.mark.db


def _waiting(runtime: Runtime) -> list[tuple[str, bool]]:
    with runtime.sessions() as s:
        return [(r.item_id, r.descendants) for r in s.scalars(select(SearchRequest).order_by(SearchRequest.id))]


def _close_without_indexing(runtime: Runtime, item: str) -> None:
    """What `access set ITEM closed` commits before a kill stops it from re-indexing."""
    with runtime.transaction() as session:
        access_changes.set_access(session, item, "closed", reason="killed before indexing")


def test_an_ingest_leaves_nothing_waiting(runtime: Runtime, catalogue: dict[str, str]) -> None:
    assert catalogue and _waiting(runtime) == []


def test_a_commit_writes_its_request_and_the_next_command_indexes_it(
    runner, runtime: Runtime, catalogue: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    item = catalogue["LEK.1"]
    _close_without_indexing(runtime, item)
    assert _waiting(runtime) == [(item, True)]  # the items below show its access and title too
    assert item in public_hits(runtime, "zaakalfa")  # the index is behind: what a kill here would leave
    result = runner.invoke(main, ["access", "set", item, "closed"])  # the rerun a user makes
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{item}: already closed"
    assert item not in public_hits(runtime, "zaakalfa")
    assert _waiting(runtime) == []


def test_drain_indexes_what_waits_and_answers_only_the_rows_it_read(
    runtime: Runtime, catalogue: dict[str, str]
) -> None:
    item = catalogue["LEK.1"]
    _close_without_indexing(runtime, item)
    assert outbox.drain(runtime) >= 1
    assert item not in public_hits(runtime, "zaakalfa") and _waiting(runtime) == []
    assert outbox.drain(runtime) == 0  # nothing waits: nothing is indexed


def test_indexing_without_descendants_keeps_a_request_for_the_items_below(
    runtime: Runtime, catalogue: dict[str, str]
) -> None:
    item = catalogue["LEK.1"]
    _close_without_indexing(runtime, item)
    index_items(runtime, [item])
    assert _waiting(runtime) == [(item, True)]
    index_items(runtime, [item], descendants=True)
    assert _waiting(runtime) == []


def test_a_full_reindex_answers_every_request(runtime: Runtime, catalogue: dict[str, str]) -> None:
    for item in list(catalogue.values())[:2]:
        _close_without_indexing(runtime, item)
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SearchRequest)) == 2
    reindex_all(runtime)
    assert _waiting(runtime) == [] and not (public_hits(runtime, "zaakalfa") & set(list(catalogue.values())[:2]))
