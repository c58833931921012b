"""The replica after a crash: a replication killed half-way is finished by the rerun (or any next command), and
`heritage fixity audit --replica` reports a replica that is behind the store or lacks an object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Item
from heritage.preservation.service import store_of
from heritage.preservation.store import OcflStore
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.helpers import small_batch
from tests.killpoint import heritage, killed

pytestmark = pytest.mark.db

# the second file the replica's copier renames into place: the first object's replica is then half made
MID_REPLICATION = "heritage.preservation.replica:_copy/posix.replace#2"


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    settings = Settings.load(
        {"data_dir": tmp_path / "data", "database_url": database_url, "replica": tmp_path / "replica"}, environ={}
    )
    (tmp_path / "data").mkdir(exist_ok=True)
    return {**settings.as_env(), "REDIS_URL": ""}


def _audit(env: dict[str, str], *args: str) -> tuple[int, dict]:
    result = CliRunner(env=env).invoke(main, ["fixity", "audit", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def _in_step(primary: OcflStore, replica: OcflStore) -> list[str]:
    """Ids of the objects whose replica is missing or differs from the store's (root inventory, bytes)."""
    behind = []
    for item, folder in primary.objects():
        copy = replica.object_dir(item) / "inventory.json"
        if not copy.is_file() or copy.read_bytes() != (folder / "inventory.json").read_bytes():
            behind.append(item)
    return behind


def test_an_ingest_killed_while_replicating_is_finished_by_the_rerun(tmp_path: Path, database_url: str) -> None:
    env = _env(tmp_path, database_url)
    batch = small_batch(tmp_path / "batch")
    command = ("ingest", str(batch), "--collection", "pedel")
    first = heritage(*command, env=env, kill_at=MID_REPLICATION)
    assert killed(first), first.stderr
    runtime = Runtime.open(Settings.load(environ=env))
    try:
        primary, replica = store_of(runtime), OcflStore(tmp_path / "replica")
        assert _in_step(primary, replica), "killed too late: the replica was complete"
        # the state of the issue: a replica object with files and no root inventory
        assert any(not (replica.object_dir(i) / "inventory.json").is_file() for i, _ in primary.objects())

        rerun = heritage(*command, env=env)
        assert rerun.returncode == 0, rerun.stderr
        assert "already ingested" in rerun.stdout + rerun.stderr
        assert _in_step(primary, replica) == []
        assert not [p for p in (tmp_path / "replica").rglob("*") if p.name.endswith(".partial")]
        code, report = _audit(env, "--all", "--replica")
        assert code == 0 and report["problems"] == [], report["problems"]
        with runtime.sessions() as session:
            assert report["objects"] == len(session.scalars(select(Item.id)).all()) == 4
        assert replica.validate() == []
        code, report = _audit(env, "--all")
        assert code == 0 and report["problems"] == [], report["problems"]
    finally:
        runtime.close()


def test_a_change_killed_while_replicating_is_finished_by_the_next_command(tmp_path: Path, database_url: str) -> None:
    env = _env(tmp_path, database_url)
    batch = small_batch(tmp_path / "batch")
    assert heritage("ingest", str(batch), "--collection", "pedel", env=env).returncode == 0
    runtime = Runtime.open(Settings.load(environ=env))
    try:
        with runtime.sessions() as session:
            item = session.scalar(select(Item.id).where(Item.local_id == "F1.1.2"))
        primary, replica = store_of(runtime), OcflStore(tmp_path / "replica")
        change = heritage("access", "set", item, "restricted", env=env, kill_at=MID_REPLICATION)
        assert killed(change), change.stderr
        assert _in_step(primary, replica) == [item]  # v2 in the store, half of it in the replica

        nothing = heritage("access", "requests", env=env)  # any command: it finishes what was left
        assert nothing.returncode == 0, nothing.stderr
        assert _in_step(primary, replica) == []
        assert json.loads(replica.read(item, "item.json"))["access"] == "restricted"
        code, report = _audit(env, "--item", item, "--replica")
        assert code == 0 and report["problems"] == [], report["problems"]
        assert replica.validate() == []
    finally:
        runtime.close()


def test_sync_brings_a_replica_that_missed_versions_up_to_date(preserved: Runtime) -> None:
    env = {**preserved.settings.as_env(), "REDIS_URL": ""}
    with preserved.sessions() as session:
        item = session.scalar(select(Item.id).where(Item.local_id == "F1.1.1"))
    # the replica was unmounted while the item changed: the store has v2, the replica v1
    unmounted = CliRunner(env={**env, "HERITAGE_REPLICA": ""})
    assert unmounted.invoke(main, ["access", "set", item, "closed"]).exit_code == 0
    primary, replica = store_of(preserved), OcflStore(preserved.settings.replica)  # type: ignore[arg-type]
    assert _in_step(primary, replica) == [item]
    code, report = _audit(env, "--all", "--replica")
    assert code == 1
    assert [(p["item"], p["path"], p["problem"]) for p in report["problems"]] == [(item, "inventory.json", "behind")]
    synced = CliRunner(env=env).invoke(main, ["preservation", "sync", "--all"])
    assert synced.exit_code == 0, synced.output
    assert _in_step(primary, replica) == []
    code, report = _audit(env, "--all", "--replica")
    assert code == 0 and report["problems"] == []


def test_an_object_missing_from_the_replica_is_reported(preserved: Runtime) -> None:
    import shutil

    env = {**preserved.settings.as_env(), "REDIS_URL": ""}
    with preserved.sessions() as session:
        item = session.scalar(select(Item.id).where(Item.local_id == "F1"))
    replica = OcflStore(preserved.settings.replica)  # type: ignore[arg-type]
    shutil.rmtree(replica.object_dir(item))
    code, report = _audit(env, "--all", "--replica")
    assert code == 1
    assert [(p["item"], p["path"], p["problem"]) for p in report["problems"]] == [(item, "inventory.json", "absent")]
