"""EAD finding aids (EAD 2002 namespaced and DTD-era without namespace, and EAD3): every level into the tree.

The `archdesc` is the first record; each component (`c`, `c01`..`c12`) is a record whose parent is
the component around it. Components stream in document order, a parent before its children, and
each is freed once read, so a large finding aid is read in bounded memory. A component's original
is its own XML without its sub-components (those are records of their own).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, ClassVar

from lxml import etree

from metadata_schemas import access_terms, crosswalk, ead_notes, schemas, schematron
from metadata_schemas.core import Agent, CoreRecord, Term
from metadata_schemas.dc import lang_values
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.tables import CORE_LEVELS, level_for, value_for
from metadata_schemas.xmlsafe import (
    XLINK,
    XSI,
    Sniff,
    declared_entities,
    iterparse,
    local,
    namespace,
    parse,
    sniff,
    syntax_problem,
    text_of,
    tostring,
    undefined_entities,
    write_tree,
)

EAD2002 = "urn:isbn:1-931666-22-9"
EAD3 = "http://ead3.archivists.org/schema/"
EAD3_UNDEPRECATED = "http://ead3.archivists.org/schema/undeprecated/"
UNDEPRECATED_KEY = "ead3_undeprecated"  # its XSD in data/schemas.csv
_COMPONENT = re.compile(r"^c(0[1-9]|1[0-2])?$")
EAD_LEVELS = {
    "class",
    "collection",
    "file",
    "fonds",
    "item",
    "otherlevel",
    "recordgrp",
    "series",
    "subfonds",
    "subgrp",
    "subseries",
}


def is_unit(tag: object) -> bool:
    name = local(tag)
    return name == "archdesc" or bool(_COMPONENT.match(name))


@dataclass
class _Open:
    element: etree._Element
    parent: _Open | None
    emitted: bool = False
    local_id: str | None = None
    header_title: str | None = None


class EadBase:
    name: ClassVar[str]
    label: ClassVar[str]
    namespaces_ok: ClassVar[tuple[str, ...]]
    table: ClassVar[str]
    schema: ClassVar[str]
    date_type: ClassVar[str]  # the unitdate attribute for inclusive / bulk

    def detect(self, path: Path, head: bytes) -> bool:
        shape = sniff(path, head)
        return shape is not None and self.matches(shape)

    def matches(self, shape: Sniff) -> bool:
        return local(shape.payload) == "ead" and namespace(shape.payload) in self.namespaces_ok

    # --- reading ---------------------------------------------------------------------------------

    def _units(self, path: Path) -> Iterator[tuple[int, etree._Element, str | None, _Open]]:
        """(position, unit copy without sub-units, parent local id, state) in document order."""
        stack: list[_Open] = []
        header_id: str | None = None
        header_title: str | None = None
        position = 0
        root_ns: str | None = None

        def emit(unit: _Open) -> tuple[int, etree._Element, str | None, _Open]:
            nonlocal position
            position += 1
            unit.emitted = True
            own = copy.deepcopy(unit.element)
            for child in list(own):
                if is_unit(child.tag) or local(child.tag) == "dsc":
                    if local(child.tag) == "dsc":
                        for sub in list(child):
                            if is_unit(sub.tag):
                                child.remove(sub)
                        if len(child) == 0 or all(not isinstance(c.tag, str) for c in child):
                            own.remove(child)
                    else:
                        own.remove(child)
            own_id = unit.element.get("id")
            if local(unit.element.tag) == "archdesc":
                unit.local_id = own_id or header_id or "archdesc"
                unit.header_title = header_title
            else:
                unit.local_id = own_id or f"component-{position}"
            return position, own, unit.parent.local_id if unit.parent else None, unit

        # Only the units and the header's id and title raise events: the rest is read with its unit.
        names = ["archdesc", "c", *(f"c{n:02d}" for n in range(1, 13)), "eadid", "recordid", "titleproper"]
        tags = [f"{{{ns}}}{name}" if ns else name for ns in self.namespaces_ok for name in names]
        for event, element in iterparse(path, ("start", "end"), tags):
            tag = element.tag
            if root_ns is None:
                root = element.getroottree().getroot()
                root_ns = namespace(root.tag)
                if local(root.tag) != "ead" or root_ns not in self.namespaces_ok:
                    return
            if namespace(tag) != root_ns:
                continue
            if event == "start":
                if is_unit(tag):
                    parent = stack[-1] if stack else None
                    if parent is not None and not parent.emitted:
                        yield emit(parent)
                    stack.append(_Open(element, parent))
                continue
            name = local(tag)
            if name in ("eadid", "recordid") and header_id is None:
                header_id = text_of(element) or None
            elif name == "titleproper" and header_title is None and element.get("type") != "filing":
                header_title = text_of(element) or None
            elif is_unit(tag):
                unit = stack.pop()
                if not unit.emitted:
                    yield emit(unit)
                element.clear(keep_tail=True)
                parent_el = element.getparent()
                if parent_el is not None:
                    parent_el.remove(element)

    def _core(self, own: etree._Element, header_title: str | None = None) -> tuple[CoreRecord, dict[str, str]]:
        work = own
        if namespace(own.tag) == "":  # DTD-era EAD 2002: read it as the namespaced form
            work = copy.deepcopy(own)
            for el in work.iter():
                if isinstance(el.tag, str) and not el.tag.startswith("{"):
                    el.tag = f"{{{EAD2002}}}{el.tag}"
        elif namespace(own.tag) == EAD3_UNDEPRECATED:
            work = copy.deepcopy(own)
            for el in work.iter():
                if isinstance(el.tag, str) and namespace(el.tag) == EAD3_UNDEPRECATED:
                    el.tag = f"{{{EAD3}}}{local(el.tag)}"
        ns = EAD3 if self.name == "ead3" else EAD2002
        core, fields = crosswalk.load(self.table, (("ead", ns), ("xlink", XLINK))).apply(work)
        level = own.get("level")
        if level == "otherlevel":
            core.level = level_for("ead", own.get("otherlevel")) or "otherlevel"
        else:
            core.level = level_for("ead", level)
        if not core.title and header_title:
            core.title = header_title
        ead_notes.fill_details(core)
        return core, access_terms.apply(fields)

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        count = 0
        try:
            for position, own, parent_id, unit in self._units(path):
                count = position
                core, fields = self._core(own, unit.header_title)
                core.local_id = unit.local_id
                core.parent = parent_id
                yield ParsedRecord(
                    core=core,
                    standard=self.name,
                    position=position,
                    line=own.sourceline,
                    original=tostring(own),
                    local_id=unit.local_id,
                    parent_local_id=parent_id,
                    files=list(core.files),
                    fields=fields,
                    problems=self._unit_problems(own, str(path), position),
                )
        except etree.XMLSyntaxError as exc:
            raise InvalidMetadata([syntax_problem(path, exc)]) from None
        if count == 0:
            raise InvalidMetadata([self._nothing(path)])

    # --- validation --------------------------------------------------------------------------------

    def _nothing(self, path: Path) -> Problem:
        shape = sniff(path, path.read_bytes()[:4096])
        root = shape.root if shape else "(none)"
        return Problem(
            str(path),
            1,
            f"no {self.label} finding aid with an <archdesc>: the document element is {root}; expected <ead> in "
            f"{self.namespaces_ok[0] or '(no namespace)'} (wrong standard or wrong namespace?)",
        )

    def _unit_problems(self, own: etree._Element, source: str, position: int) -> list[Problem]:
        out: list[Problem] = []
        where = "archdesc" if local(own.tag) == "archdesc" else f"component {position}"
        if not any(local(c.tag) == "did" for c in own):
            out.append(Problem(source, own.sourceline, f"{where}: no <did> (descriptive identification)", position))
        level = own.get("level")
        if local(own.tag) == "archdesc" and not level:
            out.append(Problem(source, own.sourceline, "archdesc: no level attribute", position))
        if level and level not in EAD_LEVELS:
            out.append(Problem(source, own.sourceline, f"{where}: unknown level {level!r}", position))
        return out

    def validate(self, path: Path) -> list[Problem]:
        source = str(path)
        problems: list[Problem] = []
        count = 0
        try:
            for position, own, _parent, _unit in self._units(path):
                count = position
                problems += self._unit_problems(own, source, position)
                problems += undefined_entities(own, source, position)
        except etree.XMLSyntaxError as exc:
            return [syntax_problem(path, exc)]
        except OSError as exc:
            return [Problem(source, None, f"cannot be read: {exc.strerror or exc}")]
        if count == 0:
            return [self._nothing(path)]
        problems += self._namespace_problems(path)
        entities = declared_entities(path)
        if entities:
            problems.append(
                Problem(
                    source,
                    1,
                    f"the DOCTYPE declares entities ({', '.join(entities[:5])}); they are never expanded or fetched "
                    "(external entities and entity expansion are refused), so their text is missing",
                )
            )
            return problems  # an XSD cannot judge a document whose entities stay unexpanded
        schema_set = schemas.active()
        if schema_set is None:
            schemas.skipped(self.name)
            return problems + self._rule_problems(None, None, source)
        tree = parse(path)
        key = self._schema_key(namespace(tree.getroot().tag), schema_set)
        if key is not None:
            problems += schema_set.check(key, tree.getroot(), source)
        return problems + self._rule_problems(schema_set, tree, source)

    def _schema_key(self, ns: str, schema_set: schemas.SchemaSet) -> str | None:
        """The XSD (a key of data/schemas.csv) a document in this namespace validates against, if installed."""
        return self.schema if ns in (EAD2002, EAD3) and schema_set.has(self.schema) else None

    def _rule_problems(
        self, schema_set: schemas.SchemaSet | None, tree: etree._ElementTree | None, source: str
    ) -> list[Problem]:
        """Rules beyond the XSD (EAD3's Schematron)."""
        return []

    def _namespace_problems(self, path: Path) -> list[Problem]:
        return []

    # --- writing -----------------------------------------------------------------------------------

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        items = list(records)
        if not items:
            raise InvalidMetadata([Problem("(output)", None, f"{self.label} needs at least one record")])
        ids = {r.local_id for r in items if r.local_id}
        top = next((r for r in items if not r.parent or r.parent not in ids), items[0])
        children: dict[str | None, list[CoreRecord]] = {}
        for r in items:
            if r is top:
                continue
            parent = r.parent if r.parent in ids and r.parent != top.local_id else top.local_id
            children.setdefault(parent, []).append(r)
        self._used_ids: set[str] = set()
        root = self._document(top)
        archdesc = root.find(self._q("archdesc"))
        kids = children.get(top.local_id, []) + (children.get(None, []) if top.local_id is not None else [])
        if kids:
            dsc = etree.SubElement(archdesc, self._q("dsc"))
            for kid in kids:
                self._component(dsc, kid, children, set())
        write_tree(root, out)

    def _q(self, name: str) -> str:
        raise NotImplementedError

    def _document(self, top: CoreRecord) -> etree._Element:
        raise NotImplementedError

    def _component(
        self, parent: etree._Element, record: CoreRecord, children: dict[str | None, list[CoreRecord]], seen: set[int]
    ) -> None:
        if id(record) in seen:
            return
        seen.add(id(record))
        c = etree.SubElement(parent, self._q("c"))
        if record.local_id and _NCNAME.match(record.local_id) and record.local_id not in self._used_ids:
            c.set("id", record.local_id)  # an xs:ID: a name, once per document
            self._used_ids.add(record.local_id)
        self._describe(c, record)
        for kid in children.get(record.local_id, []) if record.local_id else []:
            self._component(c, kid, children, seen)

    def _level(self, element: etree._Element, level: str | None) -> None:
        value = value_for("ead", level) or ("otherlevel" if level else None)
        if value:
            element.set("level", value)
            if value == "otherlevel" and level in CORE_LEVELS and level != "otherlevel":
                element.set("otherlevel", level)

    def _describe(self, unit: etree._Element, record: CoreRecord) -> None:
        """Write one unit so that this standard's crosswalk reads it back as the same core record."""
        q = self._q
        if local(unit.tag) != "archdesc":
            self._level(unit, record.level)
        did = etree.SubElement(unit, q("did"))
        for ident in record.identifiers:
            etree.SubElement(did, q("unitid")).text = ident
        self._title(did, record)
        for date in record.dates:
            el = etree.SubElement(did, q("unitdate"))
            el.text = date.text
            if date.start is not None and date.end is not None and 0 <= date.start <= date.end <= 9999:
                el.set("normal", f"{date.start:04d}/{date.end:04d}" if date.end != date.start else f"{date.start:04d}")
            if date.type in ("inclusive", "bulk"):
                el.set(self.date_type, date.type)
        if record.agents:
            origination = etree.SubElement(did, q("origination"))
            for agent in record.agents:
                self._agent(origination, agent)
        if record.extent:
            self._extent(did, record.extent)
        if record.languages:
            langmaterial = etree.SubElement(did, q("langmaterial"))
            for code in record.languages:
                language = etree.SubElement(langmaterial, q("language"))
                language.text = code
                if _LANGCODE.match(code):  # an ISO 639 code; free text ("English; Czech") stays text only
                    language.set("langcode", code)
        for ref in record.files:
            self._dao(did, ref)
        ead3 = self.name == "ead3"
        ead_notes.write_containers(did, ead_notes.containers_of(record), q, ead3, self._new_id)
        for location in ead_notes.locations_of(record):
            etree.SubElement(did, q("physloc")).text = location
        ead_notes.write_notes(unit, did, ead_notes.notes_of(record), q, ead3)
        if len(did) == 0:
            etree.SubElement(did, q("unittitle"))
        if record.subjects or record.places or record.genres:
            control = etree.SubElement(unit, q("controlaccess"))
            for tag, terms in (("subject", record.subjects), ("geogname", record.places), ("genreform", record.genres)):
                for term in terms:
                    self._term(control, tag, term)

    def _new_id(self) -> str:
        """A document-unique id for a container another one points to."""
        n = len(self._used_ids)
        while f"container-{n}" in self._used_ids:
            n += 1
        self._used_ids.add(f"container-{n}")
        return f"container-{n}"

    def _title(self, did: etree._Element, record: CoreRecord) -> None:
        raise NotImplementedError

    def _agent(self, origination: etree._Element, agent: Agent) -> None:
        raise NotImplementedError

    def _extent(self, did: etree._Element, extent: str) -> None:
        raise NotImplementedError

    def _dao(self, did: etree._Element, ref: str) -> None:
        raise NotImplementedError

    def _term(self, control: etree._Element, tag: str, term: Term) -> None:
        raise NotImplementedError


# The element for each kind of agent; EAD has no meeting name, a meeting is a corporate body.
_AGENT_TAGS = {"person": "persname", "corporate": "corpname", "meeting": "corpname", "family": "famname"}
_NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_LANGCODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class Ead2002(EadBase):
    name = "ead"
    label = "EAD 2002"
    namespaces_ok = (EAD2002, "")
    table = "ead2002"
    date_type = "type"
    schema = "ead2002"
    schema_keys = ("ead2002",)

    def _q(self, name: str) -> str:
        return f"{{{EAD2002}}}{name}"

    def _document(self, top: CoreRecord) -> etree._Element:
        q = self._q
        root = etree.Element(q("ead"), nsmap={None: EAD2002, "xlink": XLINK, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{EAD2002} http://www.loc.gov/ead/ead.xsd")
        header = etree.SubElement(root, q("eadheader"))
        etree.SubElement(header, q("eadid")).text = top.local_id or (top.identifiers or ["heritage-export"])[0]
        titlestmt = etree.SubElement(etree.SubElement(header, q("filedesc")), q("titlestmt"))
        etree.SubElement(titlestmt, q("titleproper")).text = top.title
        archdesc = etree.SubElement(root, q("archdesc"))
        self._level(archdesc, top.level or "collection")
        self._describe(archdesc, top)
        return root

    def _title(self, did: etree._Element, record: CoreRecord) -> None:
        if record.title:
            etree.SubElement(did, self._q("unittitle")).text = record.title

    def _agent(self, origination: etree._Element, agent: Agent) -> None:
        el = etree.SubElement(origination, self._q(_AGENT_TAGS.get(agent.kind or "", "persname")))
        el.text = agent.name
        if agent.role and agent.role != "creator":
            el.set("role", agent.role)
        if agent.id:
            el.set("authfilenumber", agent.id)

    def _extent(self, did: etree._Element, extent: str) -> None:
        etree.SubElement(etree.SubElement(did, self._q("physdesc")), self._q("extent")).text = extent

    def _dao(self, did: etree._Element, ref: str) -> None:
        etree.SubElement(did, self._q("dao"), {f"{{{XLINK}}}href": ref, f"{{{XLINK}}}type": "simple"})

    def _term(self, control: etree._Element, tag: str, term: Term) -> None:
        el = etree.SubElement(control, self._q(tag))
        el.text = term.label
        if term.id:
            el.set("authfilenumber", term.id)
        if term.scheme:
            el.set("source", term.scheme)


class Ead3(EadBase):
    name = "ead3"
    label = "EAD3"
    namespaces_ok = (EAD3, EAD3_UNDEPRECATED)
    table = "ead3"
    date_type = "unitdatetype"
    schema = "ead3"
    schema_keys = ("ead3",)

    def _schema_key(self, ns: str, schema_set: schemas.SchemaSet) -> str | None:
        if ns == EAD3_UNDEPRECATED:
            return UNDEPRECATED_KEY if schema_set.has(UNDEPRECATED_KEY) else None
        return super()._schema_key(ns, schema_set)

    def _namespace_problems(self, path: Path) -> list[Problem]:
        """The undeprecated variant is EAD3 in a namespace of its own: valid when its own XSD is installed
        (then it stays in that namespace), else a problem that says why it cannot validate."""
        shape = sniff(path, path.read_bytes()[:4096])
        schema_set = schemas.active()
        if shape is None or namespace(shape.root) != EAD3_UNDEPRECATED:
            return []
        if schema_set is not None and schema_set.has(UNDEPRECATED_KEY):
            return []
        return [
            Problem(
                str(path),
                1,
                f"wrong namespace: {EAD3_UNDEPRECATED} is the 'undeprecated' EAD3 variant; EAD3 is {EAD3} "
                "(read as EAD3; ead3_undeprecated.xsd is not installed, so it does not validate and is written "
                "in the EAD3 namespace)",
            )
        ]

    def _rule_problems(
        self, schema_set: schemas.SchemaSet | None, tree: etree._ElementTree | None, source: str
    ) -> list[Problem]:
        rules = schematron.rules_file(schema_set)
        if rules is None or tree is None:
            schematron.skipped()
            return []
        if namespace(tree.getroot().tag) != EAD3:
            return []  # the undeprecated namespace: the rules' `ead:` prefix does not reach it
        return schematron.check(rules, tree, source)

    def _q(self, name: str) -> str:
        return f"{{{EAD3}}}{name}"

    def _document(self, top: CoreRecord) -> etree._Element:
        q = self._q
        root = etree.Element(q("ead"), nsmap={None: EAD3, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{EAD3} http://ead3.archivists.org/schema/ead3.xsd")
        control = etree.SubElement(root, q("control"))
        etree.SubElement(control, q("recordid")).text = top.local_id or (top.identifiers or ["heritage-export"])[0]
        titlestmt = etree.SubElement(etree.SubElement(control, q("filedesc")), q("titlestmt"))
        etree.SubElement(titlestmt, q("titleproper")).text = top.title
        etree.SubElement(control, q("maintenancestatus"), value="derived")
        agency = etree.SubElement(control, q("maintenanceagency"))
        etree.SubElement(agency, q("agencyname")).text = "heritage"
        event = etree.SubElement(etree.SubElement(control, q("maintenancehistory")), q("maintenanceevent"))
        etree.SubElement(event, q("eventtype"), value="derived")
        now = datetime.now(UTC).replace(microsecond=0)
        etree.SubElement(event, q("eventdatetime"), standarddatetime=now.isoformat()).text = now.isoformat()
        etree.SubElement(event, q("agenttype"), value="machine")
        etree.SubElement(event, q("agent")).text = "heritage metadata convert"
        archdesc = etree.SubElement(root, q("archdesc"))
        self._level(archdesc, top.level or "collection")
        self._describe(archdesc, top)
        return root

    def _title(self, did: etree._Element, record: CoreRecord) -> None:
        for lang, text in lang_values(record.title, record.titles):
            el = etree.SubElement(did, self._q("unittitle"))
            el.text = text
            if lang:
                el.set("lang", lang)

    def _agent(self, origination: etree._Element, agent: Agent) -> None:
        el = etree.SubElement(origination, self._q(_AGENT_TAGS.get(agent.kind or "", "persname")))
        if agent.role and agent.role != "creator":
            el.set("relator", agent.role)
        if agent.id:
            el.set("identifier", agent.id)
        etree.SubElement(el, self._q("part")).text = agent.name

    def _extent(self, did: etree._Element, extent: str) -> None:
        etree.SubElement(did, self._q("physdesc")).text = extent

    def _dao(self, did: etree._Element, ref: str) -> None:
        etree.SubElement(did, self._q("dao"), daotype="unknown", href=ref)

    def _term(self, control: etree._Element, tag: str, term: Term) -> None:
        el = etree.SubElement(control, self._q(tag))
        if term.id:
            el.set("identifier", term.id)
        if term.scheme:
            el.set("source", term.scheme)
        etree.SubElement(el, self._q("part")).text = term.label


STANDARD = Ead2002()
