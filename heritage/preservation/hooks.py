"""Every change of what an item's OCFL object holds reaches the store: a session hook writes an outbox row
(`outbox.py`) in the same transaction as the change, and after the commit asks at once for the version
of the changes the archivist waits for (a move, a custody, access or metadata change: the events in
TRIGGERS); the rest (files, descriptions, catalogue rows changed by ingest or by the masterplan's facts)
waits for the end of the batch, the next command or `heritage preservation sync`.

What a change is: a new, changed or removed item row (its `updated_at` apart), metadata record or file,
and an event of a TRIGGERS type. Two session flags: `LATER` (rows, but no version at the commit: ingest's
batch opening, whose end writes each item once) and `OFF` (no rows at all: rebuilding from the store).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from heritage.changes import has_changes, item_of
from heritage.models import Event, File, Item, MetadataRecord
from heritage.preservation import outbox

# Event types that change what an item's object holds, outside ingest: their version is written at once.
TRIGGERS = frozenset(
    {
        "movement",
        "custody change",
        "access_change",
        "metadata_modification",
        "deaccession",
        "deletion",
        "recovery",
        "migration",
    }
)
KEY = "heritage_preserve"
OFF = "heritage_preserve_off"  # set in a session's info to ask for no versions (rebuilding from the store)
LATER = "heritage_preserve_later"  # set to ask for versions without writing them at the commit (a batch's end does)
UNKEPT = {Item: frozenset({"updated_at", "children"})}  # what item.json does not hold


def track(sessions: sessionmaker[Session], runtime: Any) -> None:
    """Put the changes these sessions commit into the outbox, and drain the urgent ones (through `runtime.jobs`)."""

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if session.info.get(OFF):
            return
        with session.no_autoflush:
            changed = _changed_items(session)
        for item_id, why in changed.items():
            outbox.request(session, item_id, why)
            if why in TRIGGERS and not session.info.get(LATER):
                session.info.setdefault(KEY, {})[item_id] = why

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

    event.listen(sessions, "before_flush", before_flush)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)


def _changed_items(session: Session) -> dict[str, str]:
    """Item id -> what changed in this flush (an event type of TRIGGERS before anything else)."""
    found: dict[str, str] = {}

    def note(item_id: str | None, why: str) -> None:
        if item_id and (found.get(item_id) not in TRIGGERS or why in TRIGGERS):
            found[item_id] = why

    for obj in session.new:
        if isinstance(obj, Event) and obj.type in TRIGGERS:
            note(obj.item_id, obj.type)
        elif isinstance(obj, Item):
            note(obj.id, "new item")
        elif isinstance(obj, MetadataRecord | File):
            note(item_of(obj), "description" if isinstance(obj, MetadataRecord) else "files")
    for obj in session.dirty:
        if isinstance(obj, Item | MetadataRecord | File) and _kept_change(obj):
            what = {Item: "catalogue row", MetadataRecord: "description", File: "files"}[type(obj)]
            note(obj.id if isinstance(obj, Item) else item_of(obj), what)
    for obj in session.deleted:
        if isinstance(obj, Item):
            note(obj.id, "removed")
        elif isinstance(obj, MetadataRecord | File):
            note(item_of(obj), "description" if isinstance(obj, MetadataRecord) else "files")
    return found


def _kept_change(obj: Item | MetadataRecord | File) -> bool:
    return has_changes(obj, UNKEPT.get(type(obj), frozenset()))
