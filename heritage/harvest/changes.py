"""The change list behind IIIF Change Discovery: from the harvest ledger, the latest change of every
item that ever had a public manifest and of every public collection, oldest first.

Each resource appears once, with its most recent activity (the specification lets a publisher collapse
earlier ones): Create when it was first published at that time, Update after that, Delete when it is
no longer public (removed, closed, or its images withdrawn)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from heritage.harvest import ledger
from heritage.models import HarvestRecord


@dataclass(frozen=True)
class Change:
    kind: str  # "item" (its manifest) or "collection"
    key: str  # item id or collection slug
    activity: str  # Create, Update, Delete
    at: datetime


def _listed():  # type: ignore[no-untyped-def]
    return or_(
        HarvestRecord.kind == ledger.COLLECTION,
        (HarvestRecord.kind == ledger.ITEM) & HarvestRecord.manifest_since.is_not(None),
    )


def count(session: Session, today: date | None = None) -> int:
    ledger.refresh(session, today)
    return session.scalar(select(func.count()).select_from(HarvestRecord).where(_listed())) or 0


def changes(session: Session, offset: int, limit: int) -> list[Change]:
    rows = session.scalars(
        select(HarvestRecord)
        .where(_listed())
        .order_by(HarvestRecord.datestamp, HarvestRecord.kind, HarvestRecord.key)
        .offset(offset)
        .limit(limit)
    ).all()
    out = []
    for row in rows:
        if row.kind == ledger.ITEM:
            gone = row.deleted or not row.manifest
            first = row.manifest_since == row.datestamp
        else:
            gone = row.deleted
            first = row.created == row.datestamp
        activity = "Delete" if gone else "Create" if first else "Update"
        out.append(Change(row.kind, row.key, activity, row.datestamp))
    return out
