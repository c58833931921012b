"""The change list behind IIIF Change Discovery: from the harvest ledger, the latest change of every
item that ever had a public manifest and of every collection with public items, oldest first.

Each resource appears once, with its most recent activity (the specification lets a publisher collapse
earlier ones): Create when it was first published at that time, Update after that, Delete when it is
no longer public (removed, closed, or its images withdrawn). A collection changes when one of its
items does; it is deleted when none of its items is public any more."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, case, func, literal, select, type_coerce, union_all
from sqlalchemy.orm import Session

from heritage.harvest import ledger
from heritage.models import HarvestRecord
from heritage.models.base import UTCDateTime


@dataclass(frozen=True)
class Change:
    kind: str  # "item" (its manifest) or "collection"
    key: str  # item id or collection slug
    activity: str  # Create, Update, Delete
    at: datetime


def _stream() -> Any:
    """Rows (kind, key, at, first, gone), one per resource, as a subquery."""
    r = HarvestRecord
    items = select(
        literal("item").label("kind"),
        r.key.label("key"),
        r.datestamp.label("at"),
        (r.manifest_since == r.datestamp).label("first"),
        (r.deleted | ~r.manifest).label("gone"),
    ).where(r.kind == ledger.ITEM, r.manifest_since.is_not(None))
    shown = func.sum(case((r.deleted, 0), else_=1))
    collections = (
        select(
            literal("collection").label("kind"),
            r.collection.label("key"),
            func.max(r.datestamp).label("at"),
            (func.min(r.created) == func.max(r.datestamp)).label("first"),
            (shown == 0).label("gone"),
        )
        .where(r.kind == ledger.ITEM)
        .group_by(r.collection)
    )
    return union_all(items, collections).subquery()


def count(session: Session, today: date | None = None) -> int:
    ledger.refresh(session, today)
    return session.scalar(select(func.count()).select_from(_stream())) or 0


def changes(session: Session, offset: int, limit: int) -> list[Change]:
    stream = _stream()
    at = type_coerce(stream.c.at, UTCDateTime)  # read back as an aware datetime on every backend
    rows = session.execute(
        select(
            stream.c.kind, stream.c.key, at, type_coerce(stream.c.first, Boolean), type_coerce(stream.c.gone, Boolean)
        )
        .order_by(stream.c.at, stream.c.kind, stream.c.key)
        .offset(offset)
        .limit(limit)
    ).all()
    out = []
    for kind, key, when, first, gone in rows:
        activity = "Delete" if gone else "Create" if first else "Update"
        out.append(Change(kind, key, activity, when))
    return out
