"""The review queue the board and the archivists work through: filtered, counted and paged in the database.

One query answers a page, and the counts of every queue come from the same filters, so a filter never shows
a number of items the viewer could not open (the counts obey `visible_items_clause`, like the rows).
An item's decision is its active override where a person overrode the engine, else the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from heritage import catalogue
from heritage.access import Viewer, visible_items_clause
from heritage.errors import BadRequest, NotFound
from heritage.models import Collection, Item, PolicyDecision, PolicyOverride, Unit
from heritage.policy.engine import DECISIONS
from heritage.policy.service import may_see_decision, proposal_status

QUEUES = ("needs_review", "proposed", "due_this_month", "all")
PROPOSALS = ("destroy_proposed", "deaccession_candidate")
NOW = ("urgent_review", "review_now")
DATED = ("review_at", "retain_until")
PER_PAGE = 50


@dataclass
class ReviewFilters:
    """What the reviewer asked for; every value is checked before a query runs."""

    queue: str = "needs_review"
    unit: str | None = None
    decision: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    page: int = 1
    per_page: int = PER_PAGE

    def check(self) -> None:
        """Raises: BadRequest naming the filter and why."""
        if self.queue not in QUEUES:
            raise BadRequest(f"queue {self.queue!r}: one of {', '.join(QUEUES)}")
        known = DECISIONS
        if self.decision is not None and self.decision not in known:
            raise BadRequest(f"decision {self.decision!r}: one of {', '.join(known)}")
        if self.due_from and self.due_to and self.due_from > self.due_to:
            raise BadRequest(f"due from {self.due_from} is after due until {self.due_to}")
        if self.page < 1:
            raise BadRequest(f"page {self.page}: pages start at 1")
        if not 1 <= self.per_page <= 500:
            raise BadRequest(f"per page {self.per_page}: between 1 and 500")


@dataclass
class ReviewPage:
    filters: ReviewFilters
    rows: list[dict[str, Any]]
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))


def month_end(today: date) -> date:
    return (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _base(visible: Any, filters: ReviewFilters, unit_id: int | None) -> tuple[Select[Any], Any, Any]:
    """The decisions the viewer may see, with the filters other than the queue; and the effective decision and
    due date as columns (an override's where there is one)."""
    override = aliased(PolicyOverride)
    coll = aliased(Collection)  # visible_items_clause correlates its own Collection subquery to the Item only
    decision = func.coalesce(override.decision, PolicyDecision.decision)
    due = case((override.id.is_not(None), override.due), else_=PolicyDecision.due)
    owner = func.coalesce(Item.unit_id, coll.unit_id)
    query = (
        select(Item, PolicyDecision, override, coll, Unit)
        .join(PolicyDecision, PolicyDecision.item_id == Item.id)
        .join(coll, coll.id == Item.collection_id)
        .join(Unit, Unit.id == owner)
        .outerjoin(override, and_(override.item_id == Item.id, override.active.is_(True)))
        .where(visible)
    )
    if unit_id is not None:
        query = query.where(owner == unit_id)
    if filters.decision:
        query = query.where(decision == filters.decision)
    if filters.due_from:
        query = query.where(due >= filters.due_from)
    if filters.due_to:
        query = query.where(due <= filters.due_to)
    return query, decision, due


def _in_queue(queue: str, decision: Any, due: Any, today: date) -> Any:
    if queue == "proposed":
        return decision.in_(PROPOSALS)
    if queue == "needs_review":
        return or_(decision.in_(NOW), and_(decision == "review_at", due < today))
    if queue == "due_this_month":
        return and_(decision.in_(DATED), due >= today, due <= month_end(today))
    return decision.is_not(None)


def review_page(session: Session, viewer: Viewer, filters: ReviewFilters, today: date | None = None) -> ReviewPage:
    """One page of a review queue with the number of items in each queue under the same filters.

    Raises:
        BadRequest: a filter out of range.
        NotFound: no unit has the slug given.
    """
    filters.check()
    today = today or date.today()
    unit_id = None
    if filters.unit:
        unit = catalogue.get_unit(session, filters.unit)
        if unit is None:
            raise NotFound(f"unit {filters.unit!r} does not exist")
        unit_id = unit.id
    if not viewer.is_staff:
        return _proposals_to_sign(session, viewer, filters, today, unit_id)
    query, decision, due = _base(visible_items_clause(viewer, today), filters, unit_id)
    counts = {
        q: session.scalar(select(func.count()).select_from(query.where(_in_queue(q, decision, due, today)).subquery()))
        or 0
        for q in QUEUES
    }
    chosen = query.where(_in_queue(filters.queue, decision, due, today))
    rows = session.execute(
        chosen.order_by(due.is_(None), due, Item.id)
        .offset((filters.page - 1) * filters.per_page)
        .limit(filters.per_page)
    ).all()
    out = [_row(*r) for r in rows]
    for row in out:
        if row["decision"] in PROPOSALS:
            row["status"] = proposal_status(session, row["item"])  # proposed, refused, approved, carried out
    return ReviewPage(filters, out, counts[filters.queue], counts)


def _proposals_to_sign(
    session: Session, viewer: Viewer, filters: ReviewFilters, today: date, unit_id: int | None
) -> ReviewPage:
    """A board member or a conservator sees the proposals whose approval asks for a role they hold, whatever the
    item's access (they decide on it; `may_see_decision` is the rule), and no other queue.

    Proposals are few (each one a person's decision), so they are filtered here rather than in the query.
    """
    filters.queue = "proposed"
    query, decision, due = _base(true(), filters, unit_id)  # may_see_decision decides below
    rows = session.execute(query.where(decision.in_(PROPOSALS)).order_by(due.is_(None), due, Item.id)).all()
    mine = [r for r in rows if may_see_decision(session, viewer, r[0])]
    start = (filters.page - 1) * filters.per_page
    out = [_row(*r) for r in mine[start : start + filters.per_page]]
    for row in out:
        row["status"] = proposal_status(session, row["item"])
    counts = dict.fromkeys(QUEUES, 0) | {"proposed": len(mine), "all": len(mine)}
    return ReviewPage(filters, out, len(mine), counts)


def _row(
    item: Item, d: PolicyDecision, override: PolicyOverride | None, coll: Collection, unit: Unit
) -> dict[str, Any]:
    return {
        "item": item.id,
        "title": item.title,
        "title_en": item.title_en,
        "collection": coll.slug,
        "collection_title": {"nl": coll.title, "en": coll.title_en or coll.title},
        "unit": unit.slug,
        "unit_name": {"nl": unit.name, "en": unit.name_en or unit.name},
        "decision": override.decision if override else d.decision,
        "rule": "override" if override else d.rule,
        "explanation": d.explanation,
        "explanation_said": d.explanation_said,
        "override": (
            {"agent": override.agent, "reason": override.reason, "at": override.at.date().isoformat()}
            if override
            else None
        ),
        "engine_decision": d.decision,
        "due": override.due if override else d.due,
        "policy_version": d.policy_version,
        "priority": d.priority,
    }
