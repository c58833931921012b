"""The search outbox: a committed change of an item reaches the search index, whatever gets killed when.

A session hook writes a `SearchRequest` row for every item whose search document may change (the item
row, its descriptions or files, its pages' text (`PageText`); its descendants too when the item row itself
changed, since their hierarchy paths and inherited access show it) in the same transaction as the change.
Indexing an item (`indexer.index_items`) deletes the rows it read before reading the item, so the usual path costs two
small queries. What a process killed between its commit and its indexing leaves (`access set ITEM
closed` killed there would leave a closed item in the public search) is indexed by the next `heritage`
command as it starts (`drain`; one indexed query when nothing waits) and by `heritage reindex`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session, sessionmaker

from heritage.changes import has_changes, item_of
from heritage.models import File, Item, MetadataRecord, PageText, SearchRequest

if TYPE_CHECKING:
    from heritage.runtime import Runtime

PAGE = 500
UNSEEN = frozenset({"updated_at", "children", "version", "edited_at"})  # item attributes no search document shows


def track(sessions: sessionmaker[Session]) -> None:
    """Write a request for every item whose document a flush of these sessions may change."""
    if not event.contains(sessions, "before_flush", _before_flush):
        event.listen(sessions, "before_flush", _before_flush)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    with session.no_autoflush:
        wanted = _changed_items(session)
    for item_id, descendants in wanted.items():
        session.add(SearchRequest(item_id=item_id, descendants=descendants))


def _changed_items(session: Session) -> dict[str, bool]:
    """Item id -> whether the items below it need indexing too."""
    found: dict[str, bool] = {}
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, PageText) and obj.item_id:  # a page's text arrived (or changed): its words and facet
            found.setdefault(obj.item_id, False)
    for obj in session.new:
        if isinstance(obj, Item):
            found.setdefault(obj.id, False)
        elif isinstance(obj, MetadataRecord | File) and (item_id := item_of(obj)):
            found.setdefault(item_id, False)
    for obj in session.dirty:
        if isinstance(obj, Item) and has_changes(obj, UNSEEN):
            found[obj.id] = True
        elif isinstance(obj, MetadataRecord | File) and has_changes(obj) and (item_id := item_of(obj)):
            found.setdefault(item_id, False)
    for obj in session.deleted:
        if isinstance(obj, Item):
            found[obj.id] = True
        elif isinstance(obj, MetadataRecord | File) and (item_id := item_of(obj)):
            found.setdefault(item_id, False)
    return found


def requested(runtime: Runtime, ids: list[str], *, below: set[str]) -> list[int]:
    """The rows an indexing of `ids` answers, read before the items are: every row of theirs, except a
    row asking for the items below one that is not in `below` (those were not indexed)."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(SearchRequest.id, SearchRequest.item_id, SearchRequest.descendants).where(
                SearchRequest.item_id.in_(ids)
            )
        ).all()
    return [r.id for r in rows if not r.descendants or r.item_id in below]


def answered(runtime: Runtime, row_ids: Iterable[int]) -> None:
    """Delete exactly the rows that were read (a change committed since keeps its own)."""
    ids = list(row_ids)
    if not ids:
        return
    with runtime.transaction() as session:
        for start in range(0, len(ids), PAGE):
            session.execute(delete(SearchRequest).where(SearchRequest.id.in_(ids[start : start + PAGE])))


def drain(runtime: Runtime) -> int:
    """Index every item with a waiting request (and, where asked, the items below it); how many were indexed."""
    from heritage.search.indexer import index_items

    after = 0
    indexed = 0
    while True:
        with runtime.sessions() as session:
            rows = session.execute(
                select(SearchRequest.id, SearchRequest.item_id, SearchRequest.descendants)
                .where(SearchRequest.id > after)
                .order_by(SearchRequest.id)
                .limit(PAGE)
            ).all()
        if not rows:
            return indexed
        after = rows[-1].id
        below = list(dict.fromkeys(r.item_id for r in rows if r.descendants))
        alone = list(dict.fromkeys(r.item_id for r in rows if not r.descendants and r.item_id not in set(below)))
        if below:
            indexed += index_items(runtime, below, descendants=True)
        if alone:
            indexed += index_items(runtime, alone)
