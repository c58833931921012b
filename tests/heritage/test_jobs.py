"""The one job interface: inline without Redis, rq with it (a real Redis and a real worker process)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.jobs import InlineQueue, JobQueue, RqQueue, make_queue
from heritage.models import File, PolicyDecision
from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.pipeline import ingest
from tests.conftest import REDIS_URL
from tests.helpers import small_batch


def test_both_queues_meet_the_protocol(runtime: Runtime) -> None:
    assert isinstance(InlineQueue(runtime), JobQueue)
    assert isinstance(RqQueue(REDIS_URL, "protocol-check"), JobQueue)


def test_inline_queue_runs_the_job_at_once(runtime: Runtime, tmp_path: Path) -> None:
    assert isinstance(make_queue(runtime), InlineQueue)
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    with runtime.sessions() as s:
        files = s.scalars(select(File)).all()
    assert len(files) == 3 and all(f.derivatives_ready for f in files)


def test_job_arguments_must_be_ids(runtime: Runtime) -> None:
    with pytest.raises(TypeError, match="ids"):
        InlineQueue(runtime).enqueue("heritage.search.indexer.index_item", object())  # type: ignore[arg-type]


@pytest.mark.redis
@pytest.mark.db
def test_rq_path_job_enqueued_run_by_real_worker_result_visible(settings: Settings, tmp_path: Path) -> None:
    queue = f"test-{uuid.uuid4().hex[:8]}"
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
    assert isinstance(runtime.jobs, RqQueue)
    queued = ingest(runtime, small_batch(tmp_path / "batch"), "pedel", wait=False)
    assert queued.as_dict()["counts"]["remaining"] == 3
    with runtime.sessions() as s:
        assert s.scalars(select(File)).all() == []  # enqueued, not run yet
    assert runtime.jobs.queue.count == 3
    env = {**os.environ, **rq_settings.as_env()}
    done = subprocess.run(
        [sys.executable, "-m", "heritage", "worker", "--burst"], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    with runtime.sessions() as s:
        files = s.scalars(select(File)).all()
        assert len(files) == 3 and all(f.derivatives_ready for f in files)
        assert len(s.scalars(select(PolicyDecision)).all()) == 4  # the worker ran heritage.policy.jobs.evaluate_item
    job_id = runtime.jobs.queue.job_ids[0] if runtime.jobs.queue.job_ids else None
    assert job_id is None  # the queue is empty
    finished = [j for j in runtime.jobs.queue.finished_job_registry.get_job_ids() if j.startswith("ingest-")]
    handle = runtime.jobs.status(finished[0])
    assert len(finished) == 3 and handle.status == "finished" and handle.result["state"] == "done"
    runtime.close()


@pytest.mark.redis
def test_a_job_of_another_queue_with_the_same_id_is_not_ours() -> None:
    """Job ids are global in Redis: the outbox's fixed drain id queued on another queue (a killed test run,
    another deployment) must not make this queue believe its drain is already waiting."""
    mine, other = (RqQueue(REDIS_URL, f"test-{uuid.uuid4().hex[:8]}") for _ in range(2))
    job_id = f"fixed-{uuid.uuid4().hex[:8]}"
    other.enqueue("heritage.search.indexer.index_item", "x", job_id=job_id)
    try:
        assert other.status(job_id).status == "queued"
        assert mine.status(job_id).status == "unknown"
        mine.enqueue("heritage.search.indexer.index_item", "x", job_id=job_id)
        assert mine.status(job_id).status == "queued" and job_id in mine.queue.job_ids
    finally:
        for queue in (mine, other):
            queue.queue.empty()
            queue.queue.delete(delete_jobs=True)
