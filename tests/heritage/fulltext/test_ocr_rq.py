"""With Redis, OCR is a job of its own on the queue: the batch finishes (and is searchable) first, a worker
reads the text afterwards. A real Redis and a real `heritage worker` process."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.models import Batch, Event, PageText
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from heritage.settings import Settings
from ingest.pipeline import ingest
from tests.conftest import REDIS_URL
from tests.heritage.fulltext.test_ocr import batch

pytestmark = [pytest.mark.redis, pytest.mark.db]


def test_a_worker_reads_the_text_after_the_batch_has_finished(settings: Settings, tmp_path: Path) -> None:
    rq_settings = Settings.load(
        {
            "data_dir": settings.data_dir,
            "database_url": settings.database_url,
            "redis_url": REDIS_URL,
            "queue_name": f"test-ocr-{uuid.uuid4().hex[:8]}",
        },
        environ={},
    )
    runtime = Runtime.open(rq_settings)
    try:
        rows = [
            {"identifier": f"W{n}", "title": f"Werkblad {n}", "language": "nl", "files": f"w{n}.png"} for n in (1, 2)
        ]
        ingest(runtime, batch(tmp_path / "b", rows), "reg", wait=False)
        env = {**os.environ, **rq_settings.as_env()}
        done = subprocess.run(
            [sys.executable, "-m", "heritage", "worker", "--burst"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        with runtime.sessions() as s:
            finished = s.scalar(select(Batch.finished_at))
            texts = s.scalars(select(PageText)).all()
            read_at = [e.at for e in s.scalars(select(Event).where(Event.type == "ocr"))]
        assert [t.state for t in texts] == ["done", "done"] and all(t.languages == "nld" for t in texts)
        assert finished is not None and len(read_at) == 2 and finished < min(read_at)  # the batch did not wait
        assert runtime.index.search(SearchQuery(q="werkblad")).total == 2
        ocr_jobs = [j for j in runtime.jobs.queue.finished_job_registry.get_job_ids() if j.startswith("ocr-")]
        assert len(ocr_jobs) == 2
    finally:
        runtime.close()
