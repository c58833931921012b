"""Bulk changes from a sheet: the CSV `heritage export --format csv` writes (or any subset of its columns,
rows keyed by `heritage_id`), read into a plan of per-row changes (field, before, after), checked whole
before anything is applied. A sheet with any problem changes nothing; problems read `FILE:LINE: message`.

The command line (`heritage catalogue update`) and the web (upload, preview, confirm) share this: `plan`
reads and checks, `apply` saves every row through `update_item` in the caller's one transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from heritage.access import Viewer
from heritage.editing.fields import FieldSpec, all_fields, masterplan_fields
from heritage.editing.masterplan_facts import fact_cell, is_fact, parse_fact_cell
from heritage.editing.service import Change, Saved, editable_item, preview_update, update_item
from heritage.editing.values import values_of
from heritage.errors import BadRequest, Forbidden, NotFound
from heritage.export.source import export_core
from heritage.export.tabular import NOT_FIELDS, cells, field_cell
from metadata_schemas.csv_sheet import ROLE, SEPARATOR, decode_text
from metadata_schemas.said import Said

KEY = "heritage_id"
MAX_ROWS = 100_000
_ID = re.compile(r"^(?P<rest>.*?)\s*<(?P<id>(?:https?://|auth:)[^<>\s]+)>\s*$")
# `masterplan.significance.historic`, `masterplan.dates.closing`, ...: one part of a masterplan fact that holds
# one value per criterion, modifier, trigger or unit (the other parts stay as they are).
_PART = re.compile(r"^(?P<field>masterplan\.(?:significance|modifiers|dates|size))\.(?P<part>[A-Za-z0-9_.-]{1,64})$")


@dataclass(frozen=True)
class RowPlan:
    """What one row changes: the item, its version when read (a save refuses if it moved on), the changes."""

    line: int
    item_id: str
    title: str
    version: int
    changes: list[Change]
    warnings: list[Said]


@dataclass
class SheetPlan:
    name: str
    rows: list[RowPlan] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "FILE:LINE: message"
    ignored: list[str] = field(default_factory=list)  # columns an update leaves alone (identifier, files, ...)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> list[RowPlan]:
        return [row for row in self.rows if row.changes]

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(f"{self.name}:{line}: {message}" if line is not None else f"{self.name}: {message}")


def columns() -> dict[str, FieldSpec]:
    """Every column an update reads: the export's column of each field and the field's own name."""
    out: dict[str, FieldSpec] = {}
    for spec in all_fields():
        out[spec.name] = spec
        out[spec.csv_column] = spec
    for spec in masterplan_fields():
        out[spec.name] = spec
    return out


def part_of(column: str) -> tuple[str, str] | None:
    """(masterplan fact, part) of a column such as `masterplan.significance.historic`."""
    found = _PART.match(column)
    return (found["field"], found["part"]) if found else None


def decode(data: bytes) -> str:
    """Raises: BadRequest: neither UTF-8 nor Windows-1252 text."""
    text = decode_text(data)
    if text is None:
        raise BadRequest("not UTF-8 or Windows-1252 text")
    return text


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells); a cell may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells_ in reader:
        yield start, cells_
        start = reader.line_num + 1


def parse_cell(spec: FieldSpec, cell: str) -> Any:
    """The value a cell means for its field, in the form `update_item` takes (it checks the rest)."""
    text = cell.strip()
    if spec.kind in ("lines", "date_lines"):
        return [part.strip() for part in text.split(SEPARATOR) if part.strip()]
    if spec.kind in ("agents", "terms"):
        out = []
        for part in (p.strip() for p in text.split(SEPARATOR)):
            if not part:
                continue
            found = _ID.match(part)
            ident = found["id"] if found else None
            rest = found["rest"] if found else part
            if spec.kind == "terms":
                out.append({"label": rest, "id": ident})
                continue
            role = ROLE.match(rest)
            out.append({"name": role["name"] if role else rest, "role": role["role"] if role else None, "id": ident})
        return out
    if spec.kind == "taxon":
        return {"scientific_name": text} if text else None
    return text or None


def plan(session: Session, data: bytes | str, *, name: str, viewer: Viewer, today: date | None = None) -> SheetPlan:
    """Read the sheet and check every row against the catalogue; nothing is changed.

    A cell that reads as the export writes the item's current value is no change (a sheet exported, edited
    in a few cells and read back changes those cells only). Rows naming an item the viewer may not see are
    reported as no such item.
    """
    result = SheetPlan(name)
    try:
        text = data if isinstance(data, str) else decode(data)
    except BadRequest as exc:
        result.problem(None, str(exc))
        return result
    rows = _rows(text)
    first = next(rows, None)
    if first is None or not any(c.strip() for c in first[1]):
        result.problem(1, f"the sheet is empty: its first line names the columns, one of them {KEY}")
        return result
    header = [c.strip() for c in first[1]]
    known = columns()
    if KEY not in header:
        result.problem(1, f"no {KEY} column: every row names the item it changes by its {KEY}")
    seen_fields: dict[str, str] = {}
    parts: dict[str, dict[str, str]] = {}  # masterplan fact -> part -> column
    for column in header:
        part = part_of(column)
        if part is not None and part[0] in seen_fields:
            result.problem(1, f"columns {seen_fields[part[0]]!r} and {column!r} both set {part[0]}")
        elif part is not None and part[1] in parts.get(part[0], {}):
            result.problem(1, f"{column} is named twice")
        elif part is not None:
            parts.setdefault(part[0], {})[part[1]] = column
        elif column in NOT_FIELDS:
            if column != KEY:
                result.ignored.append(column)
        elif column not in known:
            result.problem(1, f"unknown column {column!r} (columns: {KEY} and the field names or export columns)")
        elif known[column].name in parts:
            first = next(iter(parts[known[column].name].values()))
            result.problem(1, f"columns {first!r} and {column!r} both set {known[column].name}")
        elif known[column].name in seen_fields:
            result.problem(
                1, f"columns {seen_fields[known[column].name]!r} and {column!r} are both {known[column].name}"
            )
        else:
            seen_fields[known[column].name] = column
    if header.count(KEY) > 1:
        result.problem(1, f"{KEY} is named twice")
    if not result.ok:
        return result
    read: dict[str, int] = {}
    for count, (line, row) in enumerate(rows, 1):
        if count > MAX_ROWS:
            result.problem(line, f"more than {MAX_ROWS} rows: split the sheet")
            break
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            result.problem(line, f"{len(row)} cells, but the first line names {len(header)} columns")
            continue
        record = dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))
        _plan_row(session, result, line, record, seen_fields, known, viewer, read, today, parts)
    return result


def _plan_row(
    session: Session,
    result: SheetPlan,
    line: int,
    record: dict[str, str],
    used: dict[str, str],
    known: dict[str, FieldSpec],
    viewer: Viewer,
    read: dict[str, int],
    today: date | None,
    parts: dict[str, dict[str, str]],
) -> None:
    item_id = record[KEY].strip()
    if not item_id:
        result.problem(line, f"no {KEY}")
        return
    if item_id in read:
        result.problem(line, f"item {item_id} is on line {read[item_id]} already")
        return
    read[item_id] = line
    try:
        item = editable_item(session, item_id, viewer)
    except NotFound:
        result.problem(line, f"no item {item_id!r}")
        return
    except Forbidden as exc:
        result.problem(line, str(exc))
        return
    now = cells(item, export_core(item), today)
    current_values = values_of(item)
    values: dict[str, Any] = {}
    for field_name, column in used.items():
        spec = known[column]
        cell = record[column]
        if is_fact(spec.name):
            current = fact_cell(spec.name, current_values[spec.name])
        else:
            current = now[column] if column in now else field_cell(spec, current_values[spec.name])
        if cell.strip() == current.strip():
            continue
        try:
            values[field_name] = parse_fact_cell(spec, cell) if is_fact(spec.name) else parse_cell(spec, cell)
        except BadRequest as exc:
            result.problem(line, str(exc))
            return
    for field_name, by_part in parts.items():
        whole = dict(current_values[field_name] or {})
        for part, column in by_part.items():
            cell = record[column].strip()
            if cell == fact_cell(field_name, whole.get(part)):
                continue
            if cell:
                whole[part] = cell
            else:
                whole.pop(part, None)
        if whole != current_values[field_name]:
            values[field_name] = whole
    try:
        changes, warnings = preview_update(session, item, values)
    except BadRequest as exc:
        result.problem(line, str(exc))
        return
    result.rows.append(RowPlan(line, item.id, item.title, item.version, changes, warnings))


def apply(session: Session, sheet: SheetPlan, *, viewer: Viewer, agent: str, reason: str | None = None) -> list[Saved]:
    """Save every changed row (in the caller's transaction: all or nothing), each based on the version it was
    planned on.

    Raises:
        BadRequest: the plan has problems. StaleVersion: an item changed since the plan was made.
    """
    if not sheet.ok:
        raise BadRequest(f"{sheet.name}: {len(sheet.problems)} problem(s); nothing was changed")
    saved = []
    for row in sheet.changed:
        values = {c.field: c.after for c in row.changes}
        saved.append(
            update_item(
                session,
                row.item_id,
                values,
                viewer=viewer,
                agent=agent,
                base_version=row.version,
                reason=reason or f"sheet {sheet.name}, line {row.line}",
            )
        )
    return saved
