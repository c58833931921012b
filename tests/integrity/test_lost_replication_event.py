"""A process killed after a version was copied to the replica (every file read back and checked, the replica's
inventory replaced) but before its replication event committed: the next command that finds the replica in
step records the event, once. Seen with OCR on (a version more per item: more such moments) in
`test_kill_workers`, where one replication event was missing at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.models import Event, Item
from heritage.preservation.service import store_of
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.helpers import small_batch
from tests.killpoint import heritage, killed

pytestmark = pytest.mark.db

# inside the replication event's transaction (its `files=len(...)`), after the replica's inventory was replaced
AFTER_THE_COPY = "heritage.preservation.service:_replicate/builtins.len#1"


def _replications(runtime: Runtime, item: str) -> list[str]:
    with runtime.sessions() as session:
        rows = session.scalars(select(Event).where(Event.item_id == item, Event.type == "replication"))
        return [f"{(e.data or {}).get('version')} {e.outcome}" for e in rows]


def test_a_replication_event_lost_to_a_kill_is_recorded_by_the_next_command(tmp_path: Path, database_url: str) -> None:
    settings = Settings.load(
        {"data_dir": tmp_path / "data", "database_url": database_url, "replica": tmp_path / "replica"}, environ={}
    )
    (tmp_path / "data").mkdir()
    env = {**settings.as_env(), "REDIS_URL": ""}
    ingested = heritage("ingest", str(small_batch(tmp_path / "batch")), "--collection", "pedel", env=env)
    assert ingested.returncode == 0, ingested.stderr
    runtime = Runtime.open(Settings.load(environ=env))
    try:
        with runtime.sessions() as session:
            item = session.scalar(select(Item.id).where(Item.local_id == "F1.1.2"))
        before = _replications(runtime, item)
        change = heritage("access", "set", item, "restricted", env=env, kill_at=AFTER_THE_COPY)
        assert killed(change), change.stderr
        store = store_of(runtime)
        copy = (tmp_path / "replica" / store.object_dir(item).relative_to(store.root) / "inventory.json").read_bytes()
        assert copy == (store.object_dir(item) / "inventory.json").read_bytes()  # the new version is in the replica
        head = store.inventory(item)["head"]
        assert f"{head} success" not in before and _replications(runtime, item) == before  # its event was lost

        for _ in range(2):  # any command drains the change's outbox row; the second finds nothing owed
            again = heritage("preservation", "sync", "--item", item, env=env)
            assert again.returncode == 0, again.stderr
            assert _replications(runtime, item) == [*before, f"{head} success"]
    finally:
        runtime.close()
