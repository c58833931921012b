"""What an export reads: the items of a collection (or of one item's tree), depth first in catalogue
order, a batch of siblings at a time, each forgotten by the session once written: memory stays
bounded by the tree's depth times the batch size, not by the number of items."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from heritage.access import PUBLIC, Visibility, visibility
from heritage.catalogue import core_of
from heritage.models import Collection, Event, File, FileRole, Item
from metadata_schemas.core import CoreRecord

BATCH = 200


class Scope(StrEnum):
    PUBLIC = "public"  # what the public may see: descriptions of public and restricted items, images of public ones
    ALL = "all"  # everything, closed items included (staff)


class Step(StrEnum):
    OPEN = "open"
    CLOSE = "close"


@dataclass
class ExportSource:
    """A collection, or the tree under `root`, as the scope lets it be seen."""

    session: Session
    collection: Collection
    root: Item | None = None
    scope: Scope = Scope.PUBLIC
    today: date = field(default_factory=date.today)
    progress: Callable[[int], object] = lambda _n: None

    def seen(self, item: Item) -> Visibility:
        return Visibility.FULL if self.scope is Scope.ALL else visibility(PUBLIC, item, self.today)

    def count(self) -> int:
        """How many items the walk reads (an upper bound of what it writes), for the progress bar."""
        if self.root is not None:
            return self._subtree_count(self.root.id)
        return self.session.scalar(select(func.count()).where(Item.collection_id == self.collection.id)) or 0

    def _subtree_count(self, item_id: str) -> int:
        total, frontier = 1, [item_id]
        while frontier:
            children = self.session.scalars(select(Item.id).where(Item.parent_id.in_(frontier[:500]))).all()
            frontier = frontier[500:] + list(children)
            total += len(children)
        return total

    def walk(self) -> Iterator[tuple[Step, Item]]:
        """(OPEN, item) ... (CLOSE, item) for every item shown, children inside their parent. An item
        not shown is skipped, and its shown descendants take its place in the tree."""
        if self.root is not None:
            root = self.session.get(Item, self.root.id)
            assert root is not None
            yield from self._visit(root)
        else:
            yield from self._children(None)

    def _visit(self, item: Item, has_children: bool = True) -> Iterator[tuple[Step, Item]]:
        shown = self.seen(item) > Visibility.NONE
        if shown:
            yield Step.OPEN, item
        if has_children:
            yield from self._children(item.id)
        if shown:
            yield Step.CLOSE, item
        self.progress(1)
        self._forget(item)

    def _children(self, parent_id: str | None) -> Iterator[tuple[Step, Item]]:
        after: tuple[int, str] | None = None
        while True:
            query = select(Item).where(Item.collection_id == self.collection.id)
            query = query.where(Item.parent_id == parent_id) if parent_id else query.where(Item.parent_id.is_(None))
            if parent_id is None:  # roots, and items whose parent lies in another collection
                query = select(Item).where(
                    Item.collection_id == self.collection.id,
                    or_(Item.parent_id.is_(None), Item.parent.has(Item.collection_id != self.collection.id)),
                )
            if after is not None:
                query = query.where(or_(Item.position > after[0], and_(Item.position == after[0], Item.id > after[1])))
            batch = self.session.scalars(
                query.order_by(Item.position, Item.id)
                .limit(BATCH)
                .options(selectinload(Item.records), selectinload(Item.files))
            ).all()
            if not batch:
                return
            after = (batch[-1].position, batch[-1].id)
            # One query tells which of these have children, so leaves cost no query of their own.
            parents = set(
                self.session.scalars(select(Item.parent_id).where(Item.parent_id.in_([i.id for i in batch])).distinct())
            )
            for item in batch:
                yield from self._visit(item, item.id in parents)

    def _forget(self, item: Item) -> None:
        for obj in [*item.records, *item.files, item]:
            if obj in self.session:
                self.session.expunge(obj)

    def items(self) -> Iterator[Item]:
        """The items shown, in document order, for formats without a tree."""
        for step, item in self.walk():
            if step is Step.OPEN:
                yield item


def export_core(item: Item) -> CoreRecord:
    """The item's core record with its catalogue identity: the local identifier and the parent's."""
    core = core_of(item)
    core.local_id = item.local_id or item.id
    if not core.title:
        core.title = item.title
    if not core.level:
        core.level = item.level
    return core


def exported_events(session: Session, item_id: str) -> list[Event]:
    """The item's events as exports give them: without those of its staff records (condition photographs are
    not the object's files, and a condition check's photographs are left out of its data)."""
    unpublished = set(
        session.scalars(select(File.id).where(File.item_id == item_id, File.role == FileRole.CONDITION.value))
    )
    found = session.scalars(select(Event).where(Event.item_id == item_id).order_by(Event.at, Event.id))
    kept = []
    for event in found:
        if event.file_id in unpublished:
            continue
        if "photos" in (event.data or {}):
            session.expunge(event)  # the change below is the export's view, never to be written back
            event.data = {k: v for k, v in event.data.items() if k != "photos"}
        kept.append(event)
    return kept
