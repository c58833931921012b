"""Staff plan exhibitions in the browser: the new and edit forms (`/museum/exhibitions/new`,
`/museum/exhibitions/<slug>/edit`) and the install and close buttons. Every save goes through
`heritage.museum.exhibitions.save` (which validates, reconciles and records the event), as the CLI's does.

The form works without JavaScript: one row of numbered fields per object, page and image, an empty row to add
one, a "remove" box and a position number to reorder. It carries the version it was loaded from, so a save over
a newer version is refused (409) rather than merged.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from heritage.access import Viewer, Visibility, may_edit, visibility
from heritage.errors import BadRequest, Forbidden, HeritageError
from heritage.locations.tree import load_places
from heritage.models import Exhibition, Item
from heritage.museum import exhibitions as service
from web.auth import require_staff
from web.context import acting_viewer, session
from web.exhibitions import may_plan, staff_page
from web.i18n import current_language
from web.museum_words import exhibition_inputs, in_words, reason

bp = Blueprint("exhibitions_editing", __name__, url_prefix="/museum/exhibitions")

OBJECT_FIELDS = ("item", "room", "label", "label_en")
PAGE_FIELDS = ("title", "title_en", "text", "text_en")
IMAGE_FIELDS = ("item", "page", "region", "caption", "caption_en")
ROW = re.compile(r"^(o|p)(\d+)-(?:i(\d+)-)?")


def _planner() -> Viewer:
    """The planner acting; else sign in first, or 403."""
    require_staff()
    who = acting_viewer()
    if not may_plan(who):
        raise Forbidden(_("Exhibitions are planned by collection managers and administrators."))
    return who


def _not_theirs() -> Forbidden:
    return Forbidden(
        _("This exhibition holds objects of another unit: their collection manager or an administrator changes it.")
    )


def require_plannable(who: Viewer, exhibition: Exhibition) -> None:
    """Raises: Forbidden: an object is another unit's (installing moves it: its own unit plans that, as loans
    are lent by their unit), or an image shows an item `who` may not know of; neither is named."""
    db = session()
    for obj in exhibition.objects:
        item = db.get(Item, obj.item_id)
        if item is not None and not may_edit(who, item):
            raise _not_theirs()
    for page in exhibition.pages:
        for image in page.images:
            item = db.get(Item, image["item"])
            if item is not None and visibility(who, item) is Visibility.NONE:
                raise _not_theirs()


def _rooms() -> list[tuple[str, str]]:
    """Places that can take objects (rooms and cases), by code, for the room field's suggestions."""
    lang = current_language()
    out = []
    for place in load_places(session()).values():
        if place.is_placeable:
            loc = place.location
            out.append((place.code, (loc.name_en if lang == "en" and loc.name_en else loc.name) or ""))
    return sorted(out)


def _position(value: str, default: int, what: str) -> int:
    value = value.strip()
    if not value:
        return default
    if not value.isdigit():
        raise BadRequest(_("%(what)s: position %(value)s is not a whole number.", what=what, value=repr(value)))
    return int(value)


def _ordered(rows: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
    """The rows kept (not removed, not left empty), in the order of their position numbers (ties: as shown)."""
    kept = []
    for n, row in enumerate(rows, start=1):
        if row["remove"] or row["empty"]:
            continue
        kept.append((_position(row["position"], n, f"{what} {n}"), n, row))
    return [row for _p, _n, row in sorted(kept, key=lambda t: (t[0], t[1]))]


def rows_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as typed: fields, object rows and page rows (each with its image rows), in the order shown."""
    numbers: dict[str, set[int]] = {"o": set(), "p": set()}
    images: dict[int, set[int]] = {}
    for key in form:
        match = ROW.match(key)
        if match:
            numbers[match[1]].add(int(match[2]))
            if match[3]:
                images.setdefault(int(match[2]), set()).add(int(match[3]))

    def row(prefix: str, fields: tuple[str, ...]) -> dict[str, Any]:
        values = {f: form.get(f"{prefix}-{f}", "").strip() for f in fields}
        return {
            **values,
            "position": form.get(f"{prefix}-position", ""),
            "remove": bool(form.get(f"{prefix}-remove")),
            "empty": not any(values.values()),
        }

    pages = []
    for n in sorted(numbers["p"]):
        page = row(f"p{n}", PAGE_FIELDS)
        page["images"] = [row(f"p{n}-i{k}", IMAGE_FIELDS) for k in sorted(images.get(n, ()))]
        page["empty"] = page["empty"] and all(i["empty"] for i in page["images"])
        pages.append(page)
    return {
        "fields": {f: form.get(f, "").strip() for f in ("slug", "title", "title_en", "summary", "summary_en")}
        | {"from": form.get("from", "").strip(), "to": form.get("to", "").strip()},
        "objects": [row(f"o{n}", OBJECT_FIELDS) for n in sorted(numbers["o"])],
        "pages": pages,
    }


def _image_spec(image: dict[str, Any]) -> dict[str, Any]:
    spec = {k: image[k] or None for k in ("item", "region", "caption", "caption_en")}
    page = image["page"]
    if page:
        spec["page"] = int(page) if page.isdigit() else page  # the service names a page that is not a number
    return spec


def spec_from_rows(rows: dict[str, Any], slug: str) -> dict[str, Any]:
    """The spec `exhibitions.save` takes, from the rows as typed.

    Raises:
        BadRequest: a position is not a whole number.
    """
    pages = []
    for page in _ordered(rows["pages"], _("page")):
        images = [_image_spec(i) for i in _ordered(page["images"], _("image"))]
        pages.append({**{k: page[k] or None for k in PAGE_FIELDS}, "images": images})
    return {
        **{k: v or None for k, v in rows["fields"].items()},
        "slug": slug,
        "objects": [{k: o[k] or None for k in OBJECT_FIELDS} for o in _ordered(rows["objects"], _("object"))],
        "pages": pages,
    }


def rows_from_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The form's rows of a stored exhibition (`exhibitions.spec_of`)."""

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return {
        "fields": {k: text(spec.get(k)) for k in ("slug", "title", "title_en", "summary", "summary_en", "from", "to")},
        "objects": [
            {**{k: text(o.get(k)) for k in OBJECT_FIELDS}, "position": str(n), "remove": False, "empty": False}
            for n, o in enumerate(spec["objects"], start=1)
        ],
        "pages": [
            {
                **{k: text(p.get(k)) for k in PAGE_FIELDS},
                "position": str(n),
                "remove": False,
                "empty": False,
                "images": [
                    {**{k: text(i.get(k)) for k in IMAGE_FIELDS}, "position": str(k), "remove": False, "empty": False}
                    for k, i in enumerate(p.get("images") or [], start=1)
                ],
            }
            for n, p in enumerate(spec["pages"], start=1)
        ],
    }


def _form(rows: dict[str, Any], *, slug: str | None, version: str, error: str | None, status: int) -> Any:
    page = render_template(
        "exhibitions/staff_form.html",
        rows=rows,
        slug=slug,
        version=version,
        rooms=_rooms(),
        error=error,
    )
    return page, status


def _save(who: Viewer, rows: dict[str, Any], slug: str, *, new: bool, version: str) -> Any:
    """Save through the service; a refused save re-shows the form as typed with the reason (nothing stored)."""
    db = session()
    try:
        exhibition, changed = service.save(
            db,
            spec_from_rows(rows, slug),
            agent=who.username or "",
            new=new,
            expected=None if new else version,
            viewer=who,
        )
        require_plannable(who, exhibition)
        db.commit()
    except HeritageError as exc:
        db.rollback()
        shown = in_words(exc, exhibition_inputs())
        if isinstance(exc, service.StaleExhibition):
            shown = _("Someone changed the exhibition since this form was loaded; nothing was saved (reload it).")
        return _form(rows, slug=None if new else slug, version=version, error=shown, status=exc.status)
    if changed:
        flash(_("The exhibition was saved."), "status")
    else:
        flash(_("Nothing changed."), "status")
    return redirect(url_for("exhibitions.staff_exhibition", slug=exhibition.slug), 303)


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    """Plan a new exhibition (planners)."""
    who = _planner()
    if request.method == "GET":
        return _form(rows_from_spec({"objects": [], "pages": []}), slug=None, version="", error=None, status=200)
    rows = rows_from_form(request.form)
    return _save(who, rows, rows["fields"]["slug"], new=True, version="")


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str) -> Any:
    """Change an exhibition's titles, dates, objects and pages (planners); a stale save is a 409."""
    who = _planner()
    exhibition = service.get(session(), slug)
    require_plannable(who, exhibition)
    if request.method == "GET":
        rows = rows_from_spec(service.spec_of(exhibition, session()))
        return _form(rows, slug=slug, version=service.version(exhibition), error=None, status=200)
    return _save(who, rows_from_form(request.form), slug, new=False, version=request.form.get("version", ""))


def _act(slug: str, action: str) -> Response:
    who = _planner()
    db = session()
    require_plannable(who, service.get(db, slug))
    try:
        moves = (service.install if action == "install" else service.close)(db, slug, agent=who.username or "")
        db.commit()
    except BadRequest as exc:  # a Conflict too (409: not planned, not installed)
        db.rollback()
        return make_response(staff_page(slug, error=in_words(exc)), exc.status)
    moved = sum(1 for m in moves if m["moved"])
    if action == "install":
        flash(_("The exhibition is installed: %(n)s objects moved to their rooms.", n=moved), "status")
    else:
        flash(_("The exhibition is closed: %(n)s objects returned.", n=moved), "status")
    for m in moves:
        for warning in m["warnings"]:
            text = _(
                "%(location)s breaks a rule for %(item)s: %(reason)s",
                location=m["to"],
                item=m["item"],
                reason=reason(warning),
            )
            flash(text, "warning")
    return redirect(url_for("exhibitions.staff_exhibition", slug=slug), 303)


@bp.post("/<slug>/install")
def install(slug: str) -> Response:
    """Move each object to its room or case."""
    return _act(slug, "install")


@bp.post("/<slug>/close")
def close(slug: str) -> Response:
    """Return each installed object to where it came from."""
    return _act(slug, "close")
