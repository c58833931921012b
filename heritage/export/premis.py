"""One item as a METS document with its preservation metadata in PREMIS 3: the `mets-premis` export.

- `amdSec`: a PREMIS object per stored file (fixity, size, format with its PRONOM id, original name),
  a PREMIS event per recorded event (type from the LoC event-type vocabulary where it has one, date,
  detail, outcome, linked agents and objects) and a PREMIS agent per agent (a person, or software with
  its version);
- `fileSec`: the files with their SHA-256 and their path in the item's OCFL object;
- `structMap`: the item and its pages in order.
The event-type table is data: `heritage/preservation/data/premis_event_types.csv`.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

from lxml import etree
from sqlalchemy import select

from heritage import __version__
from heritage.export.source import ExportSource, exported_events
from heritage.models import File
from heritage.preservation.package import logical_paths

METS = "http://www.loc.gov/METS/"
PREMIS = "http://www.loc.gov/premis/v3"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
DC = "http://purl.org/dc/elements/1.1/"
EVENT_TYPES = Path(__file__).resolve().parents[1] / "preservation" / "data" / "premis_event_types.csv"
EVENT_AUTHORITY = "http://id.loc.gov/vocabulary/preservation/eventType"
SCHEMA_LOCATION = (
    f"{METS} http://www.loc.gov/standards/mets/mets.xsd {PREMIS} http://www.loc.gov/standards/premis/v3/premis.xsd"
)
_SOFTWARE = re.compile(r"^(?P<name>[\w.-]+) (?P<version>\d[\w.+-]*)$")
_VIA = re.compile(r"^(?P<person>.+?) via (?P<software>.+)$")


@cache
def event_types() -> dict[str, tuple[str, str | None]]:
    with EVENT_TYPES.open(encoding="utf-8", newline="") as fh:
        return {row["type"]: (row["label"], row["value_uri"] or None) for row in csv.DictReader(fh)}


def agents_of(text: str) -> list[tuple[str, str, str | None, str]]:
    """(name, type, version, role) of the agents an event's agent text names: software with its version,
    a person, or a person working through a program ("kim via heritage ingest")."""
    found = []
    via = _VIA.match(text)
    if via:
        found.append((via.group("person"), "person", None, "implementer"))
        text = via.group("software")
    software = _SOFTWARE.match(text)
    if software:
        found.append((software.group("name"), "software", software.group("version"), "executing program"))
    elif via:
        found.append((text, "software", __version__ if text.startswith("heritage") else None, "executing program"))
    else:
        found.append((text, "person", None, "implementer"))
    return found


def _sub(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _identifier(parent: etree._Element, kind: str, value: str) -> None:
    holder = _sub(parent, PREMIS, f"{kind}Identifier")
    _sub(holder, PREMIS, f"{kind}IdentifierType", "local")
    _sub(holder, PREMIS, f"{kind}IdentifierValue", value)


def _wrap(amd: etree._Element, section: str, xml_id: str, mdtype: str) -> etree._Element:
    holder = _sub(amd, METS, section, ID=xml_id)
    wrap = _sub(holder, METS, "mdWrap", MDTYPE="PREMIS:" + mdtype)
    return _sub(wrap, METS, "xmlData")


def _premis_object(parent: etree._Element, file: File) -> None:
    obj = _sub(parent, PREMIS, "object")
    obj.set(f"{{{XSI}}}type", "premis:file")
    _identifier(obj, "object", file.id)
    characteristics = _sub(obj, PREMIS, "objectCharacteristics")
    for algorithm, digest in (("SHA-256", file.sha256), ("MD5", file.md5)):
        fixity = _sub(characteristics, PREMIS, "fixity")
        _sub(fixity, PREMIS, "messageDigestAlgorithm", algorithm)
        _sub(fixity, PREMIS, "messageDigest", digest)
    _sub(characteristics, PREMIS, "size", str(file.size))
    fmt = _sub(characteristics, PREMIS, "format")
    designation = _sub(fmt, PREMIS, "formatDesignation")
    _sub(designation, PREMIS, "formatName", file.format_name or file.mime or "unknown")
    if file.puid:
        registry = _sub(fmt, PREMIS, "formatRegistry")
        _sub(registry, PREMIS, "formatRegistryName", "PRONOM")
        _sub(registry, PREMIS, "formatRegistryKey", file.puid)
    _sub(obj, PREMIS, "originalName", file.original_name)


def write_mets_premis(source: ExportSource, out: BinaryIO) -> int:
    """Write the METS document of `source.root` with every event since ingest as PREMIS 3."""
    item = source.root
    if item is None:
        raise ValueError("mets-premis exports one item")
    session = source.session
    every_file = list(session.scalars(select(File).where(File.item_id == item.id).order_by(File.sequence, File.id)))
    files = [f for f in every_file if not f.staff_only]  # condition photographs are staff records, not the object's
    events = exported_events(session, item.id)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    root = etree.Element(
        f"{{{METS}}}mets",
        nsmap={"mets": METS, "premis": PREMIS, "xlink": XLINK, "xsi": XSI, "dc": DC},
        OBJID=item.id,
        LABEL=item.title[:500],
        TYPE=item.level,
    )
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    header = _sub(root, METS, "metsHdr", CREATEDATE=now)
    creator = _sub(header, METS, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _sub(creator, METS, "name", f"heritage {__version__}")
    dmd = _sub(root, METS, "dmdSec", ID="dmd-1")
    dc = _sub(_sub(dmd, METS, "mdWrap", MDTYPE="DC"), METS, "xmlData")
    _sub(dc, DC, "identifier", item.id)
    _sub(dc, DC, "title", item.title)
    if item.date_text:
        _sub(dc, DC, "date", item.date_text)
    amd = _sub(root, METS, "amdSec", ID="amd-1")
    paths = logical_paths(files)
    stored = {}
    for file in files:
        if file.sha256 in stored:
            continue
        stored[file.sha256] = file
        _premis_object(_wrap(amd, "techMD", f"obj-{file.id}", "OBJECT"), file)
    agents: dict[tuple[str, str], str] = {}
    labels = event_types()
    for event in events:
        xml = _wrap(amd, "digiprovMD", f"event-{event.id}", "EVENT")
        premis_event = _sub(xml, PREMIS, "event")
        _identifier(premis_event, "event", f"event-{event.id}")
        label, value_uri = labels.get(event.type, (event.type.replace("_", " "), None))
        _sub(
            premis_event,
            PREMIS,
            "eventType",
            label,
            authority="eventType" if value_uri else None,
            authorityURI=EVENT_AUTHORITY if value_uri else None,
            valueURI=value_uri,
        )
        _sub(premis_event, PREMIS, "eventDateTime", event.at.isoformat())
        if event.detail:
            _sub(_sub(premis_event, PREMIS, "eventDetailInformation"), PREMIS, "eventDetail", event.detail)
        outcome = _sub(premis_event, PREMIS, "eventOutcomeInformation")
        _sub(outcome, PREMIS, "eventOutcome", event.outcome)
        for name, kind, version, role in agents_of(event.agent):
            key = (name, version or "")
            if key not in agents:
                agents[key] = f"agent-{len(agents) + 1}"
                agent_xml = _sub(_wrap(amd, "digiprovMD", agents[key], "AGENT"), PREMIS, "agent")
                _identifier(agent_xml, "agent", agents[key])
                _sub(agent_xml, PREMIS, "agentName", name)
                _sub(agent_xml, PREMIS, "agentType", kind)
                if version:
                    _sub(agent_xml, PREMIS, "agentVersion", version)
            link = _sub(premis_event, PREMIS, "linkingAgentIdentifier")
            _sub(link, PREMIS, "linkingAgentIdentifierType", "local")
            _sub(link, PREMIS, "linkingAgentIdentifierValue", agents[key])
            _sub(link, PREMIS, "linkingAgentRole", role)
        if event.file_id:
            link = _sub(premis_event, PREMIS, "linkingObjectIdentifier")
            _sub(link, PREMIS, "linkingObjectIdentifierType", "local")
            _sub(link, PREMIS, "linkingObjectIdentifierValue", event.file_id)
    # the agents' digiprovMD follow the events' in document order; METS allows any order of digiprovMD
    file_sec = _sub(root, METS, "fileSec")
    groups: dict[str, etree._Element] = {}
    for file in stored.values():
        if file.role not in groups:
            groups[file.role] = _sub(file_sec, METS, "fileGrp", USE=file.role)
        group = groups[file.role]
        entry = _sub(
            group,
            METS,
            "file",
            ID=f"file-{file.id}",
            MIMETYPE=file.mime or "application/octet-stream",
            SIZE=str(file.size),
            CHECKSUM=file.sha256,
            CHECKSUMTYPE="SHA-256",
            ADMID=f"obj-{file.id}",
        )
        location = _sub(entry, METS, "FLocat", LOCTYPE="OTHER", OTHERLOCTYPE="OCFL logical path")
        location.set(f"{{{XLINK}}}href", paths[file.sha256])
    struct = _sub(root, METS, "structMap", TYPE="physical")
    top = _sub(struct, METS, "div", TYPE=item.level, LABEL=item.title[:500], DMDID="dmd-1", ADMID="amd-1")
    for order, file in enumerate(files, start=1):
        page = _sub(top, METS, "div", TYPE="page", ORDER=str(order), LABEL=file.label or file.original_name)
        _sub(page, METS, "fptr", FILEID=f"file-{stored[file.sha256].id}")
    out.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    source.progress(1)
    return 1
