"""Reading the stored decisions: the archivists' review queue and the ranked digitisation queue."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.models import Collection, Item, PolicyDecision, PolicyOverride

# What an archivist must look at (besides anything due): proposals, reviews, frozen items.
ACTION_DECISIONS = ("destroy_proposed", "deaccession_candidate", "urgent_review")


def _row(item: Item, d: PolicyDecision, override: PolicyOverride | None) -> dict[str, Any]:
    return {
        "item": item.id,
        "title": item.title,
        "collection": item.collection.slug,
        "decision": override.decision if override else d.decision,
        "rule": "override" if override else d.rule,
        "explanation": (f"overridden: {override.reason}" if override else d.explanation),
        "due": (override.due if override else d.due),
        "policy_version": d.policy_version,
        "priority": d.priority,
    }


def review_queue(session: Session, today: date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Due this month, needing review (urgent or overdue), proposed for destruction or deaccession."""
    today = today or date.today()
    month_end = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    overrides = {
        o.item_id: o
        for o in session.scalars(
            select(PolicyOverride).where(PolicyOverride.active.is_(True)).order_by(PolicyOverride.id)
        )
    }
    queue: dict[str, list[dict[str, Any]]] = {"due_this_month": [], "needs_review": [], "proposed": []}
    rows = session.execute(select(Item, PolicyDecision).join(PolicyDecision, PolicyDecision.item_id == Item.id))
    for item, d in rows:
        row = _row(item, d, overrides.get(item.id))
        decision, due = row["decision"], row["due"]
        if decision in ("destroy_proposed", "deaccession_candidate"):
            queue["proposed"].append(row)
        elif decision == "urgent_review" or (decision == "review_at" and due is not None and due < today):
            queue["needs_review"].append(row)
        elif due is not None and today <= due <= month_end and decision in ("review_at", "retain_until"):
            queue["due_this_month"].append(row)
    for rows_ in queue.values():
        rows_.sort(key=lambda r: (r["due"] or date.max, r["item"]))
    return queue


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
