"""Evaluating items and storing what came out; overrides and approvals as events.

A stored decision is the engine's; an active override replaces it in what people see, and says so.
Destruction and deaccession are only proposed: `approve` records each role's approval, and the
proposal is approved when every role the policy names has signed (by distinct persons where it says so).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.db import insert_if_absent
from heritage.errors import BadRequest, Forbidden
from heritage.models import Approval, PolicyDecision, PolicyOverride, utcnow
from heritage.policy import facts as facts_mod
from heritage.policy.engine import DECISIONS, Decision, decide, priority
from heritage.policy.store import PolicyStore

APPROVABLE = ("destroy_proposed", "deaccession_candidate")


def active_override(session: Session, item_id: str) -> PolicyOverride | None:
    return session.scalar(
        select(PolicyOverride)
        .where(PolicyOverride.item_id == item_id, PolicyOverride.active.is_(True))
        .order_by(PolicyOverride.id.desc())
        .limit(1)
    )


def _with_override(decision: Decision, override: PolicyOverride | None) -> Decision:
    if override is None:
        return decision
    return Decision(
        item=decision.item,
        decision=override.decision,
        rule="override",
        explanation=f"overridden by {override.agent} on {override.at.date()}: {override.reason} "
        f"(the engine proposes {decision.decision} by rule {decision.rule})",
        inputs={
            "engine_decision": decision.decision,
            "engine_rule": decision.rule,
            "engine_explanation": decision.explanation,
            **({"due": override.due.isoformat()} if override.due else {}),
        },
        policy_version=decision.policy_version,
        due=override.due,
        significance=decision.significance,
    )


def evaluate(
    session: Session,
    *,
    collection: str | None = None,
    item_id: str | None = None,
    today: date | None = None,
    store: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[Decision]:
    """Evaluate the whole catalogue, one collection or one item; store each decision when `store`.

    Raises:
        NotFound: the collection or item does not exist.
    """
    today = today or date.today()
    if collection:
        catalogue.get_collection(session, collection)
    if item_id:
        catalogue.get_item(session, item_id)
    policies = PolicyStore.load(session)
    locations = facts_mod.all_locations(session)
    overrides = {
        o.item_id: o
        for o in session.scalars(
            select(PolicyOverride).where(PolicyOverride.active.is_(True)).order_by(PolicyOverride.id)
        )
    }
    query = select(PolicyDecision)
    if item_id:
        query = query.where(PolicyDecision.item_id == item_id)
    existing = {d.item_id: d for d in session.scalars(query)} if store else {}
    results: list[Decision] = []
    contexts = list(facts_mod.contexts(session, locations, collection=collection, item_id=item_id))
    for n, ctx in enumerate(contexts, start=1):
        policy = policies.for_item(ctx.unit, ctx.collection)
        facts = facts_mod.facts_for(ctx, policy, locations)
        decision = decide(policy, facts, today)
        prio = priority(policy, facts, decision.significance)
        if store:
            _store(session, existing.get(ctx.item.id), decision, prio)
        results.append(_with_override(decision, overrides.get(ctx.item.id)))
        if progress:
            progress(n, len(contexts))
    return results


def _store(session: Session, row: PolicyDecision | None, decision: Decision, prio: Any) -> None:
    """Write the item's decision; a changed decision is an appraisal event, recorded once.

    A policy job and a whole-catalogue evaluation may decide the same item at the same moment: the row is
    inserted if absent and changed only from the values this evaluation saw, so of two evaluations reaching
    the same decision one records it and the other finds it made.
    """
    values = {
        "decision": decision.decision,
        "rule": decision.rule,
        "explanation": decision.explanation,
        "inputs": decision.inputs,
        "policy_version": decision.policy_version,
        "due": decision.due,
        "significance": decision.significance,
        "priority": prio.score,
        "priority_gate": prio.gate,
        "priority_factors": prio.factors,
        "evaluated_at": utcnow(),
    }
    table = PolicyDecision.__table__
    for _ in range(3):  # each round loses only to a concurrent evaluation that wrote in between
        if row is None:
            if insert_if_absent(session, PolicyDecision, {"item_id": decision.item, **values}, ["item_id"]):
                _appraised(session, decision)
                return
        elif (row.decision, row.rule, row.due) == (decision.decision, decision.rule, decision.due):
            session.execute(update(table).where(table.c.item_id == decision.item).values(**values))
            session.expire(row)  # written past the ORM: read afresh when next used
            return
        elif session.execute(
            update(table)
            .where(
                table.c.item_id == decision.item,
                table.c.decision == row.decision,
                table.c.rule == row.rule,
                table.c.due.is_not_distinct_from(row.due),
            )
            .values(**values)
        ).rowcount:
            session.expire(row)
            _appraised(session, decision)
            return
        row = session.scalars(
            select(PolicyDecision)
            .where(PolicyDecision.item_id == decision.item)
            .execution_options(populate_existing=True)
        ).one_or_none()
    raise RuntimeError(f"the decision of item {decision.item} kept changing under this evaluation")


def _appraised(session: Session, decision: Decision) -> None:
    events.record(
        session,
        "appraisal",
        item_id=decision.item,
        detail=f"{decision.decision} by rule {decision.rule}: {decision.explanation}",
        decision=decision.decision,
        rule=decision.rule,
        policy_version=decision.policy_version,
    )


def override(
    session: Session, item_id: str, decision: str, *, reason: str, agent: str, due: date | None = None
) -> PolicyOverride:
    """Replace the engine's decision for an item, with a reason (an event).

    Raises:
        BadRequest: unknown decision or an empty reason.
        NotFound: no such item.
    """
    catalogue.get_item(session, item_id)
    if decision not in DECISIONS:
        raise BadRequest(f"decision {decision!r}: one of {', '.join(DECISIONS)}")
    if not reason.strip():
        raise BadRequest("an override needs a reason (--reason)")
    for old in session.scalars(
        select(PolicyOverride).where(PolicyOverride.item_id == item_id, PolicyOverride.active.is_(True))
    ):
        old.active = False
    row = PolicyOverride(item_id=item_id, decision=decision, due=due, reason=reason.strip(), agent=agent)
    session.add(row)
    current = session.get(PolicyDecision, item_id)
    events.record(
        session,
        "policy override",
        item_id=item_id,
        agent=agent,
        detail=f"decision set to {decision}: {reason.strip()}",
        decision=decision,
        engine_decision=current.decision if current else None,
        due=due.isoformat() if due else None,
    )
    session.flush()
    return row


@dataclass
class ApprovalState:
    subject: str
    kind: str
    required: tuple[str, ...]
    signed: dict[str, str]  # role -> person

    @property
    def missing(self) -> list[str]:
        return [r for r in self.required if r not in self.signed]

    @property
    def approved(self) -> bool:
        return not self.missing


def approval_state(session: Session, subject: str, kind: str, roles: tuple[str, ...]) -> ApprovalState:
    signed = {
        a.role: a.person
        for a in session.scalars(select(Approval).where(Approval.subject == subject, Approval.kind == kind))
    }
    return ApprovalState(subject, kind, roles, signed)


def effective_decision(session: Session, item_id: str) -> tuple[str | None, PolicyDecision | None]:
    row = session.get(PolicyDecision, item_id)
    ov = active_override(session, item_id)
    return (ov.decision if ov else (row.decision if row else None)), row


def approve(session: Session, item_id: str, *, role: str, person: str, comment: str | None = None) -> ApprovalState:
    """Record one role's approval of the item's proposed destruction or deaccession.

    Raises:
        NotFound: no such item.
        BadRequest: nothing to approve (not proposed), or a role the policy does not ask for.
        Forbidden: the same person already approved in another role where the policy wants distinct persons.
    """
    item = catalogue.get_item(session, item_id)
    kind, _row = effective_decision(session, item_id)
    if kind not in APPROVABLE:
        raise BadRequest(
            f"item {item_id} has no destruction or deaccession proposal to approve "
            f"(its decision is {kind or 'not evaluated yet'}; run heritage policy evaluate)"
        )
    policy = PolicyStore.load(session).for_catalogue_item(item)
    roles, distinct = policy.approvals.get(kind, ((), True))
    if role not in roles:
        raise BadRequest(f"role {role!r} does not approve {kind}; the policy asks for: {', '.join(roles)}")
    state = approval_state(session, item_id, kind, roles)
    if role in state.signed:
        raise BadRequest(f"{role} already approved {kind} of {item_id} ({state.signed[role]})")
    if distinct and person in state.signed.values():
        raise Forbidden(
            f"{person} already approved {kind} of {item_id} in another role; the policy wants distinct persons"
        )
    session.add(Approval(subject=item_id, kind=kind, role=role, person=person, comment=comment))
    state.signed[role] = person
    events.record(
        session,
        "approval",
        item_id=item_id,
        agent=person,
        detail=f"{role} approved {kind}" + (f": {comment}" if comment else ""),
        kind=kind,
        role=role,
        complete=state.approved,
    )
    if state.approved:
        events.record(
            session,
            "destruction approved" if kind == "destroy_proposed" else "deaccession approved",
            item_id=item_id,
            agent=person,
            detail=f"{kind} approved by " + ", ".join(f"{r} ({p})" for r, p in state.signed.items()),
        )
    session.flush()
    return state
