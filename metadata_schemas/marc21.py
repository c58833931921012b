"""MARC 21 records as plain fields, and their crosswalk to the core record (`crosswalks/marc21.csv`).

MARCXML and binary MARC (ISO 2709) both read into `MarcRecord`, so one crosswalk serves both.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from metadata_schemas.authorities import authority, scheme_of
from metadata_schemas.core import Agent, CoreRecord, DateRange, Term
from metadata_schemas.dates import parse_date
from metadata_schemas.tables import level_for, marc_types, value_for
from metadata_schemas.xmlsafe import clean

TABLE = Path(__file__).parent / "crosswalks" / "marc21.csv"
LEADER = re.compile(r"^[\d ]{5}[\dA-Za-z ][\dA-Za-z][\dA-Za-z ]{3}[2 ][2 ][\d ]{5}[\dA-Za-z ]{3}(4500|    )$")
_TRAILING = " /:;,.="
_SUBDIVISIONS = set("vxyz")
_SCHEME_BY_IND2 = {"0": "lcsh", "1": "lcshac", "2": "mesh", "3": "nal", "5": "cash", "6": "rvm"}
_IND2_BY_SCHEME = {v: k for k, v in _SCHEME_BY_IND2.items()}


@dataclass
class DataField:
    tag: str
    ind1: str = " "
    ind2: str = " "
    subfields: list[tuple[str, str]] = field(default_factory=list)

    def get(self, code: str) -> list[str]:
        return [v for c, v in self.subfields if c == code]


@dataclass
class MarcRecord:
    leader: str = ""
    control: list[tuple[str, str]] = field(default_factory=list)
    fields: list[DataField] = field(default_factory=list)
    _by_tag: dict[str, list[tuple[int, DataField]]] | None = field(default=None, repr=False, compare=False)

    def controlfield(self, tag: str) -> str | None:
        return next((v for t, v in self.control if t == tag), None)

    def datafields(self, tags: Sequence[str]) -> list[DataField]:
        """The fields with these tags, in record order."""
        if self._by_tag is None:
            self._by_tag = {}
            for number, f in enumerate(self.fields):
                self._by_tag.setdefault(f.tag, []).append((number, f))
        found = [pair for tag in tags for pair in self._by_tag.get(tag, ())]
        if len(tags) > 1:
            found.sort(key=lambda pair: pair[0])
        return [f for _, f in found]


@dataclass(frozen=True)
class Mapping:
    core: str
    tags: tuple[str, ...]
    subfields: str
    role: str | None


@cache
def mappings() -> tuple[Mapping, ...]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return tuple(
            Mapping(r["core"], tuple(r["tags"].split("|")), r["subfields"], r["role"] or None)
            for r in csv.DictReader(fh)
        )


def strip_isbd(text: str) -> str:
    return clean(text).rstrip(_TRAILING).strip()


def _joined(f: DataField, codes: str, heading: bool = False) -> str:
    parts: list[str] = []
    for code, value in f.subfields:
        if code not in codes or not clean(value):
            continue
        if heading and code in _SUBDIVISIONS and parts:
            parts.append("-- " + strip_isbd(value))
        else:
            parts.append(strip_isbd(value) if heading else clean(value))
    return strip_isbd(" ".join(parts))


def _id(f: DataField, source: str | None = None) -> tuple[str | None, str | None]:
    for code in ("1", "0"):
        for value in f.get(code):
            uri, scheme = authority(value, source)
            if uri:
                return uri, scheme
    return None, None


def _fixed_date(record: MarcRecord) -> DateRange | None:
    f008 = record.controlfield("008") or ""
    if len(f008) < 15:
        return None
    kind, one, two = f008[6], f008[7:11].strip(), f008[11:15].strip()
    if not one.isdigit():
        return None
    if kind in "cdikmq" and two and two != one:
        text = f"{one}-" if two == "9999" else f"{one}-{two}"
        if two.isdigit() or two == "9999":
            return parse_date(text)
    return parse_date(one)


def to_core(record: MarcRecord) -> tuple[CoreRecord, list[str], dict[str, str]]:
    """(core record, file references, extra fields) of one MARC record."""
    core = CoreRecord(title="")
    links: list[str] = []
    files: list[str] = []
    fields: dict[str, str] = {}
    for m in mappings():
        if m.tags == ("LDR",):
            code = record.leader[int(m.subfields)] if len(record.leader) > int(m.subfields) else " "
            if m.core == "type":
                core.type = next((t for c, t in marc_types() if c == code), None)
            else:
                core.level = level_for("marc", code)
            continue
        if m.tags == ("008",):
            if not core.dates:
                date = _fixed_date(record)
                if date:
                    core.dates.append(date)
            continue
        if m.tags[0].startswith("00"):
            value = record.controlfield(m.tags[0])
            if value and clean(value):
                if m.core == "local_id" and core.local_id is None:
                    core.local_id = clean(value)
                elif m.core == "identifiers" and clean(value) not in core.identifiers:
                    core.identifiers.append(clean(value))
            continue
        for f in record.datafields(m.tags):
            _apply(core, m, f, files, links, fields)
    if not core.languages:
        f008 = record.controlfield("008") or ""
        code = f008[35:38].strip() if len(f008) >= 38 else ""
        if len(code) == 3 and code.isalpha() and code not in ("und", "zxx", "mul"):
            core.languages.append(code)
    if links:
        fields["links"] = " ".join(links)
    core.files = files
    return core, files, fields


def _apply(
    core: CoreRecord, m: Mapping, f: DataField, files: list[str], links: list[str], fields: dict[str, str]
) -> None:
    if m.core == "title":
        if core.title or (m.role == "authority" and core.type != "authority"):
            return
        text = _joined(f, "abnpks" if f.tag == "245" else m.subfields)
        core.title = strip_isbd(text)
    elif m.core == "agents":
        # One agent per field; a field of one repeatable subfield (264 $b) names one agent per value.
        names = [strip_isbd(v) for v in f.get(m.subfields)] if len(m.subfields) == 1 else [_joined(f, m.subfields)]
        role = strip_isbd((f.get("e") or f.get("4") or [m.role or ""])[0]) or None
        uri, scheme = _id(f)
        for name in names:
            if name and all((a.name, a.role) != (name, role) for a in core.agents):
                core.agents.append(Agent(name, role, uri))
    elif m.core == "dates":
        for code, value in f.subfields:
            if code in m.subfields and strip_isbd(value):
                text = strip_isbd(value)
                if all(d.text != text for d in core.dates):
                    core.dates.append(parse_date(text))
    elif m.core in ("subjects", "places", "genres"):
        label = _joined(f, m.subfields, heading=True)
        if not label:
            return
        source = (f.get("2") or [None])[0] or _SCHEME_BY_IND2.get(f.ind2)
        uri, scheme = _id(f, source)
        scheme = scheme or scheme_of(uri) or source
        terms: list[Term] = getattr(core, m.core)
        if all(t.label != label for t in terms):
            terms.append(Term(label, uri, scheme))
    elif m.core == "identifiers":
        for value in f.get("a"):
            if clean(value) and clean(value) not in core.identifiers:
                core.identifiers.append(clean(value))
    elif m.core == "extent":
        text = _joined(f, m.subfields)
        if text:
            core.extent = f"{core.extent}; {text}" if core.extent else text
    elif m.core == "description":
        text = _joined(f, m.subfields)
        if text:
            core.description = f"{core.description}\n\n{text}" if core.description else text
    elif m.core == "languages":
        for value in f.get("a"):
            for code in re.findall(r"[a-z]{3}", value.lower()):
                if code not in core.languages:
                    core.languages.append(code)
    elif m.core == "files":
        for value in f.get("u"):
            value = clean(value)
            (links if re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I) else files).append(value)
    elif m.core == "parent":
        if core.parent is None and f.get("w"):
            core.parent = clean(f.get("w")[0])
    elif m.core.startswith("fields."):
        text = _joined(f, m.subfields)
        if text:
            fields.setdefault(m.core.split(".", 1)[1], text)
    elif m.core == "rights":
        text = _joined(f, m.subfields)
        if text and core.rights is None:
            core.rights = text


# --- writing ---------------------------------------------------------------------------------------


def _leader(core: CoreRecord) -> str:
    type_code = next((c for c, t in marc_types() if t == core.type), "a")
    level = value_for("marc", core.level) or ("c" if core.level in ("fonds", "collection") else " ")
    return f"     n{type_code}{level} a22     4i 4500"


def _f008(core: CoreRecord) -> str:
    start, end = core.date_span if core.dates else (None, None)
    if start is not None and 0 <= start <= 9999:
        if end is not None and end != start and 0 <= end <= 9999:
            kind, one, two = "i", f"{start:04d}", f"{end:04d}"
        else:
            kind, one, two = "s", f"{start:04d}", "    "
    else:
        kind, one, two = "n", "uuuu", "uuuu"
    lang = next((c for c in core.languages if len(c) == 3 and c.isalpha()), "und")
    return f"000000{kind}{one}{two}xx {' ' * 17}{lang} d"


def from_core(core: CoreRecord) -> MarcRecord:
    """A MARC record that reads back (through `to_core`) as the same core record."""
    record = MarcRecord(leader=_leader(core))
    if core.local_id:
        record.control.append(("001", core.local_id))
    record.control.append(("008", _f008(core)))
    for ident in core.identifiers:
        if ident != core.local_id:
            record.fields.append(DataField("024", "8", " ", [("a", ident)]))
    if core.languages:
        record.fields.append(DataField("041", " ", " ", [("a", code) for code in core.languages]))
    agents = list(core.agents)
    main = next((a for a in agents if a.role == "creator"), None)
    if main is not None:
        record.fields.append(DataField("100", "1", " ", _agent_subfields(main)))
    publishers = [a for a in agents if a.role == "publisher"]
    added = [a for a in agents if a is not main and a.role != "publisher"]
    t245 = DataField("245", "1" if main else "0", "0", [("a", core.title)] if core.title else [])
    t245.subfields += [("f", d.text) for d in core.dates[1:]]
    if t245.subfields:
        record.fields.append(t245)
    if publishers or core.dates:
        f264 = DataField("264", " ", "1", [("b", a.name) for a in publishers])
        if core.dates:
            f264.subfields.append(("c", core.dates[0].text))
        record.fields.append(f264)
    if core.extent:
        record.fields.append(DataField("300", " ", " ", [("a", core.extent)]))
    for paragraph in (core.description or "").split("\n\n"):
        if paragraph.strip():
            record.fields.append(DataField("520", " ", " ", [("a", paragraph.strip())]))
    if core.rights:
        record.fields.append(DataField("540", " ", " ", [("a", core.rights)]))
    for tag, terms in (("650", core.subjects), ("651", core.places), ("655", core.genres)):
        for term in terms:
            ind2 = _IND2_BY_SCHEME.get(term.scheme or "", "7" if term.scheme else "4")
            subs = [("a", term.label)]
            if ind2 == "7":
                subs.append(("2", term.scheme or ""))
            if term.id:
                subs.append(("0", term.id))
            record.fields.append(DataField(tag, " ", ind2, subs))
    for agent in added:
        record.fields.append(DataField("700", "1", " ", _agent_subfields(agent)))
    if core.parent:
        record.fields.append(DataField("773", "0", " ", [("w", core.parent)]))
    for ref in core.files:
        record.fields.append(DataField("856", "4", "0", [("u", ref)]))
    return record


def _agent_subfields(agent: Agent) -> list[tuple[str, str]]:
    subs = [("a", agent.name)]
    if agent.role:
        subs.append(("e", agent.role))
    if agent.id:
        subs.append(("0", agent.id))
    return subs
