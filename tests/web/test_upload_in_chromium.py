"""An archivist uploads a folder in a real browser (Debian's Chromium), by keyboard only, at 1366 px and at
390 px, in Dutch and in English: the batch page answers at once and follows the run in place (the progress
bar, the counts and the file being worked on, in a polite live region), or by refreshing itself without
scripts; a run killed midway is offered for resuming, and resuming by keyboard finishes it. No page is
wider than the screen, none breaks the Content-Security-Policy, none shows a path of the server's."""

from __future__ import annotations

import itertools
import os
import re
import signal
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.working import working_on
from tests.helpers import PASSWORD, add_user, make_image, runner_pids
from tests.iiif.live_server import live_server
from tests.web.chromium import CHROMIUM, MISSING, fits, tab_to
from tests.web.test_upload_background import files_held, until

pytestmark = pytest.mark.slow
WAIT = 120_000  # ms a browser waits for the run before the test fails; nothing is asserted about speed
WORDS = {
    "nl": {
        "user": "Gebruikersnaam",
        "bar": "Verwerkte bestanden",
        "start": "0 klaar, 0 mislukt, 6 te gaan (van 6 bestanden).",
        "three": "3 klaar, 0 mislukt, 3 te gaan",
        "end": "6 klaar, 0 mislukt, 0 te gaan (van 6 bestanden).",
        "finished": "Klaar",
        "stalled": "Gestopt voor het einde",
        "resume": "Batch hervatten",
    },
    "en": {
        "user": "Username",
        "bar": "Files handled",
        "start": "0 done, 0 failed, 6 remaining (of 6 files).",
        "three": "3 done, 0 failed, 3 remaining",
        "end": "6 done, 0 failed, 0 remaining (of 6 files).",
        "finished": "Finished",
        "stalled": "Stopped before the end",
        "resume": "Resume the batch",
    },
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    """`heritage serve` on an empty catalogue with an administrator; the test holds its runtime too."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    settings = Settings.load({"data_dir": tmp_path_factory.mktemp("upload") / "data"}, environ={})
    runtime = Runtime.open(settings)
    add_user(runtime, "beheer", "administrator")
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    try:
        with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
            yield base, runtime
    finally:
        runtime.close()


SEEDS = itertools.count(0, 10)  # every upload of the module gets scans of its own (no duplicates of earlier ones)


def _folder(root: Path) -> Path:
    first = next(SEEDS)
    for n in range(6):
        make_image(root / f"blad {n + 1} – Liège.jpg", (1200, 900), seed=first + n)
    return root


def _sign_in_and_upload(page: Any, base: str, folder: Path, collection: str, lang: str) -> None:
    # Playwright turns Chromium's file-chooser interception on when a listener is added, without waiting for
    # the answer: a key pressed right after `expect_file_chooser` could reach the page first and open no
    # chooser (puppeteer#6040). A listener added here has it on long before the key is pressed.
    page.on("filechooser", lambda _chooser: None)
    page.goto(f"{base}/login?next=/archivist/upload&lang={lang}")
    tab_to(page, "#username", limit=60)
    page.keyboard.type("beheer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^[^?]*/archivist/upload(\?.*)?$"))
    fits(page, "the upload form")
    tab_to(page, "#new_collection", limit=60)
    page.keyboard.type(collection)
    tab_to(page, "#folder", limit=60)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(folder))
    tab_to(page, "form.upload button[type=submit]", limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/archivist/batches/\w+$"))


@pytest.mark.parametrize(
    ("lang", "width", "scripts"), [("nl", 1366, True), ("en", 390, True), ("nl", 390, False), ("en", 1366, False)]
)
def test_upload_a_folder_and_follow_its_batch(
    served: tuple[str, Runtime], browser: Any, tmp_path: Path, lang: str, width: int, scripts: bool
) -> None:
    from playwright.sync_api import expect

    base, runtime = served
    words = WORDS[lang]
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=scripts)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    folder = _folder(tmp_path / f"map {lang} {width}")
    try:
        with files_held(runtime, range(1, 400)):  # the run waits for the test, so every state is seen
            _sign_in_and_upload(page, base, folder, f"kaarten-{lang}-{width}", lang)
            assert page.locator("html").get_attribute("lang") == lang
            bar = page.get_by_label(words["bar"])
            assert bar.evaluate("e => e.tagName") == "PROGRESS" and bar.get_attribute("value") == "0"
            status = page.get_by_role("status")
            assert status.get_attribute("aria-live") == "polite"
            expect(status).to_have_text(words["start"])
            fits(page, "the batch page")
            if scripts:  # the page is followed in place: its window (and this mark) outlives the updates
                page.evaluate("() => { window.stillTheSamePage = true; }")
        # released: the run goes on; with scripts the region changes in place, without them the page refreshes
        expect(page.locator("#status")).to_have_text(re.compile(words["finished"]), timeout=WAIT)
        expect(page.get_by_role("status")).to_have_text(words["end"], timeout=WAIT)
        assert page.get_by_label(words["bar"]).get_attribute("value") == "6"
        assert page.locator("table.report tbody tr").count() == 6
        assert "blad 1 – Liège.jpg" in page.locator("table.report").inner_text()
        assert str(runtime.settings.data_dir) not in page.content() and "/uploads/" not in page.content()
        fits(page, "the finished batch page")
        assert violations == []
        _ended(page)
    finally:
        context.close()


def test_a_killed_run_is_resumed_by_keyboard(served: tuple[str, Runtime], browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base, runtime = served
    words = WORDS["en"]
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        with files_held(runtime, range(1, 400)):
            _sign_in_and_upload(page, base, _folder(tmp_path / "map"), "hervat-in-chromium", "en")
            batch_id = page.url.rsplit("/", 1)[1]
            page.evaluate("() => { window.stillTheSamePage = true; }")
            (pid,) = runner_pids(batch_id)
            os.kill(pid, signal.SIGKILL)
            until(lambda: not runner_pids(batch_id), "the run to be gone")
            # the page notices by itself that the run stopped, and shows the report with the offer to resume
            expect(page.locator("#status")).to_have_text(re.compile(words["stalled"]), timeout=WAIT)
            tab_to(page, "form.resume button[type=submit]", limit=60)
            assert page.evaluate("() => document.activeElement.textContent") == words["resume"]
            page.keyboard.press("Enter")
            page.wait_for_load_state()
        expect(page.locator("#status")).to_have_text(re.compile(words["finished"]), timeout=WAIT)
        expect(page.get_by_role("status")).to_have_text(words["end"])
        assert page.locator("table.report tbody tr").count() == 6
        fits(page, "the resumed batch page")
        _ended(page)
    finally:
        context.close()


def test_the_page_updates_in_place_while_the_run_goes_on(
    served: tuple[str, Runtime], browser: Any, tmp_path: Path
) -> None:
    """With scripts the live region changes without a reload (screen readers hear the change, nothing else)."""
    from playwright.sync_api import expect

    base, runtime = served
    words = WORDS["nl"]
    context = browser.new_context(viewport={"width": 1366, "height": 800})
    page = context.new_page()
    try:
        with ExitStack() as rest:
            held = {i: ExitStack() for i in range(1, 400)}
            for i, stack in held.items():
                rest.enter_context(stack)  # whatever is still held is let go when the block ends
                stack.enter_context(working_on(runtime, i))
            _sign_in_and_upload(page, base, _folder(tmp_path / "map"), "ter-plaatse", "nl")
            page.evaluate("() => { window.stillTheSamePage = true; }")
            for i in _batch_file_ids(runtime, page.url.rsplit("/", 1)[1])[:3]:
                held[i].close()  # three files may go in; the rest still wait
            expect(page.get_by_role("status")).to_contain_text(words["three"], timeout=WAIT)
            assert page.evaluate("() => window.stillTheSamePage === true")  # updated in place, not reloaded
            assert page.get_by_label(words["bar"]).get_attribute("value") == "3"
        expect(page.locator("#status")).to_have_text(re.compile(words["finished"]), timeout=WAIT)
        _ended(page)
    finally:
        context.close()


def _ended(page: Any) -> None:
    """Wait for the batch's background run to end (it hands its items on after the last file)."""
    batch_id = page.url.split("?")[0].rsplit("/", 1)[1]
    until(lambda: not runner_pids(batch_id), "the batch's run to end")


def _batch_file_ids(runtime: Runtime, batch_id: str) -> list[int]:
    from sqlalchemy import select

    from heritage.models import BatchFile

    with runtime.sessions() as s:
        return list(s.scalars(select(BatchFile.id).where(BatchFile.batch_id == batch_id).order_by(BatchFile.position)))
