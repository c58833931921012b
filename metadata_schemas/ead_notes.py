"""EAD notes, containers and physical locations: the core record's typed notes written back as EAD.

The crosswalk tables read every descriptive note (`bioghist`, `acqinfo`, `processinfo`, ...) into
`core.typed_notes` by element name, `container` into `core.containers` and `physloc` into
`core.physical_locations`. The edit form works on a few of them as plain text (`details`:
`archives.container`, `archives.physical_location`, `archives.arrangement`) and on `description`
and `rights`; an edited value replaces the notes it came from, an unedited one leaves them as read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from metadata_schemas.core import Container, CoreRecord, Note
from metadata_schemas.dc import paragraphs

# Unit-level notes both versions hold as blocks (head?, p+); EAD 2002 has no unit-level legalstatus.
BLOCK_NOTES = frozenset(
    [
        "accessrestrict",
        "accruals",
        "acqinfo",
        "altformavail",
        "appraisal",
        "arrangement",
        "bibliography",
        "bioghist",
        "custodhist",
        "fileplan",
        "odd",
        "originalsloc",
        "otherfindaid",
        "phystech",
        "prefercite",
        "processinfo",
        "relatedmaterial",
        "scopecontent",
        "separatedmaterial",
        "userestrict",
    ]
)
CONTAINER = "archives.container"
LOCATION = "archives.physical_location"
ARRANGEMENT = "archives.arrangement"
_NMTOKEN = re.compile(r"[^\w.:-]+")
_TYPED = re.compile(r"^(\w[\w-]*)\s+(\S.*)$")


def container_text(containers: list[Container]) -> str:
    """The form the edit form shows: `Box 1, Folder 2`."""
    return ", ".join(f"{c.type[:1].upper()}{c.type[1:]} {c.value}" if c.type else c.value for c in containers)


def fill_details(core: CoreRecord) -> None:
    """Give the edit form's archive fields the values the notes, containers and locations hold."""
    if core.containers:
        core.details.setdefault(CONTAINER, container_text(core.containers))
    if core.physical_locations:
        core.details.setdefault(LOCATION, "; ".join(core.physical_locations))
    arrangement = [n.text for n in core.typed_notes if n.type == "arrangement"]
    if arrangement:
        core.details.setdefault(ARRANGEMENT, "\n\n".join(arrangement))


def _flat(text: str) -> str:
    return " ".join(text.split())


def _covered(text: str, notes: list[Note]) -> bool:
    """Every paragraph of `text` is in the notes (so it was read from them and is not an edit)."""
    whole = _flat(" ".join(n.text for n in notes))
    return all(_flat(p) in whole for p in paragraphs(text))


def containers_of(core: CoreRecord) -> list[Container]:
    """The containers to write: as read, unless the edit form's container text was changed."""
    edited = (core.details.get(CONTAINER) or "").strip()
    if not edited or edited == container_text(core.containers):
        return core.containers
    out = []
    for part in (p.strip() for p in edited.split(",")):
        match = _TYPED.match(part)
        out.append(Container(match[1].lower(), match[2]) if match else Container(None, part))
    return [c for c in out if c.value]


def locations_of(core: CoreRecord) -> list[str]:
    edited = (core.details.get(LOCATION) or "").strip()
    if not edited or edited == "; ".join(core.physical_locations):
        return core.physical_locations
    return [edited]


def notes_of(core: CoreRecord) -> list[Note]:
    """The typed notes to write, with an edited description, rights or arrangement in place of its notes."""
    notes = list(core.typed_notes)
    replaced = (
        (core.description, ("abstract", "scopecontent"), "scopecontent"),
        (core.rights, ("userestrict",), "userestrict"),
        (core.details.get(ARRANGEMENT), ("arrangement",), "arrangement"),
    )
    for text, kinds, kind in replaced:
        if not text or not text.strip():
            continue
        source = [n for n in notes if n.type in kinds]
        if source and _covered(text, source):
            continue
        label = next((n.label for n in source if n.type == kind), None)
        notes = [n for n in notes if n.type not in kinds] + [Note(kind, text.strip(), label=label)]
    return notes


def write_notes(
    unit: etree._Element, did: etree._Element, notes: list[Note], q: Callable[[str], str], ead3: bool
) -> None:
    """Each note where this EAD version keeps its kind; a kind it has no element for becomes `odd`."""
    for note in notes:
        kind = note.type
        if kind in ("abstract", "materialspec", "note", "didnote"):
            name = kind if kind in ("abstract", "materialspec") else ("didnote" if ead3 else "note")
            el = etree.SubElement(did, q(name))
            if note.label:
                el.set("label", note.label)
            texts = paragraphs(note.text) or [note.text]
            if name == "note":  # EAD 2002 did/note holds paragraphs
                for text in texts:
                    etree.SubElement(el, q("p")).text = text
            else:
                el.text = " ".join(texts)
            continue
        label = note.label
        if kind == "legalstatus" and ead3:
            el = etree.SubElement(unit, q("legalstatus"))
        elif kind == "legalstatus":  # EAD 2002 keeps the legal status inside the access conditions
            el = etree.SubElement(unit, q("accessrestrict"))
        elif kind in BLOCK_NOTES:
            el = etree.SubElement(unit, q(kind))
        else:  # index (needs entries), MARC or MODS note types: a general note that keeps its kind
            el = etree.SubElement(unit, q("odd"))
            el.set("localtype" if ead3 else "type", _NMTOKEN.sub("-", kind).strip("-") or "note")
        if label:
            etree.SubElement(el, q("head")).text = label
        if kind == "legalstatus" and not ead3:
            etree.SubElement(el, q("legalstatus")).text = _flat(note.text)
            continue
        for text in paragraphs(note.text) or [note.text]:
            etree.SubElement(el, q("p")).text = text


def write_containers(
    did: etree._Element, containers: list[Container], q: Callable[[str], str], ead3: bool, new_id: Callable[[], str]
) -> None:
    """Containers in order; one that sits in another (folder in box) points to it by @parent."""
    written: list[tuple[Container, etree._Element]] = []
    for container in containers:
        el = etree.SubElement(did, q("container"))
        el.text = container.value
        if container.type:
            el.set("localtype" if ead3 else "type", container.type if ead3 else _NMTOKEN.sub("-", container.type))
        if container.label:
            el.set("label", container.label)
        holder = next((e for c, e in reversed(written) if container.parent and c.value == container.parent), None)
        if holder is not None:
            if holder.get("id") is None:
                holder.set("id", new_id())
            el.set("parent", holder.get("id", ""))
        written.append((container, el))
