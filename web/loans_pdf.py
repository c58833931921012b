"""The loan agreement, the condition report and the receipt of an object entry or exit as PDF, drawn with fpdf2
(pure Python) in the page's language.
fpdf2's core font (Helvetica) writes Latin-1: other characters are replaced, never dropped silently."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from fpdf import FPDF

from web.i18n import label


def _latin(text: object) -> str:
    return (
        str(text).replace("—", "-").replace("–", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")
    )


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.set_title(_latin(title))
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()
        self.set_font("Helvetica", "B", 16)
        self.multi_cell(0, 9, _latin(title), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 7, _latin(text), new_x="LMARGIN", new_y="NEXT")

    def line_of(self, name: str, value: object) -> None:
        self.set_font("Helvetica", "B", 10)
        self.cell(55, 6, _latin(name))
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 6, _latin(value if value not in (None, "") else "-"), new_x="LMARGIN", new_y="NEXT")

    def text(self, value: object) -> None:  # type: ignore[override]
        self.set_font("Helvetica", "", 10)
        self.multi_cell(0, 6, _latin(value), new_x="LMARGIN", new_y="NEXT")

    def body(self) -> bytes:
        return bytes(self.output())


def _loan_lines(doc: _Document, ctx: dict[str, Any]) -> None:
    loan = ctx["loan"]
    doc.line_of(_("Direction"), label("loan_direction", loan.direction))
    doc.line_of(_("Borrower or lender"), loan.party)
    doc.line_of(_("Venue"), f"{ctx['venue_name']} ({ctx['venue'].code})" if ctx["venue"] else "")
    doc.line_of(_("Period"), f"{loan.date_from.isoformat()} - {loan.date_to.isoformat()}")
    doc.line_of(_("State"), label("loan_state", loan.state))


def agreement_pdf(ctx: dict[str, Any]) -> bytes:
    """The agreement: parties, venue, period, objects, terms, insurance or indemnity, courier, facility report."""
    loan = ctx["loan"]
    doc = _Document(_("Loan agreement %(id)s", id=loan.id))
    _loan_lines(doc, ctx)
    kind = label("insurance_kind", loan.insurance_kind) if loan.insurance_kind else ""
    value = f"{loan.insurance_value:,.2f} EUR" if loan.insurance_value is not None else ""
    doc.line_of(_("Insurance or indemnity"), f"{kind} {value}".strip())
    doc.line_of(_("Courier"), loan.courier)
    doc.heading(_("Objects"))
    for item_id, title in ctx["items"].items():
        doc.text(f"{item_id}  {title}")
    doc.heading(_("Terms"))
    doc.text(loan.terms or "-")
    doc.heading(_("Facility report"))
    doc.text(loan.facility_report or "-")
    if loan.override_reason:
        doc.heading(_("Approved over failed checks, because"))
        doc.text(loan.override_reason)
    doc.heading(_("Signatures"))
    doc.text(
        _("For the lender") + ": ______________________      " + _("For the borrower") + ": ______________________"
    )
    return doc.body()


def condition_pdf(ctx: dict[str, Any]) -> bytes:
    """The condition report: every condition check of the loan's objects, at dispatch and return."""
    loan = ctx["loan"]
    doc = _Document(_("Condition report of loan %(id)s", id=loan.id))
    _loan_lines(doc, ctx)
    for item_id, title in ctx["items"].items():
        doc.heading(f"{item_id}  {title}")
        mine = [c for c in ctx["condition_checks"] if c.item_id == item_id]
        if not mine:
            doc.text(_("No condition check recorded."))
        for c in mine:
            hazards = ", ".join(label("hazard", h) for h in c.hazards or [])
            doc.line_of(
                label("condition_stage", c.stage), f"{label('condition', c.condition)}, {c.checked_on} ({c.checked_by})"
            )
            if c.notes:
                doc.text(c.notes)
            if hazards:
                doc.line_of(_("Hazards"), hazards)
    return doc.body()


def receipt_pdf(ctx: dict[str, Any]) -> bytes:
    """The receipt of an entry or exit: direction, reason, party, date, objects, notes and signatures."""
    row = ctx["row"]
    doc = _Document(_("Receipt %(receipt)s", receipt=row.receipt))
    doc.line_of(_("Direction"), label("passage_direction", row.direction))
    doc.line_of(_("Reason"), label(f"{row.direction}_reason", row.reason))
    doc.line_of(_("Depositor, enquirer or recipient"), row.party)
    doc.line_of(_("Date"), row.on.isoformat())
    doc.line_of(_("Recorded by"), row.agent)
    doc.heading(_("Objects"))
    for item_id, title in ctx["items"].items():
        doc.text(f"{item_id}  {title}")
    doc.heading(_("Notes"))
    doc.text(row.notes or "-")
    doc.heading(_("Signatures"))
    doc.text(
        _("For the museum")
        + ": ______________________      "
        + _("Depositor, enquirer or recipient")
        + ": ______________________"
    )
    return doc.body()
