"""MARCXML: a `collection` of MARC 21 records (also no-namespace and SRU/OAI-wrapped), read and written.

Streams records one at a time, so a collection of any size is read in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from metadata_schemas import marc21
from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import Problem
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.xmlsafe import XSI, Sniff, local, namespace, write_tree
from metadata_schemas.xmlstandard import XmlStandard, record_problem

MARC = "http://www.loc.gov/MARC21/slim"
SCHEMA_LOCATION = f"{MARC} http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"


def read_element(element: etree._Element) -> marc21.MarcRecord:
    """The MARC fields of a `record` element (namespaced or not)."""
    tag = element.tag
    ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
    leader, control, data, subfield = f"{ns}leader", f"{ns}controlfield", f"{ns}datafield", f"{ns}subfield"
    record = marc21.MarcRecord()
    for child in element:
        name = child.tag
        if name == data:
            record.fields.append(
                marc21.DataField(
                    child.get("tag", ""),
                    child.get("ind1", " "),
                    child.get("ind2", " "),
                    [(sf.get("code", ""), sf.text or "") for sf in child.iterchildren(subfield)],
                )
            )
        elif name == control:
            record.control.append((child.get("tag", ""), child.text or ""))
        elif name == leader:
            record.leader = child.text or ""
    return record


def structure_problems(record: marc21.MarcRecord, problem) -> list[Problem]:  # type: ignore[no-untyped-def]
    """What the parser needs of a MARC record: a sound leader, well-formed tags, indicators and codes."""
    out: list[Problem] = []
    if not record.leader:
        out.append(problem("no leader"))
    elif not marc21.LEADER.match(record.leader):
        out.append(problem(f"leader {record.leader!r} is not a MARC 21 leader (24 positions, lengths and 4500)"))
    for tag, _value in record.control:
        if not (len(tag) == 3 and tag.startswith("00")):
            out.append(problem(f"control field tag {tag!r} is not 001-009"))
    for f in record.fields:
        if not (len(f.tag) == 3 and f.tag.isalnum() and not f.tag.startswith("00")):
            out.append(problem(f"data field tag {f.tag!r} is not three characters 010-999"))
        if len(f.ind1) != 1 or len(f.ind2) != 1:
            out.append(problem(f"field {f.tag}: indicators must be one character each"))
        for code, _value in f.subfields:
            if len(code) != 1 or not code.isalnum():
                out.append(problem(f"field {f.tag}: subfield code {code!r} is not one letter or digit"))
    return out


class MarcXml(XmlStandard):
    name = "marcxml"
    schema_keys = ("marcxml",)
    label = "MARCXML (MARC 21 in XML)"
    record_tags = (f"{{{MARC}}}record", "record")
    record_label = "record"
    expected = f"<collection> or <record> in {MARC}"
    checks_while_reading = True

    def matches(self, shape: Sniff) -> bool:
        if shape.payload in (f"{{{MARC}}}record", f"{{{MARC}}}collection"):
            return True
        # Legacy MARCXML without a namespace: a collection of records with a leader.
        return shape.root in ("collection", "record") and shape.has("leader") and shape.has("record")

    def skip(self, element: etree._Element) -> bool:
        # A no-namespace <record> counts only in a no-namespace document of MARC records.
        return element.tag == "record" and not any(local(c.tag) == "leader" for c in element)

    def schema_key(self, element: etree._Element) -> str | None:
        return "marcxml" if namespace(element.tag) == MARC else None

    def check(self, element: etree._Element, source: str, position: int) -> list[Problem]:
        return structure_problems(
            read_element(element), lambda message: record_problem(source, element, position, message)
        )

    def read(self, element: etree._Element, position: int, path: Path) -> ParsedRecord:
        marc = read_element(element)
        core, files, fields = marc21.to_core(marc)
        source = str(path)
        problems = structure_problems(marc, lambda message: record_problem(source, element, position, message))
        datafields = [c for c in element if local(c.tag) == "datafield"]
        for number, message in marc21.date_problems(marc):
            line = datafields[number].sourceline if number < len(datafields) else element.sourceline
            problems.append(Problem(source, line, f"record {position}: {message}", position))
        core.files = files
        return self.parsed(core, element, position, fields, problems)

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        root = etree.Element(f"{{{MARC}}}collection", nsmap={None: MARC, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        for core in records:
            root.append(to_element(marc21.from_core(core)))
        write_tree(root, out)


def to_element(record: marc21.MarcRecord) -> etree._Element:
    element = etree.Element(f"{{{MARC}}}record")
    etree.SubElement(element, f"{{{MARC}}}leader").text = record.leader
    for tag, value in record.control:
        etree.SubElement(element, f"{{{MARC}}}controlfield", tag=tag).text = value
    for f in sorted(record.fields, key=lambda f: f.tag):
        field = etree.SubElement(element, f"{{{MARC}}}datafield", tag=f.tag, ind1=f.ind1, ind2=f.ind2)
        for code, value in f.subfields:
            etree.SubElement(field, f"{{{MARC}}}subfield", code=code).text = value
    return element


STANDARD = MarcXml()
