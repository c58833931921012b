"""Keeping the search index in step with the catalogue: per item (incremental) and all at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from heritage.models import Item, SearchRequest
from heritage.runtime import Runtime, current_runtime
from heritage.search.documents import item_document

BATCH = 500


def _documents(runtime: Runtime, ids: list[str]) -> list[dict[str, Any]]:
    with runtime.sessions() as session:
        items = session.scalars(
            select(Item)
            .where(Item.id.in_(ids))
            .options(selectinload(Item.files), selectinload(Item.records), selectinload(Item.collection))
        ).all()
        return [item_document(item, runtime) for item in items]


def documents_of(runtime: Runtime, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The current index documents of these items, in batches (ids that no longer exist are skipped)."""
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), BATCH):
        yield from _documents(runtime, wanted[start : start + BATCH])


def descendants_of(runtime: Runtime, ids: Iterable[str]) -> list[str]:
    """Every item below these ones (their documents show the ancestors' titles in the hierarchy path)."""
    found: list[str] = []
    level = list(ids)
    with runtime.sessions() as session:
        while level:
            children: list[str] = []
            for start in range(0, len(level), BATCH):
                children += session.scalars(select(Item.id).where(Item.parent_id.in_(level[start : start + BATCH])))
            found += children
            level = children
    return found


def index_items(runtime: Runtime, ids: Iterable[str], descendants: bool = False) -> int:
    """Re-index these items (deleting those that no longer exist); returns how many were written.

    With `descendants`, the items below them too: a changed title or access reaches the hierarchy path
    their descendants' results show.
    """
    from heritage.search import outbox

    wanted = list(dict.fromkeys(ids))
    below = set(wanted) if descendants else set()  # their rows asking for the items below are answered too
    if descendants:
        wanted += [i for i in descendants_of(runtime, wanted) if i not in set(wanted)]
    written = 0
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        answered = outbox.requested(runtime, chunk, below=below)
        docs = _documents(runtime, chunk)
        runtime.index.update(docs)
        missing = set(chunk) - {d["id"] for d in docs}
        if missing:
            runtime.index.delete(missing)
        outbox.answered(runtime, answered)
        written += len(docs)
    return written


def reindex_all(runtime: Runtime, progress: Callable[[int, int], None] | None = None, procs: int = 1) -> int:
    """Rebuild the whole index from the database beside the current one, then swap it in.

    The catalogue keeps answering from the current index while this runs; items changed meanwhile
    are written into the new index before and after the swap.
    """
    from heritage.search import outbox

    with runtime.sessions() as session:
        waiting = list(session.scalars(select(SearchRequest.id)))  # answered by the documents read below
        ids = list(session.scalars(select(Item.id).order_by(Item.id)))
    total = len(ids)
    if progress:
        progress(0, total)
    written = runtime.index.rebuild(
        documents_of(runtime, ids),
        refresh=lambda changed: list(documents_of(runtime, changed)),
        progress=(lambda done: progress(done, total)) if progress else None,
        procs=procs,
    )
    outbox.answered(runtime, waiting)
    return written


def index_item(item_id: str) -> int:
    """Job: re-index one item."""
    return index_items(current_runtime(), [item_id])
