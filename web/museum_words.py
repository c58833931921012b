"""What the museum and location services say (heritage.museum, heritage.locations), in the reader's language.

A service says a refusal, a loan check's reason or a move's warning as a template with its values (a `Said`):
the CLI and the API give its English text, which names an input by the CLI's option ("--from"). A page
translates the template and names each input by the label of its own form, codes by their labels.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from metadata_schemas.said import Said
from web.i18n import current_language
from web.masterplan_labels import REASON_VOCABULARIES, in_language

# a value of a museum message -> the vocabulary whose labels name it (lists are ", "-separated)
VOCABULARIES = {**REASON_VOCABULARIES, "item_flags": "flag"}


def loan_inputs() -> dict[str, str]:
    """The loan pages' labels of the inputs the loan and condition services name."""
    return {
        "party": _("Borrower or lender"),
        "date_from": _("From"),
        "date_to": _("To"),
        "items": _("Objects (item ids, one a line)"),
        "insurance_kind": _("Insurance or indemnity"),
        "insurance_value": _("Value (EUR)"),
        "terms": _("Terms"),
        "authority": _("Authority"),
        "reference": _("Reference"),
        "granted_on": _("Granted on"),
        "scanned": _("Objects found on return (the audit: item ids, one a line)"),
        "condition": _("Condition"),
        "stage": _("Stage"),
        "hazards": _("Hazards"),
        "date": _("Date"),
        "treatment": _("Treatment"),
        "materials": _("Materials (one a line)"),
        "condition_command": "",  # the CLI's command to record a check: a page links its form instead
    }


def entry_inputs() -> dict[str, str]:
    """The entry, exit and acquisition forms' labels of the inputs the entries service names."""
    return {
        "reason": _("Reason"),
        "party": _("Depositor, enquirer or recipient"),
        "items": _("Objects (item ids, one a line)"),
        "date": _("Date"),
        "accession_number": _("Accession number"),
        "method": _("Method"),
        "source": _("Source (donor, seller, ...)"),
        "documents": _("Documents (deed of gift, invoice, ...; one a line)"),
    }


def exhibition_inputs() -> dict[str, str]:
    """The exhibition form's labels of the keys of a spec (`heritage.museum.exhibitions.check_spec` names them)."""
    return {
        "slug": _("Web address name (slug)"),
        "title": _("Title (Dutch)"),
        "title_en": _("Title (English)"),
        "summary": _("Summary (Dutch)"),
        "summary_en": _("Summary (English)"),
        "from": _("From"),
        "to": _("To"),
        "item": _("Item id"),
        "room": _("Room or case (location code)"),
        "label": _("Label (Dutch)"),
        "label_en": _("Label (English)"),
        "text": _("Text (Dutch)"),
        "text_en": _("Text (English)"),
        "page": _("Image page of the item"),
        "region": _("IIIF region (full, or x,y,w,h)"),
        "caption": _("Caption (Dutch)"),
        "caption_en": _("Caption (English)"),
    }


def in_words(error: Exception | Said, inputs: Mapping[str, str] | None = None) -> str:
    """A service's refusal on a page: in the page's language, its inputs named by `inputs` (a form's labels),
    codes by their labels. A message without a template is shown as it is."""
    message = error if isinstance(error, Said) else getattr(error, "said", None)
    if message is None:
        return str(error)
    return in_language(message, VOCABULARIES, inputs or {})


def reason(message: Said | str) -> str:
    """A loan check's reason or a move's warning in the reader's language; in English exactly the CLI's text."""
    if not isinstance(message, Said) or current_language() == "en":
        return str(message)
    return in_language(message, VOCABULARIES)
