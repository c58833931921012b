"""A change committed to the catalogue reaches the preservation store even when the process that made it is
killed right after its commit: the change waits in an outbox (written in the same transaction) that the next
command, `heritage preservation sync` or a worker drains; the audit reports an object behind its catalogue row."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from heritage.cli import main
from heritage.models import Base, Event, Item
from heritage.preservation.service import store_of
from heritage.preservation.store import OcflStore
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.conftest import REDIS_URL
from tests.helpers import small_batch
from tests.killpoint import heritage, killed

pytestmark = pytest.mark.db


def _item(runtime: Runtime, local_id: str) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(Item.id).where(Item.local_id == local_id))


def _access_in_db(runtime: Runtime, item: str) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(Item.access).where(Item.id == item))


def _stored(store: OcflStore, item: str) -> tuple[str, list[str]]:
    """The access the object's head holds, and the types of its events."""
    core = json.loads(store.read(item, "item.json"))
    events = [json.loads(line)["type"] for line in store.read(item, "events.jsonl").decode().splitlines()]
    return core["access"], events


def _audit(env: dict[str, str], *args: str) -> tuple[int, dict]:
    result = CliRunner(env=env).invoke(main, ["fixity", "audit", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def _kill_after_commit(runtime: Runtime, env: dict[str, str], item: str, *args: str) -> None:
    """Run `heritage access set ITEM ARGS` and kill it (SIGKILL) once its change is committed, before the store
    has it: the test holds the object's lock, so the command waits for it right after its commit."""
    store = store_of(runtime)
    store.ensure()
    with store.locked(item):
        proc = subprocess.Popen(
            [sys.executable, "-m", "heritage", "access", "set", item, *args],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while _access_in_db(runtime, item) != args[0]:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the change was never committed"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL


def _drop_catalogue(runtime: Runtime) -> None:
    Base.metadata.drop_all(runtime.engine)
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    runtime.engine.dispose()


def test_access_set_killed_after_its_commit_reaches_the_store_with_the_next_command(preserved: Runtime) -> None:
    env = {**preserved.settings.as_env(), "REDIS_URL": ""}
    store, replica = store_of(preserved), OcflStore(preserved.settings.replica)  # type: ignore[arg-type]
    item = _item(preserved, "F1.1.2")
    _kill_after_commit(preserved, env, item, "closed", "--reason", "privacy")
    assert _access_in_db(preserved, item) == "closed"
    assert _stored(store, item)[0] == "public"  # the state: the store still says public

    nothing = heritage("access", "requests", env=env)  # the next command, whatever it is
    assert nothing.returncode == 0, nothing.stderr
    access, history = _stored(store, item)
    assert access == "closed" and "access_change" in history
    inventory = "inventory.json"
    assert (replica.object_dir(item) / inventory).read_bytes() == (store.object_dir(item) / inventory).read_bytes()
    for args in (("--all",), ("--all", "--replica")):
        code, report = _audit(env, *args)
        assert code == 0 and report["problems"] == [], (args, report["problems"])

    _drop_catalogue(preserved)  # the catalogue is lost: the store gives the closed item back, with its event
    rebuilt = CliRunner(env=env).invoke(main, ["rebuild-from-store"])
    assert rebuilt.exit_code == 0, rebuilt.output
    with preserved.sessions() as session:
        assert session.get(Item, item).access == "closed"
        change = session.scalar(select(Event).where(Event.item_id == item, Event.type == "access_change"))
        assert change is not None and change.data["reason"] == "privacy"


def test_until_the_outbox_is_drained_the_audit_reports_the_object_behind(preserved: Runtime) -> None:
    from heritage.preservation.fixity import audit, select_objects

    env = {**preserved.settings.as_env(), "REDIS_URL": ""}
    item = _item(preserved, "F1.1.1")
    _kill_after_commit(preserved, env, item, "restricted")
    # the audit itself, before any command drains the outbox
    report = audit(preserved, select_objects(preserved, mode="all"))
    found = [(p.item, p.path, p.problem) for p in report.problems]
    assert found == [(item, "item.json", "behind"), (item, "events.jsonl", "behind")]
    assert "waiting in the outbox" in report.problems[0].detail


def test_an_ingest_killed_before_its_items_reach_the_store_is_preserved_by_the_next_command(
    tmp_path: Path, database_url: str
) -> None:
    settings = Settings.load({"data_dir": tmp_path / "data", "database_url": database_url}, environ={})
    (tmp_path / "data").mkdir()
    env = {**settings.as_env(), "REDIS_URL": ""}
    batch = small_batch(tmp_path / "batch")
    first = heritage(
        "ingest", str(batch), "--collection", "pedel", env=env, kill_at="heritage.preservation.service:preserve#2"
    )
    assert killed(first), first.stderr
    runtime = Runtime.open(settings)
    try:
        store = store_of(runtime)
        with runtime.sessions() as session:
            items = set(session.scalars(select(Item.id)))
        assert len(items) == 4 and len({i for i, _ in store.objects()}) == 1
        code, report = _audit(env, "--all")  # the next command: it writes what the ingest left
        assert code == 0 and report["problems"] == [], report["problems"]
        assert {i for i, _ in store.objects()} == items
        assert store.validate() == []
    finally:
        runtime.close()


@pytest.mark.redis
def test_with_workers_the_change_waits_in_the_outbox_until_a_worker_drains_it(preserved: Runtime) -> None:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**preserved.settings.as_env(), "REDIS_URL": REDIS_URL, "HERITAGE_QUEUE": queue}
    store = store_of(preserved)
    item = _item(preserved, "F1.1.2")
    # killed right after the commit, before the job that would write the version is on the queue
    change = heritage("access", "set", item, "closed", env=env, kill_at="heritage.jobs:RqQueue.enqueue#1")
    assert killed(change), change.stderr
    assert _access_in_db(preserved, item) == "closed" and _stored(store, item)[0] == "public"
    code, report = _audit(env, "--item", item)  # no worker yet: the object is behind, and says why
    assert code == 1 and {p["problem"] for p in report["problems"]} == {"behind"}
    worker = heritage("worker", "--burst", env=env)
    assert worker.returncode == 0, worker.stderr
    access, history = _stored(store, item)
    assert access == "closed" and "access_change" in history
    code, report = _audit(env, "--all")
    assert code == 0 and report["problems"] == [], report["problems"]


def test_a_command_leaves_the_outbox_to_a_process_already_draining_it(preserved: Runtime) -> None:
    import fcntl

    env = {**preserved.settings.as_env(), "REDIS_URL": ""}
    store = store_of(preserved)
    item = _item(preserved, "F1.1.1")
    _kill_after_commit(preserved, env, item, "closed")
    with (store.work / "locks" / "outbox.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # another process is draining the outbox
        try:
            other = heritage("access", "requests", env=env)  # does not wait for it
            assert other.returncode == 0, other.stderr
            assert _stored(store, item)[0] == "public"  # left to the drain under way
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    assert heritage("access", "requests", env=env).returncode == 0
    assert _stored(store, item)[0] == "closed"
