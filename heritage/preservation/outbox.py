"""The preservation outbox: a committed change of an item reaches its OCFL object, whatever gets killed when.

A row (`PreservationRequest`: the item, what changed, when) is written by the session hook in the same
transaction as the change, so a process killed right after its commit leaves the request behind; the row
is deleted only once a version holding the change is written and, with a replica, copied there. Who
drains it: the job each change asks for at once (`jobs.preserve_item`), the end of an ingest batch, every
`heritage` command as it starts (one indexed query when nothing waits; with `REDIS_URL` it queues one job
that gives the workers a job per waiting item instead), `heritage preservation sync` and the scheduled audit.

Two drains of one item at once are safe: each reads the rows first, then writes under the object's lock
from a session opened after that read (so what it writes holds every change those rows stand for), and
deletes only the rows it read. A change committed meanwhile keeps its row for the next drain.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from heritage import events
from heritage.errors import ConfigurationError, NotFound
from heritage.models import Outcome, PreservationRequest
from heritage.runtime import Runtime

log = logging.getLogger(__name__)

DRAIN_JOB = "heritage-preservation-outbox"
PAGE = 500
PENDING = ("queued", "started", "scheduled", "deferred")  # rq states of a job that will still run


def request(session: Session, item_id: str, reason: str) -> None:
    """Ask, within the caller's transaction, for the item's next version."""
    session.add(PreservationRequest(item_id=item_id, reason=reason[:200]))


@dataclass(frozen=True)
class Drained:
    item: str
    version: str | None = None  # the version written (None: the head already held the changes)
    error: str | None = None  # why the rows are still waiting
    unusable: bool = False  # the store or replica cannot be used at all: every other item would fail alike


@dataclass
class DrainReport:
    items: int = 0
    versions: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # item -> why its changes still wait
    stopped: str | None = None  # the store or replica is unusable: the sweep stopped here
    busy: bool = False  # another process was draining: this one left it to it

    def warning(self, runtime: Runtime) -> str | None:
        """One line for the console when changes are left waiting (None when all went in)."""
        if not (self.stopped or self.failed):
            return None
        left = count_waiting(runtime)
        why = self.stopped or next(iter(self.failed.values()))
        items = "1 item" if left == 1 else f"{left} items"
        return f"changes of {items} wait for the preservation store (the next command tries again): {why}"


def waiting(session: Session) -> dict[str, tuple[datetime, str]]:
    """Items with changes waiting for their next version: since when, and what changed."""
    first = func.min(PreservationRequest.id)
    rows = session.execute(
        select(PreservationRequest.item_id, PreservationRequest.reason, func.min(PreservationRequest.requested_at))
        .group_by(PreservationRequest.item_id, PreservationRequest.reason)
        .order_by(first)
    )
    found: dict[str, tuple[datetime, list[str]]] = {}
    for item_id, reason, at in rows:
        since, reasons = found.setdefault(item_id, (at, []))
        found[item_id] = (min(since, at), [*reasons, reason])
    return {item: (since, ", ".join(reasons)) for item, (since, reasons) in found.items()}


def drain_item(runtime: Runtime, item_id: str, *, message: str | None = None) -> Drained:
    """Write the version holding every change waiting for this item (and replicate it); delete those rows.

    Never raises for a failure of the store or the replica: the rows stay (with the error and a count of
    attempts) for the next drain, and the first failure of a kind is an event of the item.
    """
    from heritage.preservation.service import preserve

    with runtime.sessions() as session:
        rows = session.execute(
            select(PreservationRequest.id, PreservationRequest.reason, PreservationRequest.last_error)
            .where(PreservationRequest.item_id == item_id)
            .order_by(PreservationRequest.id)
        ).all()
    if not rows:
        return Drained(item_id)
    ids = [row.id for row in rows]
    reasons = list(dict.fromkeys(row.reason for row in rows))
    try:
        result = preserve(runtime, item_id, message=message or f"changed: {', '.join(reasons)}")
    except NotFound:
        _done(runtime, ids)  # the item was removed: there is nothing more to write
        return Drained(item_id)
    except ConfigurationError as exc:
        _failed(runtime, item_id, ids, str(exc), {row.last_error for row in rows})
        return Drained(item_id, error=str(exc), unusable=True)
    except Exception as exc:
        log.exception("preservation of %s failed", item_id)
        error = f"the preservation store could not be written: {type(exc).__name__}: {exc}"
        _failed(runtime, item_id, ids, error, {row.last_error for row in rows})
        return Drained(item_id, error=error)
    if not result.in_step:
        error = "the replica could not be brought up to date (see its replication event)"
        _failed(runtime, item_id, ids, error, {error}, record=False)  # the replication event says why
        return Drained(item_id, result.version, error)
    _done(runtime, ids)
    return Drained(item_id, result.version)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    """Ids a few hundred at a time (a book of many pages has a row per page; databases bound a query's parameters)."""
    for start in range(0, len(ids), PAGE):
        yield ids[start : start + PAGE]


def _done(runtime: Runtime, ids: list[int]) -> None:
    """Delete exactly the rows that were read (a change committed since keeps its own)."""
    with runtime.transaction() as session:
        for chunk in _chunks(ids):
            session.execute(delete(PreservationRequest).where(PreservationRequest.id.in_(chunk)))


def _failed(
    runtime: Runtime, item_id: str, ids: list[int], error: str, known: set[str | None], *, record: bool = True
) -> None:
    with runtime.transaction() as session:
        for chunk in _chunks(ids):
            session.execute(
                update(PreservationRequest)
                .where(PreservationRequest.id.in_(chunk))
                .values(attempts=PreservationRequest.attempts + 1, last_error=error)
            )
        if record and error not in known:  # once per kind of failure, not at every retry
            events.record(
                session, "information_package_creation", item_id=item_id, outcome=Outcome.FAILURE, detail=error
            )


@contextmanager
def _draining(runtime: Runtime, *, wait: bool) -> Iterator[bool]:
    """One sweep of the outbox at a time per store (a flock, released by the kernel if the process dies)."""
    from heritage.preservation.service import store_of

    store = store_of(runtime)
    locks = store.work / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with (locks / "outbox.lock").open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _pages(runtime: Runtime) -> Iterator[str]:
    """Waiting item ids, oldest request first, read a page at a time (keyset over each item's oldest row, so an
    item whose drain fails keeps its place behind the cursor and a sweep ends)."""
    after = 0
    while True:
        with runtime.sessions() as session:
            first = func.min(PreservationRequest.id)
            page = session.execute(
                select(PreservationRequest.item_id, first)
                .group_by(PreservationRequest.item_id)
                .having(first > after)
                .order_by(first)
                .limit(PAGE)
            ).all()
        if not page:
            return
        for item_id, oldest in page:
            after = oldest
            yield item_id


def drain(runtime: Runtime, *, wait: bool = True) -> DrainReport:
    """Drain every waiting item once, here (`wait=False`: not when another process is at it).

    A store or replica that is not usable at all stops the sweep (`stopped`): what was not reached waits.
    """
    report = DrainReport()
    with _draining(runtime, wait=wait) as mine:
        if not mine:
            report.busy = True
            return report
        for item_id in _pages(runtime):
            done = drain_item(runtime, item_id)
            if done.unusable:
                report.stopped = done.error
                return report
            report.items += 1
            report.versions += done.version is not None
            if done.error:
                report.failed[item_id] = done.error
    return report


def dispatch(runtime: Runtime) -> int:
    """With workers: a `preserve_item` job for every waiting item that has none queued or running; how many.

    One short job per item, so workers share the work and stop soon when asked to.
    """
    queued = 0
    for item_id in _pages(runtime):
        job_id = f"preserve-{item_id}"
        if runtime.jobs.status(job_id).status in PENDING:
            continue
        runtime.jobs.enqueue(
            "heritage.preservation.jobs.preserve_item",
            item_id,
            None,
            job_id=job_id,
            description=f"preserve {item_id} (waiting in the outbox)",
        )
        queued += 1
    return queued


def has_waiting(runtime: Runtime) -> bool:
    """True when a change waits (False too when the table is not there yet: an unmigrated database)."""
    try:
        with runtime.sessions() as session:
            return session.scalar(select(PreservationRequest.id).limit(1)) is not None
    except DBAPIError:
        return False


def count_waiting(runtime: Runtime) -> int:
    """How many items have changes waiting."""
    with runtime.sessions() as session:
        return session.scalar(select(func.count(func.distinct(PreservationRequest.item_id)))) or 0


def drain_at_start(runtime: Runtime) -> DrainReport | None:
    """What every command does first: drain what crashed processes left (with `REDIS_URL`: one job that gives the
    workers a job per waiting item). None when nothing waits or the drain was queued."""
    if not has_waiting(runtime):
        return None
    if runtime.settings.redis_url:
        if runtime.jobs.status(DRAIN_JOB).status not in PENDING:
            runtime.jobs.enqueue(
                "heritage.preservation.jobs.drain_outbox", job_id=DRAIN_JOB, description="preservation outbox"
            )
        return None
    return drain(runtime, wait=False)
