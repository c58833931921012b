"""METS documents of digitised objects: descriptive sections, the structure maps and the files (scans).

Each logical division with descriptive metadata is a record (its MODS, DC or MARC read with that
standard's crosswalk), nested as the logical structMap nests them; its files are the scans the
physical structMap and structLink give it, in page order. See `crosswalks/mets.csv`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from metadata_schemas import dc, marc21, marcxml, mods
from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.tables import level_for, value_for
from metadata_schemas.xmlsafe import XLINK, XSI, Sniff, syntax_problem, tostring, write_tree
from metadata_schemas.xmlstandard import XmlStandard, record_problem

METS = "http://www.loc.gov/METS/"
FILE_GROUPS = ("MASTER", "ORIGINAL", "PRESERVATION", "ARCHIVE", "DEFAULT", "MAX")
_NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def _q(name: str) -> str:
    return f"{{{METS}}}{name}"


def _href(el: etree._Element) -> str:
    return (el.get(f"{{{XLINK}}}href") or "").strip()


class _Doc:
    """The cross-references of one METS document."""

    def __init__(self, mets: etree._Element) -> None:
        self.mets = mets
        self.dmd = {el.get("ID"): el for el in mets.iter(_q("dmdSec"))}
        groups = {g.get("USE", "").upper(): g for g in mets.iter(_q("fileGrp"))}
        group = next((groups[u] for u in FILE_GROUPS if u in groups), None)
        if group is None and groups:
            group = next(iter(groups.values()))
        self.files: dict[str, str] = {}
        if group is not None:
            for f in group.iter(_q("file")):
                loc = f.find(_q("FLocat"))
                if loc is not None and _href(loc):
                    self.files[f.get("ID", "")] = _href(loc)
        self.all_file_ids = {f.get("ID") for f in mets.iter(_q("file"))}
        physical = next((s for s in mets.iter(_q("structMap")) if s.get("TYPE", "").upper() == "PHYSICAL"), None)
        self.pages: list[tuple[str, list[str]]] = []  # (physical div ID, hrefs) in page order
        if physical is not None:
            divs = [d for d in physical.iter(_q("div")) if d.find(_q("fptr")) is not None]
            for d in sorted(divs, key=lambda d: int(d.get("ORDER")) if (d.get("ORDER") or "").isdigit() else 0):
                hrefs = [self.files[p.get("FILEID", "")] for p in d.iter(_q("fptr")) if p.get("FILEID") in self.files]
                self.pages.append((d.get("ID", ""), hrefs))
        self.links: dict[str, set[str]] = {}
        for link in mets.iter(_q("smLink")):
            self.links.setdefault(link.get(f"{{{XLINK}}}from", ""), set()).add(link.get(f"{{{XLINK}}}to", ""))
        self.logical = next((s for s in mets.iter(_q("structMap")) if s.get("TYPE", "").upper() == "LOGICAL"), None)

    def files_of(self, div_id: str | None, root: bool) -> list[str]:
        linked = self.links.get(div_id or "", set())
        if not linked and root:
            return [h for _page, hrefs in self.pages for h in hrefs]
        return [h for page, hrefs in self.pages if page in linked for h in hrefs]


def _describe(section: etree._Element | None) -> tuple[CoreRecord, dict[str, str]]:
    if section is None:
        return CoreRecord(title=""), {}
    for payload in section.iter():
        tag = payload.tag if isinstance(payload.tag, str) else ""
        if tag == f"{{{mods.MODS}}}mods":
            return mods.read_mods(payload)
        if tag == f"{{{dc.OAI_DC}}}dc" or tag == f"{{{dc.DC}}}dc":
            return dc.read_dc(payload)
        if tag == f"{{{marcxml.MARC}}}record":
            core, _files, fields = marc21.to_core(marcxml.read_element(payload))
            return core, fields
    return CoreRecord(title=""), {}


class Mets(XmlStandard):
    name = "mets"
    schema_keys = ("mets",)
    label = "METS"
    record_tags = (f"{{{METS}}}mets",)
    record_label = "mets document"
    expected = f"<mets> in {METS}"

    def matches(self, shape: Sniff) -> bool:
        return shape.payload == f"{{{METS}}}mets"

    def schema_key(self, element: etree._Element) -> str | None:
        return "mets"

    def check(self, element: etree._Element, source: str, position: int) -> list[Problem]:
        out: list[Problem] = []

        def problem(el: etree._Element, message: str) -> None:
            out.append(Problem(source, el.sourceline, f"mets {position}: {message}", position))

        if element.find(_q("structMap")) is None:
            out.append(record_problem(source, element, position, "no structMap (METS requires one)"))
        doc = _Doc(element)
        for fptr in element.iter(_q("fptr")):
            if fptr.get("FILEID") and fptr.get("FILEID") not in doc.all_file_ids:
                problem(fptr, f"fptr points at file {fptr.get('FILEID')!r}, which the fileSec does not have")
        for div in element.iter(_q("div")):
            for ref in (div.get("DMDID") or "").split():
                if ref not in doc.dmd:
                    problem(div, f"div {div.get('ID')!r} points at dmdSec {ref!r}, which is not there")
        for loc in element.iter(_q("FLocat")):
            if not _href(loc):
                problem(loc, "FLocat without xlink:href")
        return out

    def parse(self, path: Path):  # type: ignore[no-untyped-def, override]
        count = 0
        try:
            for position, element in self.records(path):
                count += 1
                yield from self._records(element, position, path)
        except etree.XMLSyntaxError as exc:
            raise InvalidMetadata([syntax_problem(path, exc)]) from None
        if count == 0:
            raise InvalidMetadata([self.nothing_found(path)])

    def _records(self, mets_el: etree._Element, document: int, path: Path) -> list[ParsedRecord]:
        doc = _Doc(mets_el)
        problems = self.check(mets_el, str(path), document)
        divs: list[tuple[etree._Element, etree._Element | None]] = []  # (div, described parent div)

        def walk(div: etree._Element, parent: etree._Element | None) -> None:
            described = bool(div.get("DMDID"))
            if described:
                divs.append((div, parent))
            for child in div.findall(_q("div")):
                walk(child, div if described else parent)

        if doc.logical is not None:
            for top in doc.logical.findall(_q("div")):
                walk(top, None)
        out: list[ParsedRecord] = []
        ids: dict[int, str] = {}
        if not divs:
            first = next(iter(doc.dmd.values()), None)
            core, fields = _describe(first)
            core.title = core.title or mets_el.get("LABEL", "")
            core.files = doc.files_of(None, root=True)
            return [self._parsed(core, fields, doc, 1, mets_el, problems)]
        for number, (div, parent) in enumerate(divs, start=1):
            section = doc.dmd.get((div.get("DMDID") or "").split()[0])
            core, fields = _describe(section)
            core.title = core.title or div.get("LABEL", "") or ""
            core.level = level_for("mets", div.get("TYPE")) or core.level
            core.local_id = core.local_id or div.get("ID") or f"div-{number}"
            ids[id(div)] = core.local_id
            core.parent = ids.get(id(parent)) if parent is not None else core.parent  # a host outside the document
            core.files = doc.files_of(div.get("ID"), root=parent is None)
            own = section if section is not None and number > 1 else div
            out.append(self._parsed(core, fields, doc, number, own, problems if number == 1 else []))
        return out

    def _parsed(
        self,
        core: CoreRecord,
        fields: dict[str, str],
        doc: _Doc,
        position: int,
        el: etree._Element,
        problems: list[Problem],
    ) -> ParsedRecord:
        links = [h for h in core.files if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", h)]
        files = [h for h in core.files if h not in links]
        core.files = files
        if links:
            fields = {**fields, "links": " ".join(links)}
        return ParsedRecord(
            core=core,
            standard=self.name,
            position=position,
            line=el.sourceline,
            original=tostring(doc.mets) if position == 1 else tostring(el),
            local_id=core.local_id,
            parent_local_id=core.parent,
            files=files,
            fields=fields,
            problems=problems,
        )

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        items = list(records)
        root = etree.Element(_q("mets"), nsmap={"mets": METS, "xlink": XLINK, "xsi": XSI, "mods": mods.MODS})
        root.set(
            f"{{{XSI}}}schemaLocation",
            f"{METS} http://www.loc.gov/standards/mets/mets.xsd {mods.MODS} http://www.loc.gov/standards/mods/v3/mods-3-8.xsd",
        )
        if items and items[0].title:
            root.set("LABEL", items[0].title)
        div_ids: dict[int, str] = {}
        for number, core in enumerate(items, start=1):
            dmd = etree.SubElement(root, _q("dmdSec"), ID=f"DMD_{number:04d}")
            wrap = etree.SubElement(dmd, _q("mdWrap"), MDTYPE="MODS")
            etree.SubElement(wrap, _q("xmlData")).append(mods.mods_element(core, root=False))
            own = core.local_id if core.local_id and _NCNAME.match(core.local_id) else f"DIV_{number:04d}"
            while own in div_ids.values() or (own.startswith(("DMD_", "FILE_", "PHYS_")) and own != core.local_id):
                own = f"DIV_{number:04d}_{len(div_ids)}"
            div_ids[number] = own
        pages: list[str] = []
        for core in items:
            pages += [ref for ref in core.files if ref not in pages]
        if pages:
            group = etree.SubElement(etree.SubElement(root, _q("fileSec")), _q("fileGrp"), USE="MASTER")
            for n, ref in enumerate(pages, start=1):
                f = etree.SubElement(group, _q("file"), ID=f"FILE_{n:04d}")
                etree.SubElement(f, _q("FLocat"), {"LOCTYPE": "URL", f"{{{XLINK}}}href": ref})
        physical = etree.SubElement(root, _q("structMap"), TYPE="PHYSICAL")
        sequence = etree.SubElement(physical, _q("div"), ID="PHYS_0000", TYPE="physSequence")
        for n, _ref in enumerate(pages, start=1):
            page = etree.SubElement(sequence, _q("div"), ID=f"PHYS_{n:04d}", TYPE="page", ORDER=str(n))
            etree.SubElement(page, _q("fptr"), FILEID=f"FILE_{n:04d}")
        logical = etree.SubElement(root, _q("structMap"), TYPE="LOGICAL")
        roots = [c for c in items if not c.parent or c.parent not in {i.local_id for i in items}]
        if len(roots) > 1:  # a structMap has one top division: an undescribed one holds them all
            logical = etree.SubElement(logical, _q("div"), ID="DIV_ALL", TYPE="collection")
        by_local = {core.local_id: n for n, core in enumerate(items, start=1) if core.local_id}
        elements: dict[int, etree._Element] = {}
        for number, core in enumerate(items, start=1):
            parent_number = by_local.get(core.parent) if core.parent else None
            parent = elements.get(parent_number) if parent_number else None
            div = etree.SubElement(parent if parent is not None else logical, _q("div"), ID=div_ids[number])
            div.set("DMDID", f"DMD_{number:04d}")
            div.set("TYPE", value_for("mets", core.level) or core.level or "unspecified")
            if core.title:
                div.set("LABEL", core.title)
            elements[number] = div
        links = etree.Element(_q("structLink"))
        for number, core in enumerate(items, start=1):
            for ref in core.files:
                page = pages.index(ref) + 1
                etree.SubElement(
                    links,
                    _q("smLink"),
                    {f"{{{XLINK}}}from": div_ids[number], f"{{{XLINK}}}to": f"PHYS_{page:04d}"},
                )
        if len(links):
            root.append(links)
        write_tree(root, out)


STANDARD = Mets()
