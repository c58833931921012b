"""Killing the ingest (or a worker) at any moment and running the same command again finishes the batch:
no duplicate items or files, no orphaned or half-made files, masters byte-identical."""

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
from sqlalchemy import func, select

from heritage.models import BatchFile, File, FileState, Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.batches import batch_id_for, progress
from ingest.pipeline import ingest, plan_batch
from ingest.process import _claim, _receive
from ingest.working import is_being_worked_on, working_on
from tests.conftest import REDIS_URL
from tests.helpers import make_image, power_cut, write_sheet
from tests.ingest.checks import assert_masters_identical, assert_no_duplicates, assert_store_clean

pytestmark = pytest.mark.db
FILES = 10


def _batch(folder: Path, count: int = FILES, size: tuple[int, int] = (1600, 1200)) -> Path:
    rows = []
    for i in range(count):
        make_image(folder / "scans" / f"p{i:03}.tif", size, seed=i, fmt="TIFF")
        rows.append({"identifier": f"K{i}", "title": f"Blad {i}", "files": f"scans/p{i:03}.tif"})
    write_sheet(folder / "sheet.csv", rows)
    return folder


def _heritage(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "heritage", *args],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[arg-type]
    )


def _wait_for_done(runtime: Runtime, batch_id: str, at_least: int, proc: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            state = progress(runtime, batch_id)
        except Exception:  # the batch row may not be committed yet
            state = None
        if state is not None and state.done >= at_least:
            return state.done
        assert proc.poll() is None or at_least == 0, f"process ended early: {proc.communicate()}"
        time.sleep(0.02)
    raise AssertionError("the batch did not make progress")


def _assert_complete(runtime: Runtime, batch: Path, report: dict[str, object]) -> None:
    counts = report["counts"]
    assert isinstance(counts, dict)
    assert counts["failed"] == 0 and counts["stored"] + counts["already_ingested"] == FILES
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Item)) == FILES
        assert s.scalar(select(func.count()).select_from(File)) == FILES
        assert all(f.derivatives_ready for f in s.scalars(select(File)))
        assert set(s.scalars(select(BatchFile.state))) == {FileState.DONE.value}
    assert_no_duplicates(runtime)
    assert_store_clean(runtime)
    assert assert_masters_identical(runtime, batch) == FILES


def test_ingest_killed_mid_batch_resumes_with_the_same_command(
    runtime: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    batch = _batch(tmp_path / "batch")
    command = ("ingest", str(batch), "--collection", "kill", "--report", str(tmp_path / "report.json"))
    first = _heritage(*command, env=cli_env)
    batch_id = batch_id_for("kill", batch)
    done_before = _wait_for_done(runtime, batch_id, 2, first)
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert first.returncode == -signal.SIGKILL
    assert progress(runtime, batch_id).done < FILES, "killed too late to test anything"
    second = _heritage(*command, env=cli_env)
    _, err = second.communicate(timeout=240)
    assert second.returncode == 0, err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["counts"]["already_ingested"] >= done_before
    _assert_complete(runtime, batch, report)


@pytest.mark.redis
def test_worker_killed_mid_batch_and_rerun_finishes_it(settings: Settings, tmp_path: Path) -> None:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**settings.as_env(), "REDIS_URL": REDIS_URL, "HERITAGE_QUEUE": queue}
    rq_settings = Settings.load(
        {
            "data_dir": settings.data_dir,
            "database_url": settings.database_url,
            "redis_url": REDIS_URL,
            "queue_name": queue,
        },
        environ={},
    )
    runtime = Runtime.open(rq_settings)
    batch = _batch(tmp_path / "batch")
    command = ("ingest", str(batch), "--collection", "kill", "--report", str(tmp_path / "report.json"))
    queued = _heritage(*command, "--no-wait", env=env)
    queued.communicate(timeout=60)
    batch_id = batch_id_for("kill", batch)
    assert progress(runtime, batch_id).remaining == FILES
    worker = _heritage("worker", env=env, start_new_session=True)
    _wait_for_done(runtime, batch_id, 2, worker)
    power_cut(worker)  # the worker and the job it was running
    assert progress(runtime, batch_id).done < FILES, "killed too late to test anything"
    rerun = _heritage(*command, env=env)
    second_worker = _heritage("worker", env=env, start_new_session=True)
    try:
        _, err = rerun.communicate(timeout=240)
    finally:
        os.killpg(second_worker.pid, signal.SIGTERM)  # rq's warm shutdown: it finishes the job it runs
        try:
            second_worker.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a long job still running: a second SIGTERM is rq's cold shutdown
            os.killpg(second_worker.pid, signal.SIGTERM)
            second_worker.wait(timeout=30)
    assert rerun.returncode == 0, err
    _assert_complete(runtime, batch, json.loads((tmp_path / "report.json").read_text()))
    runtime.jobs.queue.delete(delete_jobs=True)
    runtime.close()


def test_leftovers_of_a_killed_file_are_reconciled(runtime: Runtime, tmp_path: Path) -> None:
    """A master stored without its file record, a half-copied master, a half-made pyramid: all sorted out."""
    batch = _batch(tmp_path / "batch", count=3, size=(600, 400))
    batch_id = plan_batch(runtime, batch, "crash")
    with runtime.sessions() as s:
        first = s.scalar(select(BatchFile).where(BatchFile.batch_id == batch_id).order_by(BatchFile.position))
    claim = _claim(runtime, first.id)
    assert claim is not None
    _, incoming = _receive(runtime, claim)
    sha256 = incoming.sha256
    runtime.storage.commit(incoming)  # then the process "dies": a master, but no File row
    (runtime.storage.incoming / f"bf{first.id + 1}-abc123").write_bytes(b"half a copy of the next file")
    half = runtime.storage.derivative_dir(sha256).parent / f".{sha256}-zz9"
    (half / "tiles").mkdir(parents=True)
    report = ingest(runtime, batch, "crash")
    assert report.exit_code == 0
    assert {f.status for f in report.files} == {"stored"}
    assert_store_clean(runtime)
    assert_no_duplicates(runtime)


def test_master_stored_for_a_file_that_then_vanished_is_removed(runtime: Runtime, tmp_path: Path) -> None:
    batch = _batch(tmp_path / "batch", count=2, size=(600, 400))
    batch_id = plan_batch(runtime, batch, "gone")
    with runtime.sessions() as s:
        first = s.scalar(select(BatchFile).where(BatchFile.batch_id == batch_id).order_by(BatchFile.position))
    claim = _claim(runtime, first.id)
    assert claim is not None
    path, incoming = _receive(runtime, claim)
    sha256 = incoming.sha256
    runtime.storage.commit(incoming)  # killed here; then the scan is taken out of the folder
    path.unlink()
    report = ingest(runtime, batch, "gone")
    assert report.exit_code == 1
    assert [(f.path, f.reason) for f in report.failed] == [("scans/p000.tif", "file does not exist")]
    assert not runtime.storage.has_master(sha256)
    assert_store_clean(runtime)


def test_changed_file_is_taken_again_on_rerun(runtime: Runtime, tmp_path: Path) -> None:
    batch = _batch(tmp_path / "batch", count=2, size=(600, 400))
    ingest(runtime, batch, "redo")
    make_image(batch / "scans" / "p001.tif", (600, 400), seed=77, fmt="TIFF")
    report = ingest(runtime, batch, "redo")
    assert {f.path: f.status for f in report.files} == {
        "scans/p000.tif": "already_ingested",
        "scans/p001.tif": "stored",
    }


def test_a_rerun_leaves_a_live_workers_file_alone(runtime: Runtime, tmp_path: Path) -> None:
    """What a live worker has in the incoming area is its work in progress, not a killed process's leftover:
    a rerun keeps it (this raced in CI: an rq worker still on a file lost its copy to the rerun's clean-up)."""
    batch = _batch(tmp_path / "batch", count=2, size=(600, 400))
    batch_id = plan_batch(runtime, batch, "live")
    with runtime.sessions() as s:
        first = s.scalar(select(BatchFile).where(BatchFile.batch_id == batch_id).order_by(BatchFile.position))
    with working_on(runtime, first.id) as mine:  # this test plays the live worker holding the file
        assert mine
        claim = _claim(runtime, first.id)
        assert claim is not None
        _, incoming = _receive(runtime, claim)
        assert is_being_worked_on(runtime, first.id)
        plan_batch(runtime, batch, "live")  # the rerun
        assert incoming.path.is_file(), "the rerun removed a live worker's copy"
        with runtime.sessions() as s:
            assert s.get(BatchFile, first.id).state == FileState.WORKING.value
        runtime.storage.discard(incoming)  # the "worker" dies here, leaving its file working
    assert not is_being_worked_on(runtime, first.id)
    report = ingest(runtime, batch, "live")  # the next rerun takes the file again
    assert report.exit_code == 0
    assert {f.status for f in report.files} == {"stored"}
    assert_store_clean(runtime)
