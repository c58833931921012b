"""The staff's location pages: the location tree (filtered by building and function), and forms to add and change
a location. Every change goes through the one location service (`heritage.locations.service.save`), which
validates and records the event; who may is decided there too (`may_keep_locations`: collection managers and
administrators). Other staff see the list; the public is sent to sign in.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from heritage.errors import BadRequest, NotFound
from heritage.locations import service
from heritage.locations.matching import units
from heritage.locations.tree import load_places
from heritage.models import Location, Unit
from heritage.policy.store import PolicyStore
from web.auth import require_staff
from web.context import acting_viewer, session
from web.editing import in_words
from web.i18n import current_language, label, labels_table

bp = Blueprint("locations", __name__, url_prefix="/locations")


class _Named:
    """A form field as `web.editing.in_words` names it in a message: by its label on the form."""

    def __init__(self, text: str) -> None:
        self.text = text

    def label(self, _lang: str) -> str:
        return self.text


def _field_names() -> dict[str, _Named]:
    """The form's labels of the service's fields, in the page's language (errors name the field by them)."""
    names = {
        "code": _("Code"),
        "name": _("Name (Dutch)"),
        "name_en": _("Name (English)"),
        "kind": _("Kind"),
        "parent": _("Within (a case in its room)"),
        "building": _("Building"),
        "unit": _("Owning unit"),
        "functions": _("Functions"),
        "capacity": _("Capacity"),
        "capacity_unit": _("counted in"),
        "used": _("In use (same unit)"),
        "floor_load": _("Floor load limit (kN/m²)"),
        "area_m2": _("Floor area (m²)"),
        "t": _("Temperature setpoint (°C)"),
        "rh": _("RH setpoint (%(unit)s)", unit="%"),
        "flags": _("Other flags (codes, separated by ;)"),
        "security_level": _("Security level"),
        "max_lux": _("Maximum illuminance (lux)"),
    }
    for f in service.FUNCTIONS:
        names[f"lit_hours_{f}"] = _("Lit hours a year for %(function)s", function=label("location_function", f))
    return {k: _Named(v) for k, v in names.items()}


def _name(loc: Location) -> str:
    return loc.name_en if current_language() == "en" and loc.name_en else loc.name


def _tree(building: str, function: str) -> list[dict[str, Any]]:
    """The locations depth first (children under their parent), with what the list shows; filtered."""
    db = session()
    places = load_places(db)
    locations = sorted(db.scalars(select(Location)), key=lambda loc: loc.code)
    children: dict[int | None, list[Location]] = {}
    for loc in locations:
        parent = loc.parent_id if loc.parent_id in places else None
        children.setdefault(parent, []).append(loc)
    rows: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int, within: str | None) -> None:
        for loc in children.get(parent, []):
            place = places[loc.id]
            in_building = loc.code if loc.kind == "building" else within
            keep = (not building or in_building == building) and (not function or function in place.functions)
            if keep:
                rows.append(
                    {
                        "loc": loc,
                        "place": place,
                        "depth": depth,
                        "name": _name(loc),
                        "security": label("security_level", place.security) if place.security else "",
                        "flags": sorted((label("location_flag", f) for f in place.flags), key=str.casefold),
                    }
                )
            walk(loc.id, depth + 1, in_building)

    walk(None, 0, None)
    return rows


@bp.get("")
def listing() -> str:
    """The location tree for staff, with the forms' links for those who may change it."""
    require_staff()
    building = request.args.get("building", "").strip()
    function = request.args.get("function", "").strip()
    buildings = session().scalars(select(Location).where(Location.kind == "building").order_by(Location.code)).all()
    return render_template(
        "locations/list.html",
        rows=_tree(building, function),
        buildings=[(b.code, _name(b)) for b in buildings],
        functions=[(f, label("location_function", f)) for f in service.FUNCTIONS],
        building=building,
        function=function,
        may_edit=service.may_keep_locations(acting_viewer()),
    )


def _choices() -> dict[str, Any]:
    db = session()
    locations = db.scalars(select(Location).order_by(Location.code)).all()
    return {
        "kinds": [(k, label("location_kind", k)) for k in service.KINDS],
        "functions": [(f, label("location_function", f)) for f in service.FUNCTIONS],
        "capacity_units": [(u, label("capacity_unit", u)) for u in units()[0]],
        "parents": [(loc.code, f"{loc.code} · {_name(loc)}") for loc in locations if loc.kind != "shelf"],
        "unit_choices": [(u.slug, u.name) for u in db.scalars(select(Unit).order_by(Unit.slug))],
        "security_levels": [(s, label("security_level", s)) for s in PolicyStore.load(db).default.security_levels],
        "known_flags": known_flags(),
    }


def known_flags() -> list[tuple[str, str]]:
    """The location flags that have a name (labels.csv `location_flag.*`), by name; others are typed as codes."""
    codes = [key.partition(".")[2] for key in labels_table() if key.startswith("location_flag.")]
    return sorted(((code, label("location_flag", code)) for code in codes), key=lambda pair: pair[1].casefold())


def _fields(form: Any) -> dict[str, str]:
    """The form as the service's text fields: every field present (an empty one clears it)."""
    fields = {name: str(form.get(name, "")) for name in service.FIELDS if name not in ("functions", "building")}
    fields["functions"] = ";".join(f for f in form.getlist("functions") if f)
    fields["flags"] = ";".join([f for f in form.getlist("flags") if f] + [str(form.get("flags_other", ""))])
    return fields


def _form(values: dict[str, str], *, code: str | None, error: str | None = None, status: int = 200) -> Any:
    heading = _("Change location %(code)s", code=code) if code else _("New location")
    flags = [f.strip() for f in values.get("flags", "").split(";") if f.strip()]
    named = {flag for flag, _label in known_flags()}
    page = render_template(
        "locations/form.html",
        values=values,
        chosen=set(values.get("functions", "").split(";")),
        chosen_flags=set(flags),
        other_flags=";".join(f for f in flags if f not in named),
        heading=heading,
        code=code,
        error=error,
        **_choices(),
    )
    return page, status


@bp.route("/new", methods=["GET", "POST"])
def new() -> Any:
    """Add a location (collection managers and administrators)."""
    require_staff()
    who = acting_viewer()
    service.require_keeper(who)
    if request.method == "GET":
        return _form({"kind": "room"}, code=None)
    fields = _fields(request.form)
    db = session()
    try:
        saved = service.save(db, fields, agent=who.username or "", new=True)
        db.commit()
    except BadRequest as exc:
        db.rollback()
        return _form(fields, code=None, error=in_words(exc, _field_names()), status=400)
    flash(_("Location %(code)s was added.", code=saved.location.code), "status")
    return redirect(url_for("locations.listing"), 303)


@bp.route("/<code>/edit", methods=["GET", "POST"])
def edit(code: str) -> Any:
    """Change a location (collection managers and administrators)."""
    require_staff()
    who = acting_viewer()
    service.require_keeper(who)
    db = session()
    loc = db.scalar(select(Location).where(Location.code == code))
    if loc is None:
        raise NotFound(f"location {code!r} does not exist")
    if request.method == "GET":
        return _form(service.fields_of(db, loc), code=code)
    fields = _fields(request.form)
    try:
        saved = service.save(db, fields, agent=who.username or "", code=code)
        db.commit()
    except BadRequest as exc:
        db.rollback()
        return _form(fields, code=code, error=in_words(exc, _field_names()), status=400)
    if saved.status == "unchanged":
        flash(_("Nothing changed."), "status")
    else:
        flash(_("Location %(code)s was saved.", code=saved.location.code), "status")
    return redirect(url_for("locations.listing"), 303)
