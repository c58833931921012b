"""Evaluating items and storing what came out; overrides, approvals, refusals and disposals as events.

A stored decision is the engine's; an active override replaces it in what people see, and says so.
Destruction and deaccession are only proposed: `approve` records each role's approval by an account that
may take that role (the policy's `roles.*.user_roles` and scope), and the proposal is approved when every
role the policy names has signed (by distinct accounts where it says so) and the external permissions it
names for the item's flags are recorded. One refusal refuses the proposal. Hard rules hold: no override,
approval or disposal passes an item with a blocking flag (a hold, a protected piece ...); a legal hold is
lifted only by an administrator (`lift_legal_hold`). An approved proposal is carried out as a `Disposal`
(the certificate of destruction, or the deaccession record with its route and documents) and the item
becomes a tombstone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from hashlib import sha256
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.access import Viewer, item_unit_id
from heritage.db import insert_if_absent
from heritage.errors import BadRequest, Forbidden, HeritageError, NotFound
from heritage.models import (
    Approval,
    Disposal,
    DisposalDocument,
    ExternalApproval,
    Item,
    PolicyDecision,
    PolicyOverride,
    Refusal,
    Role,
    Unit,
    User,
    utcnow,
)
from heritage.policy import facts as facts_mod
from heritage.policy.engine import DECISIONS, Decision, decide, priority
from heritage.policy.model import Policy
from heritage.policy.store import PolicyStore
from metadata_schemas.said import Said

APPROVABLE = ("destroy_proposed", "deaccession_candidate")
# The disposal routes, and the ones each proposal may take (records proposed for destruction are destroyed).
ROUTES = ("transfer", "return", "sale", "destruction")
ROUTES_OF = {"destroy_proposed": ("destruction",), "deaccession_candidate": ROUTES}
ROUTES_NEEDING_A_DOCUMENT = frozenset({"transfer", "return", "sale"})  # the deed, the receipt, the bill of sale
HOLD_FLAGS = ("legal_hold", "litigation")  # what lifting a legal hold removes


def said(template: str, **params: object) -> Said:
    """A message as a template with its values: English in str(), a web page says it in its reader's language
    (the values `role`, `kind`, `rule`, `roles`, `needed` and `routes` through their labels there)."""
    return Said(template, params)


def refused(kind: type[HeritageError], message: Said) -> HeritageError:
    """The error `kind` saying `message` (its template kept as `.said`, for pages in other languages)."""
    error = BadRequest(str(message), said=message) if kind is BadRequest else kind(str(message))
    error.said = message  # type: ignore[attr-defined]
    return error


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
        "explanation_said": decision.said.as_json() if decision.said else None,
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

    An override into a destruction or deaccession proposal is refused for an item a hard rule protects (a
    legal hold, a protected piece ...; see `blocking`).

    Raises:
        BadRequest: unknown decision, an empty reason, or a proposal a hard rule forbids.
        NotFound: no such item.
    """
    item = catalogue.get_item(session, item_id)
    if decision not in DECISIONS:
        raise BadRequest(f"decision {decision!r}: one of {', '.join(DECISIONS)}")
    if not reason.strip():
        raise refused(BadRequest, said("an override needs a reason (--reason)"))
    if decision in APPROVABLE:
        what = said("item %(item)s cannot be overridden to %(kind)s", item=item_id, kind=decision)
        _refuse_if_blocked(session, item, decision, what)
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


# -- accounts and the roles they may take ----------------------------------------------------------


def account(session: Session, username: str | None) -> User:
    """The active account `username` names.

    Raises:
        BadRequest: no account has this name (a typed name is not an approver). Forbidden: it is disabled.
    """
    name = (username or "").strip()
    user = session.scalar(select(User).where(func.lower(User.username) == name.lower())) if name else None
    if user is None:
        raise refused(
            BadRequest,
            said(
                "'%(name)s' is not an account: approvals, refusals and disposals are given by accounts "
                "(heritage user list; heritage user add)",
                name=name or "(nobody)",
            ),
        )
    if not user.active:
        raise refused(Forbidden, said("account %(user)s is disabled", user=user.username))
    return user


def _central_unit_id(session: Session, policy: Policy) -> int | None:
    return session.scalar(select(Unit.id).where(Unit.slug == policy.central_unit))


def roles_of(session: Session, user: User, item: Item, policy: Policy | None = None) -> list[str]:
    """The policy roles `user` may take for `item`: one of the role's `user_roles`, assigned globally, or for
    the item's unit (scope own_org_unit and the like), or for the central unit (scope university)."""
    policy = policy or PolicyStore.load(session).for_catalogue_item(item)
    unit_id = item_unit_id(item)
    central = _central_unit_id(session, policy)
    taken: list[str] = []
    for name, (user_roles, scope) in policy.role_accounts.items():
        for assignment in user.roles:
            if assignment.role not in user_roles:
                continue
            where = central if scope == "university" else unit_id
            if assignment.unit_id is None or assignment.unit_id == where:
                taken.append(name)
                break
    return taken


def _check_role(session: Session, user: User, item: Item, policy: Policy, role: str) -> None:
    """Raises: Forbidden: `user` may not take `role` for `item`."""
    if role in roles_of(session, user, item, policy):
        return
    user_roles, scope = policy.role_accounts.get(role, ((), ""))
    where = (
        said("globally or for the central unit %(unit)s", unit=policy.central_unit)
        if scope == "university"
        else said("globally or for the item's unit")
    )
    raise refused(
        Forbidden,
        said(
            "account %(user)s may not act as %(role)s for item %(item)s: the policy gives that role to "
            "accounts with the role %(user_roles)s assigned %(where)s",
            user=user.username,
            role=role,
            item=item.id,
            user_roles=" or ".join(user_roles) or "(none)",
            where=where,
        ),
    )


def approver_roles(session: Session, items: list[Item], kind: str) -> tuple[str, ...]:
    """The policy roles that approve a `kind` (e.g. loan_out) of these items: those the items' policies name, in
    order (empty: no policy of theirs names `kind`, the surfaces' own rule of who acts stands)."""
    store = PolicyStore.load(session)
    named: list[str] = []
    for item in items:
        roles, _distinct = store.for_catalogue_item(item).approvals.get(kind, ((), False))
        named += [r for r in roles if r not in named]
    return tuple(named)


def require_approver(session: Session, username: str | None, items: list[Item], kind: str) -> User | None:
    """Check that `username` may take one of the roles the policy names for a `kind` approval of EVERY item (one
    person approves the whole, so the whole must be theirs); returns the account, or None where no item's policy
    names `kind` (an older policy: whoever the surface lets act approves, as before).

    Raises:
        BadRequest: the name is no account. Forbidden: disabled, or it may not take a named role for an item
            (the roles named, and the items).
    """
    if not approver_roles(session, items, kind):
        return None
    user = account(session, username)
    store = PolicyStore.load(session)
    refused_for: list[str] = []
    needed: list[str] = []
    for item in items:
        policy = store.for_catalogue_item(item)
        roles, _distinct = policy.approvals.get(kind, ((), False))
        if roles and not set(roles) & set(roles_of(session, user, item, policy)):
            refused_for.append(item.id)
            needed += [r for r in roles if r not in needed]
    if not refused_for:
        return user
    template = "account %(user)s may not approve for %(items)s: the policy gives that approval to %(roles)s"
    params = {"user": user.username, "items": ", ".join(refused_for)}
    # English in words for the CLI and the API; the codes kept in `.said` for a page's labels (web.decisions)
    error = Forbidden(str(said(template, **params, roles=", ".join(r.replace("_", " ") for r in needed))))
    error.said = said(template, **params, roles=", ".join(needed))  # type: ignore[attr-defined]
    raise error


# -- hard rules hold -----------------------------------------------------------------------------------


def blocking(session: Session, item: Item, kind: str, policy: Policy | None = None) -> list[tuple[str, str]]:
    """What forbids a `kind` proposal of the item now: (rule, flag) for each flag the item has (its own or
    inherited, see `facts.effective_attributes`) that a `flags` hard rule names or that is one of the policy's
    `deaccession.blocking_conditions`, and the flags of the engine's stored decision when a `flags` hard rule
    made it (until the item is evaluated again); a flag whose external permission the policy names for `kind`
    and that is recorded (`record_external_approval`) no longer blocks."""
    policy = policy or PolicyStore.load(session).for_catalogue_item(item)
    flags = set(facts_mod.effective_attributes(item, policy.defaults).get("flags") or [])
    answered: set[str] = set()
    for row in session.scalars(
        select(ExternalApproval).where(ExternalApproval.subject == item.id, ExternalApproval.kind == kind)
    ):
        answered |= set(row.flags or [])
    found: list[tuple[str, str]] = []
    for rule in policy.hard_rules:
        if rule.kind == "flags":
            found += [(rule.id, f) for f in sorted(rule.if_any & flags) if f not in answered]
    # the engine's stored decision came from a flags hard rule (a frozen item): it holds until evaluated again
    stored = session.get(PolicyDecision, item.id)
    if stored is not None and stored.rule in {r.id for r in policy.hard_rules if r.kind == "flags"}:
        found += [
            (stored.rule, f)
            for f in (stored.inputs or {}).get("flags") or []
            if f not in answered and (stored.rule, f) not in found
        ]
    named = {f for _, f in found}
    conditions = (policy.document.get("deaccession") or {}).get("blocking_conditions") or []
    found += [("deaccession.blocking_conditions", f) for f in conditions if f in flags and f not in named | answered]
    return found


def _refuse_if_blocked(session: Session, item: Item, kind: str, what: Said, policy: Policy | None = None) -> None:
    """Raises: BadRequest: naming the hard rule and the flag that block a `kind` proposal of the item."""
    policy = policy or PolicyStore.load(session).for_catalogue_item(item)
    found = blocking(session, item, kind, policy)
    if not found:
        return
    reasons: Said | None = None
    for rule, flag in reversed(found):
        one = said("hard rule %(rule)s (flag %(flag)s)", rule=rule, flag=flag)
        reasons = one if reasons is None else said("%(first)s; %(rest)s", first=one, rest=reasons)
    hint: Said | str = ""
    if any(flag in HOLD_FLAGS for _, flag in found):
        hint = said(" (an administrator lifts a legal hold with heritage policy lift-hold)")
    external = [a for flags, a in policy.external_approvals.get(kind, ()) if flags & {f for _, f in found}]
    if external:
        needs = said(
            " (a protected piece needs the permission of %(authority)s first: heritage policy external-approval)",
            authority=external[0],
        )
        hint = said("%(first)s%(rest)s", first=hint, rest=needs) if hint else needs
    raise refused(BadRequest, said("%(what)s: %(reasons)s forbids it%(hint)s", what=what, reasons=reasons, hint=hint))


# -- approvals and refusals ---------------------------------------------------------------------------


@dataclass
class ApprovalState:
    subject: str
    kind: str
    required: tuple[str, ...]
    signed: dict[str, str]  # role -> person (the account's username)
    accounts: dict[str, int | None] = field(default_factory=dict)  # role -> user id (None: before accounts)
    external_needed: list[str] = field(default_factory=list)  # authorities whose permission is not recorded
    refused: Refusal | None = None

    @property
    def missing(self) -> list[str]:
        return [r for r in self.required if r not in self.signed]

    @property
    def approved(self) -> bool:
        return not self.missing and not self.external_needed and self.refused is None

    @property
    def status(self) -> str:
        """proposed | refused | approved (what the review queue shows)."""
        if self.refused is not None:
            return "refused"
        return "approved" if self.approved else "proposed"


def approval_state(
    session: Session, subject: str, kind: str, roles: tuple[str, ...], policy: Policy | None = None
) -> ApprovalState:
    """Who approved `kind` of `subject` in which role, whether it was refused, which external permissions
    (for the item's flags, with `policy`) are still missing."""
    rows = list(session.scalars(select(Approval).where(Approval.subject == subject, Approval.kind == kind)))
    refused = session.scalar(
        select(Refusal).where(Refusal.subject == subject, Refusal.kind == kind).order_by(Refusal.id).limit(1)
    )
    state = ApprovalState(
        subject, kind, roles, {a.role: a.person for a in rows}, {a.role: a.user_id for a in rows}, refused=refused
    )
    if policy is not None and policy.external_approvals.get(kind):
        item = session.get(Item, subject)
        flags = set(facts_mod.effective_attributes(item, policy.defaults).get("flags") or []) if item else set()
        recorded: set[str] = set()
        for row in session.scalars(
            select(ExternalApproval).where(ExternalApproval.subject == subject, ExternalApproval.kind == kind)
        ):
            recorded |= set(row.flags or [])
        state.external_needed = [
            authority for when, authority in policy.external_approvals[kind] if (when & flags) - recorded
        ]
    return state


def effective_decision(session: Session, item_id: str) -> tuple[str | None, PolicyDecision | None]:
    row = session.get(PolicyDecision, item_id)
    ov = active_override(session, item_id)
    return (ov.decision if ov else (row.decision if row else None)), row


def proposal(session: Session, item_id: str) -> tuple[Item, Policy, ApprovalState | None]:
    """The item, its policy and the state of its destruction or deaccession proposal (None: nothing proposed
    now, and nothing carried out).

    Raises:
        NotFound: no such item.
    """
    item = catalogue.get_item(session, item_id)
    policy = PolicyStore.load(session).for_catalogue_item(item)
    done = session.scalar(select(Disposal).where(Disposal.item_id == item.id))
    kind = done.kind if done else effective_decision(session, item_id)[0]
    if kind not in APPROVABLE:
        return item, policy, None
    roles, _distinct = policy.approvals.get(kind, ((), True))
    return item, policy, approval_state(session, item_id, kind, roles, policy)


def proposal_status(session: Session, item_id: str) -> str | None:
    """proposed | refused | approved | carried_out, or None (no destruction or deaccession proposal)."""
    if session.scalar(select(Disposal.id).where(Disposal.item_id == item_id)) is not None:
        return "carried_out"
    _item, _policy, state = proposal(session, item_id)
    return state.status if state else None


def _open_proposal(session: Session, item_id: str) -> tuple[Item, Policy, ApprovalState, bool]:
    """Raises: NotFound; BadRequest: nothing proposed, carried out already, or refused.

    The item's row is locked for the rest of the transaction (on PostgreSQL): two approvals, a refusal or a
    disposal of the same proposal at the same moment are decided one after the other, each seeing the other's.
    """
    item = catalogue.get_item(session, item_id)
    session.execute(select(Item.id).where(Item.id == item.id).with_for_update())
    if session.scalar(select(Disposal.id).where(Disposal.item_id == item.id)) is not None:
        raise refused(
            BadRequest, said("item %(item)s was disposed of already (heritage policy destruction-list)", item=item_id)
        )
    kind, _row = effective_decision(session, item_id)
    if kind not in APPROVABLE:
        raise refused(
            BadRequest,
            said(
                "item %(item)s has no destruction or deaccession proposal to approve "
                "(its decision is %(kind)s; run heritage policy evaluate)",
                item=item_id,
                kind=kind or said("not evaluated yet"),
            ),
        )
    policy = PolicyStore.load(session).for_catalogue_item(item)
    roles, distinct = policy.approvals.get(kind, ((), True))
    state = approval_state(session, item_id, kind, roles, policy)
    if state.refused is not None:
        r = state.refused
        raise refused(
            BadRequest,
            said(
                "the %(kind)s of item %(item)s was refused by %(user)s (%(role)s) on %(day)s: %(reason)s",
                kind=kind,
                item=item_id,
                user=r.person,
                role=r.role,
                day=r.at.date().isoformat(),
                reason=r.reason,
            ),
        )
    return item, policy, state, distinct


def _completed(session: Session, state: ApprovalState, agent: str) -> None:
    events.record(
        session,
        "destruction approved" if state.kind == "destroy_proposed" else "deaccession approved",
        item_id=state.subject,
        agent=agent,
        detail=f"{state.kind} approved by " + ", ".join(f"{r} ({p})" for r, p in state.signed.items()),
    )


def _not_signed(state: ApprovalState, role: str) -> None:
    """Raises: BadRequest: `role` approved the proposal already."""
    if role in state.signed:
        raise refused(
            BadRequest,
            said(
                "%(role)s already approved %(kind)s of %(item)s (%(user)s)",
                role=role,
                kind=state.kind,
                item=state.subject,
                user=state.signed[role],
            ),
        )


def approve(session: Session, item_id: str, *, role: str, person: str, comment: str | None = None) -> ApprovalState:
    """Record one role's approval, by the account `person`, of the item's proposed destruction or deaccession.

    Raises:
        NotFound: no such item.
        BadRequest: nothing to approve (not proposed, refused, carried out), a role the policy does not ask
            for, a role approved already, a name that is no account, or an item a hard rule now protects.
        Forbidden: the account may not take the role for this item, or approved already in another role where
            the policy wants distinct persons, or is disabled.
    """
    item, policy, state, distinct = _open_proposal(session, item_id)
    kind = state.kind
    if role not in state.required:
        raise refused(
            BadRequest,
            said(
                "role '%(role)s' does not approve %(kind)s; the policy asks for: %(roles)s",
                role=role,
                kind=kind,
                roles=", ".join(state.required),
            ),
        )
    what = said("the %(kind)s of item %(item)s cannot be approved", kind=kind, item=item_id)
    _refuse_if_blocked(session, item, kind, what, policy)
    _not_signed(state, role)
    user = account(session, person)
    _check_role(session, user, item, policy, role)
    if distinct and user.id in state.accounts.values():
        raise refused(
            Forbidden,
            said(
                "%(user)s already approved %(kind)s of %(item)s in another role; the policy wants distinct persons",
                user=user.username,
                kind=kind,
                item=item_id,
            ),
        )
    row = {"subject": item_id, "kind": kind, "role": role, "person": user.username, "user_id": user.id}
    if not insert_if_absent(
        session, Approval, {**row, "comment": comment, "at": utcnow()}, ["subject", "kind", "role"]
    ):
        # another session signed in this role between our reading and our writing: say so, as if we had seen it
        signer = session.scalar(
            select(Approval.person).where(Approval.subject == item_id, Approval.kind == kind, Approval.role == role)
        )
        state.signed[role] = signer or "?"
        _not_signed(state, role)
    state.signed[role] = user.username
    state.accounts[role] = user.id
    events.record(
        session,
        "approval",
        item_id=item_id,
        agent=user.username,
        detail=f"{role} approved {kind}" + (f": {comment}" if comment else ""),
        kind=kind,
        role=role,
        complete=state.approved,
    )
    if state.approved:
        _completed(session, state, user.username)
    session.flush()
    return state


def refuse(session: Session, item_id: str, *, role: str, person: str, reason: str) -> ApprovalState:
    """A role refuses the item's proposed destruction or deaccession (an event): the proposal is refused and
    stays on record with its approvals; nothing further is approved or carried out on it.

    Raises:
        NotFound, BadRequest, Forbidden: as `approve`; BadRequest also for an empty reason.
    """
    if not (reason or "").strip():
        raise refused(BadRequest, said("a refusal needs a reason (--reason)"))
    item, policy, state, _distinct = _open_proposal(session, item_id)
    kind = state.kind
    if role not in state.required:
        raise refused(
            BadRequest,
            said(
                "role '%(role)s' does not decide on %(kind)s; the policy asks for: %(roles)s",
                role=role,
                kind=kind,
                roles=", ".join(state.required),
            ),
        )
    _not_signed(state, role)
    user = account(session, person)
    _check_role(session, user, item, policy, role)
    row = Refusal(subject=item_id, kind=kind, role=role, user_id=user.id, person=user.username, reason=reason.strip())
    session.add(row)
    events.record(
        session,
        "proposal refused",
        item_id=item_id,
        agent=user.username,
        detail=f"{role} refused {kind}: {reason.strip()}",
        kind=kind,
        role=role,
    )
    session.flush()
    state.refused = row
    return state


def record_external_approval(
    session: Session,
    item_id: str,
    *,
    authority: str,
    reference: str,
    granted_on: date,
    person: str,
    kind: str = "deaccession_candidate",
) -> ExternalApproval:
    """Record the permission of the outside authority the policy names for the item's flags (a listed
    topstuk: the Flemish minister), recorded by an account that may approve `kind` for the item or an
    administrator. It answers those flags for `kind`: an override into the proposal, the approvals and the
    disposal may then go ahead (other blocking flags still block).

    Raises:
        NotFound: no such item. BadRequest: the policy names no external permission for this item's flags,
            an empty authority or reference, a date in the future, a name that is no account.
        Forbidden: the account may not record it.
    """
    item = catalogue.get_item(session, item_id)
    if kind not in APPROVABLE:
        raise refused(BadRequest, said("kind %(kind)s: one of %(kinds)s", kind=repr(kind), kinds=", ".join(APPROVABLE)))
    if not (authority or "").strip() or not (reference or "").strip():
        raise refused(
            BadRequest, said("an external approval needs the authority (--authority) and its reference (--reference)")
        )
    if granted_on > date.today():
        raise refused(BadRequest, said("--date %(day)s: a permission cannot be granted in the future", day=granted_on))
    policy = PolicyStore.load(session).for_catalogue_item(item)
    flags = set(facts_mod.effective_attributes(item, policy.defaults).get("flags") or [])
    needed = [(when & flags, named) for when, named in policy.external_approvals.get(kind, ()) if when & flags]
    if not needed:
        flags = ", ".join(sorted(set().union(*(w for w, _ in policy.external_approvals.get(kind, ()))))) or "(none)"
        raise refused(
            BadRequest,
            said(
                "item %(item)s needs no external permission for %(kind)s: the policy names one only for the flags "
                "%(flags)s",
                item=item_id,
                kind=kind,
                flags=flags,
            ),
        )
    user = account(session, person)
    roles, _distinct = policy.approvals.get(kind, ((), True))
    admin = any(a.role == Role.ADMINISTRATOR.value for a in user.roles)
    if not admin and not set(roles) & set(roles_of(session, user, item, policy)):
        raise refused(
            Forbidden,
            said(
                "account %(user)s may not record an external approval of %(kind)s for item %(item)s: "
                "an administrator or an account in one of the roles %(roles)s does",
                user=user.username,
                kind=kind,
                item=item_id,
                roles=", ".join(roles),
            ),
        )
    answered = sorted(set().union(*(w for w, _ in needed)))
    before = approval_state(session, item_id, kind, roles, policy)
    row = store_external_approval(
        session,
        item_id,
        kind,
        (authority, reference, granted_on),
        answered,
        user,
        f"{authority.strip()} permitted {kind} on {granted_on} ({reference.strip()}); "
        f"the policy asks for: {'; '.join(n for _, n in needed)}",
    )
    after = approval_state(session, item_id, kind, roles, policy)
    if after.approved and not before.approved and effective_decision(session, item_id)[0] == kind:
        _completed(session, after, user.username)
    return row


def store_external_approval(
    session: Session,
    item_id: str,
    kind: str,
    permission: tuple[str, str, date],
    flags: list[str],
    user: User,
    detail: str,
    **data: Any,
) -> ExternalApproval:
    """The row and the event of an outside authority's permission (`permission`: authority, reference, date),
    once checked by its caller: a policy approval here, a loan in `heritage.museum.loans`."""
    authority, reference, granted_on = permission
    row = ExternalApproval(
        subject=item_id,
        kind=kind,
        authority=authority.strip(),
        reference=reference.strip(),
        granted_on=granted_on,
        flags=flags,
        user_id=user.id,
        person=user.username,
    )
    session.add(row)
    session.flush()
    events.record(
        session,
        "external approval",
        item_id=item_id,
        agent=user.username,
        detail=detail,
        kind=kind,
        flags=flags,
        **data,
    )
    return row


# -- lifting a legal hold -----------------------------------------------------------------------------


def lift_legal_hold(session: Session, item_id: str, *, person: str, reason: str) -> list[Decision]:
    """An administrator lifts the item's legal hold (the flags legal_hold and litigation) with a reason: a
    revision of the item and the event `legal hold lifted`; the item and its parts are evaluated again.

    Raises:
        NotFound: no such item. BadRequest: no reason, no hold on the item itself (an inherited one is lifted
            where it was set), a name that is no account. Forbidden: the account is not an administrator.
    """
    from heritage.editing.service import Change, _claim_version, _record

    if not (reason or "").strip():
        raise refused(BadRequest, said("lifting a legal hold needs a reason (--reason)"))
    item = catalogue.get_item(session, item_id)
    user = account(session, person)
    if not any(a.role == Role.ADMINISTRATOR.value for a in user.roles):
        raise refused(
            Forbidden, said("account %(user)s may not lift a legal hold: an administrator does", user=user.username)
        )
    attrs = dict(item.attributes or {})
    own = list(attrs.get("flags") or [])
    lifted = [f for f in own if f in HOLD_FLAGS]
    if not lifted:
        node, holder = item.parent, None
        while node is not None and holder is None:
            if set(HOLD_FLAGS) & set((node.attributes or {}).get("flags") or []):
                holder = node
            node = node.parent
        if holder is not None:
            raise refused(
                BadRequest,
                said(
                    "item %(item)s has no legal hold of its own: the hold is set on %(holder)s, lift it there",
                    item=item_id,
                    holder=holder.id,
                ),
            )
        raise refused(BadRequest, said("item %(item)s has no legal hold of its own", item=item_id))
    attrs["flags"] = [f for f in own if f not in HOLD_FLAGS]
    _claim_version(session, item)
    item.attributes = attrs
    _record(
        session,
        item,
        "lift-hold",
        [Change("flags", own, attrs["flags"])],
        agent=user.username,
        reason=reason.strip(),
        event="legal hold lifted",
    )
    decisions: list[Decision] = []
    todo = [item]
    while todo:
        node = todo.pop()
        decisions += evaluate(session, item_id=node.id)
        todo += list(node.children)
    return decisions


# -- carrying out ---------------------------------------------------------------------------------


def carry_out(
    session: Session,
    item_id: str,
    *,
    route: str,
    person: str,
    note: str | None = None,
    documents: list[tuple[str, bytes]] | None = None,
) -> Disposal:
    """Carry out an approved destruction or deaccession: the disposal record (for the route destruction, the
    certificate of destruction) with what the item was, who decided and approved, when; its documents; the
    item withdrawn as a tombstone by the editing service (its description and history kept).

    Raises:
        NotFound: no such item. BadRequest: not fully approved, refused, carried out already, a route the
            proposal may not take, no document for a transfer, return or sale, blocked by a hard rule, a name
            that is no account, children still standing. Forbidden: the account may not edit the item.
    """
    from heritage.access import may_edit
    from heritage.auth import viewer_of
    from heritage.editing.service import withdraw_item
    from heritage.editing.values import values_of

    item, policy, state, _distinct = _open_proposal(session, item_id)
    kind = state.kind
    if route not in ROUTES_OF[kind]:
        raise refused(
            BadRequest,
            said(
                "route '%(route)s': a %(kind)s is carried out by %(routes)s",
                route=route,
                kind=kind,
                routes=" or ".join(ROUTES_OF[kind]),
            ),
        )
    if not state.approved:
        needed = state.missing + [f"the external permission of {a}" for a in state.external_needed]
        raise refused(
            BadRequest,
            said(
                "the %(kind)s of item %(item)s is not fully approved: still needed: %(needed)s",
                kind=kind,
                item=item_id,
                needed=", ".join(needed),
            ),
        )
    what = said("the %(kind)s of item %(item)s cannot be carried out", kind=kind, item=item_id)
    _refuse_if_blocked(session, item, kind, what, policy)
    documents = documents or []
    if route in ROUTES_NEEDING_A_DOCUMENT and not documents:
        raise refused(
            BadRequest,
            said("a %(route)s is recorded with its document (the deed or receipt: --document FILE)", route=route),
        )
    for name, content in documents:
        if not name.strip() or not content:
            raise refused(BadRequest, said("document '%(name)s' is empty", name=name))
    user = account(session, person)
    viewer = viewer_of(session, user)
    if not may_edit(viewer, item):
        raise refused(
            Forbidden,
            said(
                "account %(user)s may not carry out the %(kind)s of item %(item)s: staff of its unit or an "
                "administrator does",
                user=user.username,
                kind=kind,
                item=item_id,
            ),
        )
    values = values_of(item)
    approvals = list(
        session.scalars(
            select(Approval).where(Approval.subject == item_id, Approval.kind == kind).order_by(Approval.at)
        )
    )
    external = list(
        session.scalars(
            select(ExternalApproval)
            .where(ExternalApproval.subject == item_id, ExternalApproval.kind == kind)
            .order_by(ExternalApproval.id)
        )
    )
    row = session.get(PolicyDecision, item_id)
    ov = active_override(session, item_id)
    decided = {
        "decision": kind,
        "rule": "override" if ov else (row.rule if row else None),
        "explanation": (f"overridden by {ov.agent}: {ov.reason}" if ov else (row.explanation if row else None)),
        "policy_version": row.policy_version if row else None,
    }
    disposal = Disposal(
        item_id=item.id,
        kind=kind,
        route=route,
        title=item.title,
        identifiers={"id": item.id, "local_id": item.local_id, "other": list(values.get("identifiers") or [])},
        extent=values.get("extent"),
        collection=item.collection.slug,
        unit=item.unit.slug if item.unit else (item.collection.unit.slug if item.collection.unit else None),
        decision=decided,
        approvals=[
            {"role": a.role, "person": a.person, "at": a.at.isoformat(), "comment": a.comment} for a in approvals
        ],
        external_approvals=[
            {
                "authority": e.authority,
                "reference": e.reference,
                "granted_on": e.granted_on.isoformat(),
                "person": e.person,
            }
            for e in external
        ],
        approved_at=max((a.at for a in approvals), default=None),
        carried_out_at=utcnow(),
        user_id=user.id,
        person=user.username,
        note=(note or "").strip() or None,
    )
    session.add(disposal)
    session.flush()
    for name, content in documents:
        session.add(
            DisposalDocument(
                disposal_id=disposal.id,
                name=name.strip()[:255],
                sha256=sha256(content).hexdigest(),
                size=len(content),
                content=content,
            )
        )
    what = "destroyed" if route == "destruction" else f"deaccessioned by {route}"
    reference = f"certificate of destruction {disposal.id}" if route == "destruction" else f"disposal {disposal.id}"
    withdraw_item(
        session,
        item.id,
        viewer=viewer,
        agent=user.username,
        base_version=None,
        reason=f"{what} under the collection policy, as approved ({reference})",  # public: names no one
    )
    events.record(
        session,
        "destruction carried out" if route == "destruction" else "deaccession carried out",
        item_id=item.id,
        agent=user.username,
        detail=f"{kind} carried out by {route}: {reference}" + (f": {disposal.note}" if disposal.note else ""),
        kind=kind,
        route=route,
        disposal=disposal.id,
        documents=[n for n, _ in documents],
    )
    session.flush()
    return disposal


def destruction_list(session: Session, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
    """The destruction list: every item destroyed (carried out by the route destruction) between `start` and
    `end` (inclusive, by the day it was carried out), oldest first, with its certificate."""
    query = select(Disposal).where(Disposal.route == "destruction").order_by(Disposal.carried_out_at, Disposal.id)
    rows = []
    for d in session.scalars(query):
        day = d.carried_out_at.date()
        if (start and day < start) or (end and day > end):
            continue
        rows.append(
            {
                "certificate": d.id,
                "item": d.item_id,
                "reference": d.identifiers.get("local_id") or "",
                "title": d.title,
                "extent": d.extent or "",
                "collection": d.collection,
                "unit": d.unit or "",
                "decision": d.kind,
                "rule": (d.decision or {}).get("rule") or "",
                "approved_by": "; ".join(f"{a['role']} ({a['person']})" for a in d.approvals),
                "approved_at": d.approved_at.date().isoformat() if d.approved_at else "",
                "destroyed_at": day.isoformat(),
                "destroyed_by": d.person,
                "approvals": [(a["role"], a["person"]) for a in d.approvals],  # not a CSV column
            }
        )
    return rows


DESTRUCTION_LIST_COLUMNS = (
    "certificate",
    "item",
    "reference",
    "title",
    "extent",
    "collection",
    "unit",
    "decision",
    "rule",
    "approved_by",
    "approved_at",
    "destroyed_at",
    "destroyed_by",
)


def certificate(session: Session, certificate_id: int) -> tuple[Disposal, list[DisposalDocument]]:
    """A certificate of destruction (a disposal by the route destruction) with its documents.

    Raises:
        NotFound: no certificate has this number.
    """
    row = session.get(Disposal, certificate_id)
    if row is None or row.route != "destruction":
        raise NotFound(f"certificate of destruction {certificate_id} does not exist")
    return row, documents_of(session, row.id)


def disposal_of(session: Session, item_id: str) -> Disposal | None:
    return session.scalar(select(Disposal).where(Disposal.item_id == item_id))


def documents_of(session: Session, disposal_id: int) -> list[DisposalDocument]:
    return list(
        session.scalars(
            select(DisposalDocument).where(DisposalDocument.disposal_id == disposal_id).order_by(DisposalDocument.id)
        )
    )


# -- who may see and act on decisions (for every surface) ---------------------------------------------

# Account roles that read the destruction list and the certificates besides staff (the board's members).
DISPOSAL_READERS = frozenset({Role.CONSERVATOR.value, Role.BOARD_MEMBER.value})


def user_of(session: Session, viewer: Viewer) -> User | None:
    """The active account a signed-in viewer is (None for the public or a disabled account)."""
    if not viewer.signed_in:
        return None
    user = session.scalar(select(User).where(User.username == viewer.username))
    return user if user is not None and user.active else None


def may_see_decision(session: Session, viewer: Viewer, item: Item) -> bool:
    """Staff of the item's unit see its decision, approvals and refusals; so does an account that may take a
    role its destruction or deaccession proposal asks for (a conservator, a board member), while it is one."""
    if viewer.is_staff_for(item_unit_id(item)):
        return True
    user = user_of(session, viewer)
    if user is None:
        return False
    _item, policy, state = proposal(session, item.id)
    return state is not None and bool(set(state.required) & set(roles_of(session, user, item, policy)))


def may_see_disposals(viewer: Viewer) -> bool:
    """Staff and the board's members read the destruction list and the certificates."""
    return viewer.is_staff or any(role in DISPOSAL_READERS for role, _ in viewer.roles)


def open_roles(session: Session, viewer: Viewer, item: Item, state: ApprovalState | None) -> list[str]:
    """The roles of the open proposal this viewer's account may still approve or refuse in."""
    user = user_of(session, viewer)
    if user is None or state is None or state.refused is not None:
        return []
    mine = set(roles_of(session, user, item))
    return [r for r in state.missing if r in mine]
