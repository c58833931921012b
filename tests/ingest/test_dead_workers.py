"""A waiting `heritage ingest` notices the jobs of rq workers that died (kill -9 of the worker and its work
horse), queues them again, a bounded number of times, then fails the file with the reason, and says so;
it never waits for a dead worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.models import BatchFile, FileState
from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.batches import batch_id_for, progress
from ingest.working import working_on
from tests.conftest import REDIS_URL
from tests.helpers import make_image, power_cut, write_sheet
from tests.ingest.checks import assert_masters_identical, assert_no_duplicates, assert_store_clean

pytestmark = [pytest.mark.db, pytest.mark.redis, pytest.mark.slow]


def _batch(folder: Path, sizes: list[tuple[int, int]]) -> Path:
    rows = []
    for i, size in enumerate(sizes):
        make_image(folder / "scans" / f"p{i:03}.tif", size, seed=i, fmt="TIFF")
        rows.append({"identifier": f"D{i}", "title": f"Blad {i}", "files": f"scans/p{i:03}.tif"})
    write_sheet(folder / "sheet.csv", rows)
    return folder


@dataclass
class Scene:
    """A data directory on the test's database, an rq queue of its own, and the processes the test starts."""

    runtime: Runtime
    env: dict[str, str]
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def start(self, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "heritage", *args],
            env={**os.environ, **self.env},
            stdout=subprocess.PIPE if args[0] == "ingest" else subprocess.DEVNULL,
            stderr=subprocess.PIPE if args[0] == "ingest" else subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # a worker and its work horse form one process group
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[str]) -> None:
        """kill -9 of the worker and the work horse running its job, like a power cut."""
        power_cut(process)

    def file_id(self, batch_id: str, path: str) -> int | None:
        with self.runtime.sessions() as session:
            return session.scalar(select(BatchFile.id).where(BatchFile.batch_id == batch_id, BatchFile.path == path))

    def state(self, batch_id: str, path: str) -> str:
        return self._row(batch_id, path)[0]

    def _row(self, batch_id: str, path: str) -> tuple[str, int]:
        with self.runtime.sessions() as session:
            row = session.execute(
                select(BatchFile.state, BatchFile.attempts).where(
                    BatchFile.batch_id == batch_id, BatchFile.path == path
                )
            ).first()
        return (row[0], row[1]) if row else ("", 0)

    def wait_until_working(self, batch_id: str, path: str, watched: subprocess.Popen[str], attempt: int = 1) -> None:
        """Until a worker has taken up the file for the `attempt`-th time."""
        deadline = time.monotonic() + 180
        while self._row(batch_id, path) != (FileState.WORKING.value, attempt):
            assert time.monotonic() < deadline, f"{path} was never taken up"
            assert watched.poll() is None, f"the command ended early: {watched.communicate()}"
            time.sleep(0.02)


@pytest.fixture
def scene(settings: Settings) -> Iterator[Scene]:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**settings.as_env(), "REDIS_URL": REDIS_URL, "HERITAGE_QUEUE": queue}
    runtime = Runtime.open(
        Settings.load(
            {
                "data_dir": settings.data_dir,
                "database_url": settings.database_url,
                "redis_url": REDIS_URL,
                "queue_name": queue,
            },
            environ={},
        )
    )
    scene = Scene(runtime, env)
    try:
        yield scene
    finally:
        for process in scene.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        runtime.jobs.queue.delete(delete_jobs=True)
        runtime.close()


def _finish(command: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        _, err = command.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail("heritage ingest still waits, for a worker that died")
    return command.returncode, err


def test_a_worker_killed_mid_file_is_noticed_and_the_other_worker_finishes_the_batch(
    scene: Scene, tmp_path: Path
) -> None:
    batch = _batch(tmp_path / "batch", [(2400, 1800)] + [(1200, 900)] * 5)
    batch_id = batch_id_for("dood", batch)
    first = scene.start("worker")
    command = scene.start("ingest", str(batch), "--collection", "dood", "--report", str(tmp_path / "report.json"))
    scene.wait_until_working(batch_id, "scans/p000.tif", command)
    scene.kill(first)  # the only worker so far was on p000: its job and lock die with it
    scene.start("worker")  # the other worker, idle until the batch is taken up again
    code, err = _finish(command)
    assert code == 0, err
    assert "worker died on scans/p000.tif: queued again" in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["counts"] == {"stored": 6, "already_ingested": 0, "failed": 0}
    assert progress(scene.runtime, batch_id).done == 6
    assert_no_duplicates(scene.runtime)
    assert_store_clean(scene.runtime)
    assert assert_masters_identical(scene.runtime, batch) == 6


def test_a_file_its_worker_dies_on_every_time_is_failed_with_the_reason(scene: Scene, tmp_path: Path) -> None:
    batch = _batch(tmp_path / "batch", [(2400, 1800), (1200, 900)])
    batch_id = batch_id_for("dood", batch)
    command = scene.start("ingest", str(batch), "--collection", "dood", "--report", str(tmp_path / "report.json"))
    for attempt in (1, 2, 3):  # the worker dies whenever it takes up p000 (as a scan too big for its memory would)
        worker = scene.start("worker")
        scene.wait_until_working(batch_id, "scans/p000.tif", command, attempt)
        scene.kill(worker)
    scene.start("worker")
    code, err = _finish(command)
    assert code == 1, err
    assert err.count("worker died on scans/p000.tif: queued again") == 2
    report = json.loads((tmp_path / "report.json").read_text())
    failed = {f["path"]: f["reason"] for f in report["files"] if f["status"] == "failed"}
    assert list(failed) == ["scans/p000.tif"]
    assert "worker died while ingesting it, 3 times" in failed["scans/p000.tif"]
    assert f"failed: scans/p000.tif: {failed['scans/p000.tif']}" in err
    assert scene.state(batch_id, "scans/p001.tif") == FileState.DONE.value
    assert_store_clean(scene.runtime)


def test_jobs_lost_from_redis_are_queued_again(scene: Scene, tmp_path: Path) -> None:
    """Redis restarted without persistence, or someone emptied the queue: the waiting command notices."""
    batch = _batch(tmp_path / "batch", [(1200, 900)] * 3)
    batch_id = batch_id_for("dood", batch)
    command = scene.start("ingest", str(batch), "--collection", "dood")
    deadline = time.monotonic() + 120
    while scene.runtime.jobs.queue.count < 3:
        assert time.monotonic() < deadline and command.poll() is None, "the files were never queued"
        time.sleep(0.05)
    scene.runtime.jobs.queue.empty()
    scene.start("worker")
    code, err = _finish(command)
    assert code == 0, err
    assert err.count("lost from Redis: queued again") == 3
    assert progress(scene.runtime, batch_id).done == 3


def test_a_worker_that_died_before_taking_its_file_is_noticed_at_once(scene: Scene, tmp_path: Path) -> None:
    """The worker had its job but had not taken the file yet: the job's lock, left free by the dead process,
    tells the waiting command at once (rq's heartbeat would take minutes), and it queues the file again."""
    batch = _batch(tmp_path / "batch", [(1200, 900)])
    batch_id = batch_id_for("dood", batch)
    command = scene.start("ingest", str(batch), "--collection", "dood")
    deadline = time.monotonic() + 120
    while (bf_id := scene.file_id(batch_id, "scans/p000.tif")) is None:
        assert time.monotonic() < deadline and command.poll() is None, "the batch was never opened"
        time.sleep(0.05)
    with working_on(scene.runtime, bf_id):  # the worker's job will wait here, before it takes the file
        worker = scene.start("worker")
        deadline = time.monotonic() + 120
        jobs = scene.runtime.settings.data_dir / "locks" / "jobs"
        while not (jobs.is_dir() and list(jobs.iterdir())):  # the job began its work (and holds its lock)
            assert time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.05)
        scene.kill(worker)
    assert scene.state(batch_id, "scans/p000.tif") == FileState.PENDING.value
    scene.start("worker")
    code, err = _finish(command)
    assert code == 0, err
    assert "worker died on scans/p000.tif: queued again" in err
    assert progress(scene.runtime, batch_id).done == 1
    assert not list((scene.runtime.settings.data_dir / "locks" / "jobs").iterdir())  # no lock left behind
