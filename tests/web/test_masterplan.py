"""The masterplan pages on the demo: public aggregate figures with plots readable without JavaScript (and
as CSV and JSON), the review queue and the item panel for staff only."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import g

from heritage.access import Viewer
from heritage.models import Item, PolicyDecision
from heritage.policy.engine import DECISIONS
from heritage.runtime import Runtime

ARCHIVIST = Viewer("an", frozenset({("archivist", None)}))


def test_the_dashboard_shows_every_figure_as_svg_with_a_text_alternative(demo_client) -> None:
    response = demo_client.get("/masterplan")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("holdings", "decisions", "retention_due", "digitisation", "priority", "capacity", "environment"):
        assert f'id="{name}"' in html and f'href="/masterplan/figures/{name}.csv"' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 7
    desc = re.search(r'<desc id="chart-decisions-d">([^<]+)</desc>', html)
    assert desc and "destroy_proposed: items" in desc.group(1) and "urgent_review: items" in desc.group(1)
    assert "<script" not in html.split("<main", 1)[1]  # the plots need no JavaScript
    # public: aggregates only, no list of items
    assert "/items/" not in html.split("<main", 1)[1] and "Beoordelingslijst" not in html


def test_the_demo_exercises_every_kind_of_decision(demo_client) -> None:
    data = demo_client.get("/masterplan/figures/decisions.json").get_json()
    kinds = {row[0] for row in data["rows"]}
    assert kinds == {
        "frozen",
        "retain_permanent",
        "retain_until",
        "destroy_proposed",
        "review_at",
        "review_now",
        "deaccession_candidate",
        "urgent_review",
    }
    assert kinds == set(DECISIONS)


def test_figures_come_as_csv_and_json(demo_client) -> None:
    response = demo_client.get("/masterplan/figures/holdings.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["unit", "domain", "items"] and ["museum-zoology", "science", "61"] in rows
    everything = demo_client.get("/masterplan/figures.json").get_json()
    assert [f["name"] for f in everything["figures"]][:2] == ["holdings", "decisions"]
    missing = demo_client.get("/masterplan/figures/nope.csv")
    assert missing.status_code == 404 and "figure nope.csv does not exist" in missing.get_data(as_text=True)


def test_the_review_queue_is_for_staff(demo_client, demo_runtime: Runtime) -> None:
    anonymous = demo_client.get("/masterplan/review")
    assert anonymous.status_code == 302 and anonymous.headers["Location"] == "/login?next=/masterplan/review"
    app = demo_client.application
    with app.test_request_context("/masterplan/review"):
        g.viewer = ARCHIVIST
        html = app.view_functions["masterplan.review"]()
    assert "Voorgesteld voor vernietiging of afstoting" in html
    assert "selection_list.V" in html and "significance.deaccession" in html
    assert "Voorgesteld voor overbrenging naar het centraal archief" in html and "GOV-01 (B)" in html


def test_staff_see_item_lists_on_the_dashboard(demo_client) -> None:
    app = demo_client.application
    with app.test_request_context("/masterplan"):
        g.viewer = ARCHIVIST
        html = app.view_functions["masterplan.dashboard"]()
    assert "Digitaliseringswachtrij" in html and "needs a dedicated store (nitrate_vault)" in html
    assert "Lichtdosis" in html


@pytest.fixture
def spirit_specimen(demo_runtime: Runtime) -> str:
    from sqlalchemy import select

    with demo_runtime.sessions() as session:
        return session.scalar(select(Item.id).where(Item.local_id == "ARB-0026"))


def test_the_item_page_lists_locations_for_staff_only(demo_client, spirit_specimen: str) -> None:
    public = demo_client.get(f"/items/{spirit_specimen}")
    assert public.status_code == 200 and "Geschikte locaties" not in public.get_data(as_text=True)
    app = demo_client.application
    with app.test_request_context(f"/items/{spirit_specimen}"):
        g.viewer = ARCHIVIST
        html = app.view_functions["catalogue.record"](spirit_specimen)
    assert "Geschikte locaties" in html and "<strong>LEU-CD-ETH</strong>" in html
    assert "urgent_review" in html and "hazard_without_safe_storage" in html
    assert "HEV-ARB-ZAAL: temperature" in html  # why the salon it stands in is not a place for it


def test_the_demo_decisions_record_their_policy_version(demo_runtime: Runtime) -> None:
    from sqlalchemy import select

    with demo_runtime.sessions() as session:
        versions = set(session.scalars(select(PolicyDecision.policy_version)))
    assert len(versions) == 1 and next(iter(versions)).startswith("kuleuven-heritage-default@1.0.0#")
