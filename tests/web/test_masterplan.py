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


def test_the_dashboard_shows_every_figure_as_svg_with_a_text_alternative(demo_app) -> None:  # type: ignore[no-untyped-def]
    response = demo_app.test_client().get("/masterplan", headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in ("holdings", "decisions", "retention_due", "digitisation", "priority", "capacity", "environment"):
        assert f'id="{name}"' in html and f'href="/masterplan/figures/{name}.csv"' in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 7
    desc = re.search(r'<desc id="chart-decisions-d">([^<]+)</desc>', html)
    assert desc and "Vernietiging voorgesteld: Stukken" in desc.group(1)
    assert "Dringend beoordelen: Stukken" in desc.group(1)
    assert "destroy_proposed" not in html and '<h2 id="decisions-h">Beslissingen per soort</h2>' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main  # the plots need no JavaScript (the header's search box has its own script)
    # public: aggregates only, no list of items
    assert "/items/" not in main and "Beoordelingslijst" not in html


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


def test_the_dashboard_speaks_english_with_names_not_codes(demo_app) -> None:  # type: ignore[no-untyped-def]
    reader = demo_app.test_client()  # a client of its own: ?lang= sets a cookie
    html = reader.get("/masterplan?lang=en").get_data(as_text=True)
    assert '<h2 id="decisions-h">Decisions by type</h2>' in html and "Destruction proposed: Items" in html
    assert '<th scope="col">Unit</th>' in html and "museum-zoology" not in html.split("<main", 1)[1]
    dutch = reader.get("/masterplan?lang=nl").get_data(as_text=True)
    assert "Bezit per beheerder en domein" in dutch and 'href="/masterplan"' in dutch  # the footer links to it


def _review(demo_client, query: str = "", who: Viewer = ARCHIVIST) -> str:
    app = demo_client.application
    with app.test_request_context(f"/masterplan/review{query}"):
        g.viewer = who
        return app.view_functions["masterplan.review"]()


def test_the_review_queue_is_for_staff(demo_client, demo_runtime: Runtime) -> None:
    anonymous = demo_client.get("/masterplan/review")
    assert anonymous.status_code == 302 and anonymous.headers["Location"] == "/login?next=/masterplan/review"
    html = _review(demo_client, "?queue=proposed")
    assert "Voorgesteld voor vernietiging of afstoting" in html
    assert "Vernietiging voorgesteld" in html and "Afstoting voorgesteld" in html
    assert "destroy_proposed<" not in html and "deaccession_candidate<" not in html  # labels, not codes
    assert "Voorgesteld voor overbrenging naar het centraal archief" in html and "GOV-01 (B)" in html
    assert 'href="/masterplan/decisions/' in html


def _counts(html: str) -> dict[str, int]:
    return {
        q: int(n)
        for q, n in re.findall(r'queue=(\w+)[^"]*"(?: aria-current="page")?>[^<]*<span class="count">\((\d+)\)', html)
    }


def test_the_review_queue_filters_by_unit_decision_and_due_date(demo_client, demo_runtime: Runtime) -> None:
    everything = _counts(_review(demo_client, "?queue=all"))
    assert set(everything) == {"needs_review", "proposed", "due_this_month", "all"}
    with demo_runtime.sessions() as session:
        from sqlalchemy import func, select

        stored = session.scalar(select(func.count()).select_from(PolicyDecision))
        proposals = session.scalar(
            select(func.count()).where(PolicyDecision.decision.in_(("destroy_proposed", "deaccession_candidate")))
        )
    assert everything["all"] == stored and everything["proposed"] == proposals
    only_destruction = _review(demo_client, "?queue=proposed&decision=destroy_proposed")
    assert "<td>Afstoting voorgesteld" not in only_destruction and "<td>Vernietiging voorgesteld" in only_destruction
    assert _counts(only_destruction)["proposed"] < proposals
    by_unit = _counts(_review(demo_client, "?queue=all&unit=museum-zoology"))
    assert 0 < by_unit["all"] < everything["all"]
    dated = _counts(_review(demo_client, "?queue=all&due_from=2100-01-01"))
    assert dated["all"] < everything["all"]


def test_the_review_queue_pages_fifty_at_a_time(demo_client) -> None:
    first = _review(demo_client, "?queue=all")
    total = _counts(first)["all"]
    assert total > 50 and first.count('href="/masterplan/decisions/') == 50
    assert 'rel="next"' in first and 'rel="prev"' not in first
    pages = -(-total // 50)
    last = _review(demo_client, f"?queue=all&page={pages}")
    assert last.count('href="/masterplan/decisions/') == total - 50 * (pages - 1) and 'rel="next"' not in last


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?queue=bogus", "queue 'bogus'"),
        ("?decision=sell_it", "decision 'sell_it'"),
        ("?due_from=yesterday", "due_from 'yesterday' is not a date"),
        ("?due_from=2030-01-01&due_to=2029-01-01", "is after due until"),
        ("?page=0", "pages start at 1"),
        ("?page=x", "page 'x' is not a page number"),
        ("?unit=nowhere", "nowhere"),
    ],
)
def test_a_malformed_review_filter_is_a_clear_4xx(demo_client, query: str, message: str) -> None:
    from heritage.errors import HeritageError

    with pytest.raises(HeritageError) as caught:
        _review(demo_client, query)
    assert 400 <= caught.value.status < 500 and message in str(caught.value)


def test_review_counts_do_not_count_what_the_reviewer_may_not_open(demo_client, demo_runtime: Runtime) -> None:
    from sqlalchemy import select

    from heritage.models import Unit

    with demo_runtime.sessions() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.slug == "museum-zoology"))
    own_unit_only = Viewer("zoo", frozenset({("archivist", unit_id)}))
    everything = _counts(_review(demo_client, "?queue=all"))["all"]
    mine = _counts(_review(demo_client, "?queue=all", own_unit_only))["all"]
    listed = sum(
        _review(demo_client, f"?queue=all&page={p}", own_unit_only).count('href="/masterplan/decisions/')
        for p in range(1, -(-mine // 50) + 1)
    )
    assert mine == listed and mine < everything


def test_staff_see_item_lists_on_the_dashboard(demo_client) -> None:
    app = demo_client.application
    with app.test_request_context("/masterplan"):
        g.viewer = ARCHIVIST
        html = app.view_functions["masterplan.dashboard"]()
    assert "Digitaliseringswachtrij" in html and "vraagt een eigen depot (Nitraatkluis)" in html  # Dutch reasons
    assert 'href="/masterplan/review"' in html
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
    assert "Dringend beoordelen" in html and "hazard_without_safe_storage" in html
    assert "HEV-ARB-ZAAL: temperatuur" in html  # why the salon it stands in is not a place for it, in Dutch


def test_the_demo_decisions_record_their_policy_version(demo_runtime: Runtime) -> None:
    from sqlalchemy import select

    with demo_runtime.sessions() as session:
        versions = set(session.scalars(select(PolicyDecision.policy_version)))
    assert len(versions) == 1 and next(iter(versions)).startswith("kuleuven-heritage-default@1.0.0#")


def test_the_engines_explanations_are_said_in_the_readers_language(demo_client) -> None:
    """The review queue says why in Dutch and in English: the engine's explanation is stored as a template with
    its values, translated on the page, with flags, periods and hard rules by their names."""
    app = demo_client.application
    pages = {}
    for lang in ("nl", "en"):
        with app.test_request_context(f"/masterplan/review?queue=all&lang={lang}", headers={"Accept-Language": lang}):
            g.viewer = ARCHIVIST
            g.lang = lang
            pages[lang] = app.view_functions["masterplan.review"]()
    assert "waarderingsindex" in pages["nl"] and "significance index" not in pages["nl"]
    assert "significance index" in pages["en"] and "waarderingsindex" not in pages["en"]


def test_explanations_round_trip_and_fall_back_to_the_stored_text(demo_app) -> None:  # type: ignore[no-untyped-def]
    from metadata_schemas.said import said
    from web.masterplan_labels import duration_words, explained

    note = said("; flagged not heritage (no %(group)s criterion scored 1 or more)", group="cultuurhistorisch")
    message = said(
        "significance index %(si)s below %(threshold)s: curatorial review now%(note)s",
        si=31.5,
        threshold="40",
        note=note,
    )
    stored = {"explanation": str(message), "explanation_said": message.as_json()}
    with demo_app.test_request_context("/?lang=nl"):
        g.lang = "nl"
        assert explained(stored) == (
            "waarderingsindex 31.5 onder 40: nu curatorieel beoordelen; gemarkeerd als geen erfgoed "
            "(geen criterium van cultuurhistorisch scoort 1 of meer)"
        )
        assert explained({"explanation": "as it was written", "explanation_said": None}) == "as it was written"
        assert duration_words("P10Y", "nl") == "10 jaar" and duration_words("P1M", "en") == "1 month"
        assert duration_words("P2Y6M", "en") == "P2Y6M"
    with demo_app.test_request_context("/?lang=en"):
        g.lang = "en"
        assert explained(stored) == str(message)
