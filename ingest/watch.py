"""What a waiting ingest watches for: files whose worker died, queued again a bounded number of times,
then failed with the reason; each time said on the console and recorded as an event.

Two signs tell that a file's job will never end by itself:

- the file is `working` but nobody holds its lock (`ingest.working`): the process that took it died
  (kill -9, the OOM killer, a power cut), since a live one holds the lock until the file is done or failed;
- the file is `pending` and its job is no longer alive: the job failed before it took the file, its process
  died (the job's lock, `ingest.working.running_job`, is left free), rq failed it as abandoned (its worker
  stopped sending heartbeats), or Redis lost it.

Every file's job has an id derived from the batch run and the file's attempts, so whoever watches knows
which job to ask about, and a job queued again is a new job.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from heritage import events
from heritage.models import Batch, BatchFile, BatchHandoff, FileState, Outcome
from heritage.runtime import Runtime
from ingest import handoffs
from ingest.batches import discard_leftovers
from ingest.working import forget_job, job_died, working_on

MAX_ATTEMPTS = 3  # a file is taken up at most this often; a file that kills its worker every time then fails
ALIVE = frozenset({"queued", "started", "deferred", "scheduled"})
WORKER_DIED = "worker died"


def file_job_id(batch_id: str, batch_file_id: int, run: int, attempts: int) -> str:
    base = f"ingest-{batch_id}-{batch_file_id}-r{run}"
    return f"{base}-a{attempts}" if attempts else base


def enqueue_file(runtime: Runtime, batch_id: str, batch_file_id: int, path: str, run: int, attempts: int) -> None:
    runtime.jobs.enqueue(
        "ingest.jobs.ingest_file",
        batch_file_id,
        job_id=file_job_id(batch_id, batch_file_id, run, attempts),
        description=f"ingest {path}",
    )


@dataclass(frozen=True)
class _Again:
    """A file going back to the queue: what its new job needs."""

    batch_id: str
    batch_file_id: int
    path: str
    run: int
    attempts: int


def look(runtime: Runtime, batch_id: str, *, jobs_too: bool) -> list[str]:
    """One look at the batch (dead claims; with `jobs_too` lost jobs as well): what was done, as lines to show."""
    if not jobs_too:
        return dead_claims(runtime, batch_id)
    return dead_claims(runtime, batch_id) + lost_jobs(runtime, batch_id) + lost_handoffs(runtime, batch_id)


def dead_claims(runtime: Runtime, batch_id: str) -> list[str]:
    """Files left `working` by a process that died: queued again, or failed after MAX_ATTEMPTS."""
    with runtime.sessions() as session:
        working = session.scalars(
            select(BatchFile.id).where(BatchFile.batch_id == batch_id, BatchFile.state == FileState.WORKING.value)
        ).all()
    notices = []
    for batch_file_id in working:
        with working_on(runtime, batch_file_id, wait=False) as free:
            if not free:
                continue  # a live process is on it
            notice = _take_back(runtime, batch_file_id)  # under the lock: no job can take the file meanwhile
        if notice:
            notices.append(notice)
    return notices


def _take_back(runtime: Runtime, batch_file_id: int) -> str | None:
    with runtime.transaction() as session:
        bf = session.get(BatchFile, batch_file_id)
        if bf is None or bf.state != FileState.WORKING.value:
            return None  # it ended between the look and the lock
        discard_leftovers(runtime, bf.id, bf.sha256, bf.pages)
        at = f" (at step {bf.step})" if bf.step else ""
        if bf.attempts >= MAX_ATTEMPTS:
            reason = f"the worker died while ingesting it, {bf.attempts} times{at}: killed, or out of memory?"
            notice = f"worker died on {bf.path} {bf.attempts} times: failed"
            _fail(session, bf, reason)
            return notice
        bf.state, bf.outcome = FileState.PENDING.value, None
        again = _Again(bf.batch_id, bf.id, bf.path, _run(session, batch_id=bf.batch_id), bf.attempts)
        _record(session, bf, f"the worker died on {bf.path}{at}; queued again ({bf.attempts} of {MAX_ATTEMPTS} tries)")
    enqueue_file(runtime, again.batch_id, again.batch_file_id, again.path, again.run, again.attempts)
    return f"worker died on {again.path}: queued again"


def lost_jobs(runtime: Runtime, batch_id: str) -> list[str]:
    """Pending files whose job is no longer alive: queued again, or failed after MAX_ATTEMPTS."""
    runtime.jobs.fail_abandoned()
    with runtime.sessions() as session:
        run = _run(session, batch_id=batch_id)
        pending = session.execute(
            select(BatchFile.id, BatchFile.path, BatchFile.attempts).where(
                BatchFile.batch_id == batch_id, BatchFile.state == FileState.PENDING.value
            )
        ).all()
    jobs = {file_job_id(batch_id, bf_id, run, attempts): (bf_id, path, attempts) for bf_id, path, attempts in pending}
    statuses = runtime.jobs.statuses(list(jobs))  # read after the files: a job that took its file says `started`
    notices = []
    for job_id, status in statuses.items():
        if status in ALIVE and not (status == "started" and job_died(runtime, job_id)):
            continue
        why = WORKER_DIED if status in ALIVE else _why(runtime, job_id, status)
        bf_id, path, attempts = jobs[job_id]
        notice = _requeue_lost(runtime, batch_id, bf_id, path, run, attempts, why)
        if notice:
            notices.append(notice)
        forget_job(runtime, job_id)
    return notices


def lost_handoffs(runtime: Runtime, batch_id: str) -> list[str]:
    """Pending handoffs (policy, preservation) whose job is no longer alive: queued again, or failed."""
    with runtime.sessions() as session:
        pending = session.execute(
            select(BatchHandoff.id, BatchHandoff.kind, BatchHandoff.item_id, BatchHandoff.run, BatchHandoff.attempts)
            .join(Batch, Batch.id == BatchHandoff.batch_id)
            .where(
                BatchHandoff.batch_id == batch_id,
                BatchHandoff.run == Batch.run,
                BatchHandoff.state == FileState.PENDING.value,
            )
        ).all()
    jobs = {handoffs.handoff_job_id(row[1], row[2], batch_id, row[3], row[4]): tuple(row) for row in pending}
    notices = []
    for job_id, status in runtime.jobs.statuses(list(jobs)).items():
        if status in ALIVE and not (status == "started" and job_died(runtime, job_id)):
            continue
        handoff_id, kind, item_id, run, attempts = jobs[job_id]
        why = WORKER_DIED if status in ALIVE else _why(runtime, job_id, status)
        forget_job(runtime, job_id)
        with runtime.transaction() as session:
            taken = session.execute(
                update(BatchHandoff)
                .where(
                    BatchHandoff.id == handoff_id,
                    BatchHandoff.state == FileState.PENDING.value,
                    BatchHandoff.attempts == attempts,
                )
                .values(attempts=attempts + 1)
            ).rowcount
        if not taken:
            continue  # it ended, or another watcher took it, since the look
        what = f"{kind} of item {item_id}"
        if attempts + 1 >= MAX_ATTEMPTS:
            handoffs.fail(runtime, handoff_id, f"its job ended without doing it, {attempts + 1} times (last: {why})")
            notices.append(f"job of {what} {why}, {attempts + 1} times: failed")
            continue
        handoffs.enqueue(runtime, handoff_id, kind, item_id, batch_id, run, attempts + 1)
        notices.append(_queued_again(what, why))
    return notices


def _queued_again(what: str, why: str) -> str:
    return f"worker died on {what}: queued again" if why == WORKER_DIED else f"job of {what} {why}: queued again"


def _why(runtime: Runtime, job_id: str, status: str) -> str:
    """Why a job ended without its work: its worker died (rq: abandoned, or its work horse killed), or else."""
    if status == "unknown":
        return "lost from Redis"
    error = (runtime.jobs.status(job_id).error or "").strip()
    if "AbandonedJobError" in error or "Work-horse terminated" in error:
        return WORKER_DIED
    return f"failed ({error.splitlines()[-1]})" if status == "failed" and error else f"ended as {status}"


def _requeue_lost(
    runtime: Runtime, batch_id: str, bf_id: int, path: str, run: int, attempts: int, why: str
) -> str | None:
    with runtime.transaction() as session:
        # only from what was seen: a job that took the file meanwhile, or another watcher, wins
        taken = session.execute(
            update(BatchFile)
            .where(
                BatchFile.id == bf_id,
                BatchFile.state == FileState.PENDING.value,
                BatchFile.attempts == attempts,
            )
            .values(attempts=attempts + 1)
        ).rowcount
        if not taken:
            return None
        bf = session.get(BatchFile, bf_id)
        assert bf is not None
        if attempts + 1 >= MAX_ATTEMPTS:
            _fail(session, bf, f"its job ended without ingesting it, {attempts + 1} times (last: {why})")
            return f"job of {path} {why}, {attempts + 1} times: failed"
        _record(session, bf, f"the job of {path} ended without it ({why}); queued again")
    enqueue_file(runtime, batch_id, bf_id, path, run, attempts + 1)
    return _queued_again(path, why)


def _run(session: Session, *, batch_id: str) -> int:
    batch = session.get(Batch, batch_id)
    return batch.run if batch is not None else 1


def _fail(session: Session, bf: BatchFile, reason: str) -> None:
    bf.state, bf.outcome, bf.reason = FileState.FAILED.value, "failed", reason
    _record(session, bf, f"{bf.path}: {reason}")


def _record(session: Session, bf: BatchFile, detail: str) -> None:
    """A death or a lost job is an ingestion event that failed, on the file's item."""
    events.record(
        session,
        "ingestion",
        item_id=bf.item_id,
        outcome=Outcome.FAILURE,
        detail=detail,
        batch=bf.batch_id,
        attempts=bf.attempts,
    )
