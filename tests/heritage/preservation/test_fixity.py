"""`heritage fixity audit|repair`: damage in the store is found, named by item and path, and repaired from the
replica to the exact bytes; the store validates afterwards."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, Item, utcnow
from heritage.preservation.fixity import due
from heritage.preservation.service import store_of
from heritage.runtime import Runtime

pytestmark = pytest.mark.db


def _runner(runtime: Runtime) -> CliRunner:
    return CliRunner(env={**runtime.settings.as_env(), "REDIS_URL": ""})


def _item(runtime: Runtime, local_id: str) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(Item.id).where(Item.local_id == local_id))


def _writable(path: Path) -> Path:
    path.chmod(0o644)
    return path


def _audit(runtime: Runtime, *args: str) -> tuple[int, dict]:
    result = _runner(runtime).invoke(main, ["fixity", "audit", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def _damage(runtime: Runtime) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """Flip a byte, truncate, delete and add a file in one object; returns its id and what was there."""
    store = store_of(runtime)
    item = _item(runtime, "F1.1.2")
    folder = store.object_dir(item)
    files = store.head_files(item)
    originals = {}
    for logical in ("masters/scans/b1.jpg", "masters/scans/b2.png", "item.json"):
        originals[logical] = (files[logical].relative_to(folder).as_posix(), files[logical].read_bytes())
    flipped = _writable(files["masters/scans/b1.jpg"])
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x01
    # the master is a hard link of the working store's copy: damage it in place, as a failing disk would
    with flipped.open("r+b") as fh:
        fh.write(bytes(data))
    truncated = _writable(files["masters/scans/b2.png"])
    with truncated.open("r+b") as fh:
        fh.truncate(100)
    files["item.json"].unlink()
    (folder / "v1" / "content" / "stray.bin").write_bytes(b"not ours")
    return item, originals


def test_every_kind_of_damage_is_found_named_and_recorded(preserved: Runtime) -> None:
    code, clean = _audit(preserved, "--all")
    assert code == 0 and clean["problems"] == [] and clean["files"] >= 7
    item, originals = _damage(preserved)
    code, report = _audit(preserved, "--all")
    assert code == 1
    found = {(p["item"], p["path"], p["problem"]) for p in report["problems"]}
    assert found == {
        (item, originals["masters/scans/b1.jpg"][0], "mismatch"),
        (item, originals["masters/scans/b2.png"][0], "mismatch"),
        (item, originals["item.json"][0], "missing"),
        (item, "v1/content/stray.bin", "unexpected"),
    }
    with preserved.sessions() as session:
        checks = session.scalars(select(Event).where(Event.type == "fixity_check", Event.item_id == item)).all()
    assert [c.outcome for c in checks] == ["success", "failure"]
    assert {p["path"] for p in checks[-1].data["problems"]} == {path for _, path, _ in found}
    unknown = _runner(preserved).invoke(main, ["fixity", "audit", "--item", "nosuchitem"])
    assert unknown.exit_code == 1 and "'nosuchitem' has no object in the preservation store" in unknown.output
    text = _runner(preserved).invoke(main, ["fixity", "audit", "--item", item])
    assert text.exit_code == 1 and f"{item}: v1/content/stray.bin: unexpected" in text.output
    assert store_of(preserved).validate() != []


def test_repair_restores_the_exact_bytes_from_the_replica_and_the_store_validates(preserved: Runtime) -> None:
    store = store_of(preserved)
    item, originals = _damage(preserved)
    result = _runner(preserved).invoke(main, ["fixity", "repair", item, "--by", "kim"])
    assert result.exit_code == 0, result.output
    assert "quarantined v1/content/stray.bin" in result.output
    folder = store.object_dir(item)
    for path, data in originals.values():
        assert (folder / path).read_bytes() == data
    assert not (folder / "v1" / "content" / "stray.bin").exists()
    assert store.validate() == []
    code, report = _audit(preserved, "--item", item)
    assert code == 0 and report["problems"] == []
    with preserved.sessions() as session:
        recovery = session.scalar(select(Event).where(Event.type == "recovery", Event.item_id == item))
        assert recovery is not None and recovery.outcome == "success" and recovery.agent == "kim"
        for key in recovery.data["masters"]:  # the working copies that shared the damaged bytes are whole again
            assert preserved.storage.master_path(key).is_file()
    # the recovery event went into a new version of the object
    assert "recovery" in store.read(item, "events.jsonl").decode()


def test_repair_refuses_a_damaged_replica_copy(preserved: Runtime) -> None:
    store = store_of(preserved)
    item, originals = _damage(preserved)
    spare = store.__class__(preserved.settings.replica).object_dir(item)  # type: ignore[arg-type]
    bad = _writable(spare / originals["masters/scans/b1.jpg"][0])
    bad.write_bytes(b"also broken")
    result = _runner(preserved).invoke(main, ["fixity", "repair", item])
    assert result.exit_code == 1
    assert f"not repaired: {originals['masters/scans/b1.jpg'][0]}: mismatch" in result.output


def test_without_a_replica_repair_says_what_to_set(preserved: Runtime) -> None:
    env = {**preserved.settings.as_env(), "REDIS_URL": "", "HERITAGE_REPLICA": ""}
    result = CliRunner(env=env).invoke(main, ["fixity", "repair", _item(preserved, "F1")])
    assert result.exit_code == 1 and "HERITAGE_REPLICA" in result.output


def test_due_takes_a_rolling_twelfth_and_everything_overdue(preserved: Runtime) -> None:
    objects = list(store_of(preserved).objects())
    assert len(objects) == 4
    assert len(due(preserved, objects)) == 1  # a twelfth of 4 rounds up to one; none is overdue yet
    assert len(due(preserved, objects, now=utcnow() + timedelta(days=366))) == 4  # a year on, all are
    for _ in range(4):
        code, report = _audit(preserved, "--due")
        assert code == 0 and report["objects"] == 1
    with preserved.sessions() as session:
        checked = session.scalars(select(Event.item_id).where(Event.type == "fixity_check")).all()
    assert sorted(checked) == sorted(item for item, _ in objects)  # four runs, each object once, oldest first


def test_the_schedule_without_redis_is_a_cron_line(preserved: Runtime) -> None:
    result = _runner(preserved).invoke(main, ["fixity", "schedule"])
    assert result.exit_code == 0 and "heritage fixity audit --due" in result.output


@pytest.mark.redis
def test_with_redis_the_audit_is_scheduled_on_rq_and_reschedules_itself(preserved: Runtime) -> None:
    import os
    import subprocess
    import sys
    import uuid

    from rq import Queue

    from heritage.preservation.jobs import AUDIT_JOB, schedule_audits
    from heritage.settings import Settings
    from tests.conftest import REDIS_URL

    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings = Settings.load(environ={**preserved.settings.as_env(), "REDIS_URL": REDIS_URL, "HERITAGE_QUEUE": queue})
    rq_runtime = Runtime.open(settings)
    try:
        schedule_audits(rq_runtime, delay_days=0)
        scheduled = Queue(queue, connection=rq_runtime.jobs.connection).scheduled_job_registry
        assert AUDIT_JOB in scheduled.get_job_ids()
        env = {**os.environ, **settings.as_env()}
        done = subprocess.run(
            [sys.executable, "-m", "heritage", "worker", "--burst"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stderr
        with rq_runtime.sessions() as session:
            assert session.scalars(select(Event).where(Event.type == "fixity_check")).all()
        assert AUDIT_JOB in scheduled.get_job_ids()  # the next run, a twelfth of the cycle later
    finally:
        rq_runtime.close()


def test_a_sample_audits_that_share_of_the_objects(preserved: Runtime) -> None:
    code, half = _audit(preserved, "--all", "--sample", "0.5")
    assert code == 0 and half["objects"] == 2
    code, tiny = _audit(preserved, "--all", "--sample", "0.01")
    assert code == 0 and tiny["objects"] == 1  # at least one
    bad = _runner(preserved).invoke(main, ["fixity", "audit", "--sample", "2"])
    assert bad.exit_code == 2 and "--sample" in bad.output


def test_the_replica_is_audited_on_its_own(preserved: Runtime) -> None:
    code, report = _audit(preserved, "--all", "--replica")
    assert code == 0 and report["objects"] == 4 and report["problems"] == []
    item = _item(preserved, "F1.1.1")
    spare = store_of(preserved).__class__(preserved.settings.replica)  # type: ignore[arg-type]
    damaged = _writable(spare.head_files(item)["masters/scans/a1.tif"])
    with damaged.open("r+b") as fh:
        fh.truncate(10)
    code, report = _audit(preserved, "--all", "--replica")
    assert code == 1 and [(p["item"], p["problem"]) for p in report["problems"]] == [(item, "mismatch")]
    code, primary = _audit(preserved, "--all")
    assert code == 0 and primary["problems"] == []  # the store itself is whole
    with preserved.sessions() as session:
        last = session.scalars(select(Event).where(Event.type == "fixity_check", Event.item_id == item)).all()
    assert [e.data["copy"] for e in last] == ["replica", "replica", "store"]


def test_an_item_without_an_object_is_a_problem_of_the_audit_and_of_validate(preserved: Runtime) -> None:
    import shutil

    store = store_of(preserved)
    item = _item(preserved, "F1.1")
    shutil.rmtree(store.object_dir(item))  # as when the store was never written for it
    code, report = _audit(preserved, "--all")
    assert code == 1 and report["objects"] == 3
    assert [(p["item"], p["path"], p["problem"]) for p in report["problems"]] == [(item, "inventory.json", "absent")]
    code, due_report = _audit(preserved, "--due")
    assert code == 1 and (item, "absent") in {(p["item"], p["problem"]) for p in due_report["problems"]}
    text = _runner(preserved).invoke(main, ["fixity", "audit", "--all"])
    assert text.exit_code == 1 and f"{item}: inventory.json: absent" in text.output
    checked = _runner(preserved).invoke(main, ["preservation", "validate"])
    assert checked.exit_code == 1 and f"{item}: inventory.json: absent" in checked.output
    with preserved.sessions() as session:
        last = session.scalars(select(Event).where(Event.type == "fixity_check", Event.item_id == item)).all()
    assert [e.outcome for e in last] == ["failure"] * 3  # the item's own trail says it was found absent, each time
    assert _runner(preserved).invoke(main, ["preservation", "sync", "--all"]).exit_code == 0
    code, report = _audit(preserved, "--all")
    assert code == 0 and report["objects"] == 4 and report["problems"] == []


def test_an_object_behind_its_catalogue_row_is_a_problem(preserved: Runtime) -> None:
    from sqlalchemy import text as sql

    item = _item(preserved, "F1.1.1")
    with preserved.engine.begin() as conn:  # a change that went round the services (and so round the hooks)
        conn.execute(sql("UPDATE items SET title = 'Herzien', access = 'closed' WHERE id = :id"), {"id": item})
    code, report = _audit(preserved, "--all")
    assert code == 1
    assert [(p["item"], p["path"], p["problem"]) for p in report["problems"]] == [(item, "item.json", "behind")]
    assert "access" in report["problems"][0]["detail"] and "title" in report["problems"][0]["detail"]
    checked = _runner(preserved).invoke(main, ["preservation", "validate", "--no-digests"])
    assert checked.exit_code == 1 and f"{item}: item.json: behind" in checked.output
    assert _runner(preserved).invoke(main, ["preservation", "sync", "--all"]).exit_code == 0
    code, report = _audit(preserved, "--all")
    assert code == 0 and report["problems"] == []
    assert json.loads(store_of(preserved).read(item, "item.json"))["access"] == "closed"


def test_an_event_of_a_change_missing_from_the_object_is_a_problem(preserved: Runtime) -> None:
    item = _item(preserved, "F1.1.2")
    with preserved.transaction() as session:  # an event recorded with versions switched off
        from heritage import events
        from heritage.preservation import hooks

        session.info[hooks.OFF] = True
        event = events.record(session, "metadata_modification", item_id=item, detail="a note on the title")
        session.flush()
        event_id = event.id
    code, report = _audit(preserved, "--all")
    assert code == 1
    assert [(p["item"], p["path"], p["problem"]) for p in report["problems"]] == [(item, "events.jsonl", "behind")]
    assert f"event {event_id} (metadata_modification)" in report["problems"][0]["detail"]
