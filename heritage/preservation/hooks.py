"""Every surface that changes an item in a way the preservation store keeps feeds it: a session hook
notices the events such changes record and, once committed, asks for the item's next OCFL version.

Ingest is not among them: the end of a batch preserves its items once, not at every file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from heritage.models import Event

# Event types that change what an item's object holds, outside ingest.
TRIGGERS = frozenset(
    {"movement", "custody change", "access_change", "metadata_modification", "deletion", "recovery", "migration"}
)
KEY = "heritage_preserve"
OFF = "heritage_preserve_off"  # set in a session's info to write no versions (rebuilding from the store)


def track(sessions: sessionmaker[Session], runtime: Any) -> None:
    """Preserve items whose changes these sessions commit (through `runtime.jobs`)."""

    def after_flush(session: Session, _context: Any) -> None:
        if session.info.get(OFF):
            return
        for obj in session.new:
            if isinstance(obj, Event) and obj.type in TRIGGERS and obj.item_id:
                session.info.setdefault(KEY, {})[obj.item_id] = obj.type

    def after_commit(session: Session) -> None:
        pending = session.info.pop(KEY, None)
        for item_id, why in (pending or {}).items():
            runtime.jobs.enqueue(
                "heritage.preservation.jobs.preserve_item",
                item_id,
                why,
                job_id=f"preserve-{item_id}",
                description=f"preserve {item_id} ({why})",
            )

    def after_rollback(session: Session) -> None:
        session.info.pop(KEY, None)

    event.listen(sessions, "after_flush", after_flush)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)
