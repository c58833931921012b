"""What a finished batch hands on for each of its items: the policy evaluation and the next OCFL version.

Each handoff is a row (`BatchHandoff`, written in the transaction that finishes the batch) and a job; the
version is also asked for in the preservation outbox in that transaction, so a process killed before the
job ran leaves the request to the next command, a worker or the rerun (`heritage.preservation.outbox`). The
job records how it went; a failure is an event, fails the item's files of the batch with the reason (so the
report, the exit status and the batch page show it) and is listed in the report, for items without files
too. The waiting command waits for the handoffs as for the files; a rerun of the batch hands on again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from heritage import events
from heritage.errors import NotFound
from heritage.models import Batch, BatchFile, BatchHandoff, FileState, HandoffKind, Outcome
from heritage.preservation import outbox
from heritage.runtime import Runtime

KINDS = (HandoffKind.POLICY, HandoffKind.PRESERVATION)  # all policy jobs first: the versions then hold decisions
EVENT_TYPES = {HandoffKind.POLICY: "policy_assignment", HandoffKind.PRESERVATION: "information_package_creation"}
log = logging.getLogger(__name__)


def handoff_job_id(kind: str, item_id: str, batch_id: str, run: int, attempts: int) -> str:
    base = f"{kind}-{item_id}-{batch_id}-r{run}"
    return f"{base}-a{attempts}" if attempts else base


def record(session: Session, batch: Batch) -> None:
    """Write the batch run's handoffs as pending (in the transaction that finishes the batch)."""
    existing = {
        (h.item_id, h.kind): h for h in session.scalars(select(BatchHandoff).where(BatchHandoff.batch_id == batch.id))
    }
    for kind in KINDS:
        for item_id in (batch.options or {}).get("items", []):
            row = existing.get((item_id, kind.value))
            if row is None:
                row = BatchHandoff(batch_id=batch.id, item_id=item_id, kind=kind.value)
                session.add(row)
            row.run, row.state, row.attempts, row.reason = batch.run, FileState.PENDING.value, 0, None
    for item_id in (batch.options or {}).get("items", []):
        outbox.request(session, item_id, f"ingest batch {batch.id} (run {batch.run})")


def enqueue_pending(runtime: Runtime, batch_id: str) -> int:
    """Enqueue every pending handoff of the batch's latest run (inline: run it now); returns how many."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(BatchHandoff.id, BatchHandoff.kind, BatchHandoff.item_id, BatchHandoff.run, BatchHandoff.attempts)
            .join(Batch, Batch.id == BatchHandoff.batch_id)
            .where(
                BatchHandoff.batch_id == batch_id,
                BatchHandoff.run == Batch.run,
                BatchHandoff.state == FileState.PENDING.value,
            )
            .order_by(BatchHandoff.id)
        ).all()
    for handoff_id, kind, item_id, run, attempts in rows:
        enqueue(runtime, handoff_id, kind, item_id, batch_id, run, attempts)
    return len(rows)


def enqueue(runtime: Runtime, handoff_id: int, kind: str, item_id: str, batch_id: str, run: int, attempts: int) -> None:
    runtime.jobs.enqueue(
        "ingest.jobs.hand_on",
        handoff_id,
        job_id=handoff_job_id(kind, item_id, batch_id, run, attempts),
        description=f"{kind} of {item_id}",
    )


def remaining(runtime: Runtime, batch_id: str) -> int:
    """Handoffs of the batch's latest run still to do."""
    with runtime.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(BatchHandoff)
                .join(Batch, Batch.id == BatchHandoff.batch_id)
                .where(
                    BatchHandoff.batch_id == batch_id,
                    BatchHandoff.run == Batch.run,
                    BatchHandoff.state == FileState.PENDING.value,
                )
            )
            or 0
        )


def _policy(runtime: Runtime, item_id: str, batch_id: str, run: int) -> None:
    from heritage.policy.jobs import evaluate_item

    evaluate_item(item_id)


def _preservation(runtime: Runtime, item_id: str, batch_id: str, run: int) -> None:
    """Drain the item's outbox rows (the batch's request among them); what could not be written stays there."""
    done = outbox.drain_item(runtime, item_id, message=f"ingest batch {batch_id} (run {run})")
    if done.error:
        raise PreservationFailed(done.error)


class PreservationFailed(Exception):
    """The item's next version (or its replica) could not be written; its changes wait in the outbox."""


STEPS: dict[str, Callable[[Runtime, str, str, int], None]] = {
    HandoffKind.POLICY.value: _policy,
    HandoffKind.PRESERVATION.value: _preservation,
}


def run(runtime: Runtime, handoff_id: int) -> dict[str, Any]:
    """Do one handoff and record how it went; a no-op once it is done or failed."""
    with runtime.sessions() as session:
        row = session.get(BatchHandoff, handoff_id)
        if row is None or row.state != FileState.PENDING.value:
            return {"handoff": handoff_id, "state": row.state if row is not None else "gone"}
        kind, item_id, batch_id, run_ = row.kind, row.item_id, row.batch_id, row.run
    try:
        STEPS[kind](runtime, item_id, batch_id, run_)
    except NotFound:
        pass  # the item was deleted since: nothing to hand on
    except Exception as exc:  # any failure must reach the report, not end in a log line
        log.exception("%s of %s failed", kind, item_id)
        fail(runtime, handoff_id, str(exc) if isinstance(exc, PreservationFailed) else f"{type(exc).__name__}: {exc}")
        return {"handoff": handoff_id, "state": FileState.FAILED.value}
    with runtime.transaction() as session:
        session.execute(
            update(BatchHandoff)
            .where(BatchHandoff.id == handoff_id, BatchHandoff.state == FileState.PENDING.value)
            .values(state=FileState.DONE.value)
        )
    return {"handoff": handoff_id, "state": FileState.DONE.value}


def fail(runtime: Runtime, handoff_id: int, reason: str) -> None:
    """The handoff failed: record it, fail the item's files of the batch with the reason, and an event."""
    with runtime.transaction() as session:
        row = session.get(BatchHandoff, handoff_id)
        if row is None:
            return
        row.state, row.reason = FileState.FAILED.value, reason
        because = f"{row.kind} failed: {reason}"
        for bf in session.scalars(
            select(BatchFile).where(
                BatchFile.batch_id == row.batch_id,
                BatchFile.item_id == row.item_id,
                BatchFile.state == FileState.DONE.value,
            )
        ):
            bf.state, bf.outcome, bf.reason, bf.step = FileState.FAILED.value, "failed", because, row.kind
        events.record(
            session,
            EVENT_TYPES[HandoffKind(row.kind)],
            item_id=row.item_id,
            outcome=Outcome.FAILURE,
            detail=because,
            batch=row.batch_id,
        )
