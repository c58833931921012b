"""Darwin Core Archive export, ready for a GBIF IPT: `occurrence.txt` (the core, tab-separated, streamed
into the zip), `meta.xml` (valid against the Darwin Core text guide's XSD) and `eml.xml` (the dataset:
title, abstract, creator, contact, licence, after the GBIF metadata profile)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from typing import BinaryIO

from lxml import etree

from heritage.export.source import ExportSource, export_core
from metadata_schemas import dwc_terms
from metadata_schemas.dwc import OCCURRENCE, cell, meta_xml
from metadata_schemas.xmlsafe import XML_NS

EML = "eml://ecoinformatics.org/eml-2.1.1"
EXTRA = ("institutionCode", "collectionCode")
DEFAULT_BASIS = "PreservedSpecimen"  # a specimen kept in the collection, unless the record says otherwise


def eml_xml(source: ExportSource, count: int) -> bytes:
    collection = source.collection
    unit = collection.unit
    organisation = unit.name if unit is not None else "heritage"
    root = etree.Element(
        f"{{{EML}}}eml",
        nsmap={"eml": EML},
        packageId=f"{collection.slug}/{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
        system="heritage",
        scope="system",
    )
    root.set(f"{{{XML_NS}}}lang", "nl")
    dataset = etree.SubElement(root, "dataset")
    etree.SubElement(dataset, "title").text = collection.title
    if collection.title_en:
        etree.SubElement(dataset, "title", {f"{{{XML_NS}}}lang": "en"}).text = collection.title_en
    for role in ("creator", "metadataProvider"):
        etree.SubElement(etree.SubElement(dataset, role), "organizationName").text = organisation
    etree.SubElement(dataset, "pubDate").text = source.today.isoformat()
    etree.SubElement(dataset, "language").text = "nl"
    abstract = etree.SubElement(dataset, "abstract")
    for text in filter(None, [collection.description, collection.description_en, f"{count} occurrence records."]):
        etree.SubElement(abstract, "para").text = text
    if collection.rights:
        etree.SubElement(etree.SubElement(dataset, "intellectualRights"), "para").text = collection.rights
    etree.SubElement(etree.SubElement(dataset, "contact"), "organizationName").text = organisation
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_dwca(source: ExportSource, out: BinaryIO) -> int:
    written = 0
    institution = source.collection.unit.slug if source.collection.unit is not None else ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "meta.xml", meta_xml(OCCURRENCE, "occurrence.txt", ["occurrenceID", *dwc_terms.COLUMNS, *EXTRA])
        )
        entry = zipfile.ZipInfo("occurrence.txt", date_time=datetime.now().timetuple()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(entry, "w", force_zip64=True) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
            writer.writerow(["id", "occurrenceID", *dwc_terms.COLUMNS, *EXTRA])
            for item in source.items():
                core = export_core(item)
                row = dwc_terms.from_core(core)
                row["basisOfRecord"] = row["basisOfRecord"] or DEFAULT_BASIS
                occurrence = f"{institution}:{source.collection.slug}:{core.local_id}"
                writer.writerow(
                    [
                        cell(item.id),
                        cell(occurrence),
                        *(cell(row[c]) for c in dwc_terms.COLUMNS),
                        cell(institution),
                        cell(source.collection.slug),
                    ]
                )
                written += 1
            text.detach()
        archive.writestr("eml.xml", eml_xml(source, written))
    return written
