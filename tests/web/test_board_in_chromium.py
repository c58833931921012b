"""The heritage board's work in a real browser (Debian's Chromium), by keyboard, in Dutch at 1366 px and in English
at 390 px (issue 16, "Done when"): a collection manager records a significance assessment and a new room, and
the decision and the location suggestion change and say why; the override of a protected piece into
deaccession is refused; a destruction approved by the dean and the university archivist is carried out, gives
its list and certificate, and leaves a tombstone. No page is wider than the screen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from heritage.models import Item, PolicyDecision
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.helpers import PASSWORD
from tests.heritage.policy import builders
from tests.heritage.policy.test_governance import board_catalogue
from tests.iiif.live_server import live_server
from tests.web.chromium import CHROMIUM, MISSING, fits, follow, sign_in, tab_to

pytestmark = pytest.mark.slow

WORDS = {
    "nl": {
        "kept": "Blijvend bewaren",
        "unscored": "Nu beoordelen",
        "refused": "Geweigerd:",
        "approved": "Goedgekeurd",
        "high": "Hoog",
        "certificate": "Verklaring van vernietiging",
        "index": "waarderingsindex",
    },
    "en": {
        "kept": "Kept permanently",
        "unscored": "Review now",
        "refused": "Refused:",
        "approved": "Approved",
        "high": "High",
        "certificate": "Certificate of destruction",
        "index": "significance index",
    },
}


# high on these criteria: weights 0.20 + 0.12 + 0.20 + 0.13 + 0.12 of 1.0, an index of 77, the core collection (70)
CORE = (
    "historic",
    "artistic",
    "scientific_research_informative",
    "history_of_science_university",
    "use_teaching_research",
)


@pytest.fixture(scope="module", params=[("nl", 1366), ("en", 390)], ids=["nl-1366", "en-390"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`heritage serve` on the board's catalogue (tests.heritage.policy.test_governance) plus an unscored file of
    the University Archives; one catalogue per language and width, since the test changes it."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    lang, width = request.param
    settings = Settings.load({"data_dir": tmp_path_factory.mktemp(f"board-{lang}") / "data"}, environ={})
    runtime = Runtime.open(settings)
    ids = board_catalogue(runtime)
    with runtime.transaction() as s:
        unscored = builders.item(s, "rectorate", "R.9", date_from=1910, date_to=1930, material="paper_archive")
        ids["unscored"] = unscored.id
    from heritage.policy.service import evaluate

    with runtime.transaction() as s:
        evaluate(s, item_id=ids["unscored"])
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    try:
        with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
            yield {"base": base, "runtime": runtime, "ids": ids, "lang": lang, "width": width}
    finally:
        runtime.close()


def _page(browser: Any, served: dict[str, Any]) -> Any:
    context = browser.new_context(viewport={"width": served["width"], "height": 800})
    page = context.new_page()
    page.violations = []
    page.on("console", lambda m: page.violations.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def _sign_in(page: Any, served: dict[str, Any], username: str, target: str) -> None:
    page.context.clear_cookies()  # the next person at the same browser
    sign_in(page, served["base"], username, PASSWORD, target, served["lang"])


def _choose(page: Any, selector: str, label: str) -> None:
    """Pick an option of a select by typing its label, as a keyboard user does."""
    tab_to(page, selector)
    page.keyboard.type(label)
    chosen = page.eval_on_selector(selector, "s => s.options[s.selectedIndex].text")
    assert chosen == label, f"typing {label!r} chose {chosen!r}"


def _decision(runtime: Runtime, item_id: str) -> PolicyDecision:
    with runtime.sessions() as s:
        row = s.get(PolicyDecision, item_id)
        assert row is not None
        s.expunge(row)
        return row


def test_a_significance_assessment_in_the_browser_changes_the_decision(browser: Any, served: dict[str, Any]) -> None:
    words, item = WORDS[served["lang"]], served["ids"]["unscored"]
    assert _decision(served["runtime"], item).decision == "review_now"
    page = _page(browser, served)
    _sign_in(page, served, "cm", f"/items/{item}/edit")
    fits(page, "the edit page")
    tab_to(page, "#masterplan-facts > summary")  # the facts are folded away until asked for
    page.keyboard.press("Enter")
    fits(page, "the edit page with its masterplan facts")
    for criterion in CORE:
        _choose(page, f"select[name='masterplan.significance-{criterion}']", words["high"])
    tab_to(page, "textarea[name='masterplan.significance_statement']")
    page.keyboard.type("De oudste reeks van het rectoraat, bron voor de universiteitsgeschiedenis.")
    follow(page, "form.edit button[type=submit]")
    stored = _decision(served["runtime"], item)
    assert stored.decision == "retain_permanent" and stored.rule == "significance.core"
    shown = page.inner_text("main")
    assert words["kept"] in shown and words["index"] in shown  # the decision, and why, in the page's language
    page.goto(f"{served['base']}/masterplan/review?queue=all&lang={served['lang']}")
    fits(page, "the review queue")
    row = page.inner_text(f"tr:has(a[href='/masterplan/decisions/{item}'])")
    assert words["kept"] in row and words["unscored"] not in row
    assert page.violations == []


def test_a_new_room_in_the_browser_changes_the_suggestion(browser: Any, served: dict[str, Any]) -> None:
    item = served["ids"]["unscored"]
    page = _page(browser, served)
    _sign_in(page, served, "cm", "/locations/new")
    fits(page, "the new location form")
    code = f"NEW-DEPOT-{served['lang'].upper()}"
    tab_to(page, "#code")
    page.keyboard.type(code)
    tab_to(page, "#name")
    page.keyboard.type("Nieuw depot")
    page.select_option("#kind", "room")
    page.check("input[name=functions][value=storage]")
    page.select_option("#unit", "central-archive")
    tab_to(page, "#t")
    page.keyboard.type("16")
    tab_to(page, "#rh")
    page.keyboard.type("47")
    page.select_option("#security_level", "S2")
    follow(page, "form button[type=submit]")
    assert code in page.inner_text("main")
    page.goto(f"{served['base']}/items/{item}?lang={served['lang']}")
    suggested = page.inner_text("section.masterplan-panel ol.locations")
    assert code in suggested, "the new room is suggested for the item"
    reasons = next(line for line in suggested.splitlines() if code in line)
    owning, setpoint = {
        "nl": ("een locatie van de eigenaar-eenheid", "alleen instelwaarde"),
        "en": ("a location of the owning unit", "setpoint only"),
    }[served["lang"]]
    assert owning in reasons and setpoint in reasons  # and why it scores so, in the page's language
    assert page.violations == []


def test_the_override_of_a_protected_piece_into_deaccession_is_refused(browser: Any, served: dict[str, Any]) -> None:
    words, fabrica = WORDS[served["lang"]], served["ids"]["fabrica"]
    before = _decision(served["runtime"], fabrica)
    page = _page(browser, served)
    _sign_in(page, served, "cm", f"/masterplan/decisions/{fabrica}")
    fits(page, "the decision page")
    page.select_option("#override-decision", "deaccession_candidate")
    tab_to(page, "#override-reason")
    page.keyboard.type("sell it")
    tab_to(page, "#override button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert words["refused"] in page.inner_text("#decision-error")
    after = _decision(served["runtime"], fabrica)
    assert (after.decision, after.rule) == (before.decision, before.rule)
    assert page.violations == []


def test_an_approved_destruction_gives_its_list_certificate_and_tombstone(browser: Any, served: dict[str, Any]) -> None:
    words, old = WORDS[served["lang"]], served["ids"]["old"]
    url = f"/masterplan/decisions/{old}"
    page = _page(browser, served)
    for who in ("dean", "ua"):  # the head of the creating unit, then the university archivist: two accounts
        _sign_in(page, served, who, url)
        fits(page, "the decision page")
        follow(page, "#approve form[action$='/approve'] button[type=submit]")
    assert words["approved"] in page.inner_text("#approvals")
    _sign_in(page, served, "dean", url)
    page.select_option("#route", "destruction")
    tab_to(page, "#confirm")
    page.keyboard.press("Space")
    follow(page, "#carry-out button[type=submit]")
    link = page.locator("#disposal a[href*='/masterplan/certificates/']")
    assert words["certificate"] in link.inner_text()
    with page.expect_navigation():
        link.click()
    fits(page, "the certificate")
    certificate = page.inner_text("main")
    assert "F.1.1 title" in certificate and "dean" in certificate and "ua" in certificate
    listing = page.request.get(f"{served['base']}/masterplan/destructions.csv")
    assert listing.ok and old in listing.text()
    public = browser.new_context(viewport={"width": served["width"], "height": 800}).new_page()
    gone = public.goto(f"{served['base']}/items/{old}?lang={served['lang']}")
    assert gone is not None and gone.status == 410
    with served["runtime"].sessions() as s:
        item = s.get(Item, old)
        assert item is not None and item.withdrawn_at is not None
    assert page.violations == []
