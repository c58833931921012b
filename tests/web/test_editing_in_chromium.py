"""An archivist catalogues in a real browser (Debian's Chromium), by keyboard only, at 1366 px and at 390 px,
in Dutch and in English: signs in, fixes a title, adds a part, moves a file to another series, changes its
access, reads the history and reverts; a second editor of the same record gets the conflict, not a lost
update. No page is wider than the screen, none breaks the Content-Security-Policy."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heritage.catalogue import ensure_unit, item_id_for
from heritage.models import Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.pipeline import ingest
from tests.helpers import PASSWORD, add_user, make_image, small_batch
from tests.iiif.live_server import live_server
from tests.web.chromium import CHROMIUM, MISSING, fits, follow, sign_in, tab_to

pytestmark = pytest.mark.slow
COLLECTIONS = itertools.count(1)
WORDS = {
    "nl": {
        "saved": "Opgeslagen als revisie",
        "conflict": "Iemand anders heeft deze beschrijving bewaard",
        "back": "Terug naar revisie",
    },
    "en": {
        "saved": "Saved as revision",
        "conflict": "Someone else saved this record",
        "back": "Go back to revision",
    },
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    """`heritage serve` on a catalogue with an archivist and an administrator; the test holds its runtime too."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    settings = Settings.load({"data_dir": tmp_path_factory.mktemp("editing") / "data"}, environ={})
    runtime = Runtime.open(settings)
    with runtime.transaction() as s:
        ensure_unit(s, "central-archive")
    add_user(runtime, "ua", "archivist", "central-archive")
    add_user(runtime, "beheer", "administrator")
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    try:
        with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
            yield base, runtime
    finally:
        runtime.close()


def _catalogue(runtime: Runtime, tmp_path: Path) -> str:
    """A fresh copy of the small batch (fonds, series, two files) in a collection of its own."""
    number = next(COLLECTIONS)
    slug = f"pedel{number}"
    folder = small_batch(tmp_path / slug)
    for name, size, fmt in (("a1.tif", (700, 500), "TIFF"), ("b1.jpg", (640, 480), None), ("b2.png", (300, 900), None)):
        make_image(folder / "scans" / name, size, seed=100 * number + len(name) + size[0], fmt=fmt)  # scans of its own
    report = ingest(runtime, folder, slug, unit="central-archive", parallel=1)
    assert report.exit_code == 0, report.as_dict()
    return slug


def _replace_text(page: Any, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _sign_in(page: Any, base: str, username: str, target: str, lang: str) -> None:
    sign_in(page, base, username, PASSWORD, target, lang)


def _item(runtime: Runtime, item_id: str) -> Item:
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item is not None
        s.expunge(item)
        return item


@pytest.mark.parametrize(("lang", "width"), [("nl", 1366), ("en", 390)])
def test_catalogue_a_fonds_by_keyboard(
    served: tuple[str, Runtime], browser: Any, tmp_path: Path, lang: str, width: int
) -> None:
    base, runtime = served
    words = WORDS[lang]
    slug = _catalogue(runtime, tmp_path)
    fonds, file_a, file_b = (item_id_for(slug, n) for n in ("F1", "F1.1.1", "F1.1.2"))
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    _sign_in(page, base, "ua", f"/items/{file_a}", lang)

    # fix a title: from the record page to the form and back
    follow(page, f"a[href='/items/{file_a}/edit']")
    fits(page, "the edit form")
    tab_to(page, "#f-title")
    _replace_text(page, "Reglement van de pedel")
    tab_to(page, "form.edit button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert words["saved"] in page.inner_text("main")
    assert _item(runtime, file_a).title == "Reglement van de pedel"

    # change its access
    tab_to(page, "#f-access")
    for _ in range(5):
        if page.eval_on_selector("#f-access", "s => s.value") == "restricted":
            break
        page.keyboard.press("ArrowDown")
    tab_to(page, "form.edit button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _item(runtime, file_a).access == "restricted"

    # add a series to the fonds
    page.goto(f"{base}/items/{fonds}")
    follow(page, f"a[href='/items/{fonds}/children/new']")
    fits(page, "the form of a new record")
    tab_to(page, "#f-title")
    series_title = f"Registers {lang}{width}"  # one of its own: every run adds a series to the same catalogue
    page.keyboard.type(series_title)
    tab_to(page, "#f-level")
    for _ in range(12):
        if page.eval_on_selector("#f-level", "s => s.value") == "series":
            break
        page.keyboard.press("ArrowDown")
    tab_to(page, "form.edit button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    new_series = re.search(r"/items/(\w+)/edit", page.url).group(1)
    assert _item(runtime, new_series).parent_id == fonds

    # move the second file into it, found by searching
    page.goto(f"{base}/items/{file_b}/move")
    fits(page, "the move page")
    tab_to(page, "#move-q")
    page.keyboard.type(series_title)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, f"#parent-{new_series}")
    page.keyboard.press("Space")
    tab_to(page, "form.edit button[type=submit]:not([name])")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _item(runtime, file_b).parent_id == new_series
    assert page.url.endswith(f"/items/{file_b}")

    # the history, and back to how the record was after its first revision
    page.goto(f"{base}/items/{file_a}")
    follow(page, f"a[href='/items/{file_a}/history']")
    fits(page, "the history")
    assert "Règlement van de pedel" in page.inner_text("main")
    tab_to(page, "form.revert button")
    label = page.evaluate("() => document.activeElement.textContent")
    assert words["back"] in label
    with page.expect_navigation():
        page.keyboard.press("Enter")
    reverted = _item(runtime, file_a)  # back to just after revision 1: the fixed title, the access as it was
    assert reverted.title == "Reglement van de pedel" and reverted.access == "public"
    assert words["saved"] in page.inner_text("main")
    assert violations == []
    context.close()


@pytest.mark.parametrize(("lang", "width"), [("en", 1366), ("nl", 390)])
def test_a_second_editor_gets_the_conflict(
    served: tuple[str, Runtime], browser: Any, tmp_path: Path, lang: str, width: int
) -> None:
    base, runtime = served
    slug = _catalogue(runtime, tmp_path)
    file_a = item_id_for(slug, "F1.1.1")
    first = browser.new_context(viewport={"width": width, "height": 800})
    second = browser.new_context(viewport={"width": width, "height": 800})
    one, two = first.new_page(), second.new_page()
    _sign_in(one, base, "ua", f"/items/{file_a}/edit", lang)
    _sign_in(two, base, "beheer", f"/items/{file_a}/edit", lang)
    for page, title in ((one, "Titel van de eerste"), (two, "Titel van de tweede")):
        tab_to(page, "#f-title")
        _replace_text(page, title)
    tab_to(one, "form.edit button[type=submit]")
    with one.expect_navigation():
        one.keyboard.press("Enter")
    tab_to(two, "form.edit button[type=submit]")
    with two.expect_navigation() as answer:
        two.keyboard.press("Enter")
    assert answer.value.status == 409
    text = two.inner_text("main")
    assert WORDS[lang]["conflict"] in text and "Titel van de eerste" in text
    assert two.eval_on_selector("#f-title", "i => i.value") == "Titel van de tweede"  # kept as typed
    fits(two, "the conflict page")
    assert _item(runtime, file_a).title == "Titel van de eerste"
    first.close()
    second.close()


@pytest.mark.parametrize(("lang", "width"), [("nl", 390), ("en", 1366)])
def test_order_the_parts_by_keyboard_without_scripts(
    served: tuple[str, Runtime], browser: Any, tmp_path: Path, lang: str, width: int
) -> None:
    base, runtime = served
    slug = _catalogue(runtime, tmp_path)
    series, file_a, file_b = (item_id_for(slug, n) for n in ("F1.1", "F1.1.1", "F1.1.2"))
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    _sign_in(page, base, "ua", f"/items/{series}/order", lang)
    fits(page, "the order of the parts")
    tab_to(page, f"#down-{file_a}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # the row keeps the focus (`autofocus`, which the browser applies as it renders, just after the load event)
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=f"up-{file_a}")
    assert [page.eval_on_selector_all("input[name=order]", "els => els.map(e => e.value)")] == [[file_b, file_a]]
    with runtime.sessions() as s:
        assert [c.id for c in s.get(Item, series).children] == [file_a, file_b]  # arranged, not saved
    tab_to(page, "#reason")
    page.keyboard.type("chronologisch")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a field saves (the first button of the form), it moves nothing
    with runtime.sessions() as s:
        assert [c.id for c in s.get(Item, series).children] == [file_b, file_a]
    context.close()


@pytest.mark.parametrize(("lang", "width"), [("en", 1366), ("nl", 390)])
def test_a_name_field_suggests_authorities_and_links_the_chosen_one(
    served: tuple[str, Runtime], browser: Any, tmp_path: Path, lang: str, width: int
) -> None:
    """Typing in an agent's name asks the server for authorities (a datalist under the field); a name taken
    from it fills the row's authority id, and the saved record links that authority."""
    from sqlalchemy import select

    from heritage.authorities import service as authorities
    from heritage.models import AuthorityLink

    base, runtime = served
    slug = _catalogue(runtime, tmp_path)
    file_a = item_id_for(slug, "F1.1.1")
    name = f"Adriana Suggestia {lang}{width}"
    with runtime.transaction() as s:
        authority = authorities.create(s, type="person", name=name, dates="1850-1920", agent="test").id
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        _sign_in(page, base, "ua", f"/items/{file_a}/edit", lang)
        field = "input[name='agents-0-name']"
        tab_to(page, field)
        _replace_text(page, "Suggest")
        options = page.locator("#authority-suggestions option")
        options.first.wait_for(state="attached", timeout=10_000)
        assert name in [options.nth(n).get_attribute("value") for n in range(options.count())]
        _replace_text(page, name)  # as the browser fills the field when the suggestion is taken
        page.keyboard.press("Tab")  # leaving the field is its change
        id_field = page.locator("input[name='agents-0-id']")
        page.wait_for_function("s => document.querySelector(s).value !== ''", arg="input[name='agents-0-id']")
        assert id_field.input_value() == f"auth:{authority}"
        fits(page, "the edit form")
        tab_to(page, "form.edit button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        errors = page.locator("[role=alert]").all_inner_texts()
        assert WORDS[lang]["saved"] in page.content(), errors
        with runtime.sessions() as s:
            linked = s.scalars(select(AuthorityLink.authority_id).where(AuthorityLink.item_id == file_a)).all()
        assert authority in linked
        assert violations == []
    finally:
        context.close()
