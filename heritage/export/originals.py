"""An item in its own standard: its original record with the catalogue's edits, as OAI-PMH serves it.

Exports and OAI-PMH write an item that came in the standard asked for from its original, not from the
core record (which holds less): unedited verbatim, edited with the touched fields replaced
(`metadata_schemas.same_standard`). What is written is checked against the format's XSD when a schemas
folder is active; an original that fails it is written from the core record instead.
"""

from __future__ import annotations

from lxml import etree

from heritage.catalogue import core_of
from heritage.harvest.formats import formats
from heritage.models import Item
from metadata_schemas import same_standard
from metadata_schemas.xmlsafe import parser

# export standard -> the stored standards whose originals it takes, and its OAI-PMH prefix (for the XSD)
NATIVE = {"marcxml": ("marcxml", "marc"), "mods": ("mods",), "lido": ("lido",), "dc": ("dc",)}
NATIVE |= {"ead": ("ead",), "ead3": ("ead3",)}
PREFIX = {"dc": "oai_dc"}


def original_element(item: Item, standard: str) -> etree._Element | None:
    """The item's original record element (edits applied) when it came in `standard`, else None."""
    record = item.primary_record
    if record is None or not record.original or record.standard not in NATIVE.get(standard, ()):
        return None
    original: str | None = record.original
    if item.edited_at is not None:
        original = same_standard.current_original(record.original, record.standard, core_of(item))
    if original is None:
        return None
    try:
        return etree.fromstring(same_standard.record_xml(original, record.standard).encode(), parser())
    except (etree.XMLSyntaxError, ValueError):
        return None


def valid(element: etree._Element, standard: str) -> bool:
    """Whether a record element may go out: valid against the format's XSD (when one is active)."""
    fmt = formats().get(PREFIX.get(standard, standard))
    return fmt is None or fmt.valid(element)
