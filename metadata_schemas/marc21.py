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
from metadata_schemas.core import Agent, CoreRecord, DateRange, Event, Measurement, Note, Parallel, Part, Term
from metadata_schemas.dates import date_problem, parse_date
from metadata_schemas.tables import language_tag, level_for, marc_types, value_for
from metadata_schemas.xmlsafe import clean

TABLE = Path(__file__).parent / "crosswalks" / "marc21.csv"
LEADER = re.compile(r"^[\d ]{5}[\dA-Za-z ][\dA-Za-z][\dA-Za-z ]{3}[2 ][2 ][\d ]{5}[\dA-Za-z ]{3}(4500|    )$")
_TRAILING = " /:;,.="
_SUBDIVISIONS = set("vxyz")
_SCHEME_BY_IND2 = {"0": "lcsh", "1": "lcshac", "2": "mesh", "3": "nal", "5": "cash", "6": "rvm"}
_IND2_BY_SCHEME = {v: k for k, v in _SCHEME_BY_IND2.items()}
# 264 second indicator: the function of the statement (MARC 21 Bibliographic 264)
_FUNCTIONS = {"0": "production", "1": "publication", "2": "distribution", "3": "manufacture", "4": "copyright"}


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


_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:[A-Z]|Inc|Co|Corp|Ltd|Bros|Jr|Sr|St|Dr|Mme|Mr|Mrs|ed|eds|etc|ca|cm|mm|p|pp|v|vol|no|Aufl|Bl|Bd|Nr|Jg|Hrsg|Ill|n\.d|s\.d|o\.J)\.$"
)


def strip_isbd(text: str) -> str:
    """A value without the ISBD punctuation that ends it, keeping the full stop of an abbreviation or
    an initial ("Clancy, J. R.", "Co.", "19 cm."), as the LoC MARC to MODS stylesheet does."""
    text = clean(text).rstrip(_TRAILING.replace(".", "")).strip()
    while text.endswith(".") and not _ABBREVIATION.search(text):
        text = text[:-1].rstrip(_TRAILING.replace(".", "")).strip()
    return text


def _joined(f: DataField, codes: str, heading: bool = False) -> str:
    parts: list[str] = []
    for code, value in f.subfields:
        if code not in codes or not clean(value):
            continue
        if heading and code in _SUBDIVISIONS and parts:
            parts.append("-- " + strip_isbd(value))
        else:
            parts.append(strip_isbd(value) if heading else clean(value))
    if f.tag.startswith("5") or f.tag == "351":  # a note is prose: its closing punctuation is part of the text
        return clean(" ".join(parts))
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
            elif m.core == "issuance":
                core.issuance = next((t for c, t in leader_values("7") if c == code), None)
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
        if m.core == "parallels":
            core.parallels = [p for f in record.datafields(m.tags) if (p := _parallel(record, f, core)) is not None]
            continue
        for f in record.datafields(m.tags):
            _apply(core, m, f, files, links, fields)
    if not core.languages:
        f008 = record.controlfield("008") or ""
        code = f008[35:38].strip() if len(f008) >= 38 else ""
        if len(code) == 3 and code.isalpha() and code not in ("und", "zxx", "mul"):
            core.languages.append(code)
    _identify_event_names(core)
    if links:
        fields["links"] = " ".join(links)
        core.links = list(links)
    core.files = files
    return core, files, fields


def date_problems(record: MarcRecord) -> list[tuple[int, str]]:
    """(field number, why) for each doubtful date of 260/264 $c or 245 $f/$g (month 13, a range that ends
    before it begins): the date is kept as read, and the reader reports this as a warning."""
    out: list[tuple[int, str]] = []
    for number, f in enumerate(record.fields):
        if f.tag not in ("245", "260", "264"):
            continue
        for code, value in f.subfields:
            if code in ("fg" if f.tag == "245" else "c") and (problem := date_problem(strip_isbd(value))):
                out.append((number, f"field {f.tag} ${code}: {problem}"))
    return out


def _kind(f: DataField) -> str | None:
    """Whom a name field names, by its tag: x00 a person (ind1 3: a family), x10 a body, x11 a meeting."""
    if f.tag in ("100", "600", "700", "800"):
        return "family" if f.ind1 == "3" else "person"
    return {"10": "corporate", "11": "meeting"}.get(f.tag[1:]) if f.tag[0] in "1678" else None


def _date(f: DataField, code: str, text: str) -> DateRange:
    """A date of 260/264 $c (c2011 is a copyright year; a 264 date has its statement's function) or 245 $f/$g."""
    date = parse_date(text, copyright_c=f.tag in ("260", "264"))
    if f.tag == "264" and date.type is None:
        date.type = _FUNCTIONS.get(f.ind2, "publication")
    elif f.tag == "245":
        date.type = "bulk" if code == "g" else "inclusive"
    return date


def _identify_event_names(core: CoreRecord) -> None:
    """264 $a/$b name places and agents without ids: the added entry (1xx/7xx, 651) of the same name is
    the same one, so an event's name takes that entry's id, kind and relator."""
    for event in core.events:
        for agent in event.agents:
            entry = next((a for a in core.agents if a.name == agent.name and a.role != "publisher"), None)
            if entry is not None:
                agent.id, agent.kind, agent.role = entry.id, entry.kind, entry.role or agent.role
        for place in event.places:
            term = next((t for t in core.places if t.label == place.label and t.id), None)
            if term is not None and place.id is None:
                place.id, place.scheme = term.id, term.scheme


def _constituent(f: DataField) -> Part:
    """A 774 constituent unit entry as the part it names."""
    return Part(
        clean(" ".join(f.get("t"))),
        [Agent(clean(v)) for v in f.get("a") if clean(v)],
        [parse_date(clean(v)) for v in f.get("d") if clean(v)],
        clean(" ".join(f.get("g"))) or None,
        clean(" ".join(f.get("n"))) or None,
        [clean(v) for code, v in f.subfields if code in "owxz" and clean(v)],
    )


def _part_field(part: Part) -> DataField:
    """740 for a title alone, else 774 with the part's names, dates, place in the item, note and ids."""
    if not (part.agents or part.dates or part.extent or part.note or part.identifiers):
        return DataField("740", "0", "2", [("a", part.title)])
    subs = [("a", a.name) for a in part.agents] + [("t", part.title)] + [("d", d.text) for d in part.dates]
    subs += [("g", part.extent)] if part.extent else []
    subs += [("n", part.note)] if part.note else []
    return DataField("774", "0", " ", subs + [("o", i) for i in part.identifiers])


def _event_note(core: CoreRecord, f: DataField) -> None:
    """518 with $o (the kind), $d (date) or $p (place): an event of a kind 264 has no function for."""
    if not (f.get("o") or f.get("d") or f.get("p")):
        return  # a plain 518 $a is a note (typed_notes.event)
    kind = strip_isbd((f.get("o") or ["event"])[0])
    texts = [strip_isbd(v) for v in f.get("d") if strip_isbd(v)]
    date = parse_date(texts[0]) if texts else None
    if date is not None:
        date.type = date.type or kind
        if all(d.text != date.text for d in core.dates):
            core.dates.append(date)
    places = [Term(strip_isbd(v)) for v in f.get("p") if strip_isbd(v)]
    core.events.append(Event(kind, date, places, note=(f.get("a") or [None])[0]))


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
        relator = [] if f.tag in ("260", "264") else f.get("e") or f.get("4")  # 260 $e is a place
        role = strip_isbd((relator or [m.role or ""])[0]) or None
        uri, scheme = _id(f)
        for name in names:
            if name and all((a.name, a.role) != (name, role) for a in core.agents):
                core.agents.append(Agent(name, role, uri, _kind(f)))
    elif m.core == "events":
        if f.tag == "518":
            _event_note(core, f)
        elif f.get("a") or f.get("b"):  # a bare date stays a date: the event says where and by whom
            dates = [strip_isbd(v) for v in f.get("c") if strip_isbd(v)]
            core.events.append(
                Event(
                    "publication" if f.tag == "260" else _FUNCTIONS.get(f.ind2, "publication"),
                    _date(f, "c", dates[0]) if dates else None,
                    [Term(strip_isbd(v)) for v in f.get("a") if strip_isbd(v)],
                    [Agent(strip_isbd(v), "publisher") for v in f.get("b") if strip_isbd(v)],
                )
            )
    elif m.core == "type":  # 336 without $2: the source's own type, over leader/06
        text = _joined(f, m.subfields)
        if text and not f.get("2"):
            core.type = text
    elif m.core == "level":  # 351 $c: a level leader/07 has no code for
        text = _joined(f, m.subfields)
        if text:
            core.level = text
    elif m.core in ("materials", "techniques"):
        uri, scheme = _id(f, (f.get("2") or [None])[0])
        found: list[Term] = getattr(core, m.core)
        for value in map(clean, f.get(m.subfields)):  # a term as the source writes it (340 is no ISBD area)
            if value and all(t.label != value for t in found):
                found.append(Term(value, uri, scheme or scheme_of(uri)))
    elif m.core == "measurements" and f.get("b"):
        first, *rest = map(clean, f.get("b"))
        value, _, unit = first.partition(" ")
        core.measurements.append(Measurement(None, value, unit or None, rest[0] if rest else None))
    elif m.core == "dates":
        for code, value in f.subfields:
            if code in m.subfields and strip_isbd(value):
                text = strip_isbd(value)
                if all(d.text != text for d in core.dates):
                    core.dates.append(_date(f, code, text))
    elif m.core in ("subjects", "places", "genres"):
        label = _joined(f, m.subfields, heading=True)
        if not label:
            return
        source = (f.get("2") or [None])[0] or _SCHEME_BY_IND2.get(f.ind2)
        uri, scheme = _id(f, source)
        scheme = scheme or scheme_of(uri) or source
        terms: list[Term] = getattr(core, m.core)
        if all(t.label != label for t in terms):
            terms.append(Term(label, uri, scheme, m.role))
    elif m.core == "classification":
        label = _joined(f, m.subfields)
        scheme = m.role or (f.get("2") or [None])[0]
        if label and all((t.label, t.scheme) != (label, scheme) for t in core.subjects):
            core.subjects.append(Term(label, None, scheme, "classification"))
    elif m.core.startswith("typed_notes."):
        text = _joined(f, m.subfields)
        if text:
            core.typed_notes.append(Note(m.core.split(".", 1)[1], text))
    elif m.core == "titles":
        text = _joined(f, m.subfields)
        lang = language_tag((f.get("y") or [""])[0]) or "und"
        if text:
            core.titles.setdefault(lang, text)
    elif m.core == "parts" and f.tag == "774":
        core.parts.append(_constituent(f))
    elif m.core == "parts":
        text = _joined(f, m.subfields)
        if text and all(p.title != text for p in core.parts):
            core.parts.append(Part(text))
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
            value = clean(value)
            # codes, run together in older records (engfre); a language another standard names in words stays
            codes = re.findall(r"[a-z]{3}", value.lower()) if re.fullmatch(r"(?:[a-z]{3})+", value.lower()) else [value]
            for code in codes:
                if code and code not in core.languages:
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


# --- alternate scripts (880) -----------------------------------------------------------------------


def _field_mapping(tag: str, core: CoreRecord | None = None) -> Mapping | None:
    """The first mapping that reads this tag: it names the core field an 880 linked to the tag belongs with."""
    for m in mappings():
        if tag in m.tags and m.tags != ("LDR",) and m.core != "parallels":
            if m.role == "authority" and (core is None or core.type != "authority"):
                continue
            return m
    return None


def _field_name(m: Mapping) -> str:
    if m.core.startswith("typed_notes."):
        return "notes"
    if m.core == "agents" and m.role == "publisher":
        return "publisher"
    return "subjects" if m.core == "classification" else m.core


def _romanised(f: DataField, m: Mapping) -> str | None:
    """The value a field gives its core field, as the linked 880's romanised form."""
    heading = m.core in ("subjects", "places", "genres")
    return _joined(f, "abnpks" if f.tag == "245" else m.subfields, heading=heading) or None


def _parallel(record: MarcRecord, f: DataField, core: CoreRecord) -> Parallel | None:
    link = next((clean(v).strip("\u200e\u200f ") for v in f.get("6")), "")
    value = strip_isbd(" ".join(clean(v) for c, v in f.subfields if c.isalpha() and clean(v)))
    match = re.match(r"^(\d{3})-(\d{2})(?:/([^/]*))?", link)
    if not value or not match:
        return None
    tag, occurrence, code = match.group(1), match.group(2), match.group(3) or ""
    m = _field_mapping(tag, core)
    romanised = None
    if m is not None and occurrence != "00":
        linked = next(
            (x for x in record.datafields([tag]) if any(v.startswith(f"880-{occurrence}") for v in x.get("6"))), None
        )
        romanised = _romanised(linked, m) if linked is not None else None
    script = dict(scripts()).get(code)
    if script == "Hani" and re.search("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]", value):
        script = "Hang"
    return Parallel(_field_name(m) if m else tag, value, script, None, romanised)


@cache
def scripts() -> tuple[tuple[str, str], ...]:
    """(880 $6 script code, ISO 15924 script) from crosswalks/marc21_scripts.csv."""
    with (TABLE.parent / "marc21_scripts.csv").open(encoding="utf-8", newline="") as fh:
        return tuple((r["code"], r["script"]) for r in csv.DictReader(fh))


@cache
def leader_values(position: str) -> tuple[tuple[str, str], ...]:
    """(code, value) of one leader position from crosswalks/marc21_leader.csv."""
    with (TABLE.parent / "marc21_leader.csv").open(encoding="utf-8", newline="") as fh:
        return tuple((r["code"], r["type"]) for r in csv.DictReader(fh) if r["position"] == position)


# --- writing ---------------------------------------------------------------------------------------


def _leader(core: CoreRecord) -> str:
    type_code = next((c for c, t in marc_types() if t == core.type), "a")
    return f"     n{type_code}{_bibliographic_level(core)} a22     4i 4500"


def _bibliographic_level(core: CoreRecord) -> str:
    """Leader/07: a collection or subunit by its level; otherwise by its issuance (m, s, i), a part of a host
    (773) as a component part (a, b)."""
    by_level = value_for("marc", core.level)
    if by_level in ("c", "d"):
        return by_level
    if core.level in ("fonds", "subfonds", "collection"):
        return "c"
    code = next((c for c, t in leader_values("7") if t == core.issuance), None) or by_level
    if code is None:
        return " "
    if core.parent or any(n.type == "host" for n in core.typed_notes):
        return {"m": "a", "s": "b"}.get(code, code)
    return code


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


_ISBN = re.compile(r"^(?:\d[\d -]{8,15}[\dXx])(?=$|[\s(:;])")
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx](?=$|[\s(:;])")
_AGENT_TAGS = {"person": "00", "family": "00", "corporate": "10", "meeting": "11"}
_AGENT_IND1 = {"person": "1", "family": "3", "corporate": "2", "meeting": "2"}
_MAIN_ROLES = {"creator", "author", "aut", "cre", "composer", "cmp", "artist", "art", "photographer", "pht"}


def identifier_type(ident: str) -> str:
    """The kind of a bare identifier by its form: isbn, issn, system (a prefixed system number such as
    `(OCoLC)123`) or other; MARC writes each to its own field, MODS as identifier@type."""
    if ident.startswith("(") or re.match(r"^(?:ocm|ocn|on\d)", ident):  # (OCoLC)123, ocm12345678
        return "system"
    if _ISSN.match(ident):
        return "issn"
    if _ISBN.match(ident) and len(re.sub(r"[^\dXx]", "", ident.split("(")[0])) in (10, 13):
        return "isbn"
    return "other"


_IDENTIFIER_TAGS = {"system": ("035", " "), "issn": ("022", " "), "isbn": ("020", " "), "other": ("024", "8")}


@cache
def _tags_of(core_field: str) -> tuple[str, ...]:
    """The tags a core field (`typed_notes.series`, a subject kind) is read from; the first is written."""
    return tuple(t for m in mappings() if m.core == core_field for t in m.tags)


@cache
def _marc_languages() -> dict[str, str]:
    """BCP 47 tag -> MARC (ISO 639-2/B) language code, from crosswalks/languages.csv (`nl` -> `dut`)."""
    with (TABLE.parent / "languages.csv").open(encoding="utf-8", newline="") as fh:
        return {r["bcp47"].lower(): r["iso639_2b"] for r in csv.DictReader(fh)}


@cache
def _note_aliases() -> dict[str, str]:
    """Note types other standards use -> the MARC tag (crosswalks/marc21_note_tags.csv, for writing)."""
    with (TABLE.parent / "marc21_note_tags.csv").open(encoding="utf-8", newline="") as fh:
        return {r["type"]: r["tag"] for r in csv.DictReader(fh)}


def _note_tag(kind: str) -> str:
    tags = _tags_of(f"typed_notes.{kind}")
    return tags[0] if tags else _note_aliases().get(kind.lower(), "500")


@cache
def _subject_tag(kind: str | None) -> str:
    return next((m.tags[0] for m in mappings() if m.core == "subjects" and m.role == kind and kind), "650")


def from_core(core: CoreRecord) -> MarcRecord:
    """A MARC record that reads back (through `to_core`) as the same core record."""
    record = MarcRecord(leader=_leader(core))
    if core.local_id:
        record.control.append(("001", core.local_id))
    record.control.append(("008", _f008(core)))
    for ident in core.identifiers:
        if ident != core.local_id:
            tag, ind1 = _IDENTIFIER_TAGS[identifier_type(ident)]
            record.fields.append(DataField(tag, ind1, " ", [("a", ident)]))
    if core.languages:
        record.fields.append(DataField("041", " ", " ", [("a", code) for code in core.languages]))
    agents = list(core.agents)
    first = agents[0] if agents else None
    main = first if first is not None and (first.role or "creator").lower() in _MAIN_ROLES else None
    if main is not None:
        record.fields.append(_agent_field("1", main))
    publishers = [a for a in agents if a.role == "publisher"]
    added = [a for a in agents if a is not main and a.role != "publisher"]
    title = DataField("245", "1" if main else "0", "0", [("a", core.title)] if core.title else [])
    for lang, text in core.titles.items():  # the title in each language, with its MARC language code
        code = _marc_languages().get(lang.lower(), lang)
        record.fields.append(DataField("242", "0", "0", [("a", text), ("y", code)]))
    record.fields += _imprints(core, title, publishers)
    if title.subfields:
        record.fields.append(title)
    if core.type and all(t != core.type for _c, t in marc_types()):
        record.fields.append(DataField("336", " ", " ", [("a", core.type)]))
    if core.level and level_for("marc", record.leader[7]) != core.level:
        record.fields.append(DataField("351", " ", " ", [("c", core.level)]))
    if core.extent:
        record.fields.append(DataField("300", " ", " ", [("a", core.extent)]))
    for size in core.measurements:  # 340 $b: value and unit, then the display text
        subs = [("b", f"{size.value} {size.unit}" if size.unit else size.value)]
        record.fields.append(DataField("340", " ", " ", subs + ([("b", size.text)] if size.text else [])))
    for code, terms in (("a", core.materials), ("d", core.techniques)):
        record.fields += [_term_subfields(DataField("340", " ", " ", [(code, t.label)]), t) for t in terms]
    paragraphs = [p.strip() for p in (core.description or "").split("\n\n") if p.strip()]
    record.fields += [DataField("520", " ", " ", [("a", paragraph)]) for paragraph in paragraphs]
    if core.rights:
        record.fields.append(DataField("540", " ", " ", [("a", core.rights)]))
    traced = any(n.type == "series_added_entry" for n in core.typed_notes)
    for note in core.typed_notes:
        tag = _note_tag(note.type)
        if tag == "240" and main is None:  # a uniform title without a name main entry is a 130
            tag = "130"
        if (tag, note.text) in (("520", p) for p in paragraphs) or (tag, note.text) == ("540", core.rights):
            continue
        ind1 = {"490": "1" if traced else "0", "505": "0", "246": "1", "240": "1", "130": "0"}.get(tag, " ")
        record.fields.append(DataField(tag, ind1, " ", [("t" if tag == "773" else "a", note.text)]))
    for text in core.notes.values():  # a cataloguer's note (the record page's notes.nl / notes.en)
        record.fields.append(DataField("500", " ", " ", [("a", text)]))
    for term in core.subjects:
        record.fields.append(_term_field(_subject_tag(term.kind), term))
    for tag, terms in (("651", core.places), ("655", core.genres)):
        record.fields += [_term_field(tag, term) for term in terms]
    for agent in added:
        record.fields.append(_agent_field("7", agent))
    record.fields += [_part_field(part) for part in core.parts]
    if core.parent:
        record.fields.append(DataField("773", "0", " ", [("w", core.parent)]))
    for ref in [*core.files, *core.links]:
        record.fields.append(DataField("856", "4", "0", [("u", ref)]))
    _link_parallels(record, core)
    return record


def _imprints(core: CoreRecord, title: DataField, publishers: list[Agent]) -> list[DataField]:
    """260/264 of the core's events, then its other dates: 260 (264 for a typed one), 245 $f, $g (bulk)."""
    out: list[DataField] = []
    pending = list(core.dates)
    named: set[str] = set()
    for event in core.events:
        ind2 = next((i for i, f in _FUNCTIONS.items() if f == event.type.lower()), None)
        date = event.date
        if ind2 is None:  # acquisition, use, collecting: 518 (date/time and place of an event)
            subs = [("o", event.type)] + ([("d", date.text)] if date else []) + [("p", p.label) for p in event.places]
            out.append(DataField("518", " ", " ", subs + ([("a", event.note)] if event.note else [])))
            pending = [d for d in pending if date is None or (d.text, d.type) != (date.text, date.type)]
            continue
        subs = [("a", p.label) for p in event.places] + [("b", a.name) for a in event.agents]
        if date is not None:
            subs.append(("c", date.text))
            taken = next((d for d in pending if (d.text, d.type) == (date.text, date.type)), None)
            if taken is not None:
                pending.remove(taken)
        named.update(a.name for a in event.agents)
        use_264 = event.type.lower() != "publication" or (date is not None and date.type == "publication")
        out.append(DataField("264" if use_264 else "260", " ", ind2 if use_264 else " ", subs))
    imprint = DataField("260", " ", " ", [("b", a.name) for a in publishers if a.name not in named])
    for date in pending:
        ind2 = next((i for i, f in _FUNCTIONS.items() if f == date.type), None)
        if ind2 is not None:
            out.append(DataField("264", " ", ind2, [("c", date.text)]))
        elif date.type in ("inclusive", "bulk"):  # archival dates: 245 $f, $g (LoC EAD to MARC)
            title.subfields.append(("f" if date.type == "inclusive" else "g", date.text))
        else:
            imprint.subfields.append(("c", date.text))
    return out + ([imprint] if imprint.subfields else [])


def _term_subfields(f: DataField, term: Term) -> DataField:
    """`f` with the term's authority id ($0) and vocabulary ($2)."""
    f.subfields += [("0", term.id)] if term.id else []
    f.subfields += [("2", term.scheme)] if term.scheme else []
    return f


def _term_field(tag: str, term: Term) -> DataField:
    if term.kind == "classification":
        tag = {"lcc": "050", "nlm": "060", "ddc": "082"}.get(term.scheme or "", "084")
        subs = [("a", term.label)] + ([("2", term.scheme)] if tag == "084" and term.scheme else [])
        return DataField(tag, " ", " ", subs)
    ind2 = _IND2_BY_SCHEME.get(term.scheme or "", "7" if term.scheme else "4")
    subs = [("a", term.label)]
    if ind2 == "7":
        subs.append(("2", term.scheme or ""))
    if term.id:
        subs.append(("0", term.id))
    return DataField(tag, " ", ind2, subs)


def _agent_field(prefix: str, agent: Agent) -> DataField:
    """1xx/7xx by the agent's kind (100 a person or family, 110 a body, 111 a meeting; 720 an unknown kind)."""
    if agent.kind is None and prefix == "7":
        return DataField("720", " ", " ", _agent_subfields(agent))
    suffix = _AGENT_TAGS.get(agent.kind or "person", "00")
    return DataField(prefix + suffix, _AGENT_IND1.get(agent.kind or "person", "1"), " ", _agent_subfields(agent))


def _agent_subfields(agent: Agent) -> list[tuple[str, str]]:
    subs = [("a", agent.name)]
    if agent.role:
        subs.append(("e", agent.role))
    if agent.id:
        subs.append(("0", agent.id))
    return subs


def _link_parallels(record: MarcRecord, core: CoreRecord) -> None:
    """880 fields for the alternate-script values, linked by $6 to the field of their romanised value."""
    codes: dict[str, str] = {}
    for code, script in scripts():
        codes.setdefault(script, code)
    codes.setdefault("Hang", codes.get("Hani", "$1"))
    for number, p in enumerate(core.parallels, start=1):
        occurrence = f"{number:02d}"
        linked = next((f for f in record.fields if _links_to(f, p, core)), None)
        if linked is not None:
            linked.subfields.insert(0, ("6", f"880-{occurrence}"))
            tag = linked.tag
        else:
            occurrence = "00"
            tag = p.field if p.field.isdigit() else next(iter(_family(p.field)), "500")
        script = codes.get(p.script or "", "")
        link = f"{tag}-{occurrence}" + (f"/{script}" if script else "") + ("/r" if p.script in ("Arab", "Hebr") else "")
        record.fields.append(DataField("880", " ", " ", [("6", link), ("a", p.value)]))


def _family(name: str) -> tuple[str, ...]:
    """The tags whose 880 belongs with a core field name of `Parallel.field`."""
    out: list[str] = []
    for m in mappings():
        if m.tags[0].isdigit() and m.core != "parallels" and m.role != "authority" and _field_name(m) == name:
            out += [t for t in m.tags if t not in out]
    return tuple(out)


def _links_to(f: DataField, p: Parallel, core: CoreRecord) -> bool:
    if p.romanised is None or f.tag not in _family(p.field) or f.get("6"):
        return False
    m = _field_mapping(f.tag, core)
    return m is not None and _romanised(f, m) == p.romanised
