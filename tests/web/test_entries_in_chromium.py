"""A registrar in a real browser (Debian's Chromium), on a phone-sized screen: records a deposit of two objects,
prints its receipt, records the acquisition of one of them and finds the accession number in its museum history;
the entry pages pass axe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from heritage.runtime import Runtime
from tests.helpers import PASSWORD
from tests.heritage.museum.builders import World
from tests.web.axe import assert_accessible
from tests.web.chromium import fits, serve_loan_world, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime, World]]:
    """`heritage serve` on the loans' world with a registrar."""
    yield from serve_loan_world(tmp_path_factory, "entries")


def _press(page: Any, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def test_a_deposit_with_its_receipt_and_an_acquisition(served: tuple[str, Runtime, World], browser: Any) -> None:
    base, _runtime, w = served
    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base, "registrar", PASSWORD, "/loans", "en")
    with page.expect_navigation():
        page.get_by_role("link", name="Entries and exits").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Record an object entry").click()
    fits(page, "the entry form")
    page.select_option("#reason", "deposit")
    page.fill("#party", "Familie Peeters")
    page.fill("#items", f"{w.painting}\n{w.model}")
    _press(page, "Record and print the receipt")
    assert "/museum/receipts/ENT-" in page.url
    main = page.inner_text("main")
    assert "was recorded" in main and "Deposit" in main and "painting title" in main and "model title" in main
    fits(page, "the receipt")
    receipt = page.url.split("/museum/receipts/")[1].split("?")[0]
    pdf = page.request.get(f"{base}/museum/receipts/{receipt}.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    assert_accessible(page, "the receipt")

    page.goto(f"{base}/loans/objects/{w.model}?lang=en")
    with page.expect_navigation():
        page.get_by_role("link", name="Record the acquisition").click()
    fits(page, "the acquisition form")
    page.fill("#accession_number", "KUL.2026.21")
    page.select_option("#method", "gift")
    page.fill("#source", "Familie Peeters")
    page.fill("#documents", "deed of gift")
    _press(page, "Record the acquisition")
    assert page.inner_text("dd.accession-number") == "KUL.2026.21"
    assert "Accession number KUL.2026.21 was recorded." in page.inner_text("main")
    for path, what in (
        ("/museum/entries", "the entries and exits"),
        ("/museum/entries/new?direction=exit", "the exit form"),
        ("/museum/acquisitions/new", "the acquisition form"),
        (f"/loans/objects/{w.model}", "an object's history with its acquisition"),
    ):
        page.goto(f"{base}{path}")
        assert_accessible(page, what)
    context.close()
