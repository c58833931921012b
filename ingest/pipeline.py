"""The ingest pipeline: a batch (folder, sheet, standard metadata file or BagIt bag) in, items described,
every file checksummed, identified, measured, checked, stored once, derived and indexed.

A batch is a database object whose files are rows with states (`ingest.batches`); each file is one job
(`ingest.jobs.ingest_file`, taking the batch file's id) that runs inline without `REDIS_URL` and on any
`heritage worker` with it. Running the same batch again resumes it: what is done stays done, what was
left half-way is finished, nothing is stored twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from sqlalchemy import select

from heritage.errors import InvalidInput
from heritage.jobs import InlineQueue
from heritage.models import BatchFile, FileState
from heritage.runtime import Runtime
from ingest import handoffs
from ingest.batches import (
    FileReport,
    IngestReport,
    Progress,
    finish_if_complete,
    open_batch,
    pending_files,
    progress,
    report,
)
from ingest.discover import Batch, Finding, discover
from ingest.process import process_file
from ingest.quality import load_guideline
from ingest.watch import enqueue_file, look
from ingest.working import is_being_worked_on, running_batch
from metadata_schemas import registry
from metadata_schemas.errors import InvalidMetadata

__all__ = ["FileReport", "IngestReport", "Progress", "ingest", "plan_batch", "run_batch"]

ProgressCallback = Callable[[Progress, str | None], None]
POLL_SECONDS = 0.5
JOB_LOOK_EVERY = 10  # polls between looks at the jobs of pending files (one Redis round trip for all of them)


def validate_metadata(batch: Batch, *, strict: bool = False) -> None:
    """Lenient in: a metadata file in a standard with a schema whose records could be read (`discover` did)
    but that breaks a rule of its schema is taken in, each problem a warning located FILE:LINE, as
    `heritage metadata convert` does.

    Raises:
        InvalidMetadata: with `strict`, the metadata file is not valid in its standard (every problem located);
            without, text of a record is missing (entities never expanded).
    """
    if batch.metadata_file is None or batch.standard is None:
        return
    standard = registry.get(batch.standard)
    problems = list(standard.validate(batch.metadata_file))
    # a CSV sheet has no schema to break: its problems (no title, an unknown access) are the catalogue's rules
    if problems and (strict or not getattr(standard, "schema_keys", ()) or any(p.lost for p in problems)):
        raise InvalidMetadata(problems)
    meta = batch.metadata_file
    name = meta.relative_to(batch.root).as_posix() if meta.is_relative_to(batch.root) else meta.name
    batch.warnings[:0] = [Finding(name, p.line, None, p.message) for p in problems]


def plan_batch(
    runtime: Runtime,
    path: Path,
    collection: str,
    *,
    unit: str | None = None,
    fmt: str = "auto",
    domain: str | None = None,
    agent: str | None = None,
    include_unlisted: bool = False,
    strict: bool = False,
) -> str:
    """Read and check the batch, create or update its items, open (or resume) it; returns the batch id.

    With `include_unlisted`, files the metadata file does not name become items of their own; with `strict`, a
    metadata file that breaks its schema is refused (otherwise each problem is a warning).

    Raises:
        InvalidInput, InvalidMetadata: the batch cannot be read at all; nothing was stored.
    """
    path = path.expanduser()
    load_guideline(runtime.settings.digitisation_guideline)  # a wrong setting stops before anything is stored
    plan = discover(path, fmt, include_unlisted=include_unlisted)
    validate_metadata(plan, strict=strict)
    if not plan.items and not plan.rejected:
        raise InvalidInput(f"{path}: nothing to ingest (no files and no records)")
    return open_batch(runtime, plan, path, collection, unit=unit, domain=domain, fmt=fmt, agent=agent)


def run_batch(
    runtime: Runtime,
    batch_id: str,
    *,
    on_progress: ProgressCallback | None = None,
    wait: bool = True,
    parallel: int | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> IngestReport:
    """Run every pending file of the batch: inline (`parallel` files at a time), or as rq jobs (then wait).

    While it waits for rq workers it watches for files whose worker died (`ingest.watch`): they are queued
    again or failed, and `on_notice` hears of each ("worker died on FILE: queued again"). The batch's run lock
    is held throughout, so its page knows a live process is on it.
    """
    with running_batch(runtime, batch_id):
        return _run_batch(runtime, batch_id, on_progress, wait, parallel, on_notice)


def _run_batch(
    runtime: Runtime,
    batch_id: str,
    on_progress: ProgressCallback | None,
    wait: bool,
    parallel: int | None,
    on_notice: Callable[[str], None] | None,
) -> IngestReport:
    todo = pending_files(runtime, batch_id)
    if on_progress:
        on_progress(progress(runtime, batch_id), None)
    if isinstance(runtime.jobs, InlineQueue):
        _run_inline(runtime, batch_id, todo, parallel or default_parallel(), on_progress)
        while wait and _others_still_working(runtime, batch_id):  # a rerun while an earlier run is alive
            time.sleep(POLL_SECONDS)
    else:
        run = report_run(runtime, batch_id)
        for batch_file_id, path in todo:
            enqueue_file(runtime, batch_id, batch_file_id, path, run, attempts=0)
        if wait:
            _wait_for_workers(runtime, batch_id, on_progress, on_notice)
    finish_if_complete(runtime, batch_id)
    return report(runtime, batch_id)


def _wait_for_workers(
    runtime: Runtime, batch_id: str, on_progress: ProgressCallback | None, on_notice: Callable[[str], None] | None
) -> None:
    """Until every file is done or failed and every handoff of the batch has ended, watching for dead workers."""
    polls = 0
    while True:
        for notice in look(runtime, batch_id, jobs_too=polls % JOB_LOOK_EVERY == JOB_LOOK_EVERY - 1):
            if on_notice:
                on_notice(notice)
        state = progress(runtime, batch_id)
        if on_progress:
            on_progress(state, None)
        if state.remaining == 0:
            finish_if_complete(runtime, batch_id)  # whoever finished the last file may have died before this
            if handoffs.remaining(runtime, batch_id) == 0:
                return
        polls += 1
        time.sleep(POLL_SECONDS)


def _others_still_working(runtime: Runtime, batch_id: str) -> bool:
    """True while another live process is on a file of this batch (this rerun left that file to it)."""
    with runtime.sessions() as session:
        working = session.scalars(
            select(BatchFile.id).where(BatchFile.batch_id == batch_id, BatchFile.state == FileState.WORKING.value)
        ).all()
    return any(is_being_worked_on(runtime, batch_file_id) for batch_file_id in working)


def default_parallel() -> int:
    """Files at a time when jobs run inline: one per core (at most 4); each file's work frees the GIL."""
    return max(1, min(4, os.cpu_count() or 1))


def _run_inline(
    runtime: Runtime, batch_id: str, todo: list[tuple[int, str]], parallel: int, on_progress: ProgressCallback | None
) -> None:
    """Files on a few threads of this process (hashing, decoding and JPEG encoding run outside the GIL)."""
    if parallel <= 1:
        for batch_file_id, path in todo:
            runtime.jobs.enqueue("ingest.jobs.ingest_file", batch_file_id, job_id=f"ingest-{batch_file_id}")
            if on_progress:
                on_progress(progress(runtime, batch_id), path)
        return
    with ThreadPoolExecutor(parallel, thread_name_prefix="ingest") as pool:
        running = {pool.submit(process_file, runtime, batch_file_id): path for batch_file_id, path in todo}
        for finished in as_completed(running):
            finished.result()
            if on_progress:
                on_progress(progress(runtime, batch_id), running[finished])


def report_run(runtime: Runtime, batch_id: str) -> int:
    from heritage.models import Batch

    with runtime.sessions() as session:
        batch = session.get(Batch, batch_id)
        return batch.run if batch else 1


def ingest(
    runtime: Runtime,
    path: Path,
    collection: str,
    *,
    unit: str | None = None,
    fmt: str = "auto",
    domain: str | None = None,
    on_progress: ProgressCallback | None = None,
    wait: bool = True,
    parallel: int | None = None,
    include_unlisted: bool = False,
    strict: bool = False,
) -> IngestReport:
    """Ingest a batch into a collection (created when it does not exist yet); returns the report.

    Raises:
        InvalidInput, InvalidMetadata: the batch cannot be read at all (with `strict`: or breaks its schema);
            nothing was stored.
    """
    batch_id = plan_batch(
        runtime,
        path,
        collection,
        unit=unit,
        fmt=fmt,
        domain=domain,
        include_unlisted=include_unlisted,
        strict=strict,
    )
    return run_batch(runtime, batch_id, on_progress=on_progress, wait=wait, parallel=parallel)
