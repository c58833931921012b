"""Location suggestions on an item's masterplan panel say their reasons in the reader's language: Dutch
sentences with Dutch numbers on a Dutch page, and on an English page exactly the English of the CLI and API."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from heritage.locations.matching import suggest_for
from heritage.runtime import Runtime
from tests.helpers import add_user, sign_in
from tests.heritage.policy import builders

ROOT = Path(__file__).resolve().parents[2]
REASON_MODULES = ("heritage/locations/matching.py", "heritage/locations/tree.py")


def test_every_location_reason_has_a_dutch_translation() -> None:
    with (ROOT / "web" / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    templates = [
        message
        for module in REASON_MODULES
        for _line, message, _comments, _context in extract_from_file(
            "python", str(ROOT / module), keywords={"said": None}
        )
    ]
    assert len(templates) > 40, "the reasons are made with said() (see babel.cfg)"
    missing = [t for t in templates if not (catalog.get(t) and catalog.get(t).string)]
    assert missing == []


def test_every_museum_and_move_message_has_a_dutch_translation() -> None:
    """Loan checks, refusals of loans, condition checks, entries and moves, and move warnings: a page says them in
    Dutch (web.museum_words), so each template has its translation."""
    with (ROOT / "web" / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    modules = [ROOT / "heritage" / "locations" / "movements.py", *sorted((ROOT / "heritage" / "museum").glob("*.py"))]
    templates = [
        message
        for module in modules
        for _line, message, _comments, _context in extract_from_file(
            "python", str(module), keywords={"said": None, "bad": None}
        )
    ]
    assert len(templates) > 40, "the messages are made with said() and bad() (see babel.cfg)"
    missing = [t for t in templates if not (catalog.get(t) and catalog.get(t).string)]
    assert missing == []


@pytest.fixture
def paper(runtime: Runtime) -> str:
    """A paper archive item in the faculty basement, two linear metres long."""
    with runtime.transaction() as session:
        places = builders.tree(session)
        item = builders.item(
            session,
            "faculty",
            "P1",
            unit="faculty-science",
            material="paper_archive",
            size={"linear_m": 2},
            location=places["basement"],
        )
        return item.id


def _panel(client, runtime: Runtime, item_id: str, lang: str) -> str:  # type: ignore[no-untyped-def]
    add_user(runtime, f"beheer-{lang}", "administrator")
    assert sign_in(client, f"beheer-{lang}").status_code == 303
    response = client.get(f"/items/{item_id}?lang={lang}")
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    start = page.index('<section class="masterplan-panel"')
    return page[start : page.index("</section>", start)]


@pytest.mark.db
def test_a_dutch_panel_gives_dutch_reasons(client, runtime: Runtime, paper: str) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(client, runtime, paper, "nl")
    assert "Geschikte locaties" in panel
    assert "de huidige locatie" in panel and "een locatie van de eigenaar-eenheid" in panel
    assert "<strong>LEU-WET-ARCH</strong> (0,683): de huidige locatie;" in panel
    material = "Papier: archief, boeken, kaarten, tekeningen"  # by its name, not paper_archive
    assert f"klimaat 53% binnen de band voor {material}" in panel and "35% van de strekkende meter in gebruik" in panel
    assert "niet genoeg ruimte: strekkende meter: 0 vrij, 2 nodig" in panel
    assert f"temperatuur 4 °C (instelwaarde) valt buiten 14-19 °C voor {material}" in panel
    assert "paper_archive" not in panel
    assert "meer dan het hele budget van 150.000 lx·h voor Matig lichtgevoelig" in panel  # Dutch digit grouping
    with runtime.sessions() as session:
        found = suggest_for(session, paper)
    english = {r for row in found["candidates"] + found["rejected"] for r in row["reasons"]}
    assert english and [r for r in english if r in panel] == []


@pytest.mark.db
def test_an_english_panel_gives_the_english_of_the_cli(client, runtime: Runtime, paper: str) -> None:  # type: ignore[no-untyped-def]
    panel = _panel(client, runtime, paper, "en")
    with runtime.sessions() as session:
        found = suggest_for(session, paper)
    for row in found["candidates"] + found["rejected"]:
        assert f"{row['location']}: {'; '.join(row['reasons'])}" in panel or "; ".join(row["reasons"]) in panel
    assert "<strong>LEU-WET-ARCH</strong> (0.683): its current location;" in panel
    assert "not enough room: linear_m 0 free, 2 needed" in panel
    assert "more than the whole medium budget of 150,000 lx·h" in panel
