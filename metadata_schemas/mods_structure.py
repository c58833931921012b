"""The structured parts of a MODS record that a flat crosswalk row cannot hold, read and written.

Names (a `displayForm`, else `Family, Given, terms, date`; `@type` gives the agent's kind, `valueURI` or
`nameIdentifier` its id), constituent works (`relatedItem type="constituent"`: the texts inside a
manuscript; a record naming no agent of its own takes its works' authors), values in another script
(`altRepGroup` + `@script`), places of origin (`originInfo/place`), decimal coordinates
(`subject/cartographics/coordinates`) and containers (`part/detail`, `@level` for nesting). After the
LoC MARC to MODS and MODS to MARC mappings (100/110/111/700 -> name, 505/774 -> relatedItem constituent,
880 -> altRepGroup, 260/264 $a -> place, 773 $g -> part/detail).
"""

from __future__ import annotations

import re

from lxml import etree

from metadata_schemas.authorities import authority
from metadata_schemas.core import (
    Agent,
    Container,
    Coordinates,
    CoreRecord,
    DateRange,
    Event,
    Note,
    Parallel,
    Part,
    Term,
)
from metadata_schemas.dates import parse_date
from metadata_schemas.tables import language_tag
from metadata_schemas.xmlsafe import text_of

MODS = "http://www.loc.gov/mods/v3"
NS = {"mods": MODS}
KINDS = {"personal": "person", "corporate": "corporate", "family": "family", "conference": "meeting"}
NAME_TYPES = {kind: name_type for name_type, kind in KINDS.items()}
DATE_TAGS = {
    "issued": "dateIssued",
    "created": "dateCreated",
    "copyright": "copyrightDate",
    "captured": "dateCaptured",
    "valid": "dateValid",
    "modified": "dateModified",
}
_DECIMAL = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")


def _q(tag: str) -> str:
    return f"{{{MODS}}}{tag}"


def _texts(node: etree._Element, path: str) -> list[str]:
    return [t for t in (text_of(el) for el in node.xpath(path, namespaces=NS)) if t]


def name_of(name: etree._Element) -> str:
    """A name as a catalogue shows it: its displayForm, else `Family, Given, terms, dates` from its parts."""
    display = _texts(name, "mods:displayForm")
    if display:
        return display[0]
    untyped = _texts(name, "mods:namePart[not(@type)]")
    family = _texts(name, "mods:namePart[@type='family']")
    given = _texts(name, "mods:namePart[@type='given']")
    base = ", ".join(untyped) if untyped else ", ".join(filter(None, [" ".join(family), " ".join(given)]))
    extra = _texts(name, "mods:namePart[@type='termsOfAddress']") + _texts(name, "mods:namePart[@type='date']")
    return ", ".join([base, *extra]) if base else ", ".join(extra)


def _role(name: etree._Element) -> str | None:
    for path in ("mods:role/mods:roleTerm[@type='text']", "mods:role/mods:roleTerm"):
        found = _texts(name, path)
        if found:
            return found[0]
    return None


def agent_of(name: etree._Element) -> Agent | None:
    text = name_of(name)
    if not text:
        return None
    uri, _scheme = authority(name.get("valueURI"), name.get("authority"))
    if uri is None:  # MODS 3.4+: nameIdentifier type="gnd|viaf|orcid|..." (MARC $0)
        for ident in name.findall(_q("nameIdentifier")):
            uri, _scheme = authority(text_of(ident), ident.get("type"))
            if uri:
                break
    return Agent(text, _role(name), uri, KINDS.get(name.get("type") or ""))


def agents_of(parent: etree._Element) -> list[Agent]:
    """The names directly under `parent`, in the record's script (alternate-script twins become parallels)."""
    out: list[Agent] = []
    for name in parent.findall(_q("name")):
        if _is_parallel(name):
            continue
        agent = agent_of(name)
        if agent and all((a.name, a.role) != (agent.name, agent.role) for a in out):
            out.append(agent)
    return out


def _is_parallel(el: etree._Element) -> bool:
    """An alternate-script twin: in an altRepGroup with a non-Latin @script."""
    return bool(el.get("altRepGroup")) and (el.get("script") or "Latn") != "Latn"


def _title(info: etree._Element) -> str:
    found = info.xpath(
        "normalize-space(concat(mods:nonSort, ' ', mods:title, substring(' : ', 1, 3 * boolean(mods:subTitle)),"
        " mods:subTitle, substring('. ', 1, 2 * boolean(mods:partNumber|mods:partName)), mods:partNumber,"
        " substring(', ', 1, 2 * boolean(mods:partNumber and mods:partName)), mods:partName))",
        namespaces=NS,
    )
    return str(found)


def _dates(parent: etree._Element) -> list[DateRange]:
    out: list[DateRange] = []
    for kind, tag in DATE_TAGS.items():
        for el in parent.xpath(f"mods:originInfo/mods:{tag}[not(@point='end')]", namespaces=NS):
            text = text_of(el)
            end = el.xpath(f"following-sibling::mods:{tag}[@point='end'][1]", namespaces=NS)
            if el.get("point") == "start" and end:
                text = f"{text}-{text_of(end[0])}"
            if text:
                date = parse_date(text)
                date.type = kind
                out.append(date)
    return out


def part_of(item: etree._Element) -> Part | None:
    titles = [t for t in (_title(i) for i in item.findall(_q("titleInfo")) if not _is_parallel(i)) if t]
    if not titles:
        return None
    extent = item.xpath("mods:part/mods:extent", namespaces=NS)
    where = ""
    if extent:
        start, end = _texts(extent[0], "mods:start"), _texts(extent[0], "mods:end")
        where = "-".join(start[:1] + end[:1]) or text_of(extent[0])
    where = where or "; ".join(_texts(item, "mods:physicalDescription/mods:extent"))
    notes = _texts(item, "mods:note") + _texts(item, "mods:abstract") + titles[1:]
    return Part(
        title=titles[0],
        agents=agents_of(item),
        dates=_dates(item),
        extent=where or None,
        note="\n\n".join(notes) or None,
        identifiers=_texts(item, "mods:identifier"),
        languages=_texts(item, "mods:language/mods:languageTerm[@type='code']"),
    )


def _parallels(element: etree._Element, core: CoreRecord) -> None:
    """altRepGroup twins: a value in another script beside its romanised form (MARC 880)."""
    groups: dict[str, list[etree._Element]] = {}
    for el in element.xpath("mods:*[@altRepGroup]", namespaces=NS):
        groups.setdefault(el.get("altRepGroup"), []).append(el)
    for members in groups.values():
        plain = next((m for m in members if not _is_parallel(m)), None)
        for el in members:
            if not _is_parallel(el):
                continue
            field, value, romanised = _parallel_value(el, plain)
            if value:
                lang = language_tag(el.get("lang") or el.get("{http://www.w3.org/XML/1998/namespace}lang"))
                core.parallels.append(Parallel(field, value, el.get("script"), lang, romanised))


def _parallel_value(el: etree._Element, plain: etree._Element | None) -> tuple[str, str, str | None]:
    tag = etree.QName(el).localname
    if tag == "titleInfo":
        return "title", _title(el), _title(plain) if plain is not None else None
    if tag == "name":
        return "agents", name_of(el), name_of(plain) if plain is not None else None
    if tag == "note" and el.get("type") == "parallel":  # written by `write_parallels`: the field is the label
        return el.get("displayLabel") or "notes", text_of(el), text_of(plain) if plain is not None else None
    field = {"subject": "subjects", "originInfo": "publisher", "note": "notes"}.get(tag, tag)
    return field, text_of(el), text_of(plain) if plain is not None else None


def _events(element: etree._Element, core: CoreRecord) -> None:
    for origin in element.findall(_q("originInfo")):
        if _is_parallel(origin):
            continue
        places = [Term(p) for p in _texts(origin, "mods:place/mods:placeTerm[not(@type='code')]")]
        if places:
            published = origin.find(_q("publisher")) is not None
            kind = origin.get("eventType") or ("publication" if published else "creation")
            core.events.append(Event(kind, places=places))


def _coordinates(element: etree._Element, core: CoreRecord) -> None:
    for text in _texts(element, "mods:subject/mods:cartographics/mods:coordinates"):
        m = _DECIMAL.match(text)
        if m and core.coordinates is None:
            core.coordinates = Coordinates(float(m[1]), float(m[2]), text=text)
        elif not m:  # a bounding box as catalogues write it (W 74°--W 73°/N 41°--N 40°): kept as written
            core.typed_notes.append(Note("coordinates", text))


def _containers(element: etree._Element, core: CoreRecord) -> None:
    """part/detail (box 2, folder 3; volume, issue): where the item sits; a deeper @level sits in the one before."""
    seen: list[tuple[int, Container]] = []
    for detail in element.xpath("mods:part/mods:detail[mods:number]", namespaces=NS):
        level = int(detail.get("level")) if (detail.get("level") or "").isdigit() else 1
        parent = next((c.value for lvl, c in reversed(seen) if lvl < level), None)
        container = Container(detail.get("type"), _texts(detail, "mods:number")[0], parent=parent)
        container.label = (_texts(detail, "mods:caption") or [None])[0]
        seen.append((level, container))
        core.containers.append(container)


def read_structure(element: etree._Element, core: CoreRecord) -> None:
    """Fill the names, parts, parallels, places of origin and coordinates of one `mods` element."""
    for item in element.xpath("mods:relatedItem[@type='constituent']", namespaces=NS):
        part = part_of(item)
        if part is not None:
            core.parts.append(part)
    own = agents_of(element)
    if not own:  # a manuscript's texts name their authors: they are the authors of the whole
        for part in core.parts:
            own += [a for a in part.agents if all(a.name != b.name for b in own)]
    core.agents = own + [a for a in core.agents if a.role == "publisher"]
    _parallels(element, core)
    _events(element, core)
    _coordinates(element, core)
    _containers(element, core)


# --- writing -------------------------------------------------------------------------------------------


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(tag), {k: v for k, v in attrs.items() if v})
    if text is not None:
        el.text = text
    return el


def write_title(parent: etree._Element, text: str, **attrs: str) -> etree._Element:
    """A titleInfo; `Title : Subtitle` is written as title and subTitle (MODS to MARC 245 $a $b)."""
    info = sub(parent, "titleInfo", **attrs)
    title, sep, rest = text.partition(" : ")
    sub(info, "title", title)
    if sep and rest:
        sub(info, "subTitle", rest)
    return info


def write_name(parent: etree._Element, agent: Agent, **attrs: str) -> etree._Element:
    name = sub(parent, "name", type=NAME_TYPES.get(agent.kind or "", ""), valueURI=agent.id or "", **attrs)
    sub(name, "displayForm" if agent.kind == "person" and ", " in agent.name else "namePart", agent.name)
    if agent.role:
        sub(sub(name, "role"), "roleTerm", agent.role, type="text")
    return name


def write_dates(origin: etree._Element, dates: list[DateRange]) -> None:
    for date in dates:
        tag = DATE_TAGS.get(date.type or "", "dateCreated" if date.type in (None, "", "creation") else "dateOther")
        sub(origin, tag, date.text, type=date.type or "" if tag == "dateOther" else "")


def write_part(parent: etree._Element, part: Part) -> None:
    item = sub(parent, "relatedItem", type="constituent")
    write_title(item, part.title)
    for agent in part.agents:
        write_name(item, agent)
    if part.dates:
        write_dates(sub(item, "originInfo"), part.dates)
    for code in part.languages:
        sub(sub(item, "language"), "languageTerm", code, type="code")
    if part.note:
        for paragraph in [p for p in part.note.split("\n\n") if p.strip()]:
            sub(item, "note", paragraph)
    for ident in part.identifiers:
        sub(item, "identifier", ident)
    if part.extent:
        sub(sub(sub(item, "part"), "extent"), "list", part.extent)


def write_parallels(mods: etree._Element, core: CoreRecord) -> None:
    """Alternate-script values as altRepGroup twins of their romanised forms (titles, names, other fields)."""
    for number, parallel in enumerate(core.parallels, start=1):
        group = f"arg{number}"
        attrs = {"altRepGroup": group, "script": parallel.script or "", "lang": parallel.lang or ""}
        if parallel.field == "title":
            twin = mods.find(_q("titleInfo"))
            write_title(mods, parallel.value, **attrs)
        elif parallel.field == "agents":
            twin = next(
                (n for n in mods.findall(_q("name")) if parallel.romanised and name_of(n) == parallel.romanised), None
            )
            write_name(mods, Agent(parallel.value), **attrs)
        else:  # subjects, publisher, notes, ...: a pair of notes typed "parallel", labelled with the field
            label = {"displayLabel": parallel.field}
            twin = sub(mods, "note", parallel.romanised, type="parallel", **label) if parallel.romanised else None
            sub(mods, "note", parallel.value, type="parallel", **label, **attrs)
        if twin is not None and not twin.get("altRepGroup"):
            twin.set("altRepGroup", group)


def write_containers(mods: etree._Element, containers: list[Container]) -> None:
    """Containers as part/detail, @level the depth of the container in the ones it sits in."""
    if not containers:
        return
    part = sub(mods, "part")
    levels: dict[str, int] = {}
    for container in containers:
        level = levels.get(container.parent, 0) + 1 if container.parent else 1
        levels[container.value] = level
        detail = sub(part, "detail", type=container.type or "", level=str(level))
        sub(detail, "number", container.value)
        if container.label:
            sub(detail, "caption", container.label)
