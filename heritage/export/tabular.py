"""CSV export: one row per item in the columns of the batch sheet (`metadata_schemas/crosswalks/csv_sheet.csv`),
so that a spreadsheet user can read it and `heritage ingest` can take it back, plus the permanent id and a
column for every editable field the sheet has none for (named as in `heritage/editing/fields.toml`), so that
`heritage catalogue update` takes it back too."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, BinaryIO

from heritage.access import effective_access
from heritage.editing.fields import FieldSpec, all_fields
from heritage.editing.values import values_of
from heritage.export.source import ExportSource, export_core
from heritage.models import FileRole, Item
from metadata_schemas.core import Agent, CoreRecord, Term
from metadata_schemas.csv_sheet import SEPARATOR

SHEET_HEADER = [
    "heritage_id",
    "identifier",
    "parent",
    "level",
    "title",
    "title_en",
    "creator",
    "date",
    "description",
    "description_en",
    "subject",
    "place",
    "language",
    "script",
    "rights",
    "extent",
    "type",
    "taxon",
    "access",
    "closed_until",
    "files",
]
# Editable fields the batch sheet has no column for, exported under their own names after its columns.
FIELD_COLUMNS = [spec for spec in all_fields() if spec.csv_column not in SHEET_HEADER]
HEADER = SHEET_HEADER + [spec.csv_column for spec in FIELD_COLUMNS]
# Columns that describe where a row sits or what it holds, not a field: an update leaves them alone.
# `script` (ISO 15924, the OCR's model) is read by `heritage ingest` only: an update leaves it alone.
NOT_FIELDS = ("heritage_id", "identifier", "parent", "type", "files", "script")


def _terms(terms: list[Term]) -> str:
    return SEPARATOR.join(f"{t.label} <{t.id}>" if t.id else t.label for t in terms)


def _agent(agent: Agent) -> str:
    text = f"{agent.name} ({agent.role})" if agent.role else agent.name
    return f"{text} <{agent.id}>" if agent.id else text


def field_cell(spec: FieldSpec, value: Any) -> str:
    """A field's value as a sheet cell: lists joined by `|`, terms and agents with their ids in <>."""
    if value is None:
        return ""
    if spec.kind in ("lines", "date_lines"):
        return SEPARATOR.join(value)
    if spec.kind == "terms":
        return _terms([Term(t["label"], t.get("id")) for t in value])
    if spec.kind == "agents":
        return SEPARATOR.join(_agent(Agent(a["name"], a.get("role"), a.get("id"))) for a in value)
    if spec.kind == "taxon":
        return value.get("scientific_name") or ""
    return str(value)


def master_names(item: Item) -> list[str]:
    return [f.original_name for f in item.files if f.role in (FileRole.MASTER.value, FileRole.BORN_DIGITAL.value)]


def cells(
    item: Item, core: CoreRecord, today: date | None, parent: str = "", files: Sequence[str] = ()
) -> dict[str, str]:
    """The item's row, by column (`core` as `export_core` gives it)."""
    row = {
        "heritage_id": item.id,
        "identifier": core.local_id or "",
        "parent": parent,
        "level": item.level,
        "title": core.title,
        "title_en": core.titles.get("en", ""),
        "creator": SEPARATOR.join(_agent(a) for a in core.agents),
        "date": SEPARATOR.join(d.text for d in core.dates),
        "description": core.descriptions.get("nl", core.description or ""),
        "description_en": core.descriptions.get("en", ""),
        "subject": _terms(core.subjects),
        "place": _terms(core.places),
        "language": SEPARATOR.join(core.languages),
        "script": str(core.details.get("script") or ""),
        "rights": core.rights or item.rights or "",
        "extent": core.extent or "",
        "type": core.type or "",
        "taxon": core.taxon.scientific_name if core.taxon else "",
        "access": effective_access(item.access, item.closed_until, today).value,
        "closed_until": item.closed_until.isoformat() if item.closed_until else "",
        "files": SEPARATOR.join(files),
    }
    if FIELD_COLUMNS:
        values = values_of(item)
        row.update({spec.csv_column: field_cell(spec, values[spec.name]) for spec in FIELD_COLUMNS})
    return row


def write_csv(
    source: ExportSource,
    out: BinaryIO,
    files: Callable[[Item], list[str]] = master_names,
    each: Callable[[Item], None] | None = None,
) -> int:
    """Write the rows; `each` is called with every item written (a bag copies its files there)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(HEADER)
    parents: dict[str, str] = {}  # item id -> local identifier, for the items still open above this one
    written = 0
    for step, item in source.walk():
        if step == "close":
            parents.pop(item.id, None)
            continue
        core = export_core(item)
        parents[item.id] = core.local_id or item.id
        row = cells(item, core, source.today, parents.get(item.parent_id or "", ""), files(item))
        writer.writerow([row[column] for column in HEADER])
        written += 1
        if each is not None:
            each(item)
    text.detach()
    return written
