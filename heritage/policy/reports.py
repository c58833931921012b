"""Reading the stored decisions: the ranked digitisation queue (the review queue is heritage.policy.review)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.models import Collection, Item, PolicyDecision


def digitisation_queue(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    """Digitisation units ranked by digitisation priority.

    Gated items are left out (conservation first, an adequate surrogate exists, not a digitisation unit:
    a fonds or series is digitised through its files and items). Each row says its `level`, whether a hard
    rule says `copy_first` (those rank at the top), whether the item's existing scans failed the guideline
    (`rescan`), its `significance` and the `action`: copy_first, rescan or digitise.
    """
    rows = session.execute(
        select(
            Item.id,
            Item.title,
            Collection.slug,
            PolicyDecision.priority,
            PolicyDecision.priority_factors,
            Item.level,
            PolicyDecision.significance,
        )
        .join(PolicyDecision, PolicyDecision.item_id == Item.id)
        .join(Collection)
        .where(PolicyDecision.priority.is_not(None))
        .order_by(PolicyDecision.priority.desc(), Item.id)
        .limit(limit)
    )
    out: list[dict[str, Any]] = []
    for i, t, c, p, f, level, si in rows:
        factors = f or {}
        copy_first = bool(factors.get("copy_first"))
        rescan = bool(factors.get("rescan"))
        out.append(
            {
                "item": i,
                "title": t,
                "collection": c,
                "priority": p,
                "factors": factors,
                "level": level,
                "significance": si,
                "copy_first": copy_first,
                "rescan": rescan,
                "action": "copy_first" if copy_first else "rescan" if rescan else "digitise",
            }
        )
    return out
