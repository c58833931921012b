"""Streamed XML exports: one element written at a time through `lxml.etree.xmlfile`, with the record
builders of `metadata_schemas`. A finding aid (EAD 2002, EAD3) nests the item tree as components;
MARCXML, MODS, LIDO and Dublin Core write one record per item in their collection wrapper."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import BinaryIO

from lxml import etree

from heritage.export.originals import original_element, valid
from heritage.export.source import ExportSource, Step, export_core
from heritage.export.xmlstream import XmlStream
from heritage.models import Item
from metadata_schemas import dc, lido, marc21, marcxml, mods, registry, same_standard
from metadata_schemas.core import CoreRecord
from metadata_schemas.ead import EadBase
from metadata_schemas.xmlsafe import OAI, XLINK, XSI


def _collection_core(source: ExportSource) -> CoreRecord:
    """The finding aid's top: the collection itself, or the item the export starts from."""
    if source.root is not None:
        return export_core(source.root)
    c = source.collection
    return CoreRecord(
        title=c.title,
        titles={"nl": c.title, **({"en": c.title_en} if c.title_en else {})},
        local_id=c.slug,
        identifiers=[c.slug],
        level="collection",
        description=c.description,
        rights=c.rights,
    )


def write_finding_aid(source: ExportSource, out: BinaryIO, standard: str) -> int:
    """The collection as one EAD (2002 or 3) document, its items as nested components."""
    ead = registry.get(standard)
    assert isinstance(ead, EadBase)
    document = ead._document(_collection_core(source))  # header and archdesc, by the standard's own writer
    archdesc = document.find(ead._q("archdesc"))
    assert archdesc is not None
    steps = source.walk()
    if source.root is not None:  # the root is the archdesc itself: skip its own open/close
        steps = (s for s in steps if s[1].id != source.root.id)
    xml = XmlStream(out, document, skip=[archdesc])
    xml.start(archdesc)
    written = 0
    dsc_open = False
    for step, item in steps:
        if step is Step.CLOSE:
            xml.end()
            continue
        if not dsc_open:
            xml.start(etree.Element(ead._q("dsc")))
            dsc_open = True
        component = etree.Element(ead._q("c"), nsmap=document.nsmap)
        component.set("id", f"i-{item.id}")  # an xs:ID, unique as item ids are
        original = original_element(item, standard)
        if original is None or not same_standard.graft_unit(component, original) or not valid(component, standard):
            component = etree.Element(ead._q("c"), nsmap=document.nsmap)
            component.set("id", f"i-{item.id}")
            ead._describe(component, export_core(item))
        xml.newline()
        xml.start(component)
        written += 1
    xml.close()
    return written


def _flat(
    source: ExportSource,
    out: BinaryIO,
    root: etree._Element,
    record: Callable[[CoreRecord, int, Item], etree._Element],
    standard: str,
) -> int:
    """A wrapper element with one record per item inside: its original (with its edits) when it came in
    this standard, else written from its core record."""
    xml = XmlStream(out, root)
    written = 0
    for item in source.items():
        written += 1
        xml.newline()
        own = _own(item, standard, etree.QName(root).namespace or "")
        xml.write(own if own is not None else record(export_core(item), written, item))
    xml.close()
    return written


def _own(item: Item, standard: str, namespace: str) -> etree._Element | None:
    """The item's original record element (its edits applied) when it came in this standard and is valid."""
    original = original_element(item, standard)
    if original is None or etree.QName(original).localname not in ("record", "mods", "lido", "dc"):
        return None
    return original if etree.QName(original).namespace == namespace and valid(original, standard) else None


def _root(tag: str, nsmap: dict[str | None, str], schema_location: str) -> etree._Element:
    root = etree.Element(tag, nsmap=nsmap)
    root.set(f"{{{XSI}}}schemaLocation", schema_location)
    return root


def write_marcxml(source: ExportSource, out: BinaryIO) -> int:
    root = _root(f"{{{marcxml.MARC}}}collection", {None: marcxml.MARC, "xsi": XSI}, marcxml.SCHEMA_LOCATION)
    return _flat(source, out, root, lambda core, _n, _item: marcxml.to_element(marc21.from_core(core)), "marcxml")


def write_mods(source: ExportSource, out: BinaryIO) -> int:
    nsmap = {None: mods.MODS, "xsi": XSI, "xlink": XLINK}
    root = _root(f"{{{mods.MODS}}}modsCollection", nsmap, mods.SCHEMA_LOCATION)
    return _flat(source, out, root, lambda core, _n, _item: mods.mods_element(core, root=False), "mods")


def write_lido(source: ExportSource, out: BinaryIO) -> int:
    location = f"{lido.LIDO} http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd"
    root = _root(f"{{{lido.LIDO}}}lidoWrap", {"lido": lido.LIDO, "xsi": XSI}, location)
    return _flat(source, out, root, lambda core, n, _item: lido.lido_element(core, n), "lido")


def write_dc(source: ExportSource, out: BinaryIO) -> int:
    """Dublin Core records in an OAI-PMH ListRecords document, as harvesters exchange them."""
    root = _root(f"{{{OAI}}}OAI-PMH", {None: OAI, "xsi": XSI}, f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    etree.SubElement(root, f"{{{OAI}}}responseDate").text = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    request = etree.SubElement(root, f"{{{OAI}}}request", verb="ListRecords", metadataPrefix="oai_dc")
    request.text = "heritage export"
    xml = XmlStream(out, root)
    xml.start(etree.Element(f"{{{OAI}}}ListRecords"))
    written = 0
    for item in source.items():
        record = etree.Element(f"{{{OAI}}}record")
        header = etree.SubElement(record, f"{{{OAI}}}header")
        etree.SubElement(header, f"{{{OAI}}}identifier").text = f"oai:heritage:{item.id}"
        etree.SubElement(header, f"{{{OAI}}}datestamp").text = item.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        own = _own(item, "dc", dc.OAI_DC)
        etree.SubElement(record, f"{{{OAI}}}metadata").append(
            own if own is not None else dc.dc_element(export_core(item))
        )
        xml.newline()
        xml.write(record)
        written += 1
    xml.close()
    return written
