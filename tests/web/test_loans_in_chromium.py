"""A registrar in a real browser (Debian's Chromium), on a phone-sized screen: requests a loan out of three objects
to another museum's gallery; the checks flag the drawing whose light budget the 45 days would exceed; approval is
refused until the registrar overrides it with a reason; the terms are set and the agreement signed; each object
gets a condition check before dispatch; the objects go, arrive, come back (condition checks and the audit of what
was scanned) and the loan is closed; every step shows in each object's museum history."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from heritage.museum import loans
from heritage.runtime import Runtime
from tests.helpers import PASSWORD
from tests.heritage.museum.builders import VENUE, World
from tests.web.axe import assert_accessible
from tests.web.chromium import fits, serve_loan_world, sign_in

pytestmark = pytest.mark.slow
STEPS = [
    "loan requested",
    "loan approved",
    "loan terms",
    "loan agreed",
    "loan dispatched",
    "loan on_loan",
    "loan returned",
    "loan closed",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime, World]]:
    """`heritage serve` on the loan's world with a registrar; the test holds its runtime too."""
    yield from serve_loan_world(tmp_path_factory, "loans")


def _state(runtime: Runtime, loan_id: int) -> str:
    with runtime.sessions() as session:
        return loans.get_loan(session, loan_id).state


def _press(page: Any, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def _condition_checks(page: Any, base: str, loan_id: int, w: World) -> None:
    for item in w.ids:
        page.goto(f"{base}/loans/{loan_id}/condition?item={item}&lang=en")
        fits(page, "the condition check form")
        page.select_option("#condition", "good")
        page.fill("#notes", f"checked {item}")
        _press(page, "Record the condition check")
        assert f"The condition check of {item} was recorded." in page.inner_text("main")


def test_a_registrar_takes_a_loan_out_from_request_to_closed(served: tuple[str, Runtime, World], browser: Any) -> None:
    base, runtime, w = served
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, base, "registrar", PASSWORD, "/loans/new", "en")
    fits(page, "the loan request form")
    start = date.today() + timedelta(days=10)
    page.fill("#party", "Museum aan de Stroom, Antwerpen")
    page.select_option("#venue", VENUE)
    page.fill("#date_from", start.isoformat())
    page.fill("#date_to", (start + timedelta(days=44)).isoformat())
    page.fill("#items", "\n".join(w.ids))
    _press(page, "Request the loan")
    loan_id = int(page.url.split("/loans/")[1].split("?")[0])
    assert f"Loan {loan_id} was requested." in page.inner_text("main")

    # the checks flag the drawing's light budget, and only that
    failed = page.eval_on_selector_all("tr.failed", "rows => rows.map(r => [r.dataset.item, r.dataset.rule])")
    assert failed == [[w.drawing, "light"]]
    assert "Light budget" in page.inner_text("table.loan-checks")
    fits(page, "the loan page")

    # approval is refused without a reason, then given over the failed check on the registrar's authority
    _press(page, "Approve")
    assert "cannot be approved" in page.inner_text("#loan-error") and w.drawing in page.inner_text("#loan-error")
    assert _state(runtime, loan_id) == "requested"
    page.fill("#override", "The borrower shows the drawing at 20 lux for 45 days, agreed in writing")
    _press(page, "Approve")
    assert _state(runtime, loan_id) == "approved"

    # the terms, then the signed agreement
    page.fill("#terms", "Shown at 20 lux at most; no photography with flash.")
    page.select_option("#insurance_kind", "indemnity")
    page.fill("#insurance_value", "250000")
    page.fill("#courier", "J. Peeters")
    _press(page, "Save the terms")
    _press(page, "Agreement signed")
    assert _state(runtime, loan_id) == "agreed"

    # dispatch needs a condition check of every object
    _press(page, "Dispatch")
    assert "no dispatch condition check" in page.inner_text("#loan-error")
    _condition_checks(page, base, loan_id, w)
    page.goto(f"{base}/loans/{loan_id}?lang=en")
    _press(page, "Dispatch")
    _press(page, "Arrived at the venue")
    assert _state(runtime, loan_id) == "on_loan"
    page.goto(f"{base}/loans/reports?lang=en")
    assert all(item in page.inner_text("main") for item in w.ids)

    # the return: condition checks on return, the audit of what was scanned, then closed
    _condition_checks(page, base, loan_id, w)
    page.goto(f"{base}/loans/{loan_id}?lang=en")
    page.fill("#scanned", "\n".join(w.ids))
    _press(page, "Returned")
    _press(page, "Close")
    assert _state(runtime, loan_id) == "closed"
    assert "Closed" in page.inner_text("h1")

    # each step in each object's history
    for item in w.ids:
        page.goto(f"{base}/loans/objects/{item}?lang=en")
        fits(page, "an object's museum history")
        types = page.eval_on_selector_all("ol.object-history li", "rows => rows.map(r => r.dataset.type)")
        assert [t for t in types if t.startswith("loan ")] == STEPS
        assert types.count("condition check") == 2 and types.count("movement") == 2
    pdf = page.request.get(f"{base}/loans/{loan_id}/agreement.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    assert violations == []
    context.close()


def test_the_loan_pages_pass_axe(served: tuple[str, Runtime, World], browser: Any) -> None:
    base, runtime, w = served
    start = date.today() + timedelta(days=400)
    with runtime.transaction() as session:
        loan = loans.create(
            session,
            direction="out",
            party="M Leuven",
            venue=VENUE,
            date_from=start,
            date_to=start + timedelta(days=44),
            items=w.ids,
            agent="registrar",
        )
        loan_id = loan.id
    context = browser.new_context(viewport={"width": 390, "height": 800}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, base, "registrar", PASSWORD, "/loans", "nl")
    for path, what in (
        ("/loans", "the loans"),
        ("/loans/new", "the request form"),
        (f"/loans/{loan_id}", "a requested loan with its checks"),
        (f"/loans/{loan_id}/condition", "the condition check form"),
        (f"/loans/{loan_id}/agreement", "the loan agreement"),
        (f"/loans/{loan_id}/condition-report", "the condition report"),
        ("/loans/reports", "on loan today and due back"),
        (f"/loans/objects/{w.drawing}", "an object's museum history"),
    ):
        page.goto(f"{base}{path}")
        assert_accessible(page, what)
    context.close()
