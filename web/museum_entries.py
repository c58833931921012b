"""The registrar's pages of object entry and exit (Spectrum 5.1: deposits, enquiries, returns; each with its
receipt, printable and as PDF) and of acquisition (documents, the accession number), and their JSON API under
`/api/museum`. Every change goes through `heritage.museum.entries`; who may act and on which objects is decided as
for loans (`web.loans.may_register`, `require_editable`), and another unit's closed object is never shown.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from heritage import catalogue
from heritage.access import Viewer
from heritage.errors import Forbidden, HeritageError, NotFound
from heritage.models import ObjectPassage
from heritage.museum import entries
from heritage.museum.vocabulary import values
from web.auth import require_staff
from web.context import acting_viewer, session
from web.i18n import label
from web.json_body import json_object, split_ids, text, texts
from web.loans import known_items, may_register, require_editable
from web.loans_pdf import receipt_pdf
from web.museum_words import entry_inputs, in_words

bp = Blueprint("museum", __name__, url_prefix="/museum")
api_bp = Blueprint("museum_api", __name__, url_prefix="/api/museum")

DIRECTIONS = ("entry", "exit")


def _registrar() -> Viewer:
    require_staff()
    who = acting_viewer()
    if not may_register(who):
        raise Forbidden(_("Entries, exits and acquisitions are recorded by collection managers and administrators."))
    return who


def _shown(row: ObjectPassage) -> list[str]:
    """The passage's objects this viewer may know of (`known_items`): none, and the passage is not there."""
    return known_items(list(row.item_ids or []))


def _visible_passage(receipt: str) -> tuple[ObjectPassage, list[str]]:
    """Raises: NotFound: no such receipt, or none of its objects known to this viewer."""
    row = entries.get_passage(session(), receipt)
    seen = _shown(row)
    if not seen:
        raise NotFound(f"receipt {receipt!r} does not exist")
    return row, seen


def _reasons(direction: str) -> list[tuple[str, str]]:
    return [(r, label(f"{direction}_reason", r)) for r in values(f"{direction}_reason")]


@bp.get("/entries")
def listing() -> str:
    """Entries and exits, newest first, with their receipts (filtered by direction)."""
    require_staff()
    direction = request.args.get("direction", "").strip()
    if direction not in DIRECTIONS:
        direction = ""
    found = entries.passages(session(), direction or None)
    return render_template(
        "museum/entries.html",
        rows=[(row, seen) for row in found if (seen := _shown(row))],
        direction=direction,
        may_edit=may_register(acting_viewer()),
    )


@bp.route("/entries/new", methods=["GET", "POST"])
def new_passage() -> Any:
    """Record an object entry or exit (registrars)."""
    who = _registrar()
    form = request.form if request.method == "POST" else request.args
    values_ = {k: str(v) for k, v in form.items()}
    direction = values_.get("direction", "entry")
    if direction not in DIRECTIONS:
        direction = "entry"
    error = None
    if request.method == "POST":
        db = session()
        items = split_ids(values_.get("items", ""))
        try:
            require_editable(who, items)
            row = entries.pass_objects(
                db,
                direction,
                reason=values_.get("reason", ""),
                party=values_.get("party", ""),
                items=items,
                on=values_.get("on", ""),
                notes=values_.get("notes"),
                agent=who.username or "",
            )
            db.commit()
        except HeritageError as exc:
            db.rollback()
            error = in_words(exc, entry_inputs())
        else:
            flash(_("Receipt %(receipt)s was recorded.", receipt=row.receipt), "status")
            return redirect(url_for("museum.receipt", receipt=row.receipt), 303)
    page = render_template(
        "museum/entry_form.html",
        values=values_,
        direction=direction,
        reasons=_reasons(direction),
        error=error,
    )
    return page, (400 if error else 200)


def _receipt_context(receipt: str) -> dict[str, Any]:
    row, seen = _visible_passage(receipt)
    db = session()
    return {"row": row, "items": {i: catalogue.get_item(db, i).title for i in seen}}


@bp.get("/receipts/<receipt>")
def receipt(receipt: str) -> str:
    """The receipt of an entry or exit, printable."""
    require_staff()
    return render_template("museum/receipt.html", **_receipt_context(receipt))


@bp.get("/receipts/<receipt>.pdf")
def receipt_as_pdf(receipt: str) -> Response:
    """The receipt as PDF."""
    require_staff()
    body = receipt_pdf(_receipt_context(receipt))
    return Response(
        body, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={receipt}.pdf"}
    )


@bp.route("/acquisitions/new", methods=["GET", "POST"])
def new_acquisition() -> Any:
    """Record an object's acquisition with its documents and accession number (registrars)."""
    who = _registrar()
    form = request.form if request.method == "POST" else request.args
    values_ = {k: str(v) for k, v in form.items()}
    error = None
    if request.method == "POST":
        db = session()
        item_id = values_.get("item", "").strip()
        try:
            require_editable(who, [item_id])
            row = entries.acquire(
                db,
                item_id,
                accession_number=values_.get("accession_number", ""),
                method=values_.get("method", ""),
                source=values_.get("source", ""),
                acquired_on=values_.get("acquired_on", ""),
                documents=values_.get("documents", "").splitlines(),
                agent=who.username or "",
            )
            db.commit()
        except HeritageError as exc:
            db.rollback()
            error = in_words(exc, entry_inputs())
        else:
            flash(_("Accession number %(number)s was recorded.", number=row.accession_number), "status")
            return redirect(url_for("loans.object_history", item_id=row.item_id), 303)
    page = render_template(
        "museum/acquisition_form.html",
        values=values_,
        methods=[(m, label("acquisition_method", m)) for m in values("acquisition_method")],
        error=error,
    )
    return page, (400 if error else 200)


# -- the JSON API ------------------------------------------------------------------------------------------------


def _api_registrar() -> Viewer:
    require_staff()  # 401 without credentials, 403 for a reader
    who = acting_viewer()
    if not may_register(who):
        raise Forbidden("entries, exits and acquisitions are recorded by collection managers and administrators")
    return who


@api_bp.get("/entries")
def api_entries() -> Response:
    """Entries and exits, newest first (staff), with the objects this viewer may know of."""
    require_staff()
    direction = request.args.get("direction")
    found = entries.passages(session(), direction)
    return jsonify(
        {"entries": [{**entries.passage_json(row), "objects": seen} for row in found if (seen := _shown(row))]}
    )


@api_bp.post("/entries")
def api_pass() -> Any:
    """Record an entry or exit (registrars); the receipt in the answer."""
    who = _api_registrar()
    body = json_object({"direction", "reason", "party", "objects", "date", "notes"})
    items = texts(body, "objects")
    require_editable(who, items)
    db = session()
    row = entries.pass_objects(
        db,
        text(body, "direction") or "",
        reason=text(body, "reason") or "",
        party=text(body, "party") or "",
        items=items,
        on=text(body, "date") or "",
        notes=text(body, "notes") or "",
        agent=who.username or "",
    )
    db.commit()
    return jsonify(entries.passage_json(row)), 201


@api_bp.post("/acquisitions")
def api_acquire() -> Any:
    """Record an item's acquisition (registrars)."""
    who = _api_registrar()
    body = json_object({"item", "accession_number", "method", "source", "date", "documents"})
    item_id = text(body, "item") or ""
    require_editable(who, [item_id])
    db = session()
    row = entries.acquire(
        db,
        item_id,
        accession_number=text(body, "accession_number") or "",
        method=text(body, "method") or "",
        source=text(body, "source") or "",
        acquired_on=text(body, "date") or "",
        documents=texts(body, "documents"),
        agent=who.username or "",
    )
    db.commit()
    return jsonify(entries.acquisition_json(row)), 201
