"""The staff's way in to cataloguing: the collections they may add records to, and the CSV update (upload a
sheet in the shape `heritage export --format csv` writes, see per row what would change, confirm).

The sheet is planned and applied by `heritage.editing.sheet`, the code of `heritage catalogue update FILE`:
the preview is its plan, changing nothing; the confirmation carries the uploaded bytes back (base64 in the
form) with the version of every item as previewed, plans again and applies only when nothing moved on
meanwhile (else the new preview, 409). A sheet with any problem changes nothing (400, each problem named as
`FILE:LINE: message`).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from heritage import editing
from heritage.access import Viewer, may_edit_in
from heritage.editing import StaleVersion, sheet
from heritage.errors import BadRequest, Forbidden
from heritage.models import Collection, Unit
from web.context import session
from web.editing import agent_name, change_row, editor, reason_of, save
from web.i18n import current_language

bp = Blueprint("cataloguing", __name__, url_prefix="/cataloguing")
NAME_MAX = 200


def _staff() -> Viewer:
    who = editor()
    if not who.is_staff:
        raise Forbidden(_("Cataloguing is for archivists, collection managers and administrators."))
    return who


def _collections(who: Viewer) -> list[tuple[Collection, str]]:
    """The collections the editor may add records to, with their names in the page's language."""
    lang = current_language()
    rows = session().scalars(select(Collection).join(Unit).order_by(Unit.name, Collection.title))
    return [(c, c.title_en if lang == "en" and c.title_en else c.title) for c in rows if may_edit_in(who, c.unit_id)]


@bp.get("/")
def home() -> Any:
    """The collections to add records to, and the sheet upload."""
    return render_template("editing/cataloguing.html", collections=_collections(_staff()), error=None)


def _versions(plan: sheet.SheetPlan) -> dict[str, int]:
    return {row.item_id: row.version for row in plan.changed}


def _preview(plan: sheet.SheetPlan, data: bytes, *, status: int = 200, notice: str | None = None) -> Any:
    """The plan of a sheet: its problems (400), or per row what changes and the form to confirm it."""
    specs = {s.name: s for s in editing.editable_fields()}
    rows = [
        {
            "line": row.line,
            "item": row.item_id,
            "title": row.title,
            "changes": [change_row(c, specs) for c in row.changes],
            "warnings": row.warnings,
        }
        for row in plan.changed
    ]
    body = render_template(
        "editing/sheet.html",
        plan=plan,
        rows=rows,
        unchanged=len(plan.rows) - len(plan.changed),
        data=base64.b64encode(data).decode("ascii"),
        versions=" ".join(f"{item}:{version}" for item, version in _versions(plan).items()),
        notice=notice,
    )
    return body, (400 if plan.problems else status)


def _name(raw: str | None) -> str:
    """The sheet's file name as the problems name it (no folders of the uploader's)."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:NAME_MAX] or "sheet.csv"


@bp.post("/sheet")
def preview() -> Any:
    """Read an uploaded sheet and show what it would change; nothing is changed yet."""
    who = _staff()
    upload = request.files.get("sheet")
    if upload is None or not upload.filename:
        body = render_template(
            "editing/cataloguing.html", collections=_collections(who), error=_("Choose the sheet (a CSV file).")
        )
        return body, 400
    data = upload.read()
    return _preview(sheet.plan(session(), data, name=_name(upload.filename), viewer=who), data)


@bp.post("/sheet/apply")
def apply() -> Any:
    """Apply the previewed sheet, when every item is still at the version the preview showed."""
    who = _staff()
    try:
        data = base64.b64decode(request.form.get("data") or "", validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(_("The form lost the sheet: upload it again.")) from None
    name = _name(request.form.get("name"))
    plan = sheet.plan(session(), data, name=name, viewer=who)
    previewed = dict(
        (part.rsplit(":", 1)[0], int(part.rsplit(":", 1)[1]))
        for part in (request.form.get("versions") or "").split()
        if part.rsplit(":", 1)[-1].isdigit()
    )
    moved_on = _("Records of the sheet changed since the preview: this is the new preview; confirm it again.")
    if plan.problems:
        return _preview(plan, data)
    if _versions(plan) != previewed:
        return _preview(plan, data, status=409, notice=moved_on)
    try:
        saved = save(
            lambda: sheet.apply(session(), plan, viewer=who, agent=agent_name(who), reason=reason_of(request.form))
        )
    except StaleVersion:
        return _preview(sheet.plan(session(), data, name=name, viewer=who), data, status=409, notice=moved_on)
    flash(_("%(count)s records were changed by sheet %(name)s.", count=len(saved), name=name), "status")
    return redirect(url_for("cataloguing.home"), code=303)
