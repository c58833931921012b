"""Dublin Core in XML: `oai_dc:dc` records (bare or in OAI-PMH responses) and OCLC qualified DC.

Read through `crosswalks/dc.csv`; written as `oai_dc:dc` (one record) or an OAI-PMH ListRecords
response (several), each record valid against oai_dc.xsd.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from metadata_schemas import crosswalk, dc_extra
from metadata_schemas.authorities import scheme_of
from metadata_schemas.core import Agent, CoreRecord, Note, Term
from metadata_schemas.errors import Problem
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.tables import language_tag
from metadata_schemas.xmlsafe import OAI, XML_NS, XSI, Sniff, namespace, text_of, write_tree
from metadata_schemas.xmlstandard import XmlStandard, record_problem

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
QDC = "http://worldcat.org/xmlschemas/qdc-1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NAMESPACES = (("dc", DC), ("dcterms", DCTERMS), ("oai_dc", OAI_DC), ("rdf", RDF))


def read_dc(element: etree._Element) -> tuple[CoreRecord, dict[str, str]]:
    """A Dublin Core record through `crosswalks/dc.csv`; a title beyond the first of its language is kept.

    The core record has one title per language; a further `dc:title` or a `dcterms:alternative` (LoC MARC
    to DC: 130, 210, 240, 246 -> title) becomes a typed note `alternative_title`, written back as a
    `dc:title` (and by MODS as `titleInfo type="alternative"`). It is read after the table's rows, so the
    notes come back in the same order after a round trip.
    """
    core, fields = crosswalk.load("dc", NAMESPACES).apply(element)
    core.local_id = core.identifiers[0] if core.identifiers else None
    for title in element.xpath("dc:title|dcterms:title|dcterms:alternative", namespaces=dict(NAMESPACES)):
        text = text_of(title)
        if text and text != core.title and text not in core.titles.values():
            lang = language_tag(title.get(f"{{{XML_NS}}}lang"))
            if all(n.text != text for n in core.typed_notes if n.type == "alternative_title"):
                core.typed_notes.append(Note("alternative_title", text, lang))
    _attach_ids(element, core)
    return core, fields


# DC elements whose values are terms or names, with the prefix `dc_extra` gives them: a value that is only a
# URI, written right after a value of the same element and prefix, is that value's authority id (oai_dc has
# no attribute for it; see `_with_id`); a "Part identifier: X" relation is an identifier of the part before it
_TERMS = {
    ("format", "Material: "): "materials",
    ("format", "Technique: "): "techniques",
    ("subject", ""): "subjects",
    ("coverage", ""): "places",
    ("creator", ""): "agents",
    ("contributor", ""): "agents",
    ("publisher", ""): "agents",
}
PART_ID = "Part identifier: "


def _is_uri(text: str) -> bool:
    return text.startswith(("http://", "https://")) and not any(c.isspace() for c in text)


def _term_key(child: etree._Element) -> tuple[str, str, str] | None:
    """(element, prefix, value) of a term or name element."""
    if not isinstance(child.tag, str) or namespace(child.tag) != DC:
        return None
    tag, text = etree.QName(child).localname, text_of(child) or ""
    for (element, prefix), _ in _TERMS.items():
        if element == tag and text.startswith(prefix):
            return element, prefix, text.removeprefix(prefix).strip()
    return None


def _attach_ids(element: etree._Element, core: CoreRecord) -> None:
    """Give a term or name the URI that follows it in the same element (`Mühle`, then the GND URI).

    The table read the URI as a term or name of its own; it becomes the id of the value before it instead,
    so a subject, place, material or name keeps its authority id through oai_dc.
    """
    previous: tuple[str, str, str] | None = None
    part = -1
    for child in element:
        text = text_of(child) or ""
        if child.tag == f"{{{DC}}}relation" and text.startswith("Part: "):
            part += 1
        elif child.tag == f"{{{DC}}}relation" and text.startswith(PART_ID) and 0 <= part < len(core.parts):
            core.parts[part].identifiers.append(text.removeprefix(PART_ID).strip())
        key = _term_key(child)
        if key and previous and previous[:2] == key[:2] and _is_uri(key[2]) and not _is_uri(previous[2]):
            field = _TERMS[key[:2]]
            if field == "agents":
                agents = [a for a in core.agents if a.name == previous[2] and a.id is None]
                strays = [a for a in core.agents if a.name == key[2] and a.id is None]
                if agents and strays:
                    agents[0].id = key[2]
                    core.agents.remove(strays[0])
            else:
                terms: list[Term] = getattr(core, field)
                owners = [t for t in terms if t.label == previous[2] and t.id is None]
                loose = [t for t in terms if t.label == key[2] and t.id is None]
                if owners:
                    owners[0].id, owners[0].scheme = key[2], scheme_of(key[2])
                    if loose:
                        terms.remove(loose[0])
            previous = None
            continue
        previous = key


def _with_id(parent: etree._Element, tag: str, text: str, ident: str | None, prefix: str = "") -> None:
    """A value and, when its id is a URI, the URI in the same element right after it (read by `_attach_ids`)."""
    _text(parent, tag, prefix + text)
    if ident and _is_uri(ident) and not _is_uri(text):
        _text(parent, tag, prefix + ident)


def _text(parent: etree._Element, tag: str, text: str, lang: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, f"{{{DC}}}{tag}")
    el.text = text
    if lang:
        el.set(f"{{{XML_NS}}}lang", lang)
    return el


def lang_values(main: str | None, tagged: dict[str, str]) -> list[tuple[str | None, str]]:
    """The (language, text) pairs that read back as `main` plus the language-tagged values."""
    out: list[tuple[str | None, str]] = []
    if main and main not in tagged.values():
        out.append((None, main))
    elif main:  # the main value is one of the tagged ones: put its language first
        first = next(lang for lang, text in tagged.items() if text == main)
        out.append((first, main))
    out += [(lang, text) for lang, text in tagged.items() if (lang, text) not in out]
    return out


def paragraphs(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split("\n\n") if p.strip()]


def dc_element(core: CoreRecord) -> etree._Element:
    """One `oai_dc:dc` element that reads back as the same core record."""
    dc = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    idents = list(core.identifiers)
    if core.local_id and core.local_id not in idents:
        idents.insert(0, core.local_id)
    for ident in idents:
        _text(dc, "identifier", ident)
    for lang, text in lang_values(core.title, core.titles):
        _text(dc, "title", text, lang)
    for note in core.typed_notes:
        if note.type == "alternative_title":
            _text(dc, "title", note.text, note.lang)
    for agent in core.agents:
        tag = agent.role if agent.role in ("creator", "publisher") else "contributor"
        _with_id(dc, tag, agent.name, agent.id)
    for date in core.dates:
        _text(dc, "date", date.text)
    if core.extent:
        _text(dc, "format", core.extent)
    descriptions = [(None, p) for p in paragraphs(core.description) if p not in core.descriptions.values()]
    if core.description and core.description in core.descriptions.values():
        first = next(lang for lang, text in core.descriptions.items() if text == core.description)
        descriptions = [(first, p) for p in paragraphs(core.description)]
    for lang, text in core.descriptions.items():
        if (lang, paragraphs(text)[0] if paragraphs(text) else "") not in descriptions:
            descriptions += [(lang, p) for p in paragraphs(text)]
    for lang, text in descriptions:
        _text(dc, "description", text, lang)
    for code in core.languages:
        _text(dc, "language", code)
    for term in core.subjects + core.genres:
        _with_id(dc, "subject", term.label, term.id)
    for term in core.places:
        _with_id(dc, "coverage", term.label, term.id)
    if core.type:
        _text(dc, "type", core.type)
    for note in core.typed_notes:
        if note.type in ("source", "relation"):
            _text(dc, note.type, note.text, note.lang)
    if core.rights:
        _text(dc, "rights", core.rights)
    for tag, text, lang in dc_extra.values(core):
        _text(dc, tag, text, lang)
    for term in core.materials:
        _with_id(dc, "format", term.label, term.id, "Material: ")
    for term in core.techniques:
        _with_id(dc, "format", term.label, term.id, "Technique: ")
    for part in core.parts:
        if not part.title.strip():  # an untitled part has nothing for its identifiers to follow
            continue
        _text(dc, "relation", f"Part: {part.title}")
        for ident in part.identifiers:
            _text(dc, "relation", PART_ID + ident)
    return dc


class DublinCore(XmlStandard):
    name = "dc"
    schema_keys = ("oai_dc",)
    label = "Dublin Core (oai_dc)"
    record_tags = (f"{{{OAI_DC}}}dc", f"{{{QDC}}}qualifieddc")
    record_label = "oai_dc:dc record"
    expected = f"<dc> in {OAI_DC} (bare or in an OAI-PMH response)"

    def matches(self, shape: Sniff) -> bool:
        return shape.payload in self.record_tags or any(tag in shape.seen for tag in self.record_tags)

    def schema_key(self, element: etree._Element) -> str | None:
        return "oai_dc" if element.tag == f"{{{OAI_DC}}}dc" else None

    def check(self, element: etree._Element, source: str, position: int) -> list[Problem]:
        """Elements but none of Dublin Core (a wrong namespace) is a problem; an empty record is not.

        oai_dc.xsd allows a record with no element, and it is what the writer makes of a record that has no
        value Dublin Core can hold (a broken LIDO record with no descriptive part): inventing a title such as
        "[untitled]" would put a value in the output the source never had. The source's reader says what is
        missing (LIDO: "no lido:descriptiveMetadata").
        """
        children = [c for c in element if isinstance(c.tag, str)]
        if children and not any(namespace(c.tag) in (DC, DCTERMS) for c in children):
            return [record_problem(source, element, position, "no Dublin Core element in this record")]
        return []

    def read(self, element: etree._Element, position: int, path: Path) -> ParsedRecord:
        core, fields = read_dc(element)
        return self.parsed(core, element, position, fields)

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        items = list(records)
        if len(items) == 1:
            write_tree(dc_element(items[0]), out)
            return
        root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        etree.SubElement(root, f"{{{OAI}}}responseDate").text = now
        etree.SubElement(
            root, f"{{{OAI}}}request", verb="ListRecords", metadataPrefix="oai_dc"
        ).text = "http://localhost/oai"
        listing = etree.SubElement(root, f"{{{OAI}}}ListRecords")
        for position, core in enumerate(items, start=1):
            record = etree.SubElement(listing, f"{{{OAI}}}record")
            header = etree.SubElement(record, f"{{{OAI}}}header")
            etree.SubElement(header, f"{{{OAI}}}identifier").text = f"oai:heritage:{core.local_id or position}"
            etree.SubElement(header, f"{{{OAI}}}datestamp").text = now
            etree.SubElement(record, f"{{{OAI}}}metadata").append(dc_element(core))
        write_tree(root, out)


STANDARD = DublinCore()
__all__ = ["STANDARD", "Agent", "Term"]
