"""The board's decisions on the web: one item's decision with its rule, its approvals and the roles still
missing; forms to approve, refuse, override and carry out; the destruction list and the certificates.

Every action calls the policy service (`heritage.policy.service`), which checks the account, its role for
the item, the hard rules and the state of the proposal; these views only read the form, call it, commit,
and show the service's refusal with its 4xx. Who may see a decision: `service.may_see_decision`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from heritage.access import Viewer, item_unit_id
from heritage.catalogue import get_item
from heritage.errors import BadRequest, Forbidden, NotFound
from heritage.models import Item, PolicyDecision
from heritage.policy import service
from heritage.policy.engine import DECISIONS
from web.context import acting_viewer, runtime, session
from web.i18n import label

bp = Blueprint("decisions", __name__, url_prefix="/masterplan")
TEXT_MAX = 2000
DOCUMENT_MAX = 20 * 1024 * 1024  # a scanned deed or receipt


def _signed_in() -> Viewer:
    """The signed-in viewer; the public is sent to the sign-in form first."""
    who = acting_viewer()
    if not who.signed_in:
        abort(redirect(url_for("auth.login_form", next=request.full_path.rstrip("?"))))
    return who


def _item(item_id: str, who: Viewer) -> Item:
    """Raises: NotFound: no such item, or one whose decision this viewer may not see."""
    item = get_item(session(), item_id)
    if not service.may_see_decision(session(), who, item):
        raise NotFound(f"item {item_id!r} does not exist")
    return item


def in_words(error: Exception) -> str:
    """The service's message in the page's language: its template translated, roles, decisions, rules and
    routes by their labels (a message without a template is shown as it is)."""
    message = getattr(error, "said", None)
    if message is None:
        return str(error)
    kinds = {"kind": "decision", "role": "policy_role", "rule": "decision_rule", "route": "disposal_route"}

    def value(key: str, v: object) -> str:
        text = str(v)
        if key in kinds:
            return label(kinds[key], text)
        if key in ("roles", "needed"):
            return ", ".join(label("policy_role", part) for part in text.split(", "))
        if key == "routes":
            return " / ".join(label("disposal_route", part) for part in text.split(" or "))
        return text

    return str(message.translated(_, value))


def _page(item_id: str, *, error: str | None = None, status: int = 200, form: dict[str, Any] | None = None) -> Any:
    who = _signed_in()
    item = _item(item_id, who)
    db = session()
    _item_again, policy, state = service.proposal(db, item.id)
    decision = db.get(PolicyDecision, item.id)
    override = service.active_override(db, item.id)
    kind = state.kind if state else None
    disposal = service.disposal_of(db, item.id)
    blocked = service.blocking(db, item, kind or "deaccession_candidate", policy)
    # the outside permissions the policy names for this item (a listed topstuk), asked before a proposal is made too:
    # a hard rule refuses the override into one until the permission is recorded
    external_kind = kind or "deaccession_candidate"
    roles = policy.approvals.get(external_kind, ((), True))[0]
    external_needed = (
        [] if disposal else service.approval_state(db, item.id, external_kind, roles, policy).external_needed
    )
    body = render_template(
        "decisions/decision.html",
        item=item,
        decision=decision,
        override=override,
        state=state,
        status=service.proposal_status(db, item.id),
        kind=kind,
        disposal=disposal,
        documents=service.documents_of(db, disposal.id) if disposal else [],
        blocked=sorted({rule for rule, _flag in blocked}),
        my_roles=service.open_roles(db, who, item, state) if not disposal else [],
        routes=service.ROUTES_OF.get(kind or "", ()),
        decisions=DECISIONS,
        may_override=who.is_staff_for(item_unit_id(item)) and not disposal,
        may_lift_hold=who.is_admin and not disposal and bool(set(service.HOLD_FLAGS) & set(_own_flags(item))),
        external_kind=external_kind,
        external_needed=external_needed,
        error=error,
        form=form or {},
    )
    return body, status


def _own_flags(item: Item) -> list[str]:
    return list((item.attributes or {}).get("flags") or [])


@bp.get("/decisions/<item_id>")
def decision(item_id: str) -> Any:
    """The item's decision, its rule explained, its approvals and the roles missing, and the forms to act."""
    return _page(item_id)


def _act(item_id: str, action: Callable[[Viewer], Any], done: str) -> Any:
    """Run a service call as the signed-in account, commit it; on a refusal, the page with the message."""
    who = _signed_in()
    _item(item_id, who)
    if not who.allows("edit"):
        raise Forbidden(_("This token may not act on decisions: it needs the edit scope."))
    db = session()
    try:
        result = action(who)
        db.commit()
    except (BadRequest, Forbidden) as exc:
        db.rollback()
        return _page(item_id, error=in_words(exc), status=exc.status, form=dict(request.form))
    except BaseException:
        db.rollback()
        raise
    if isinstance(result, service.Disposal):
        from heritage.editing.service import Saved, reindex

        reindex(runtime(), Saved(item_id, 0, None, [], [], [item_id], False))
    flash(done, "status")
    return redirect(url_for("decisions.decision", item_id=item_id), code=303)


def _text(name: str) -> str:
    return str(request.form.get(name) or "").strip()[:TEXT_MAX]


@bp.post("/decisions/<item_id>/approve")
def approve(item_id: str) -> Any:
    role = _text("role")
    return _act(
        item_id,
        lambda who: service.approve(
            session(), item_id, role=role, person=who.username or "", comment=_text("comment") or None
        ),
        _("Your approval was recorded."),
    )


@bp.post("/decisions/<item_id>/refuse")
def refuse(item_id: str) -> Any:
    role = _text("role")
    return _act(
        item_id,
        lambda who: service.refuse(session(), item_id, role=role, person=who.username or "", reason=_text("reason")),
        _("Your refusal was recorded: the proposal is refused."),
    )


@bp.post("/decisions/<item_id>/override")
def override(item_id: str) -> Any:
    def run(who: Viewer) -> Any:
        item = get_item(session(), item_id)
        if not who.is_staff_for(item_unit_id(item)):
            raise Forbidden(_("Only staff of the item's unit override its decision."))
        raw = _text("due")
        try:
            due = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise BadRequest(_("The date %(value)s is not a date (YYYY-MM-DD).", value=raw)) from None
        return service.override(
            session(), item_id, _text("decision"), reason=_text("reason"), agent=who.username or "", due=due
        )

    return _act(item_id, run, _("The decision was overridden."))


@bp.post("/decisions/<item_id>/external-approval")
def external_approval(item_id: str) -> Any:
    """Record the outside authority's permission the policy names for a protected piece (a listed topstuk)."""

    def run(who: Viewer) -> Any:
        raw = _text("granted_on")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise BadRequest(_("The date %(value)s is not a date (YYYY-MM-DD).", value=raw)) from None
        return service.record_external_approval(
            session(),
            item_id,
            authority=_text("authority"),
            reference=_text("reference"),
            granted_on=day,
            person=who.username or "",
            kind=_text("kind") or "deaccession_candidate",
        )

    return _act(item_id, run, _("The outside permission was recorded."))


@bp.post("/decisions/<item_id>/lift-hold")
def lift_hold(item_id: str) -> Any:
    """An administrator lifts the item's legal hold with a reason; the item is evaluated again."""
    return _act(
        item_id,
        lambda who: service.lift_legal_hold(session(), item_id, person=who.username or "", reason=_text("hold_reason")),
        _("The legal hold was lifted and the item evaluated again."),
    )


@bp.post("/decisions/<item_id>/carry-out")
def carry_out(item_id: str) -> Any:
    def run(who: Viewer) -> Any:
        documents = []
        for upload in request.files.getlist("document"):
            if not upload or not upload.filename:
                continue
            content = upload.read(DOCUMENT_MAX + 1)
            if len(content) > DOCUMENT_MAX:
                raise BadRequest(_("The document %(name)s is larger than 20 MB.", name=upload.filename))
            documents.append((upload.filename, content))
        if request.form.get("confirm") != "yes":
            raise BadRequest(_("Confirm that the proposal is carried out: the record becomes a tombstone."))
        return service.carry_out(
            session(),
            item_id,
            route=_text("route"),
            person=who.username or "",
            note=_text("note") or None,
            documents=documents,
        )

    return _act(item_id, run, _("Carried out: the record is kept and the item is withdrawn."))


@bp.get("/decisions/<item_id>/documents/<int:document_id>")
def document(item_id: str, document_id: int) -> Response:
    """A document kept with the item's disposal (a deed, a receipt), for whoever may see the decision."""
    who = _signed_in()
    _item(item_id, who)
    disposal = service.disposal_of(session(), item_id)
    found = (
        next((d for d in service.documents_of(session(), disposal.id) if d.id == document_id), None)
        if disposal
        else None
    )
    if found is None:
        raise NotFound(f"document {document_id} of item {item_id} does not exist")
    quoted = found.name.replace('"', "")
    return Response(
        found.content,
        mimetype="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{quoted}"'},
    )


def _disposal_reader() -> Viewer:
    who = _signed_in()
    if not service.may_see_disposals(who):
        raise Forbidden(_("Staff and the board's members read the destruction list."))
    return who


def _period() -> tuple[date | None, date | None]:
    days = []
    for name in ("from", "to"):
        raw = (request.args.get(name) or "").strip()
        try:
            days.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            raise BadRequest(_("The date %(value)s is not a date (YYYY-MM-DD).", value=raw)) from None
    return days[0], days[1]


@bp.get("/destructions")
def destructions() -> Any:
    """The destruction list, printable: what was destroyed when, by whose decision, with its certificate."""
    _disposal_reader()
    start, end = _period()
    rows = service.destruction_list(session(), start, end)
    period = {k: v.isoformat() for k, v in (("from", start), ("to", end)) if v}
    csv_url = url_for("decisions.destructions_csv", **period)
    return render_template("decisions/destructions.html", rows=rows, start=start, end=end, csv_url=csv_url)


@bp.get("/destructions.csv")
def destructions_csv() -> Response:
    """The destruction list as CSV (the columns of `heritage policy destruction-list --csv`)."""
    _disposal_reader()
    start, end = _period()
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=service.DESTRUCTION_LIST_COLUMNS, lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(service.destruction_list(session(), start, end))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="destruction-list.csv"'},
    )


@bp.get("/certificates/<int:certificate_id>")
def certificate(certificate_id: int) -> str:
    """A certificate of destruction, printable."""
    _disposal_reader()
    row, documents = service.certificate(session(), certificate_id)
    return render_template("decisions/certificate.html", row=row, documents=documents)
