"""The registrar's pages: loans (list, request form, the loan with its checks and its next step), condition checks
of a loan's objects, an object's museum history, the reports (loan agreement and condition report, as printable
pages and PDF; objects on loan today; loans due back), and the JSON API `/api/loans`. Every change goes through
`heritage.museum` (which validates and records the events); staff read, registrars (collection managers and
administrators) act, conservators also record condition checks. The public is sent to sign in (401 on the API).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue
from heritage.access import AccessFacts, Viewer, Visibility, may_edit, may_see_history, visibility
from heritage.errors import BadRequest, Forbidden, HeritageError, NotFound
from heritage.locations.tree import load_places
from heritage.models import Event, File, Loan, Location
from heritage.museum import condition, entries, loans
from heritage.museum.vocabulary import loan_actions, loan_states, values
from web import condition_photos
from web.auth import require_staff
from web.context import acting_viewer, session
from web.decisions import in_words
from web.i18n import current_language, label
from web.json_body import json_object, split_ids, text, texts
from web.loans_pdf import agreement_pdf, condition_pdf
from web.museum_words import in_words as museum_words
from web.museum_words import loan_inputs, reason

bp = Blueprint("loans", __name__, url_prefix="/loans")
api_bp = Blueprint("loans_api", __name__, url_prefix="/api/loans")
bp.add_app_template_global(reason, "museum_reason")

REGISTRARS = frozenset({"collection_manager", "administrator"})
CHECKERS = REGISTRARS | {"conservator"}
MUSEUM_EVENTS = ("loan ", "condition check", "conservation treatment", "movement", "object ", "acquisition")


def may_register(who: Viewer) -> bool:
    """Whether `who` may request loans and move them on: collection managers and administrators."""
    return who.allows("edit") and any(role in REGISTRARS for role, _unit in who.roles)


def may_check(who: Viewer) -> bool:
    """Whether `who` may record condition checks: registrars and conservators."""
    return who.allows("edit") and any(role in CHECKERS for role, _unit in who.roles)


def _museum_staff() -> Viewer:
    """Staff, or a conservator (who checks the condition of a loan's objects); else sign in first, or 403."""
    who = acting_viewer()
    if who.signed_in and not who.is_staff and may_check(who):
        return who
    return require_staff()


def _registrar() -> Viewer:
    require_staff()
    who = acting_viewer()
    if not may_register(who):
        raise Forbidden(_("Loans are requested and moved on by collection managers and administrators."))
    return who


def said_here(error: Exception) -> str:
    """A refusal of the loan or condition service in the page's language, its inputs named by the forms' labels."""
    return museum_words(error, loan_inputs())


def _name(loc: Location | None) -> str:
    if loc is None:
        return ""
    return loc.name_en if current_language() == "en" and loc.name_en else loc.name


def _titles(item_ids: list[str]) -> dict[str, str]:
    """The objects' titles (of objects this viewer may know of: `_seen`)."""
    db = session()
    return {item_id: catalogue.get_item(db, item_id).title for item_id in item_ids}


def known_items(item_ids: list[str]) -> list[str]:
    """The objects this viewer may know of. Another unit's closed item is not there for them: not its id, its
    title, its checks nor the count of a loan's (or an entry's) objects (the access rules' "never in a list or a
    count")."""
    db, who = session(), acting_viewer()
    return [i for i in item_ids if visibility(who, catalogue.get_item(db, i)) is not Visibility.NONE]


def _seen(loan: Loan) -> list[str]:
    """The loan's objects this viewer may know of (`known_items`)."""
    return known_items([o.item_id for o in loan.objects])


def _visible_loan(loan_id: int) -> tuple[Loan, list[str]]:
    """The loan and the objects this viewer may know of. Raises: NotFound: no such loan, or none of its objects."""
    loan = loans.get_loan(session(), loan_id)
    seen = _seen(loan)
    if not seen:
        raise NotFound(f"loan {loan_id} does not exist")
    return loan, seen


def _summary(loan: Loan) -> dict[str, Any] | None:
    """The loan as `GET /api/loans` lists it, with the objects this viewer may know of (None: none)."""
    seen = _seen(loan)
    return {**loans.summary(session(), loan), "objects": seen} if seen else None


def require_editable(who: Viewer, item_ids: list[str]) -> None:
    """The objects named first, before any other field: a request about objects one may not act on is refused
    whatever else it holds (the API's fuzzing found a 400 for its dates where the objects were not there).

    Raises:
        NotFound: an object does not exist, or is one `who` may not know of (another unit's closed item: the
            same words as for an unknown id). Forbidden: an object is not one `who` may edit (a loan, an entry,
            an exit or an acquisition is of one's own unit's objects only).
    """
    db = session()
    for item_id in item_ids:
        item = catalogue.get_item(db, item_id)
        if visibility(who, item) is Visibility.NONE:
            raise NotFound(f"item {item_id!r} does not exist")
        if not may_edit(who, item):
            raise Forbidden(f"object {item_id} is not one of your unit's: its own unit's registrar acts on it")


def _require_loan_editable(who: Viewer, loan_id: int) -> None:
    """Raises: NotFound: no such loan (for this viewer); Forbidden: it moves an object of another unit."""
    loan, seen = _visible_loan(loan_id)
    db = session()
    if len(seen) < len(loan.objects) or not all(may_edit(who, catalogue.get_item(db, i)) for i in seen):
        raise Forbidden(f"loan {loan_id} moves objects of another unit: that unit's registrar moves it on")


def _venues() -> list[tuple[str, str]]:
    """Places that can take objects (rooms and cases, not sites or buildings), by code."""
    places = load_places(session())
    return sorted((p.code, f"{p.code} · {_name(p.location)}") for p in places.values() if p.is_placeable)


@bp.get("")
def listing() -> str:
    """Every loan, newest first (filtered by state)."""
    _museum_staff()
    state = request.args.get("state", "").strip()
    db = session()
    try:
        found = loans.list_loans(db, state=state or None)
    except BadRequest:
        found, state = loans.list_loans(db), ""
    return render_template(
        "loans/list.html",
        rows=[(loan, row) for loan in found if (row := _summary(loan))],
        states=[(s, label("loan_state", s)) for s in loan_states()],
        state=state,
        may_edit=may_register(acting_viewer()),
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    """Request a loan (registrars)."""
    who = _registrar()
    values_ = {"direction": "out"} if request.method == "GET" else {k: str(v) for k, v in request.form.items()}
    error = None
    if request.method == "POST":
        db = session()
        try:
            require_editable(who, split_ids(values_.get("items", "")))
            loan = loans.create(
                db,
                direction=values_.get("direction", ""),
                party=values_.get("party", ""),
                venue=values_.get("venue", ""),
                date_from=values_.get("date_from", ""),
                date_to=values_.get("date_to", ""),
                items=split_ids(values_.get("items", "")),
                terms=values_.get("terms"),
                insurance_kind=values_.get("insurance_kind") or None,
                insurance_value=values_.get("insurance_value"),
                courier=values_.get("courier"),
                facility_report=values_.get("facility_report"),
                agent=who.username or "",
            )
            db.commit()
        except HeritageError as exc:
            db.rollback()
            error = said_here(exc)
        else:
            flash(_("Loan %(id)s was requested.", id=loan.id), "status")
            return redirect(url_for("loans.show", loan_id=loan.id), 303)
    page = render_template(
        "loans/form.html",
        values=values_,
        venues=_venues(),
        kinds=[(k, label("insurance_kind", k)) for k in values("insurance_kind")],
        error=error,
    )
    return page, (400 if error else 200)


def _loan_page(loan_id: int, error: str | None = None, status: int = 200) -> Any:
    db = session()
    loan, seen = _visible_loan(loan_id)
    who = acting_viewer()
    results = [c for c in loans.checks(db, loan.id) if c.item in seen] if loan.state == "requested" else []
    checks = [c for c in condition.checks_of(db, loan_id=loan.id) if c.item_id in seen]
    venue = db.get(Location, loan.venue_id)
    items = _titles(seen)
    page = render_template(
        "loans/show.html",
        loan=loan,
        venue=venue,
        venue_name=_name(venue),
        venue_conditions=_conditions(loan.venue_id),
        items=items,
        checks=results,
        failed=[c for c in results if not c.ok],
        protected=sorted({c.item for c in results if c.rule == "protected" and not c.ok}),
        condition_checks=checks,
        photos=condition_photos.photos_of(checks, who),
        history=loans.history(db, loan),
        next_action=loans.next_action(loan),
        approvers=[label("policy_role", r) for r in loans.approvers(db, loan)] if loan.state == "requested" else [],
        may_edit=may_register(who),
        may_check=may_check(who),
        error=error,
    )
    return page, status


def _conditions(location_id: int) -> str:
    """A venue's security level and flags (its own and its building's) by name, as the location list shows them."""
    place = load_places(session()).get(location_id)
    if place is None:
        return ""
    flags = ", ".join(sorted((label("location_flag", f) for f in place.flags), key=str.casefold))
    level = label("security_level", place.security) if place.security else ""
    return "; ".join(part for part in (level, flags) if part)


@bp.get("/<int:loan_id>")
def show(loan_id: int) -> Any:
    """A loan: its objects, terms, checks, condition checks, history and the button for its next step."""
    _museum_staff()
    return _loan_page(loan_id)


@bp.post("/<int:loan_id>/act")
def act(loan_id: int) -> Any:
    """Take the loan to its next state (approve, agree, dispatch, receive, return, close)."""
    who = _registrar()
    _require_loan_editable(who, loan_id)
    action = str(request.form.get("action", ""))
    db = session()
    try:
        loan = loans.act(
            db,
            loan_id,
            action,
            agent=who.username or "",
            override=str(request.form.get("override", "")).strip() or None,
            scanned=split_ids(str(request.form.get("scanned", ""))),
        )
        db.commit()
    except BadRequest as exc:
        db.rollback()
        return _loan_page(loan_id, said_here(exc), 400)
    except Forbidden as exc:  # the policy names other approvers: say whom, in the page's language
        db.rollback()
        return _loan_page(loan_id, in_words(exc), 403)
    flash(_("Loan %(id)s is now: %(state)s.", id=loan.id, state=label("loan_state", loan.state)), "status")
    return redirect(url_for("loans.show", loan_id=loan_id), 303)


@bp.post("/<int:loan_id>/terms")
def terms(loan_id: int) -> Any:
    """Save the agreement's terms, insurance, courier and facility report."""
    who = _registrar()
    _require_loan_editable(who, loan_id)
    form = request.form
    db = session()
    try:
        loans.update_terms(
            db,
            loan_id,
            agent=who.username or "",
            terms=str(form.get("terms", "")),
            insurance_kind=str(form.get("insurance_kind", "")),
            insurance_value=str(form.get("insurance_value", "")),
            courier=str(form.get("courier", "")),
            facility_report=str(form.get("facility_report", "")),
        )
        db.commit()
    except BadRequest as exc:
        db.rollback()
        return _loan_page(loan_id, said_here(exc), 400)
    flash(_("The terms were saved."), "status")
    return redirect(url_for("loans.show", loan_id=loan_id), 303)


@bp.post("/<int:loan_id>/permission")
def permission(loan_id: int) -> Any:
    """Record the external permission of a protected object."""
    who = _registrar()
    _require_loan_editable(who, loan_id)
    form = request.form
    db = session()
    try:
        loans.record_permission(
            db,
            loan_id,
            str(form.get("item", "")),
            authority=str(form.get("authority", "")),
            reference=str(form.get("reference", "")),
            granted_on=str(form.get("granted_on", "")),
            person=who.username or "",
        )
        db.commit()
    except BadRequest as exc:
        db.rollback()
        return _loan_page(loan_id, said_here(exc), 400)
    flash(_("The permission was recorded."), "status")
    return redirect(url_for("loans.show", loan_id=loan_id), 303)


@bp.route("/<int:loan_id>/condition", methods=["GET", "POST"])
def condition_form(loan_id: int) -> Any:
    """Record a condition check of one of the loan's objects (at dispatch or return)."""
    _museum_staff()
    who = acting_viewer()
    if not may_check(who):
        raise Forbidden(_("Condition checks are recorded by registrars and conservators."))
    db = session()
    loan, ids = _visible_loan(loan_id)
    stage = "return" if loan.state in ("dispatched", "on_loan", "returned") else "dispatch"
    form = request.form if request.method == "POST" else request.args
    chosen = str(form.get("item") or ids[0])
    error = None
    if request.method == "POST":
        photos = condition_photos.uploaded()
        with condition_photos.adder_for(photos) as adder:
            error = _record_check(
                db,
                chosen,
                condition=str(form.get("condition", "")),
                notes=str(form.get("notes", "")),
                checked_on=str(form.get("checked_on", "")) or None,
                hazards=form.getlist("hazards"),
                file_ids=form.getlist("files"),
                loan_id=loan.id,
                stage=str(form.get("stage", stage)),
                by=who.username or "",
                photos=photos,
                adder=adder,
            )
        if error is None:
            flash(_("The condition check of %(item)s was recorded.", item=chosen), "status")
            return redirect(url_for("loans.show", loan_id=loan.id), 303)
    files = (
        db.scalars(select(File).where(File.item_id == chosen).order_by(File.sequence)).all() if chosen in ids else []
    )
    page = render_template(
        "loans/condition.html",
        loan=loan,
        items=list(_titles(ids).items()),
        chosen=chosen,
        stage=str(form.get("stage", stage)),
        stages=[(s, label("condition_stage", s)) for s in values("condition_stage") if s != "routine"],
        conditions=[(c, label("condition", c)) for c in values("condition")],
        hazards=[(h, label("hazard", h)) for h in values("hazard")],
        files=[f for f in files if visibility(who, AccessFacts.of_file(f)) > Visibility.NONE],
        photo_field=condition_photos.FIELD,
        photo_accept=condition_photos.ACCEPT,
        photo_limit=condition_photos.limit_mb(),
        today=date.today().isoformat(),
        form=form,
        error=error,
    )
    return page, (400 if error else 200)


def _record_check(db: Session, item_id: str, **fields: Any) -> str | None:
    """Record the check and commit (inside the photographs' adder); the refusal in the page's language, or None."""
    try:
        condition.record(db, item_id, **fields)
        db.commit()
    except BadRequest as exc:
        db.rollback()
        return said_here(exc)
    return None


def _object_page(item_id: str, error: str | None = None, status: int = 200) -> Any:
    db = session()
    who = acting_viewer()
    item = catalogue.get_item(db, item_id)
    if not may_see_history(who, item):
        raise NotFound(f"item {item_id!r} does not exist")  # another unit's object: as if it were not there
    found = db.scalars(select(Event).where(Event.item_id == item.id).order_by(Event.at, Event.id))
    rows = [e for e in found if e.type.startswith(MUSEUM_EVENTS)]
    page = render_template(
        "loans/object.html",
        item=item,
        events=rows,
        acquisition=entries.acquisition_of(db, item.id),
        may_register=may_register(who) and may_edit(who, item),
        may_check=may_check(who),
        conditions=[(c, label("condition", c)) for c in values("condition")],
        hazards=[(h, label("hazard", h)) for h in values("hazard")],
        checks=(checks := condition.checks_of(db, item.id)),
        photos=condition_photos.photos_of(checks, who),
        photo_field=condition_photos.FIELD,
        photo_accept=condition_photos.ACCEPT,
        photo_limit=condition_photos.limit_mb(),
        error=error,
    )
    return page, status


@bp.get("/objects/<item_id>")
def object_history(item_id: str) -> Any:
    """An object's museum history: loans, condition checks, treatments, movements, entries and acquisition; with
    the forms of a routine condition check and a conservation treatment for registrars and conservators."""
    require_staff()
    return _object_page(item_id)


def _checker() -> Viewer:
    require_staff()
    who = acting_viewer()
    if not may_check(who):
        raise Forbidden(_("Condition checks are recorded by registrars and conservators."))
    return who


@bp.post("/objects/<item_id>/condition")
def object_condition(item_id: str) -> Any:
    """Record a routine condition check of the object."""
    who = _checker()
    _object_page(item_id)  # who may not see it gets its 404 before anything is stored
    db = session()
    photos = condition_photos.uploaded()
    with condition_photos.adder_for(photos) as adder:
        error = _record_check(
            db,
            item_id,
            condition=str(request.form.get("condition", "")),
            notes=str(request.form.get("notes", "")),
            hazards=request.form.getlist("hazards"),
            by=who.username or "",
            photos=photos,
            adder=adder,
        )
    if error is not None:
        return _object_page(item_id, error, 400)
    flash(_("The condition check of %(item)s was recorded.", item=item_id), "status")
    return redirect(url_for("loans.object_history", item_id=item_id), 303)


@bp.post("/objects/<item_id>/treatment")
def object_treatment(item_id: str) -> Any:
    """Record a conservation treatment of the object with its materials."""
    who = _checker()
    _object_page(item_id)
    db = session()
    try:
        condition.treat(
            db,
            item_id,
            treatment=str(request.form.get("treatment", "")),
            materials=split_ids(str(request.form.get("materials", ""))),
            by=who.username or "",
        )
        db.commit()
    except BadRequest as exc:
        db.rollback()
        return _object_page(item_id, said_here(exc), 400)
    flash(_("The treatment was recorded."), "status")
    return redirect(url_for("loans.object_history", item_id=item_id), 303)


def _report_context(loan_id: int) -> dict[str, Any]:
    db = session()
    loan, seen = _visible_loan(loan_id)
    venue = db.get(Location, loan.venue_id)
    return {
        "loan": loan,
        "venue": venue,
        "venue_name": _name(venue),
        "items": _titles(seen),
        "condition_checks": [c for c in condition.checks_of(db, loan_id=loan.id) if c.item_id in seen],
        "history": loans.history(db, loan),
    }


def _pdf(body: bytes, filename: str) -> Response:
    """A report as PDF, shown in the browser (printable) under a name that says which loan and report."""
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={filename}"})


@bp.get("/<int:loan_id>/agreement")
def agreement(loan_id: int) -> str:
    """The loan agreement, printable."""
    _museum_staff()
    return render_template("loans/agreement.html", **_report_context(loan_id))


@bp.get("/<int:loan_id>/agreement.pdf")
def agreement_as_pdf(loan_id: int) -> Response:
    """The loan agreement as PDF."""
    _museum_staff()
    return _pdf(agreement_pdf(_report_context(loan_id)), f"loan-{loan_id}-agreement.pdf")


@bp.get("/<int:loan_id>/condition-report")
def condition_report(loan_id: int) -> str:
    """The condition report of the loan's objects, printable."""
    _museum_staff()
    return render_template("loans/condition_report.html", **_report_context(loan_id))


@bp.get("/<int:loan_id>/condition-report.pdf")
def condition_report_as_pdf(loan_id: int) -> Response:
    """The condition report as PDF."""
    _museum_staff()
    return _pdf(condition_pdf(_report_context(loan_id)), f"loan-{loan_id}-condition.pdf")


@bp.get("/reports")
def reports() -> str:
    """Objects on loan today and loans due back within 30 days."""
    _museum_staff()
    db = session()
    away = [(loan, row) for loan in loans.on_loan_today(db) if (row := _summary(loan))]
    due = [(loan, row) for loan in loans.due_back(db) if (row := _summary(loan))]
    titles = _titles([item_id for _loan, row in away for item_id in row["objects"]])
    return render_template(
        "loans/reports.html",
        away=away,
        due=due,
        titles=titles,
        today=date.today(),
    )


# -- the JSON API ------------------------------------------------------------------------------------------------


def _api_staff() -> Viewer:
    require_staff()  # 401 without credentials, 403 for a reader
    return acting_viewer()


def _api_registrar() -> Viewer:
    who = _api_staff()
    if not may_register(who):
        raise Forbidden("loans are changed by collection managers and administrators (a token of scope edit)")
    return who


@api_bp.get("")
def api_list() -> Response:
    """Loans, newest first (staff): id, direction, state, venue, from, to, objects."""
    _api_staff()
    db = session()
    state = request.args.get("state")
    direction = request.args.get("direction")
    if state is not None and state not in loans.STATES_ALL:
        raise BadRequest(f"state={state!r}: one of {', '.join(loans.STATES_ALL)}")
    if direction is not None and direction not in loans.DIRECTIONS:
        raise BadRequest(f"direction={direction!r}: one of {', '.join(loans.DIRECTIONS)}")
    found = loans.list_loans(db, state=state, direction=direction)
    return jsonify({"loans": [row for loan in found if (row := _summary(loan))]})


LOAN_KEYS = {
    "direction",
    "party",
    "venue",
    "from",
    "to",
    "objects",
    "terms",
    "insurance_kind",
    "insurance_value",
    "courier",
    "facility_report",
}


@api_bp.post("")
def api_create() -> Any:
    """Request a loan (registrars)."""
    who = _api_registrar()
    body = json_object(LOAN_KEYS)
    require_editable(who, texts(body, "objects"))
    db = session()
    loan = loans.create(
        db,
        direction=text(body, "direction", numbers=True) or "out",
        party=text(body, "party", numbers=True) or "",
        venue=text(body, "venue", numbers=True) or "",
        date_from=text(body, "from", numbers=True) or "",
        date_to=text(body, "to", numbers=True) or "",
        items=texts(body, "objects"),
        terms=text(body, "terms", numbers=True),
        insurance_kind=text(body, "insurance_kind", numbers=True),
        insurance_value=text(body, "insurance_value", numbers=True),
        courier=text(body, "courier", numbers=True),
        facility_report=text(body, "facility_report", numbers=True),
        agent=who.username or "",
    )
    db.commit()
    return jsonify(loans.details(db, loan)), 201


@api_bp.get("/<int:loan_id>")
def api_show(loan_id: int) -> Response:
    """A loan with its terms, history and (while requested) its checks."""
    _api_staff()
    db = session()
    loan, seen = _visible_loan(loan_id)
    checks = [c.as_json() for c in loans.checks(db, loan.id) if c.item in seen] if loan.state == "requested" else []
    return jsonify({**loans.details(db, loan), "objects": seen, "checks": checks})


@api_bp.post("/<int:loan_id>/<action>")
def api_act(loan_id: int, action: str) -> Response:
    """Take the loan to its next state; `override` (approve) and `scanned` (return) in the body."""
    who = _api_registrar()
    _require_loan_editable(who, loan_id)
    if action not in loan_actions():
        raise BadRequest(f"action {action!r}: one of {', '.join(loan_actions())}")
    body = json_object({"override", "scanned"}) if request.content_length else {}
    db = session()
    loan = loans.act(
        db,
        loan_id,
        action,
        agent=who.username or "",
        override=text(body, "override", numbers=True),
        scanned=texts(body, "scanned"),
    )
    db.commit()
    return jsonify(loans.details(db, loan))
