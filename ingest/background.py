"""Batches run in the background, for the web's uploads: the request answers at once and the batch page
follows the run in the database.

Without `REDIS_URL` a batch runs in a process of its own (`python -m ingest.background BATCH`), started in
a session of its own: it outlives the request, the web worker that started it (gunicorn recycles and kills
workers) and a restart of the server, and it does not take the web workers' cores. The batch's run lock
(`ingest.working`) goes from the starting process to the run before the request answers, so the batch is
never seen without its run. A run that dies (a kill, a power cut) leaves the batch as a killed `heritage
ingest` would; `has_live_run` tells, and `resume` plans the batch again and starts a new run, exactly as
running the same `heritage ingest` again does. With `REDIS_URL` the files are rq jobs, as on the command line.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import select

from heritage.jobs import InlineQueue
from heritage.models import Batch, BatchFile, FileState
from heritage.runtime import Runtime
from heritage.settings import SETTINGS, Settings
from ingest.pipeline import plan_batch, run_batch
from ingest.watch import file_job_id
from ingest.working import claim_batch_run, is_batch_being_run, is_being_worked_on

LIVE_JOB_STATES = {"queued", "started", "deferred", "scheduled"}


def log_path(runtime: Runtime, batch_id: str) -> Path:
    """Where a background run writes what went wrong (tracebacks of internal errors)."""
    folder = runtime.settings.data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"batch-{batch_id}.log"


def _environment(settings: Settings) -> dict[str, str]:
    """The process's environment with every setting as the web has it (unset ones cleared, not inherited)."""
    return {**os.environ, **{s.env: "" for s in SETTINGS}, **settings.as_env()}


def start(runtime: Runtime, batch_id: str) -> bool:
    """Run the batch in the background unless a live process runs it already; True when a run was started."""
    if not isinstance(runtime.jobs, InlineQueue):
        run_batch(runtime, batch_id, wait=False)  # each file an rq job; the workers run them
        return True
    lock = claim_batch_run(runtime, batch_id)
    if lock is None:
        return False
    try:
        with log_path(runtime, batch_id).open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "ingest.background", batch_id],
                env=_environment(runtime.settings),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(lock,),  # the run holds the batch's lock from its first instant
                start_new_session=True,  # a signal to the server's process group does not stop it
            )
    finally:
        os.close(lock)
    threading.Thread(target=process.wait, name=f"reap-{batch_id}", daemon=True).start()  # no zombie left
    return True


def has_live_run(runtime: Runtime, batch_id: str) -> bool:
    """True while a live process moves the batch on: one holding its run lock or one of its files' locks,
    or (with rq) a job waiting for, or working on, its next file."""
    if is_batch_being_run(runtime, batch_id):
        return True
    with runtime.sessions() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            return False
        working = session.scalars(
            select(BatchFile.id).where(BatchFile.batch_id == batch_id, BatchFile.state == FileState.WORKING.value)
        ).all()
        following = session.execute(
            select(BatchFile.id, BatchFile.attempts)
            .where(BatchFile.batch_id == batch_id, BatchFile.state == FileState.PENDING.value)
            .order_by(BatchFile.position)
            .limit(1)
        ).first()
        run = batch.run
    if any(is_being_worked_on(runtime, batch_file_id) for batch_file_id in working):
        return True
    if following is None or isinstance(runtime.jobs, InlineQueue):
        return False
    following_id, attempts = following
    return runtime.jobs.status(file_job_id(batch_id, following_id, run, attempts)).status in LIVE_JOB_STATES


def resume(runtime: Runtime, batch_id: str, *, agent: str) -> bool:
    """Plan the batch again from its folder (a rerun: done files stay done, the rest is tried again) and run
    it in the background; False when a live process runs it already.

    Raises:
        InvalidInput, InvalidMetadata: the batch's folder can no longer be read; nothing was changed.
    """
    if has_live_run(runtime, batch_id):
        return False
    with runtime.sessions() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            return False
        source, collection, options = Path(batch.source), batch.collection.slug, dict(batch.options or {})
    plan_batch(
        runtime,
        source,
        collection,
        unit=options.get("unit"),
        domain=options.get("domain"),
        fmt=options.get("format") or "auto",
        agent=agent,
    )
    return start(runtime, batch_id)


def main(argv: list[str] | None = None) -> int:
    """The background run: `python -m ingest.background BATCH`, with the settings in the environment."""
    (batch_id,) = argv if argv is not None else sys.argv[1:]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = Runtime.open(Settings.load())
    try:
        run_batch(runtime, batch_id)
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
