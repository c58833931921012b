"""MODS 3.x: single records, `modsCollection`, and records in OAI-PMH responses; read and written.

Read through `crosswalks/mods.csv` (after the LoC MODS mappings); written as MODS 3.8.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from metadata_schemas import crosswalk
from metadata_schemas.core import CoreRecord
from metadata_schemas.dc import lang_values, paragraphs
from metadata_schemas.errors import Problem
from metadata_schemas.mods_structure import (
    read_structure,
    write_containers,
    write_dates,
    write_name,
    write_parallels,
    write_part,
    write_title,
)
from metadata_schemas.mods_structure import sub as _sub
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.xmlsafe import XLINK, XSI, Sniff, write_tree
from metadata_schemas.xmlstandard import XmlStandard

MODS = "http://www.loc.gov/mods/v3"
NAMESPACES = (("mods", MODS), ("xlink", XLINK))
SCHEMA_LOCATION = f"{MODS} http://www.loc.gov/standards/mods/v3/mods-3-8.xsd"


def read_mods(element: etree._Element) -> tuple[CoreRecord, dict[str, str]]:
    core, fields = crosswalk.load("mods", NAMESPACES).apply(element)
    read_structure(element, core)
    if core.local_id is None and core.identifiers:
        core.local_id = core.identifiers[0]
    return core, fields


def mods_element(core: CoreRecord, *, root: bool = True) -> etree._Element:
    """A `mods` element that reads back (through `read_mods`) as the same core record."""
    nsmap = {None: MODS, "xsi": XSI, "xlink": XLINK} if root else {None: MODS}
    mods = etree.Element(f"{{{MODS}}}mods", nsmap=nsmap)
    mods.set("version", "3.8")
    for lang, text in lang_values(core.title, core.titles):
        write_title(mods, text, lang=lang or "")
    for note in core.typed_notes:
        if note.type == "alternative_title":
            write_title(mods, note.text, type="alternative", lang=note.lang or "")
    for agent in core.agents:
        if agent.role != "publisher":
            write_name(mods, agent)
    publishers = [a for a in core.agents if a.role == "publisher"]
    origins = [e for e in core.events if e.places and e.type in ("publication", "production", "creation")]
    editions = [n for n in core.typed_notes if n.type == "edition"]
    if publishers or core.dates or origins or editions:
        origin = _sub(mods, "originInfo", eventType=origins[0].type if origins else "")
        for event in origins[:1]:
            for place in event.places:
                _sub(_sub(origin, "place"), "placeTerm", place.label, type="text")
        for agent in publishers:
            _sub(origin, "publisher", agent.name)
        write_dates(origin, core.dates)
        for note in editions:
            _sub(origin, "edition", note.text)
    for event in origins[1:]:  # each further place of origin in an originInfo of its own
        origin = _sub(mods, "originInfo", eventType=event.type)
        for place in event.places:
            _sub(_sub(origin, "place"), "placeTerm", place.label, type="text")
    if core.extent or core.materials or core.techniques:
        physical = _sub(mods, "physicalDescription")
        for term in core.materials:
            _sub(physical, "form", term.label, type="material", authority=term.scheme or "", valueURI=term.id or "")
        for term in core.techniques:
            _sub(physical, "form", term.label, type="technique", authority=term.scheme or "", valueURI=term.id or "")
        if core.extent:
            _sub(physical, "extent", core.extent)
    for lang, text in lang_values(core.description, core.descriptions):
        for paragraph in paragraphs(text):
            _sub(mods, "abstract", paragraph, lang=lang or "")
    for note in core.typed_notes:
        if note.type == "contents":
            _sub(mods, "tableOfContents", note.text, lang=note.lang or "")
        elif note.type == "audience":
            _sub(mods, "targetAudience", note.text, lang=note.lang or "")
        elif note.type in ("source", "relation"):  # a related item known by its title
            kind = "original" if note.type == "source" else ""
            item = _sub(mods, "relatedItem", type=kind, displayLabel=note.label or "")
            write_title(item, note.text)
        elif note.type not in ("alternative_title", "edition", "coordinates"):
            kind = "" if note.type == "general" else note.type
            _sub(mods, "note", note.text, type=kind, displayLabel=note.label or "", lang=note.lang or "")
    for code in core.languages:
        _sub(_sub(mods, "language"), "languageTerm", code, type="code")
    for term in core.subjects:
        _sub(_sub(mods, "subject", authority=term.scheme or "", valueURI=term.id or ""), "topic", term.label)
    for term in core.places:
        _sub(_sub(mods, "subject", authority=term.scheme or "", valueURI=term.id or ""), "geographic", term.label)
    for term in core.genres:
        _sub(mods, "genre", term.label, authority=term.scheme or "", valueURI=term.id or "")
    if core.type:
        if core.type in TYPES:
            _sub(mods, "typeOfResource", core.type)
        else:  # MODS restricts typeOfResource; another vocabulary's type is a typed genre
            _sub(mods, "genre", core.type, type="resource type")
    for ident in core.identifiers:
        _sub(mods, "identifier", ident)
    if core.rights:
        _sub(mods, "accessCondition", core.rights, type="use and reproduction")
    boxes = [n.text for n in core.typed_notes if n.type == "coordinates"]
    if core.coordinates is not None or boxes:
        cartographics = _sub(_sub(mods, "subject"), "cartographics")
        if core.coordinates is not None:
            point = f"{core.coordinates.latitude}, {core.coordinates.longitude}"
            _sub(cartographics, "coordinates", point)
        for text in boxes:
            _sub(cartographics, "coordinates", text)
    if core.files or core.physical_locations:
        location = _sub(mods, "location")
        for text in core.physical_locations:
            _sub(location, "physicalLocation", text)
        for ref in core.files:
            _sub(location, "url", ref)
    for part in core.parts:
        write_part(mods, part)
    write_containers(mods, core.containers)
    if core.parent:
        host = _sub(mods, "relatedItem", type="host")
        _sub(_sub(host, "recordInfo"), "recordIdentifier", core.parent)
    if core.local_id:
        _sub(_sub(mods, "recordInfo"), "recordIdentifier", core.local_id)
    write_parallels(mods, core)
    if len(mods) == 0:  # MODS needs one child: an empty title says "no title" without inventing one
        etree.SubElement(etree.SubElement(mods, f"{{{MODS}}}titleInfo"), f"{{{MODS}}}title")
    return mods


# MODS restricts typeOfResource to these values; another type is written as genre type="resource type".
TYPES = {
    "text",
    "cartographic",
    "notated music",
    "sound recording-musical",
    "sound recording-nonmusical",
    "sound recording",
    "still image",
    "moving image",
    "three dimensional object",
    "software, multimedia",
    "mixed material",
}


class Mods(XmlStandard):
    name = "mods"
    schema_keys = ("mods",)
    label = "MODS 3"
    record_tags = (f"{{{MODS}}}mods",)
    record_label = "mods record"
    expected = f"<mods> or <modsCollection> in {MODS}"

    def matches(self, shape: Sniff) -> bool:
        return shape.payload in (f"{{{MODS}}}mods", f"{{{MODS}}}modsCollection")

    def schema_key(self, element: etree._Element) -> str | None:
        return "mods"

    def check(self, element: etree._Element, source: str, position: int) -> list[Problem]:
        return []

    def read(self, element: etree._Element, position: int, path: Path) -> ParsedRecord:
        core, fields = read_mods(element)
        return self.parsed(core, element, position, fields)

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        items = list(records)
        if len(items) == 1:
            root = mods_element(items[0])
        else:
            root = etree.Element(f"{{{MODS}}}modsCollection", nsmap={None: MODS, "xsi": XSI, "xlink": XLINK})
            for core in items:
                root.append(mods_element(core, root=False))
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        write_tree(root, out)


STANDARD = Mods()
