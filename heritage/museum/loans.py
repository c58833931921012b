"""Loans out and in (Spectrum 5.1 "loans out", "loans in"): the one service every surface calls.

A loan passes through requested -> approved -> agreed -> dispatched -> on_loan -> returned -> closed; each step is
an event on the loan (an event without an item, `data.loan` its id) and one on each object's history, with who
and when. Before approval the checks run, each failed check named by object and rule:

- the venue against each object's needs, with the location rules (`locations.matching.misses`: climate, RH
  swing, security, hazards, forbidden flags, ethics approval); capacity and floor load are the borrower's;
- each object's light budget over the loan period: its rolling 12-month dose (`locations.light.dose_history`)
  with its stay at home until the loan starts and on display at the venue until it ends, against its light
  category's budget (and the venue's lux against the category's maximum);
- protected pieces: an object with a flag for which the policy names an external permission (the policy's
  `approvals.loan_out.external`, or else any kind's, e.g. a listed topstuk and the Flemish minister) needs that
  permission recorded for this loan (`record_permission`).

The approver must be an account that may take one of the roles the policy names (`approvals.loan_out`, or
`loan_in` for a loan in) for every object of the loan (`heritage.policy.service.require_approver`); a policy that
names none (an older one) leaves approval to whoever the surface lets act (the registrars), as before.

A failed climate or light check refuses approval unless the approver gives an override reason (stored on the
loan, and in the approval event with the failed checks: an authorised decision, not a silent one); a missing
external permission is never overridden. Dispatch of a loan out needs a dispatch condition check of every object;
the return needs a return condition check of every object and an audit of what came back (`movements.inventory`
of the venue, which must find every object of the loan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.errors import BadRequest, Input, NotFound, bad
from heritage.locations import movements
from heritage.locations.light import DoseHistory, daily_rate, dose_history, light_category_of
from heritage.locations.matching import misses, need_for
from heritage.locations.reasons import Coded, Joined, Number
from heritage.locations.tree import Place, get_place, load_places
from heritage.models import ConditionCheck, Event, ExternalApproval, Item, Loan, LoanObject, Location, Outcome, utcnow
from heritage.museum import days
from heritage.museum.vocabulary import checked, loan_actions, loan_states
from heritage.policy import facts as facts_mod
from heritage.policy.model import Policy
from heritage.policy.store import PolicyStore
from metadata_schemas.said import Said, said

DIRECTIONS = ("out", "in")
ACTIVE = ("requested", "approved", "agreed", "dispatched", "on_loan", "returned")
STATES_ALL = (*ACTIVE, "closed")  # every state a loan can be in, in order
AWAY = ("dispatched", "on_loan")  # the objects are not at home (out) or are with us (in)
# Location rules that are the borrower's business, or that the light check below does for the loan period.
NOT_CHECKED = frozenset({"capacity_available", "floor_load", "light_budget"})
# The inputs a refusal names: in English as the CLI's options, on a page by its form's labels.
PARTY = Input("party", "--party")
DATE_FROM = Input("date_from", "--from")
DATE_TO = Input("date_to", "--to")
ITEMS = Input("items", "--item")
INSURANCE_KIND = Input("insurance_kind", "--insurance")
INSURANCE_VALUE = Input("insurance_value", "insurance value")
TERMS = Input("terms", "terms")
AUTHORITY = Input("authority", "--authority")
REFERENCE = Input("reference", "--reference")
GRANTED_ON = Input("granted_on", "--date")
SCANNED = Input("scanned", "--scanned")


@dataclass
class Check:
    """One check of one object: its rule, whether it passed, and the reason (named for the registrar) as a
    template with its values, so that a page says it in its reader's language."""

    item: str
    title: str
    rule: str  # climate | light | protected | ...
    ok: bool
    said: Said
    overridable: bool = True

    @property
    def reason(self) -> str:
        """The reason in English (the CLI, the API, the approval event)."""
        return str(self.said)

    def as_json(self) -> dict[str, Any]:
        """The check as the CLI's and the API's JSON give it (`reason` in English)."""
        return {
            "item": self.item,
            "title": self.title,
            "rule": self.rule,
            "ok": self.ok,
            "reason": self.reason,
            "overridable": self.overridable,
        }


def loan_event_type(action: str) -> str:
    return f"loan {action}"


def get_loan(session: Session, loan_id: int | str) -> Loan:
    """Raises: NotFound: no loan has this number."""
    try:
        number = int(str(loan_id).strip())
    except ValueError:
        raise NotFound(f"loan {loan_id!r} does not exist (a loan is named by its number)") from None
    loan = session.get(Loan, number) if 0 < number < 2**31 else None  # beyond an INTEGER column: none
    if loan is None:
        raise NotFound(f"loan {number} does not exist")
    return loan


def _record(
    session: Session, loan: Loan, action: str, agent: str, detail: str, outcome: str = Outcome.SUCCESS, **data: Any
) -> None:
    """The step as an event on the loan and one on each of its objects' histories."""
    text = f"loan {loan.id} ({loan.direction}, {loan.party}): {detail}"
    events.record(session, loan_event_type(action), agent=agent, outcome=outcome, detail=text, loan=loan.id, **data)
    for obj in loan.objects:
        events.record(
            session,
            loan_event_type(action),
            item_id=obj.item_id,
            agent=agent,
            outcome=outcome,
            detail=text,
            loan=loan.id,
        )


def _day(value: date | str | None, what: Input) -> date:
    """A loan's day: given, never taken as today."""
    return days.day(value, what)


def create(
    session: Session,
    *,
    direction: str,
    party: str,
    venue: str,
    date_from: date | str,
    date_to: date | str,
    items: list[str],
    agent: str,
    terms: str | None = None,
    insurance_kind: str | None = None,
    insurance_value: float | str | None = None,
    courier: str | None = None,
    facility_report: str | None = None,
) -> Loan:
    """Request a loan (state `requested`).

    Raises:
        BadRequest: a bad direction, no borrower or lender, dates out of order, no objects, an object twice or on
            another loan in the same period, a bad insurance kind or value. NotFound: no such venue or item.
    """
    if direction not in DIRECTIONS:
        raise BadRequest(f"direction {direction!r}: one of out (a loan out) or in (a loan in)")
    if not (party or "").strip():
        raise bad("a loan needs its borrower (out) or lender (in) (%(field)s)", field=PARTY)
    start, end = _day(date_from, DATE_FROM), _day(date_to, DATE_TO)
    if end < start:
        raise bad(
            "%(field)s %(end)s is before %(other)s %(start)s", field=DATE_TO, end=end, other=DATE_FROM, start=start
        )
    place = get_place(load_places(session), (venue or "").strip())
    ids = [i.strip() for i in items if i and i.strip()]
    if not ids:
        raise bad("a loan needs at least one object (%(field)s)", field=ITEMS)
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise bad("object %(items)s is named twice", field=ITEMS, items=", ".join(twice))
    found = [catalogue.get_item(session, i) for i in ids]
    for item in found:
        other = session.scalar(
            select(Loan)
            .join(LoanObject)
            .where(LoanObject.item_id == item.id, Loan.state.in_(ACTIVE), Loan.date_from <= end, Loan.date_to >= start)
            .limit(1)
        )
        if other is not None:
            raise bad(
                "object %(item)s is on loan %(loan)s (%(start)s to %(end)s) in the same period",
                item=item.id,
                loan=other.id,
                start=other.date_from,
                end=other.date_to,
            )
    kind = checked("insurance_kind", insurance_kind, INSURANCE_KIND) if insurance_kind else None
    value = _amount(insurance_value)
    loan = Loan(
        direction=direction,
        state="requested",
        party=party.strip(),
        venue_id=place.location.id,
        date_from=start,
        date_to=end,
        terms=(terms or "").strip() or None,
        insurance_kind=kind,
        insurance_value=value,
        courier=(courier or "").strip() or None,
        facility_report=(facility_report or "").strip() or None,
        created_by=agent,
        objects=[LoanObject(item_id=item.id, home_location_id=item.location_id) for item in found],
    )
    session.add(loan)
    session.flush()
    _record(session, loan, "requested", agent, f"requested for {place.code}, {start} to {end}", venue=place.code)
    return loan


def _amount(value: float | str | None) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        amount = float(str(value).replace(",", ".").strip())
    except ValueError:
        raise bad("%(field)s %(value)s is not a number", field=INSURANCE_VALUE, value=repr(value)) from None
    if amount < 0:
        raise bad("%(field)s %(value)s is negative", field=INSURANCE_VALUE, value=repr(value))
    return amount


def update_terms(
    session: Session,
    loan_id: int | str,
    *,
    agent: str,
    terms: str | None = None,
    insurance_kind: str | None = None,
    insurance_value: float | str | None = None,
    courier: str | None = None,
    facility_report: str | None = None,
) -> Loan:
    """Change the agreement's terms, insurance, courier or facility report (before dispatch); None keeps a field.

    Raises:
        NotFound: no such loan. BadRequest: the loan is dispatched already, a bad insurance kind or value.
    """
    loan = get_loan(session, loan_id)
    if loan.state not in ("requested", "approved", "agreed"):
        raise bad(
            "loan %(loan)s is %(state)s: its terms are fixed once the objects are dispatched",
            loan=loan.id,
            state=Coded("loan_state", loan.state),
        )
    changed = []
    for name, value in (("terms", terms), ("courier", courier), ("facility_report", facility_report)):
        if value is not None and ((value or "").strip() or None) != getattr(loan, name):
            setattr(loan, name, value.strip() or None)
            changed.append(name)
    if insurance_kind is not None:
        loan.insurance_kind = checked("insurance_kind", insurance_kind, INSURANCE_KIND) if insurance_kind else None
        changed.append("insurance_kind")
    if insurance_value is not None:
        loan.insurance_value = _amount(insurance_value)
        changed.append("insurance_value")
    if changed:
        loan.updated_at = utcnow()
        _record(session, loan, "terms", agent, f"changed {', '.join(changed)}", fields=changed)
    return loan


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def external_permissions(policy: Policy) -> list[tuple[frozenset[str], str]]:
    """The (flags, authority) pairs a loan out needs a permission for: the policy's `loan_out` kind, else every
    kind's (a protected piece's permission is the same authority's whatever leaves the house)."""
    named = policy.external_approvals.get("loan_out")
    if named:
        return list(named)
    return [pair for pairs in policy.external_approvals.values() for pair in pairs]


def permission_kind(loan: Loan) -> str:
    """The kind under which a loan's external permissions are recorded (ExternalApproval.kind)."""
    return f"loan {loan.id}"


def _light_check(
    item: Item,
    title: str,
    policy: Policy,
    attrs: dict[str, Any],
    history: DoseHistory,
    home: Place | None,
    venue: Place,
    loan: Loan,
) -> Check | None:
    material = policy.materials.get(attrs.get("material") or "")
    category = light_category_of(attrs, material)
    if category is None or venue.annual_dose is None:
        return None
    max_lux, budget = policy.light_budgets.get(category, (None, None))
    lux = float(venue.light.get("max_lux") or 0)
    if max_lux is not None and lux > float(max_lux):
        return Check(
            item.id,
            title,
            "light",
            False,
            said(
                "the venue's %(lux)s lux exceeds %(max_lux)s lux for light category %(category)s",
                lux=Number(lux),
                max_lux=Number(float(max_lux)),
                category=category,
            ),
        )
    if budget is None:
        return None
    limit = float(policy.light_budget().get("rotate_at_fraction", 1.0)) * float(budget)
    start, end = _at(loan.date_from), _at(loan.date_to) + timedelta(days=1)
    projected = DoseHistory(now=history.now, carried=history.carried, segments=list(history.segments))
    if start > history.now:
        projected.segments.append((history.now, start, daily_rate(home)))
    projected.segments.append((max(start, history.now), end, daily_rate(venue)))
    dose = projected.rolling(end)
    days = (loan.date_to - loan.date_from).days + 1
    if dose >= limit:
        return Check(
            item.id,
            title,
            "light",
            False,
            said(
                "light budget: %(days)s days at the venue (%(daily)s lx·h a day) bring its rolling 12-month dose to "
                "%(dose)s lx·h by %(end)s, over the %(category)s budget of %(limit)s lx·h",
                days=days,
                daily=Number(venue.annual_dose / 365, ",.0f"),
                dose=Number(dose, ",.0f"),
                end=loan.date_to,
                category=category,
                limit=Number(limit, ",.0f"),
            ),
        )
    return Check(
        item.id,
        title,
        "light",
        True,
        said(
            "light budget: %(dose)s of %(limit)s lx·h (%(category)s) by the end of the loan",
            dose=Number(dose, ",.0f"),
            limit=Number(limit, ",.0f"),
            category=category,
        ),
    )


def checks(session: Session, loan_id: int | str) -> list[Check]:
    """Every check of every object of the loan, passed and failed (see the module's docstring)."""
    loan = get_loan(session, loan_id)
    places = load_places(session)
    venue = places[loan.venue_id]
    store = PolicyStore.load(session)
    out: list[Check] = []
    for obj in loan.objects:
        item = catalogue.get_item(session, obj.item_id)
        title = item.title
        policy = store.for_catalogue_item(item)
        attrs = facts_mod.effective_attributes(item, policy.defaults)
        need = need_for(item, policy)
        failed = [m for m in misses(policy, need, venue, moving_in=False)[0] if m.rule not in NOT_CHECKED]
        for miss in failed:
            out.append(
                Check(
                    item.id,
                    title,
                    "climate" if miss.rule.startswith(("env", "rh")) else miss.rule,
                    False,
                    said("venue %(venue)s: %(reason)s", venue=venue.code, reason=miss.said),
                )
            )
        if not failed:
            met = said("venue %(venue)s meets its climate and security needs", venue=venue.code)
            out.append(Check(item.id, title, "venue", True, met))
        home = places.get(obj.home_location_id) if obj.home_location_id else None
        light = _light_check(item, title, policy, attrs, dose_history(session, item, places), home, venue, loan)
        if light is not None:
            out.append(light)
        flags = set(attrs.get("flags") or [])
        recorded = {
            f
            for a in session.scalars(
                select(ExternalApproval).where(
                    ExternalApproval.subject == item.id, ExternalApproval.kind == permission_kind(loan)
                )
            )
            for f in a.flags or []
        }
        for when, authority in external_permissions(policy):
            wanted = when & flags
            if not wanted:
                continue
            if wanted - recorded:
                out.append(
                    Check(
                        item.id,
                        title,
                        "protected",
                        False,
                        said(
                            "a protected piece (%(item_flags)s) needs the permission of %(authority)s recorded for "
                            "this loan",
                            item_flags=", ".join(sorted(wanted)),
                            authority=authority,
                        ),
                        overridable=False,
                    )
                )
            else:
                recorded_by = said("the permission of %(authority)s is recorded", authority=authority)
                out.append(Check(item.id, title, "protected", True, recorded_by))
    return out


def record_permission(
    session: Session,
    loan_id: int | str,
    item_id: str,
    *,
    authority: str,
    reference: str,
    granted_on: date | str,
    person: str,
) -> ExternalApproval:
    """Record the external permission the policy names for a protected object of this loan.

    Raises:
        NotFound: no such loan or item. BadRequest: the object is not on the loan or needs no permission, an empty
            authority or reference, a date in the future, a name that is no account.
    """
    from heritage.policy.service import account, store_external_approval

    loan = get_loan(session, loan_id)
    item = catalogue.get_item(session, item_id)
    if item.id not in {o.item_id for o in loan.objects}:
        raise bad("object %(item)s is not on loan %(loan)s", item=item.id, loan=loan.id)
    if not (authority or "").strip() or not (reference or "").strip():
        raise bad(
            "a permission needs the authority (%(field)s) and its reference (%(reference)s)",
            field=AUTHORITY,
            reference=REFERENCE,
        )
    granted = _day(granted_on, GRANTED_ON)
    if granted > date.today():
        raise bad("%(field)s %(day)s: a permission cannot be granted in the future", field=GRANTED_ON, day=granted)
    policy = PolicyStore.load(session).for_catalogue_item(item)
    flags = set(facts_mod.effective_attributes(item, policy.defaults).get("flags") or [])
    answered = sorted(set().union(*(when & flags for when, _ in external_permissions(policy))))
    if not answered:
        raise bad("object %(item)s needs no external permission: it has none of the protected flags", item=item.id)
    return store_external_approval(
        session,
        item.id,
        permission_kind(loan),
        (authority, reference, granted),
        answered,
        account(session, person),
        f"loan {loan.id}: {authority.strip()} permitted the loan on {granted} ({reference.strip()})",
        loan=loan.id,
    )


def _step(loan: Loan, action: str) -> str:
    need, to = loan_actions()[action]
    if loan.state != need:
        raise bad(
            "loan %(loan)s is %(state)s: '%(action)s' needs a loan that is %(need)s",
            loan=loan.id,
            state=Coded("loan_state", loan.state),
            action=Coded("loan_action", action),
            need=Coded("loan_state", need),
        )
    return to


def approval_kind(loan: Loan) -> str:
    """The policy's approval kind for the loan (`approvals.loan_out` or `approvals.loan_in`)."""
    return f"loan_{loan.direction}"


def approvers(session: Session, loan: Loan) -> tuple[str, ...]:
    """The policy roles whose people approve this loan (empty: the policy names none; registrars approve)."""
    from heritage.policy.service import approver_roles

    items = [catalogue.get_item(session, o.item_id) for o in loan.objects]
    return approver_roles(session, items, approval_kind(loan))


def approve(session: Session, loan_id: int | str, *, agent: str, override: str | None = None) -> list[Check]:
    """Approve a requested loan after its checks; returns the checks. `agent` must be an account that may take
    one of the roles the policy names (`approvals.loan_out` / `loan_in`) for every object of the loan; a policy
    that names none leaves it to the surfaces (web and API: registrars), as before.

    Raises:
        BadRequest: the loan is not requested; `agent` is no account (where the policy names approvers); a check
            failed (each named) and no override reason was given; a protected piece's external permission is
            missing (never overridden). Forbidden: `agent` may not take a named role for an object (roles named).
    """
    from heritage.policy.service import require_approver

    loan = get_loan(session, loan_id)
    to = _step(loan, "approve")
    objects = [catalogue.get_item(session, o.item_id) for o in loan.objects]
    require_approver(session, agent, objects, approval_kind(loan))
    results = checks(session, loan.id)
    failed = [c for c in results if not c.ok]
    hard = [c for c in failed if not c.overridable]
    reason = (override or "").strip()
    if hard or (failed and not reason):
        named = Joined(
            tuple(
                said("%(item)s (%(rule)s): %(reason)s", item=c.item, rule=Coded("loan_check", c.rule), reason=c.said)
                for c in (hard or failed)
            ),
            "; ",
        )
        if hard:
            raise bad("loan %(loan)s cannot be approved: %(checks)s", loan=loan.id, checks=named)
        raise bad(
            "loan %(loan)s cannot be approved: %(checks)s (approve with an override reason to go ahead on your "
            "authority)",
            loan=loan.id,
            checks=named,
        )
    loan.state, loan.updated_at = to, utcnow()
    if failed:
        loan.override_reason = reason
    detail = "approved" + (
        f" over {len(failed)} failed check(s), because: {reason}" if failed else "; every check passed"
    )
    _record(
        session,
        loan,
        "approved",
        agent,
        detail,
        Outcome.WARNING if failed else Outcome.SUCCESS,
        failed=[c.as_json() for c in failed],
    )
    return results


def agree(session: Session, loan_id: int | str, *, agent: str) -> Loan:
    """The agreement is signed: terms and (for a loan out) the insurance or indemnity are set.

    Raises:
        BadRequest: the loan is not approved, or the terms, insurance kind or value are missing.
    """
    loan = get_loan(session, loan_id)
    to = _step(loan, "agree")
    missing = [
        name
        for name, value in (
            (TERMS, loan.terms),
            (Input("insurance_kind", "insurance or indemnity"), loan.insurance_kind),
            (INSURANCE_VALUE, loan.insurance_value),
        )
        if value is None
    ]
    if missing:
        raise bad(
            "loan %(loan)s cannot be agreed without its %(missing)s", loan=loan.id, missing=Joined(tuple(missing))
        )
    loan.state, loan.updated_at = to, utcnow()
    _record(session, loan, "agreed", agent, f"agreement signed; {loan.insurance_kind} {loan.insurance_value:,.2f}")
    return loan


def _checked_at(session: Session, loan: Loan, stage: str) -> set[str]:
    return set(
        session.scalars(
            select(ConditionCheck.item_id).where(ConditionCheck.loan_id == loan.id, ConditionCheck.stage == stage)
        )
    )


def _require_condition(session: Session, loan: Loan, stage: str, action: str) -> None:
    missing = [o.item_id for o in loan.objects if o.item_id not in _checked_at(session, loan, stage)]
    if not missing:
        return
    # the CLI's own way to record them; a page has a form for it instead
    how = Input("condition_command", f" (heritage condition record ITEM --loan {loan.id} --stage {stage})")
    if action == "dispatched":
        raise bad(
            "loan %(loan)s cannot be dispatched: no dispatch condition check of %(items)s%(how)s",
            loan=loan.id,
            items=", ".join(missing),
            how=how,
        )
    raise bad(
        "loan %(loan)s cannot be returned: no return condition check of %(items)s%(how)s",
        loan=loan.id,
        items=", ".join(missing),
        how=how,
    )


def dispatch(session: Session, loan_id: int | str, *, agent: str) -> Loan:
    """The objects leave: a loan out needs a dispatch condition check of each; its objects move to the venue.

    Raises:
        BadRequest: the loan is not agreed, or an object has no dispatch condition check.
    """
    loan = get_loan(session, loan_id)
    to = _step(loan, "dispatch")
    if loan.direction == "out":
        _require_condition(session, loan, "dispatch", "dispatched")
        venue = session.get(Location, loan.venue_id)
        assert venue is not None
        for obj in loan.objects:
            item = catalogue.get_item(session, obj.item_id)
            obj.home_location_id = item.location_id
            if item.location_id != venue.id:
                movements.move(session, item.id, venue.code, agent=agent, reason=f"loan {loan.id} to {loan.party}")
    loan.state, loan.updated_at = to, utcnow()
    _record(
        session, loan, "dispatched", agent, "objects dispatched" + (f", courier {loan.courier}" if loan.courier else "")
    )
    return loan


def receive(session: Session, loan_id: int | str, *, agent: str) -> Loan:
    """The objects arrived at the venue (a loan in: they move into our venue).

    Raises:
        BadRequest: the loan is not dispatched.
    """
    loan = get_loan(session, loan_id)
    to = _step(loan, "receive")
    if loan.direction == "in":
        venue = session.get(Location, loan.venue_id)
        assert venue is not None
        for obj in loan.objects:
            item = catalogue.get_item(session, obj.item_id)
            if item.location_id != venue.id:
                movements.move(session, item.id, venue.code, agent=agent, reason=f"loan {loan.id} from {loan.party}")
    loan.state, loan.updated_at = to, utcnow()
    _record(session, loan, "on_loan", agent, "objects received at the venue")
    return loan


def return_objects(session: Session, loan_id: int | str, *, agent: str, scanned: list[str]) -> dict[str, Any]:
    """The objects come back: each needs a return condition check, and the audit of what came back (an inventory
    of the venue with what was scanned) must find every object of the loan; a loan out's objects move home.

    Raises:
        BadRequest: the loan is not on loan, an object has no return condition check, nothing was scanned, or the
            audit misses an object of the loan (named).
    """
    loan = get_loan(session, loan_id)
    to = _step(loan, "return")
    _require_condition(session, loan, "return", "returned")
    venue = session.get(Location, loan.venue_id)
    assert venue is not None
    if not [s for s in scanned if s.strip()]:
        raise bad(
            "loan %(loan)s: the audit needs the objects scanned on return (%(field)s)", loan=loan.id, field=SCANNED
        )
    audit = movements.inventory(session, venue.code, scanned, agent=agent)
    ours = {o.item_id for o in loan.objects}
    missing = sorted(ours & set(audit.missing))  # out: at the borrower's venue; in: at ours since receipt
    if missing:
        raise bad(
            "loan %(loan)s cannot be returned: the audit did not find %(items)s", loan=loan.id, items=", ".join(missing)
        )
    if loan.direction == "out":
        codes = {loc.id: loc.code for loc in session.scalars(select(Location))}
        for obj in loan.objects:
            home = codes.get(obj.home_location_id) if obj.home_location_id else None
            if home and home != venue.code:
                movements.move(session, obj.item_id, home, agent=agent, reason=f"loan {loan.id} returned")
    loan.state, loan.updated_at = to, utcnow()
    extra = [*audit.unexpected, *audit.unknown]
    _record(
        session,
        loan,
        "returned",
        agent,
        f"objects returned; audit found all {len(ours)}" + (f", also scanned {', '.join(extra)}" if extra else ""),
        audit=audit.id,
    )
    return {"loan": loan.id, "audit": audit.id, "found": sorted(ours), "also_scanned": extra}


def close(session: Session, loan_id: int | str, *, agent: str) -> Loan:
    """Close a returned loan.

    Raises:
        BadRequest: the loan is not returned.
    """
    loan = get_loan(session, loan_id)
    loan.state, loan.updated_at = _step(loan, "close"), utcnow()
    _record(session, loan, "closed", agent, "closed")
    return loan


def act(
    session: Session,
    loan_id: int | str,
    action: str,
    *,
    agent: str,
    override: str | None = None,
    scanned: list[str] | None = None,
) -> Loan:
    """One action by name (approve, agree, dispatch, receive, return, close), as the web and the API call it.

    Raises:
        BadRequest: an unknown action, or the action's own refusals.
    """
    if action not in loan_actions():
        raise BadRequest(f"action {action!r}: one of {', '.join(loan_actions())}")
    if action == "approve":
        approve(session, loan_id, agent=agent, override=override)
    elif action == "agree":
        agree(session, loan_id, agent=agent)
    elif action == "dispatch":
        dispatch(session, loan_id, agent=agent)
    elif action == "receive":
        receive(session, loan_id, agent=agent)
    elif action == "return":
        return_objects(session, loan_id, agent=agent, scanned=scanned or [])
    else:
        close(session, loan_id, agent=agent)
    return get_loan(session, loan_id)


def next_action(loan: Loan) -> str | None:
    """The action that takes the loan to its next state (None once closed)."""
    return next((a for a, (need, _to) in loan_actions().items() if need == loan.state), None)


def list_loans(session: Session, *, state: str | None = None, direction: str | None = None) -> list[Loan]:
    """Loans, newest first; optionally of one state or direction.

    Raises:
        BadRequest: an unknown state or direction.
    """
    query = select(Loan).order_by(Loan.id.desc())
    if state:
        if state not in values_states():
            raise BadRequest(f"state {state!r}: one of {', '.join(values_states())}")
        query = query.where(Loan.state == state)
    if direction:
        if direction not in DIRECTIONS:
            raise BadRequest(f"direction {direction!r}: one of out, in")
        query = query.where(Loan.direction == direction)
    return list(session.scalars(query))


def values_states() -> list[str]:
    return loan_states()


def on_loan_today(session: Session, today: date | None = None) -> list[Loan]:
    """Loans whose objects are away (out) or with us (in) now."""
    return list(session.scalars(select(Loan).where(Loan.state.in_(AWAY)).order_by(Loan.date_to, Loan.id)))


def due_back(session: Session, today: date | None = None, within_days: int = 30) -> list[Loan]:
    """Loans whose objects are away and due back within `within_days` (or overdue), soonest first."""
    today = today or date.today()
    limit = today + timedelta(days=within_days)
    return list(session.scalars(select(Loan).where(Loan.state.in_(AWAY), Loan.date_to <= limit).order_by(Loan.date_to)))


def venue_code(session: Session, loan: Loan) -> str:
    venue = session.get(Location, loan.venue_id)
    return venue.code if venue else ""


def summary(session: Session, loan: Loan) -> dict[str, Any]:
    """The loan as `GET /api/loans` lists it."""
    return {
        "id": loan.id,
        "direction": loan.direction,
        "state": loan.state,
        "venue": venue_code(session, loan),
        "from": loan.date_from.isoformat(),
        "to": loan.date_to.isoformat(),
        "objects": [o.item_id for o in loan.objects],
    }


def history(session: Session, loan: Loan) -> list[Event]:
    """The loan's own events (its steps), oldest first."""
    found = session.scalars(
        select(Event).where(Event.type.like("loan %"), Event.item_id.is_(None)).order_by(Event.at, Event.id)
    )
    return [e for e in found if (e.data or {}).get("loan") == loan.id]


def details(session: Session, loan: Loan) -> dict[str, Any]:
    """Everything about the loan, as `heritage loans show --json` and `GET /api/loans/<id>` give it."""
    return {
        **summary(session, loan),
        "party": loan.party,
        "terms": loan.terms,
        "insurance": {"kind": loan.insurance_kind, "value": loan.insurance_value},
        "courier": loan.courier,
        "facility_report": loan.facility_report,
        "override_reason": loan.override_reason,
        "next_action": next_action(loan),
        "history": [
            {"type": e.type, "at": e.at.isoformat(), "by": e.agent, "outcome": e.outcome, "detail": e.detail}
            for e in history(session, loan)
        ],
    }
