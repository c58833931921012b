"""Darwin Core Archive export, ready for a GBIF IPT: `occurrence.txt` (the core, tab-separated, streamed
into the zip), `meta.xml` (valid against the Darwin Core text guide's XSD) and `eml.xml` (the dataset:
title, abstract, creator, contact, licence, after the GBIF metadata profile).

Only specimens are occurrences: the collection and its series describe the dataset, so they go into
the EML; every column is a term of the Darwin Core list (the collection is named by `collectionCode`,
not by a taxon term such as `parentNameUsageID`)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from typing import BinaryIO

from lxml import etree

from heritage.export.source import ExportSource, export_core
from metadata_schemas import dwc_terms
from metadata_schemas.core import CoreRecord
from metadata_schemas.dwc import OCCURRENCE, cell, meta_xml
from metadata_schemas.tables import level_for
from metadata_schemas.xmlsafe import XML_NS

EML = "eml://ecoinformatics.org/eml-2.1.1"
COLUMNS = dwc_terms.TERMS  # institutionCode and collectionCode among them: the unit and the collection
DEFAULT_BASIS = "PreservedSpecimen"  # a specimen kept in the collection, unless the record says otherwise


def is_occurrence(core: CoreRecord) -> bool:
    """A specimen (or an observation): it names a taxon, or its level or basis of record says so."""
    named = core.taxon is not None and bool(core.taxon.scientific_name)
    return named or core.level == "specimen" or level_for("dwc", core.type) == "specimen"


def eml_xml(source: ExportSource, count: int, about: list[CoreRecord] | None = None) -> bytes:
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
    described = [_described(core) for core in about or []]
    for text in filter(None, [collection.description, collection.description_en, *described]):
        etree.SubElement(abstract, "para").text = text
    etree.SubElement(abstract, "para").text = f"{count} occurrence records."
    if collection.rights:
        etree.SubElement(etree.SubElement(dataset, "intellectualRights"), "para").text = collection.rights
    etree.SubElement(etree.SubElement(dataset, "contact"), "organizationName").text = organisation
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _described(core: CoreRecord) -> str:
    """A record of the collection itself (no occurrence) as one paragraph of the dataset's abstract."""
    head = "; ".join(filter(None, [core.title, core.date_text, core.extent]))
    return f"{head}. {core.description}" if core.description else head


def write_dwca(source: ExportSource, out: BinaryIO) -> int:
    written = 0
    about: list[CoreRecord] = []  # the records at the top that are no occurrences: the collection itself
    institution = source.collection.unit.slug if source.collection.unit is not None else ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("meta.xml", meta_xml(OCCURRENCE, "occurrence.txt", ["occurrenceID", *COLUMNS]))
        entry = zipfile.ZipInfo("occurrence.txt", date_time=datetime.now().timetuple()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(entry, "w", force_zip64=True) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
            writer.writerow(["id", "occurrenceID", *COLUMNS])
            for item in source.items():
                core = export_core(item)
                if not is_occurrence(core):
                    if item.parent_id is None:
                        about.append(core)
                    continue
                row = occurrence_row(core)
                row["institutionCode"] = row["institutionCode"] or institution  # the record's own, if it has one
                row["collectionCode"] = row["collectionCode"] or source.collection.slug
                occurrence = f"{institution}:{source.collection.slug}:{core.local_id}"
                writer.writerow([cell(item.id), cell(occurrence), *(cell(row[c]) for c in COLUMNS)])
                written += 1
            text.detach()
        archive.writestr("eml.xml", eml_xml(source, written, about))
    return written


def occurrence_row(core: CoreRecord) -> dict[str, str]:
    """The record's row, with what a specimen record implies filled in for GBIF: the basis of record,
    the taxon's rank and higher ranks its name and the title give, the first date as the date collected."""
    if core.taxon is not None:
        dwc_terms.complete_taxon(core.taxon, core.title)
    row = dwc_terms.from_core(core)
    row["basisOfRecord"] = row["basisOfRecord"] or DEFAULT_BASIS
    if not row["eventDate"] and core.dates:
        row["eventDate"] = core.dates[0].text
        row["verbatimEventDate"] = dwc_terms.LIST_SEPARATOR.join(d.text for d in core.dates[1:])
    return row
