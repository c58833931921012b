"""The metadata formats a harvester can ask for, as data (`data/oai_formats.csv`), and how a record is
written in each: the item's original record when it came in that format (with the catalogue's edits in
place of the fields they touched), otherwise its core record through the writer of `metadata_schemas`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from metadata_schemas import registry, same_standard, schemas
from metadata_schemas.core import CoreRecord
from metadata_schemas.xmlsafe import parser

TABLE = Path(__file__).parent / "data" / "oai_formats.csv"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    standard: str  # the metadata_schemas standard that writes it
    record: str  # local name of the record element the writer's document holds
    namespace: str
    schema: str
    schema_key: str  # its key in metadata_schemas/data/schemas.csv, to check originals before serving them
    domains: frozenset[str]  # collections' domains whose items have it ("*": all)
    native: frozenset[str]  # standards whose originals are served in it

    def serves(self, domain: str, standard: str | None) -> bool:
        return "*" in self.domains or domain in self.domains or (standard or "") in self.native

    def element(
        self, core: CoreRecord, original: str | None = None, original_standard: str | None = None
    ) -> etree._Element:
        """The record element in this format: the original (with the catalogue's edits already applied by
        the caller, `same_standard.current_original`) when it came in this format and is valid, else
        written from the core record. An EAD original (one unit of a finding aid) goes into the finding
        aid the writer makes for it."""
        if original and original_standard in self.native:
            try:
                element = etree.fromstring(same_standard.record_xml(original, original_standard).encode(), parser())
            except (etree.XMLSyntaxError, ValueError):
                element = None
            if element is not None and element.tag == f"{{{self.namespace}}}{self.record}" and self.valid(element):
                return element
            if element is not None and original_standard in ("ead", "ead3"):
                found = self._written(core)
                unit = next(found.iter(f"{{{self.namespace}}}archdesc"), None)
                if unit is not None and same_standard.graft_unit(unit, element) and self.valid(found):
                    return found
        return self._written(core)

    def _written(self, core: CoreRecord) -> etree._Element:
        buffer = io.BytesIO()
        registry.get(self.standard).serialise([core], buffer)
        root = etree.fromstring(buffer.getvalue(), parser())
        tag = f"{{{self.namespace}}}{self.record}"
        found = root if root.tag == tag else next(root.iter(tag), None)
        if found is None:  # a writer that changed its document shape: say so, never send a wrong record
            raise LookupError(f"the {self.standard} writer gave no <{self.record}> element")
        return found

    def valid(self, element: etree._Element) -> bool:
        """Whether an original may go out as it is: valid against the format's XSD when a schemas folder is
        active (an invalid original is written from its core record instead, so responses stay valid)."""
        schema_set = schemas.active()
        if schema_set is None or not schema_set.has(self.schema_key):
            return True
        return not schema_set.check(self.schema_key, element, "original record")


@cache
def formats() -> dict[str, MetadataFormat]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return {
            row["prefix"]: MetadataFormat(
                prefix=row["prefix"],
                standard=row["standard"],
                record=row["record"],
                namespace=row["namespace"],
                schema=row["schema"],
                schema_key=row["schema_key"],
                domains=frozenset(filter(None, row["domains"].split("|"))),
                native=frozenset(filter(None, row["native"].split("|"))),
            )
            for row in csv.DictReader(fh)
        }
