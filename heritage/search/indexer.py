"""Keeping the search index in step with the catalogue: per item (incremental) and all at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from heritage.models import Item
from heritage.runtime import Runtime, current_runtime
from heritage.search.documents import item_document

BATCH = 500


def index_items(runtime: Runtime, ids: Iterable[str]) -> int:
    """Re-index these items (deleting those that no longer exist); returns how many were written."""
    wanted = list(dict.fromkeys(ids))
    written = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        with runtime.sessions() as session:
            items = session.scalars(
                select(Item).where(Item.id.in_(chunk)).options(selectinload(Item.files), selectinload(Item.records))
            ).all()
            docs = [item_document(item) for item in items]
        runtime.index.update(docs)
        missing = set(chunk) - {d["id"] for d in docs}
        if missing:
            runtime.index.delete(missing)
        written += len(docs)
    return written


def reindex_all(runtime: Runtime, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the database."""
    with runtime.sessions() as session:
        ids = list(session.scalars(select(Item.id).order_by(Item.id)))
    runtime.index.clear()
    done = 0
    for start in range(0, len(ids), BATCH):
        done += index_items(runtime, ids[start : start + BATCH])
        if progress:
            progress(done, len(ids))
    return done


def index_item(item_id: str) -> int:
    """Job: re-index one item."""
    return index_items(current_runtime(), [item_id])
