"""The masterplan pages: a public dashboard of aggregate figures (SVG plots with tables, the same figures
as CSV and JSON), the archivists' review queue, and location suggestions on the item page, both for staff.

Who is asking comes from `web.context.viewer()`; `heritage.access` decides what they may see.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from heritage.access import Viewer, item_unit_id
from heritage.errors import Forbidden, NotFound
from heritage.locations.light import exposures
from heritage.locations.matching import placement_violations, suggest_for
from heritage.models import Item, PolicyDecision
from heritage.policy.figures import FIGURES, all_figures, figure
from heritage.policy.reports import digitisation_queue, review_queue
from heritage.policy.service import active_override
from web.charts import bar_chart
from web.context import session, viewer

bp = Blueprint("masterplan", __name__, url_prefix="/masterplan")


def _staff(who: Viewer) -> None:
    if not who.is_staff:
        raise Forbidden("this page is for staff of the archive and collections")


@bp.get("")
def dashboard() -> str:
    """Aggregate figures for everyone; the item-level lists for staff."""
    who = viewer()
    figures = all_figures(session())
    staff: dict[str, Any] = {}
    if who.is_staff:
        staff = {
            "queue": digitisation_queue(session(), limit=15),
            "violations": placement_violations(session())[:30],
            "light": [e.as_json() for e in exposures(session()) if e.status != "ok"],
        }
    return render_template(
        "masterplan/dashboard.html",
        figures=[(f, bar_chart(f)) for f in figures],
        staff=staff,
        is_staff=who.is_staff,
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


@bp.get("/review")
def review() -> str:
    """The archivists' review queue: due this month, needing review, proposed for destruction or deaccession."""
    _staff(viewer())
    from heritage.policy.custody import due_transfers

    today = date.today()
    return render_template(
        "masterplan/review.html",
        queue=review_queue(session(), today),
        transfers=due_transfers(session(), today),
        today=today,
    )


@bp.app_template_global("masterplan_panel")
def item_panel(item: Item) -> dict[str, Any] | None:
    """The decision and location suggestions of an item, for staff of its unit (None for anyone else)."""
    who = viewer()
    if not who.is_staff_for(item_unit_id(item)):
        return None
    decision = session().get(PolicyDecision, item.id)
    override = active_override(session(), item.id)
    return {"decision": decision, "override": override, "locations": suggest_for(session(), item.id)}
