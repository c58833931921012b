"""CSV export: one row per item in the columns of the batch sheet (`metadata_schemas/crosswalks/csv_sheet.csv`),
so that a spreadsheet user can read it and `heritage ingest` can take it back, plus the permanent id."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import BinaryIO

from heritage.access import effective_access
from heritage.export.source import ExportSource, export_core
from heritage.models import FileRole, Item
from metadata_schemas.core import Term
from metadata_schemas.csv_sheet import SEPARATOR

HEADER = [
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
    "rights",
    "extent",
    "type",
    "taxon",
    "access",
    "closed_until",
    "files",
]


def _terms(terms: list[Term]) -> str:
    return SEPARATOR.join(f"{t.label} <{t.id}>" if t.id else t.label for t in terms)


def master_names(item: Item) -> list[str]:
    return [f.original_name for f in item.files if f.role in (FileRole.MASTER.value, FileRole.BORN_DIGITAL.value)]


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
        writer.writerow(
            [
                item.id,
                core.local_id or "",
                parents.get(item.parent_id or "", ""),
                item.level,
                core.title,
                core.titles.get("en", ""),
                SEPARATOR.join(f"{a.name} ({a.role})" if a.role else a.name for a in core.agents),
                SEPARATOR.join(d.text for d in core.dates),
                core.descriptions.get("nl", core.description or ""),
                core.descriptions.get("en", ""),
                _terms(core.subjects),
                _terms(core.places),
                SEPARATOR.join(core.languages),
                core.rights or item.rights or "",
                core.extent or "",
                core.type or "",
                core.taxon.scientific_name if core.taxon else "",
                effective_access(item.access, item.closed_until, source.today).value,
                item.closed_until.isoformat() if item.closed_until else "",
                SEPARATOR.join(files(item)),
            ]
        )
        written += 1
        if each is not None:
            each(item)
    text.detach()
    return written
