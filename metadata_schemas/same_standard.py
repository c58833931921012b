"""Same standard out = what came in: a record written in its own standard is its original plus the edits.

A catalogue that rewrites a record from its core record loses everything the core does not hold; an
archivist or librarian expects the record back as it came. So an unedited record goes out verbatim, and
an edited one is its original with only the nodes of the touched fields replaced: the nodes the
standard's crosswalk reads for that field are taken out and what the standard's own `serialise` writes
for that field goes in their place (MARC: the fields whose tags `crosswalks/marc21.csv` lists for it).
"""

from __future__ import annotations

import copy
import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pymarc
from lxml import etree

from metadata_schemas import crosswalk, marc, marc21, marc_mend, marcxml, registry
from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.xmlsafe import XLINK, parser, tostring

EAD2002 = "urn:isbn:1-931666-22-9"
EAD3 = "http://ead3.archivists.org/schema/"
# core record keys -> the crosswalk field that fills them
ALIASES = {"titles": "title", "descriptions": "description"}
# the catalogue's bookkeeping, not values of the record: never a reason to rewrite nodes
BOOKKEEPING = {"parent", "local_id", "files"}
EAD_UNITS = re.compile(r"^(c|c0[1-9]|c1[0-2]|dsc)$")


def _tables() -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    from metadata_schemas import dc, lido, mods

    return {
        "dc": ("dc", dc.NAMESPACES),
        "mods": ("mods", mods.NAMESPACES),
        "lido": ("lido", lido.NAMESPACES),
        "ead": ("ead2002", (("ead", EAD2002), ("xlink", XLINK))),
        "ead3": ("ead3", (("ead", EAD3), ("xlink", XLINK))),
    }


def changed_fields(parsed: CoreRecord, current: CoreRecord) -> set[str]:
    """The crosswalk fields whose value differs between the core read at ingest and the current one."""
    before, after = parsed.to_dict(), current.to_dict()
    keys = (before.keys() | after.keys()) - BOOKKEEPING
    return {ALIASES.get(key, key) for key in keys if before.get(key) != after.get(key)}


def current_original(original: str, standard: str, current: CoreRecord) -> str | None:
    """The stored original with the catalogue's edits (the fields where `current` differs from what the
    original reads as); None when it cannot be edited in place, so the caller writes from the core."""
    try:
        return apply_edits(original, standard, reparse(original, standard), current)
    except (etree.XMLSyntaxError, ValueError, KeyError, LookupError, TypeError, InvalidMetadata):
        return None


def record_xml(original: str, standard: str) -> str:
    """An original as XML: a binary MARC record becomes its MARCXML record, XML stays as it is."""
    if standard == "marc":
        return tostring(marcxml.to_element(_marc_record(original)))
    return original


def graft_unit(document_unit: etree._Element, original: etree._Element) -> bool:
    """Put an EAD original (an archdesc or a component, sub-components left out) into the unit a writer
    made (`archdesc` or `c`): its attributes and children replace the written ones. False when the two are
    in different namespaces (DTD-era EAD served as namespaced EAD: the caller writes from the core)."""
    if etree.QName(document_unit).namespace != etree.QName(original).namespace:
        return False
    for child in list(document_unit):
        document_unit.remove(child)
    for key, value in original.attrib.items():
        if key != "id" or document_unit.get("id") is None:
            document_unit.set(key, value)
    document_unit.text = original.text
    for child in original:
        if isinstance(child.tag, str) and EAD_UNITS.match(etree.QName(child).localname):
            continue
        document_unit.append(copy.deepcopy(child))
    return True


def reparse(original: str, standard: str) -> CoreRecord:
    """The core record a stored original reads as (the catalogue does not keep the core read at ingest)."""
    if standard == "marc":
        return marc21.to_core(_marc_record(original))[0]
    element = etree.fromstring(original.encode("utf-8"), parser())
    reader: Any = registry.get(standard)
    if standard in ("ead", "ead3"):
        return reader._core(element)[0]  # a component alone: the finding aid's reader, without the stream
    return reader.read(element, 1, Path("original")).core


def apply_edits(original: str, standard: str, parsed: CoreRecord, current: CoreRecord) -> str | None:
    """The original with the current values of the fields that differ from `parsed`; None when the
    standard's records cannot be edited in place (the caller then writes from the core record)."""
    touched = changed_fields(parsed, current)
    if not touched:
        return original
    if standard == "marc":
        return _marc_text(_edit_marc(_marc_record(original), touched, current))
    if standard == "marcxml":
        element = etree.fromstring(original.encode("utf-8"), parser())
        edited = _edit_marc(marcxml.read_element(element), touched, current)
        return tostring(marcxml.to_element(edited))
    if standard not in _tables():
        return None
    element = etree.fromstring(original.encode("utf-8"), parser())
    return tostring(_edit_xml(element, standard, touched, current))


# --- MARC ---------------------------------------------------------------------------------------------


def _marc_record(original: str) -> marc21.MarcRecord:
    record = pymarc.Record(data=original.encode("utf-8"), force_utf8=True)
    return marc.from_pymarc(record)


def _marc_text(record: marc21.MarcRecord) -> str:
    return marc.to_pymarc(record).as_marc().decode("utf-8", errors="replace")


def _edit_marc(record: marc21.MarcRecord, touched: set[str], current: CoreRecord) -> marc21.MarcRecord:
    written = marc21.from_core(_holding(current, touched))
    out = copy.deepcopy(record)
    for name in sorted(touched):
        mapped = {t for m in marc21.mappings() if m.core == name for t in m.tags} - {"LDR"}  # leader: the frame
        wrote = {t for t, _ in written.control} | {f.tag for f in written.fields}
        others = {t for m in marc21.mappings() if m.core not in touched for t in m.tags}
        # the tags the writer filled for the field; when it filled none (a cleared value), those no other
        # field reads (a 100 is a heading in an authority record's title row, but a creator elsewhere)
        tags = mapped & wrote or mapped - others
        out.control = [(t, v) for t, v in out.control if t not in tags] + [
            (t, v) for t, v in written.control if t in tags
        ]
        out.fields = [f for f in out.fields if f.tag not in tags] + [f for f in written.fields if f.tag in tags]
        out._by_tag = None
    out.control.sort(key=lambda pair: pair[0])
    return out


# --- XML ----------------------------------------------------------------------------------------------


def _holding(current: CoreRecord, touched: set[str]) -> CoreRecord:
    """A core record with just the touched fields (and the title, which every writer needs)."""
    core = CoreRecord(title=current.title)
    for key, value in current.__dict__.items():
        if ALIASES.get(key, key) in touched:
            setattr(core, key, copy.deepcopy(value))
    return core


def _written_record(standard: str, core: CoreRecord) -> etree._Element:
    buffer = io.BytesIO()
    registry.get(standard).serialise([core], buffer)
    root = etree.fromstring(buffer.getvalue(), parser())
    if standard in ("ead", "ead3"):
        return next(el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "archdesc")
    tags: tuple[str, ...] = getattr(registry.get(standard), "record_tags", ())
    return next((el for el in root.iter() if el.tag in tags), root)


def _outermost(nodes: list[Any]) -> list[etree._Element]:
    elements = [n for n in nodes if isinstance(n, etree._Element)]
    chosen = set(elements)
    return [el for el in elements if not any(a in chosen for a in el.iterancestors())]


def _select(element: etree._Element, rows: list[crosswalk.Row]) -> list[etree._Element]:
    found: list[Any] = []
    for row in rows:
        result = row.path(element)
        found += result if isinstance(result, list) else []
    unique = list(dict.fromkeys(found))
    order = {el: i for i, el in enumerate(element.iter())}
    return sorted(_outermost(unique), key=lambda el: order.get(el, 0))


def _strip_namespace(element: etree._Element, ns: str) -> None:
    for el in element.iter():
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{ns}}}"):
            el.tag = etree.QName(el).localname
    etree.cleanup_namespaces(element)


def _edit_xml(element: etree._Element, standard: str, touched: set[str], current: CoreRecord) -> etree._Element:
    table, namespaces = _tables()[standard]
    rows = crosswalk.load(table, namespaces).rows
    ns = dict(namespaces).get("ead", "")
    bare = standard in ("ead", "ead3") and not element.tag.startswith("{")
    if bare:  # DTD-era EAD: read with the namespaced table, written back without a namespace
        for el in element.iter():
            if isinstance(el.tag, str) and not el.tag.startswith("{"):
                el.tag = f"{{{ns}}}{el.tag}"
    written = _written_record(standard, _holding(current, touched))
    for name in sorted(touched):
        field_rows = [r for r in rows if r.core.split(".")[0] == name]
        if not field_rows:
            continue
        old = _select(element, field_rows)
        new = [copy.deepcopy(el) for el in _select(written, field_rows)]
        _replace(element, written, old, new)
    if bare:
        _strip_namespace(element, ns)
    return element


def _replace(
    element: etree._Element, written: etree._Element, old: list[etree._Element], new: list[etree._Element]
) -> None:
    """Put `new` where the first of `old` stood (or where the writer puts it), then take `old` out."""
    if old:
        anchor = old[0]
        parent = anchor.getparent()
        assert parent is not None
        index = parent.index(anchor)
        for offset, node in enumerate(new):
            node.tail = anchor.tail
            parent.insert(index + offset, node)
    else:
        for node in new:
            _parent_like(element, written, node).append(node)
    for node in old:
        parent = node.getparent()
        if parent is None:
            continue
        parent.remove(node)
        while parent is not element and len(parent) == 0 and not (parent.text or "").strip():
            grand = parent.getparent()
            if grand is None:
                break
            grand.remove(parent)
            parent = grand


def _parent_like(element: etree._Element, written: etree._Element, node: etree._Element) -> etree._Element:
    """In the original, the element at the path the writer put `node` under (made where missing)."""
    source = next((el for el in written.iter() if el is not node and _same(el, node)), None)
    chain: list[str] = []
    here = source.getparent() if source is not None else None
    while here is not None and here is not written:
        chain.insert(0, here.tag)
        here = here.getparent()
    target = element
    for tag in chain:
        child = target.find(tag)
        target = child if child is not None else etree.SubElement(target, tag)
    return target


def _same(a: etree._Element, b: etree._Element) -> bool:
    return a.tag == b.tag and etree.tostring(a) == etree.tostring(b)


# --- whole documents ----------------------------------------------------------------------------------

REPAIR_ROUNDS = 25


def document(path: Path, standard: Any) -> tuple[bytes, list[Problem]] | None:
    """The source file as it came, when it validates; a broken XML original with only the elements that
    break its schema dropped (each one a warning); None when neither validates (write from the core)."""
    archive = path.is_dir() or standard.name in OWN
    if standard.name in OWN:
        data = csv_archive(path)
        standard = registry.get(OWN[standard.name])
    else:
        data = _zipped(path) if path.is_dir() else path.read_bytes()
    with tempfile.TemporaryDirectory(prefix="heritage-same-") as tmp:
        written = Path(tmp) / f"same{'.zip' if archive else path.suffix}"
        written.write_bytes(data)
        problems = standard.validate(written)
        if not problems:
            return data, []
        if path.suffix.lower() == ".zip" or path.is_dir():
            return _mended_archive(data, written, standard, problems, str(path))
        if standard.name == "marc":
            data, warnings = marc_mend.binary(path)
            written.write_bytes(data)
            return (data, warnings) if data and not standard.validate(written) else None
        if archive or path.suffix.lower() in (".mrc", ".csv"):
            return None
        return _repaired(written, standard, problems, str(path))


_SHORT_ROWS = re.compile(r"row has (\d+) fields; meta.xml maps field index \d+")


def _mended_archive(
    data: bytes, written: Path, standard: Any, problems: list[Problem], source: str
) -> tuple[bytes, list[Problem]] | None:
    """A Darwin Core Archive whose meta.xml names a dataset description it does not hold, or maps columns
    its rows do not have: the same archive without that reference or those mappings (the only repairs an
    archive gets; its data files are never touched), each repair a warning."""
    missing = [p for p in problems if "names metadata" in p.message]
    widths: dict[str, int] = {}  # data file -> the fields its shortest row has
    for p in problems:
        if m := _SHORT_ROWS.match(p.message):
            name = re.split(r"[/\\!]", p.source)[-1]
            widths[name] = min(widths.get(name, int(m[1])), int(m[1]))
    if len(missing) + sum(1 for p in problems if _SHORT_ROWS.match(p.message)) != len(problems):
        return None
    warnings = [
        Problem(source, p.line, f"dropped the reference to the missing dataset description: {p.message}")
        for p in missing
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info)
            if info.filename.rsplit("/", 1)[-1] == "meta.xml":
                meta = etree.fromstring(content, parser())
                if missing:
                    meta.attrib.pop("metadata", None)
                label = f"{source}/{info.filename}" if Path(source).is_dir() else f"{source}!{info.filename}"
                warnings += _unmapped(meta, widths, label)
                content = etree.tostring(meta, xml_declaration=True, encoding="UTF-8")
            zout.writestr(info, content)
    written.write_bytes(buffer.getvalue())
    if standard.validate(written):
        return None
    return buffer.getvalue(), warnings


def _unmapped(meta: etree._Element, widths: dict[str, int], label: str) -> list[Problem]:
    """Drop from meta.xml the <field> mappings of columns beyond a data file's shortest row: which of its
    columns the rows lack cannot be known, so their cells stay as they are and keep the columns they can."""
    warnings: list[Problem] = []
    for part in meta:
        location = "".join(part.xpath("*[local-name()='files']/*[local-name()='location']/text()")).strip()
        width = widths.get(location.rsplit("/", 1)[-1])
        if width is None:
            continue
        for field in part.xpath("*[local-name()='field'][@index]"):
            if field.get("index", "").isdigit() and int(field.get("index")) >= width:
                message = (
                    f"dropped the mapping of column {field.get('index')} ({field.get('term')}): "
                    f"the rows of {location} have only {width} fields"
                )
                warnings.append(Problem(label, field.sourceline, message))
                part.remove(field)
    return warnings


def _zipped(folder: Path) -> bytes:
    """A Darwin Core Archive folder as the zip it stands for."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            zf.write(file, file.relative_to(folder).as_posix())
    return buffer.getvalue()


def _repaired(written: Path, standard: Any, problems: list[Problem], source: str) -> tuple[bytes, list[Problem]] | None:
    """Mend, round by round, what the validator names at each line, keeping every value it can: a
    required element that stands too late moves up, a misspelt name takes the expected spelling, a bad
    attribute or loose text goes, and only then an element; each repair is a warning at the source line."""
    warnings: list[Problem] = []
    moved: set[tuple[str, str]] = set()  # attributes tried in the other namespace
    tree = etree.parse(str(written), parser())  # its elements keep the source file's line numbers
    for _round in range(REPAIR_ROUNDS):
        # the validator's lines are those of the file last written: pair its elements with the tree's
        fresh = etree.parse(str(written), parser())
        at_line: dict[int, list[etree._Element]] = {}
        for new, old in zip(fresh.getroot().iter(), tree.getroot().iter(), strict=False):
            if isinstance(new.tag, str) and new.sourceline is not None:
                at_line.setdefault(new.sourceline, []).append(old)
        mended = 0
        for line in sorted({p.line for p in problems if p.line}):
            reason = next(p.message for p in problems if p.line == line)
            named = re.search(r"Element '([^']+)'", reason)
            candidates = at_line.get(line, [])
            element = next((el for el in candidates if named and el.tag == named.group(1)), None)
            element = element if element is not None else (candidates[0] if candidates else None)
            if element is None or element.getparent() is None:
                continue
            done = marc_mend.xml_mend(element, reason) if standard.name == "marcxml" else None
            if done is None:
                done = _mend(element, reason, _known_names(standard.name), moved)
            if done:
                where = element.sourceline or line
                warnings.append(Problem(source, where, f"{done} to write a valid {standard.label}: {reason}"))
                mended += 1
        if not mended:
            return None
        tree.write(str(written), xml_declaration=True, encoding="UTF-8")
        problems = standard.validate(written)
        if not problems:
            return written.read_bytes(), warnings
    return None


def _known_names(standard: str) -> frozenset[str]:
    """The element names the standard's crosswalk table reads: the spellings a misspelt element may mean."""
    table = _tables().get(standard)
    if table is None:
        return frozenset()
    text = (crosswalk.FOLDER / f"{table[0]}.csv").read_text(encoding="utf-8")
    return frozenset(re.findall(r"\b[a-z_]+:([A-Za-z][\w-]*)", text))


# by namespace, the children that hold an element's text (MODS: a bare <subject> is a topic), so text
# where the schema wants elements is wrapped, not dropped (MODS inside METS too)
TEXT_HOLDERS: dict[str, dict[str, tuple[str, ...]]] = {
    "http://www.loc.gov/mods/v3": {
        "subject": ("topic",),
        "name": ("namePart",),
        "relatedItem": ("titleInfo", "title"),
    },
}


def _shown(key: str) -> str:
    return f"xlink:{etree.QName(key).localname}" if key.startswith(f"{{{XLINK}}}") else key


def _other_namespace(element: etree._Element, key: str, moved: set[tuple[str, str]]) -> str | None:
    """An attribute refused without the XLink namespace may be meant with it, and the other way round
    (EAD 2002 `<ref type=...  xlink:target=...>`); tried once per attribute, so a refusal both ways drops it."""
    local = etree.QName(key).localname
    other = local if key.startswith(f"{{{XLINK}}}") else f"{{{XLINK}}}{local}"
    mark = (element.getroottree().getpath(element), local)
    if mark in moved or other in element.attrib or XLINK not in (element.nsmap or {}).values():
        return None
    moved.add(mark)
    return other


def _mend(
    element: etree._Element, reason: str, known: frozenset[str] = frozenset(), moved: set[tuple[str, str]] | None = None
) -> str | None:
    """One repair of `element` for the validator's `reason`; what was done, or None."""
    name = etree.QName(element).localname
    moved = set() if moved is None else moved
    attribute = re.search(r"attribute '([^']+)'", reason)
    if attribute:
        key = attribute.group(1)
        key = next((k for k in element.attrib if k == key or etree.QName(k).localname == key), key)
        if key in element.attrib:
            other = _other_namespace(element, key, moved)
            if other is not None:
                element.set(other, element.attrib.pop(key))
                return f"moved {_shown(key)} of <{name}> to {_shown(other)}"
            value = element.attrib.pop(key)
            return f"dropped {etree.QName(key).localname}={value!r} of <{name}>"
    expected = re.search(r"Expected is (?:one of )?\( ([^)]*) \)", reason)
    if expected and "not expected" in reason:
        wanted = {
            etree.QName(n.strip()).localname if n.strip().startswith("{") else n.strip()
            for n in expected.group(1).split(",")
        }
        later = next(
            (s for s in element.itersiblings() if isinstance(s.tag, str) and etree.QName(s).localname in wanted), None
        )
        if later is not None:
            element.addprevious(later)
            return f"moved <{etree.QName(later).localname}> before <{name}>"
    if "not expected" in reason:
        wanted = set(re.findall(r"\}([\w-]+)", reason.split("Expected is", 1)[1])) if "Expected is" in reason else set()
        spelt = next((w for w in sorted(wanted | known) if w != name and w.lower() == name.lower()), None)
        if spelt is not None:
            element.tag = etree.QName(etree.QName(element).namespace, spelt).text
            return f"renamed <{name}> to <{spelt}>"
    holder = TEXT_HOLDERS.get(etree.QName(element).namespace or "", {}).get(name)
    if "Character content other than whitespace" in reason and not len(element) and holder:
        inner = element
        for child in holder:
            inner = etree.SubElement(inner, etree.QName(etree.QName(element).namespace, child).text)
        inner.text, element.text = element.text, None
        return f"wrapped the text of <{name}> in <{'><'.join(holder)}>"
    if "Character content other than whitespace" in reason and len(element):
        loose = " ".join(" ".join([element.text or "", *(c.tail or "" for c in element)]).split())
        element.text = None
        for child in element:
            child.tail = None
        return f"dropped the loose text ({loose[:60]}) of <{name}>"
    if name in ("archdesc", "eadheader", "dsc"):
        return None
    text = " ".join("".join(element.itertext()).split())[:60]
    parent = element.getparent()
    assert parent is not None
    parent.remove(element)
    return f"dropped <{name}> ({text})"


# --- a Darwin Core CSV is Darwin Core: its own standard is the archive that holds it verbatim -----------

OWN = {"dwc_csv": "dwc"}  # a source standard -> the target that is the same standard
TEXT = "http://rs.tdwg.org/dwc/text/"


def csv_archive(path: Path) -> bytes:
    """A Darwin Core Archive whose core is the CSV file as it came, with a meta.xml that names the term
    of each column it recognises (a column of no known term is kept in the file, undeclared). A file
    that is not UTF-8 is read as Windows-1252 and written as UTF-8, the encoding meta.xml declares."""
    from metadata_schemas import dwc_terms

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # the archive says UTF-8: the same text, re-encoded
        text = raw.decode("cp1252", errors="replace")
        raw = text.encode("utf-8")
    first = text.splitlines()[0] if text else ""
    dialect = csv.Sniffer().sniff(first, delimiters=",;\t") if first else csv.excel
    header = next(csv.reader([first], dialect), [])
    raw = _padded(text, dialect, len(header)) or raw
    terms = [dwc_terms.canonical(h) for h in header]
    occurrence = "taxonID" not in terms or "occurrenceID" in terms or "catalogNumber" in terms
    archive = etree.Element(f"{{{TEXT}}}archive", nsmap={None: TEXT})
    core = etree.SubElement(
        archive,
        f"{{{TEXT}}}core",
        encoding="UTF-8",
        fieldsTerminatedBy="\\t" if dialect.delimiter == "\t" else dialect.delimiter,
        linesTerminatedBy="\\r\\n" if "\r\n" in text[:4096] else "\\n",
        fieldsEnclosedBy='"',
        ignoreHeaderLines="1",
        rowType=dwc_terms.DWC + ("Occurrence" if occurrence else "Taxon"),
    )
    data_name = "occurrence.txt" if occurrence else "taxon.txt"
    etree.SubElement(etree.SubElement(core, f"{{{TEXT}}}files"), f"{{{TEXT}}}location").text = data_name
    for index, term in enumerate(terms):
        if term:
            namespace = dwc_terms.DCTERMS if term in ("license", "modified", "language", "rights") else dwc_terms.DWC
            etree.SubElement(core, f"{{{TEXT}}}field", index=str(index), term=namespace + term)
    eml = _eml(path)
    if eml is not None:
        archive.set("metadata", "eml.xml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.xml", etree.tostring(archive, xml_declaration=True, encoding="UTF-8", pretty_print=True))
        zf.writestr(data_name, raw)
        if eml is not None:
            zf.writestr("eml.xml", eml)
    return buffer.getvalue()


def _padded(text: str, dialect: Any, width: int) -> bytes | None:
    """The table with its short rows (fewer cells than the header) given empty trailing cells, so that the
    archive maps every column of every row; None when no row is short (the file goes in as it came).
    Every cell keeps its value: only empty cells are added."""
    rows = list(csv.reader(io.StringIO(text, newline=""), dialect))
    if all(len(row) >= width for row in rows if row):
        return None
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=dialect.delimiter, lineterminator="\r\n" if "\r\n" in text[:4096] else "\n")
    for row in rows:
        writer.writerow(row + [""] * (width - len(row)) if row else row)
    return out.getvalue().encode("utf-8")


def _eml(path: Path) -> bytes | None:
    """The dataset description (eml.xml) the Darwin Core writer gives the file's records."""
    written = io.BytesIO()
    registry.get("dwc").serialise([r.core for r in registry.get("dwc_csv").parse(path)], written)
    with zipfile.ZipFile(written) as zf:
        return zf.read("eml.xml") if "eml.xml" in zf.namelist() else None
