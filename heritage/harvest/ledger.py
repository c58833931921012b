"""Keep the harvest ledger (`HarvestRecord`) in step with the catalogue, in the same transaction.

A `before_flush` hook on the runtime's sessions sees every item, description and file that changes
and stamps the item's row with the time of the change. A collection's state is read from its items'
rows (its latest change is theirs), so concurrent writers never contend for one collection row. What is exposed is
what the one access function says the public may see: an item the public may no longer see (closed,
or removed) keeps its row, marked deleted, so harvesters learn of it; an item that was never public
never gets a row. A closure that lapses by date changes nothing in the database, so `refresh`
(called by every harvest request) picks such items up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, event, select
from sqlalchemy.orm import Session, sessionmaker

from heritage.access import PUBLIC, Visibility, visibility
from heritage.changes import has_changes
from heritage.models import Access, Collection, File, FileRole, HarvestRecord, Item, MetadataRecord, utcnow

ITEM = "item"


def track(sessions: sessionmaker[Session]) -> None:
    """Keep the ledger current for every session this factory makes."""
    if not event.contains(sessions, "before_flush", _before_flush):
        event.listen(sessions, "before_flush", _before_flush)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    with session.no_autoflush:
        _note_changes(session)


def _note_changes(session: Session) -> None:
    touched: dict[str, Item] = {}
    removed: list[Item] = []
    changed = list(session.new) + [o for o in session.dirty if _seen_change(o)]
    for obj in changed:
        if isinstance(obj, Item):
            touched[obj.id] = obj
        elif isinstance(obj, File) and obj.staff_only:
            continue  # a condition photograph: a staff record, so no harvester hears that anything changed
        elif isinstance(obj, MetadataRecord | File):
            # made with the item's id rather than the object (as ingest adds files): look the item up
            item = obj.item if obj.item is not None else session.get(Item, obj.item_id) if obj.item_id else None
            if item is not None:
                touched[item.id] = item
    for obj in session.deleted:
        if isinstance(obj, Item):
            removed.append(obj)
            touched.pop(obj.id, None)
    if not (touched or removed):
        return
    now = utcnow()
    new_files = [f for f in session.new if isinstance(f, File)]
    for item in touched.values():
        if item.collection is None and item.collection_id is not None:  # made with the id, not the object
            item.collection = session.get(Collection, item.collection_id)
        if item.id is not None and item.collection is not None:
            note_item(session, item, now, new_files)
    for item in removed:
        _withdraw(session, item.id, now)


# What a harvester can see change; an object moved to another shelf (location_id) or a policy fact
# (attributes) changes no record, so it does not make harvesters fetch the item again.
UNSEEN = {Item: frozenset({"location_id", "attributes", "updated_at"}), File: frozenset({"technical", "quality"})}


def _seen_change(obj: object) -> bool:
    if not isinstance(obj, Item | File | MetadataRecord):
        return False
    return has_changes(obj, UNSEEN.get(type(obj), frozenset()))


def exposure(item: Item, new_files: Iterable[File] = (), today: date | None = None) -> tuple[bool, bool]:
    """(the public sees its description, the public sees its images as a IIIF manifest), per `visibility`."""
    seen = visibility(PUBLIC, item, today)
    if seen == Visibility.NONE:
        return False, False
    files = {id(f): f for f in item.files}
    files.update({id(f): f for f in new_files if f.item is item or f.item_id == item.id})
    images = any(f.role == FileRole.MASTER.value and f.is_image and f.derivatives_ready for f in files.values())
    return True, seen == Visibility.FULL and images


def note_item(
    session: Session, item: Item, now: datetime, new_files: Iterable[File] = (), today: date | None = None
) -> HarvestRecord | None:
    """Stamp the item's row with `now` (creating it when the item becomes public for the first time)."""
    visible, manifest = exposure(item, new_files, today)
    row = session.get(HarvestRecord, (ITEM, item.id))
    if row is None and not visible:
        return None  # never exposed: harvesters never hear of it
    collection = item.collection
    unit = item.unit or collection.unit
    if row is None:
        row = HarvestRecord(kind=ITEM, key=item.id, created=now, manifest=False)
        session.add(row)
    row.datestamp = now
    row.deleted = not visible
    row.collection = collection.slug
    row.unit = unit.slug if unit is not None else None
    row.domain = collection.domain
    primary = item.primary_record
    row.standard = primary.standard if primary is not None else None
    if manifest and not row.manifest:
        row.manifest_since = now
    row.manifest = manifest
    return row


def _withdraw(session: Session, item_id: str, now: datetime) -> None:
    row = session.get(HarvestRecord, (ITEM, item_id))
    if row is not None and not row.deleted:
        row.deleted = True
        row.manifest = False
        row.datestamp = now


def refresh(session: Session, today: date | None = None) -> int:
    """Expose items whose closure lapsed since the ledger last looked; returns how many."""
    today = today or date.today()
    stale = session.scalars(
        select(Item)
        .outerjoin(HarvestRecord, and_(HarvestRecord.kind == ITEM, HarvestRecord.key == Item.id))
        .where(Item.access == Access.CLOSED.value, Item.closed_until.is_not(None), Item.closed_until <= today)
        .where((HarvestRecord.key.is_(None)) | HarvestRecord.deleted.is_(True))
    ).all()
    now = utcnow()
    for item in stale:
        note_item(session, item, now, today=today)
    if stale:
        session.flush()
    return len(stale)
