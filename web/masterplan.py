"""The masterplan pages: a public dashboard of aggregate figures (SVG plots with tables, the same figures
as CSV and JSON), the archivists' review queue, and location suggestions on the item page, both for staff.

Who is asking comes from `web.context.viewer()`; `heritage.access` decides what they may see.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from sqlalchemy import select

from heritage.access import Viewer, Visibility, item_unit_id, visibility
from heritage.errors import BadRequest, NotFound
from heritage.locations.light import exposures
from heritage.locations.matching import suggestions, violations
from heritage.models import Item, PolicyDecision, Unit
from heritage.policy.engine import DECISIONS
from heritage.policy.figures import FIGURES, all_figures, figure
from heritage.policy.reports import digitisation_queue
from heritage.policy.review import QUEUES, ReviewFilters, review_page
from heritage.policy.service import active_override, may_see_disposals
from web.auth import require_staff
from web.charts import bar_chart
from web.context import session, viewer
from web.i18n import current_language
from web.masterplan_labels import explained, names, reasons, score, shown

bp = Blueprint("masterplan", __name__, url_prefix="/masterplan")


def _visible(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose item this viewer may see (another unit's closed items stay out of staff lists)."""
    who = viewer()
    ids = [r["item"] for r in rows]
    items = {i.id: i for i in session().scalars(select(Item).where(Item.id.in_(ids)))} if ids else {}
    return [r for r in rows if r["item"] in items and visibility(who, items[r["item"]]) > Visibility.NONE]


@bp.get("")
def dashboard() -> str:
    """Aggregate figures for everyone; the item-level lists for staff."""
    who = viewer()
    figures = all_figures(session())
    staff: dict[str, Any] = {}
    if who.is_staff:
        staff = {
            "queue": _visible(digitisation_queue(session(), limit=15)),
            "violations": violations(session())[:30],
            "light": [e.as_json() for e in exposures(session()) if e.status != "ok"],
        }
    return render_template(
        "masterplan/dashboard.html",
        figures=[(f, bar_chart(f)) for f in shown(session(), figures)],
        staff=staff,
        is_staff=who.is_staff,
        collection_names=names(session(), current_language())["collection"] if who.is_staff else {},
    )


@bp.get("/figures.json")
def figures_json() -> Response:
    """Every figure of the dashboard as JSON."""
    return jsonify({"figures": [f.as_json() for f in all_figures(session())]})


@bp.get("/figures/<name>.<ext>")
def figure_file(name: str, ext: str) -> Response:
    """One figure as CSV or JSON."""
    if ext not in ("csv", "json") or name not in FIGURES:
        raise NotFound(f"figure {name}.{ext} does not exist (names: {', '.join(FIGURES)}; formats: csv, json)")
    fig = figure(session(), name)
    if ext == "json":
        return jsonify(fig.as_json())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fig.columns)
    writer.writerows(fig.rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'inline; filename="{name}.csv"'},
    )


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name} {value!r} is not a date (YYYY-MM-DD)") from None


def review_filters() -> ReviewFilters:
    """The review page's filters from the query string; a malformed value is a 400 naming it."""
    page = request.args.get("page", "1").strip() or "1"
    if not page.isdigit():
        raise BadRequest(f"page {page!r} is not a page number")
    return ReviewFilters(
        queue=request.args.get("queue", "needs_review") or "needs_review",
        unit=request.args.get("unit") or None,
        decision=request.args.get("decision") or None,
        due_from=_day("due_from"),
        due_to=_day("due_to"),
        page=int(page[:6]),
    )


@bp.get("/review")
def review() -> str:
    """The review queue: what needs review, what is proposed for destruction or deaccession, what falls due this
    month, or everything; filtered by unit, decision and due date, fifty to a page. Board members and
    conservators see the proposals they are asked to approve."""
    who = viewer()
    if not may_review(who):
        who = require_staff()  # signs the public in first, refuses other accounts
    from heritage.policy.custody import due_transfers

    today = date.today()
    filters = review_filters()
    page = review_page(session(), who, filters, today)
    units = session().execute(select(Unit.slug, Unit.name, Unit.name_en).order_by(Unit.name)).all()
    unit_names = {slug: (name_en if current_language() == "en" and name_en else name) for slug, name, name_en in units}
    due = _visible(due_transfers(session(), today)) if who.is_staff else []
    transfers = [{**t, "unit_name": unit_names.get(t["unit"], t["unit"])} for t in due]
    return render_template(
        "masterplan/review.html",
        page=page,
        queues=QUEUES if who.is_staff else ("proposed",),
        decisions=DECISIONS,
        units=units,
        transfers=transfers,
        today=today,
    )


bp.add_app_template_global(explained, "explained")
bp.add_app_template_global(reasons, "location_reasons")
bp.add_app_template_global(score, "location_score")


@bp.app_template_global("may_review")
def may_review(who: Viewer) -> bool:
    """Whether the review queue is for this viewer: staff, and the board's members and conservators."""
    return who.signed_in and may_see_disposals(who)


@bp.app_template_global("masterplan_panel")
def item_panel(item: Item) -> dict[str, Any] | None:
    """The decision and location suggestions of an item, for staff of its unit (None for anyone else)."""
    who = viewer()
    if not who.is_staff_for(item_unit_id(item)):
        return None
    decision = session().get(PolicyDecision, item.id)
    override = active_override(session(), item.id)
    return {"decision": decision, "override": override, "locations": suggestions(session(), item.id)}
