"""Crosswalks as data: a CSV table of XPaths per standard says which source element fills which core field.

Columns of a table (`crosswalks/<standard>.csv`):

- `core`: the core field (`title`, `identifiers`, `agents`, `dates`, `extent`, `description`,
  `languages`, `subjects`, `places`, `genres`, `rights`, `type`, `level`, `taxon.<part>`, or
  `fields.<name>` for extra values such as an access note);
- `path`: XPath from the record element to the source nodes;
- `value`, `id`, `source`, `role`, `lang`, `normal`: XPaths relative to each node for the text, the
  authority id, the id's vocabulary code, the agent's role, the language tag (default `@xml:lang`),
  and a machine-readable date (ISO 8601 `1900/1950`);
- `type`, `label`, `parent` (optional): the kind of a note, container or date, its own label, and the
  id of the container it sits in (`typed_notes`, `containers`, `dates`);
- `note`: the mapping's authority (LoC, SAA, TDWG crosswalk) and remarks.

Rows are read in order; the first value of a single-valued field wins.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from metadata_schemas.authorities import authority
from metadata_schemas.core import Agent, Container, CoreRecord, Measurement, Note, Part, Taxon, Term
from metadata_schemas.dates import parse_date
from metadata_schemas.dc_extra import parse_coordinates
from metadata_schemas.tables import language_tag
from metadata_schemas.xmlsafe import text_of

FOLDER = Path(__file__).parent / "crosswalks"
LIST_FIELDS = {"identifiers", "languages"}
TERM_FIELDS = {"subjects", "places", "genres", "materials", "techniques"}  # terms with their authority ids


@dataclass(frozen=True)
class Row:
    core: str
    path: etree.XPath
    value: etree.XPath | None
    id: etree.XPath | None
    source: etree.XPath | None
    role: etree.XPath | None
    lang: etree.XPath | None
    normal: etree.XPath | None
    # Optional columns: the kind of a note, container or date (`local-name()`, `@type`), a note's or a
    # container's own label (`ead:head`, `@label`) and the id of the container it sits in (`@parent`).
    type: etree.XPath | None = None
    label: etree.XPath | None = None
    within: etree.XPath | None = None


def is_url(value: str) -> bool:
    """An absolute reference (http:, https:, urn:, file:, ...), as opposed to a path beside the source."""
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", value))


def _strings(result: Any) -> list[str]:
    if result is None:
        return []
    if isinstance(result, list):
        return [s for s in (text_of(r) if not isinstance(r, str) else text_of(str(r)) for r in result) if s]
    if isinstance(result, bool | float):
        return []
    text = text_of(str(result))
    return [text] if text else []


def _first(xpath: etree.XPath | None, node: Any) -> str | None:
    if xpath is None or isinstance(node, str):
        return None
    values = _strings(xpath(node))
    return values[0] if values else None


class Crosswalk:
    """One standard's table, compiled."""

    def __init__(self, name: str, namespaces: dict[str, str]) -> None:
        self.name = name
        self.table = FOLDER / f"{name}.csv"
        self.rows: list[Row] = []
        with self.table.open(encoding="utf-8", newline="") as fh:
            for raw in csv.DictReader(fh):

                def compile_(key: str, raw: dict[str, str] = raw) -> etree.XPath | None:
                    expr = (raw.get(key) or "").strip()
                    return etree.XPath(expr, namespaces=namespaces) if expr else None

                path = compile_("path")
                if path is None:
                    continue
                lang = compile_("lang") or etree.XPath("@xml:lang")
                self.rows.append(
                    Row(
                        raw["core"].strip(),
                        path,
                        compile_("value"),
                        compile_("id"),
                        compile_("source"),
                        compile_("role"),
                        lang,
                        compile_("normal"),
                        compile_("type"),
                        compile_("label"),
                        compile_("parent"),
                    )
                )

    def apply(self, element: etree._Element, core: CoreRecord | None = None) -> tuple[CoreRecord, dict[str, str]]:
        """The core record (and extra fields) the table reads from one record element."""
        core = core or CoreRecord(title="")
        fields: dict[str, str] = {}
        descriptions: list[tuple[str | None, str]] = []
        extents: list[str] = []
        for row in self.rows:
            nodes = row.path(element)
            if not isinstance(nodes, list):
                nodes = [nodes]
            for node in nodes:
                if row.value is not None and not isinstance(node, str):
                    values = _strings(row.value(node))
                    text = ("\n\n" if row.core.startswith("typed_notes") else " ").join(values)
                else:
                    text = text_of(node) if not isinstance(node, bool | float) else ""
                if not text:
                    continue
                self._put(core, row, node, text, fields, descriptions, extents)
        if descriptions and core.description is None:
            untagged = [t for lang, t in descriptions if not lang]
            first = descriptions[0][0]
            core.description = "\n\n".join(untagged or [t for lang, t in descriptions if lang == first])
            for lang in dict.fromkeys(lang for lang, _ in descriptions if lang):
                core.descriptions.setdefault(lang, "\n\n".join(t for tag, t in descriptions if tag == lang))
        if extents and core.extent is None:
            core.extent = "; ".join(extents)
        return core, fields

    def _put(
        self,
        core: CoreRecord,
        row: Row,
        node: Any,
        text: str,
        fields: dict[str, str],
        descriptions: list[tuple[str | None, str]],
        extents: list[str],
    ) -> None:
        field = row.core
        lang = language_tag(_first(row.lang, node))
        if lang in ("und", "zxx"):  # undetermined: not a language tag worth keeping
            lang = None
        if field == "title":
            if lang:
                core.titles.setdefault(lang, text)
            if not core.title:
                core.title = text
        elif field == "description":
            descriptions.append((lang, text))
        elif field in LIST_FIELDS:
            values: list[str] = getattr(core, field)
            if text not in values:
                values.append(text)
        elif field == "agents":
            uri, scheme = authority(_first(row.id, node), _first(row.source, node))
            agent = Agent(text, _first(row.role, node), uri, _first(row.type, node))  # type: person, corporate
            if all((a.name, a.role) != (agent.name, agent.role) for a in core.agents):
                core.agents.append(agent)
        elif field in TERM_FIELDS:
            uri, scheme = authority(_first(row.id, node), _first(row.source, node))
            terms: list[Term] = getattr(core, field)
            if all(t.label != text for t in terms):
                terms.append(Term(text, uri, scheme))
        elif field == "dates":
            date = parse_date(text, _first(row.normal, node))
            # the kind of date: the `type` column, else the `role` column (MODS tables use that)
            date.type = date.type or _first(row.type, node) or _first(row.role, node)
            if all(d.text != date.text for d in core.dates):
                core.dates.append(date)
        elif field == "extent":
            extents.append(text)
        elif field.startswith("taxon."):
            part = field.split(".", 1)[1]
            if core.taxon is None:
                core.taxon = Taxon(scientific_name="")
            if not getattr(core.taxon, part):
                setattr(core.taxon, part, text)
                if part == "id":
                    uri, scheme = authority(text, _first(row.source, node))
                    core.taxon.id, core.taxon.scheme = uri, scheme
        elif field == "files":
            if is_url(text):
                fields["links"] = f"{fields['links']} {text}" if fields.get("links") else text
            elif text not in core.files:
                core.files.append(text)
        elif field == "typed_notes" or field.startswith("typed_notes."):
            # the type: the field's suffix (`typed_notes.acqinfo`), else the `type` or `role` column (MODS
            # note@type); every note counts, repeats too; its label: the `label` column, else `source` (MODS)
            kind = field.partition(".")[2] or _first(row.type, node) or _first(row.role, node) or "general"
            label = _first(row.label, node) or _first(row.source, node)
            core.typed_notes.append(Note(kind, text, lang, label))
        elif field == "containers":
            core.containers.append(Container(_first(row.type, node), text, _first(row.label, node), _within(row, node)))
        elif field == "physical_locations":
            if text not in core.physical_locations:
                core.physical_locations.append(text)
        elif field == "measurements":  # "58 mm" is a value and its unit, else a display form as written
            kind = _first(row.type, node) or None
            amount = re.match(r"^(-?\d+(?:[.,]\d+)?)\s+(\S+)$", text)
            if amount:
                core.measurements.append(Measurement(kind, amount[1], amount[2]))
            else:
                core.measurements.append(Measurement(kind, text, None, text))
        elif field == "coordinates":  # decimal "latitude, longitude" (or a space between); else a typed note
            point = parse_coordinates(text)
            if point and core.coordinates is None:
                core.coordinates = point
            else:
                core.typed_notes.append(Note("coordinates", text, lang))
        elif field == "parts":
            core.parts.append(Part(text))
        elif field.startswith("fields."):
            fields.setdefault(field.split(".", 1)[1], text)
        elif getattr(core, field, None) in (None, ""):
            setattr(core, field, text)


def _within(row: Row, node: Any) -> str | None:
    """The value of the container a container sits in: its `parent` column names a sibling's id."""
    ref = (_first(row.within, node) or "").split()
    parent = node.getparent() if ref and not isinstance(node, str) else None
    if parent is None:
        return None
    for sibling in parent:
        if sibling.get("id") == ref[0]:
            return text_of(sibling) or None
    return None


@cache
def load(name: str, namespaces: tuple[tuple[str, str], ...]) -> Crosswalk:
    return Crosswalk(name, dict(namespaces))
