"""`heritage authorities update FILE`: a CSV of authority records, one per row keyed by `id`.

Columns (any subset beside `id`): type, name, variants, dates, note, ids; lists (variants, ids) are
separated by `|`. A column that is there sets the field, an empty cell clears it, except that an empty
`type` or `name` leaves them as they are (neither can be cleared); a column that is not there leaves the
field as it is. A row with an empty `id` creates an authority
(type and name required). Every row goes through the authority service; a file with any error changes
nothing, and every error is reported as `FILE:LINE: message`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from heritage.authorities import service
from heritage.errors import HeritageError, InvalidInput

COLUMNS = ("id", "type", "name", "variants", "dates", "note", "ids")
LISTS = frozenset({"variants", "ids"})
SEPARATOR = "|"
MAX_ROWS = 100_000


class FileErrors(InvalidInput):
    """The file has errors, each `FILE:LINE: message`; nothing was changed."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class RowOutcome:
    line: int
    authority_id: str
    created: bool
    changes: list[service.Change] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line, row) per data row. Raises: FileErrors: unreadable, not UTF-8, or a header we do not know."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileErrors([f"{path}:0: no such file"]) from None
    except UnicodeDecodeError as exc:
        raise FileErrors([f"{path}:0: not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise FileErrors([f"{path}:0: cannot be read: {exc.strerror}"]) from None
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileErrors(
            [f"{path}:1: the file is empty; the first line names the columns ({', '.join(COLUMNS)})"]
        ) from None
    except csv.Error as exc:
        raise FileErrors([f"{path}:1: {exc}"]) from None
    problems = [f"{path}:1: unknown column {h!r} (columns: {', '.join(COLUMNS)})" for h in header if h not in COLUMNS]
    if "id" not in header:
        problems.append(f"{path}:1: no id column: rows are keyed by id (empty for a new authority)")
    twice = sorted({h for h in header if header.count(h) > 1})
    problems += [f"{path}:1: column {h!r} is there twice" for h in twice]
    if problems:
        raise FileErrors(problems)
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[str] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise FileErrors([f"{path}:{line}: more than {MAX_ROWS} rows; split the file"])
            if any(c.strip() for c in cells):
                if len(cells) != len(header):
                    errors.append(f"{path}:{line}: {len(cells)} cells, the header names {len(header)}")
                else:
                    rows.append((line, dict(zip(header, cells, strict=True))))
            line = reader.line_num + 1
    except csv.Error as exc:
        errors.append(f"{path}:{line}: {exc}")
    if errors:
        raise FileErrors(errors)
    return rows


def _values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, cell in row.items():
        if column == "id":
            continue
        if column in LISTS:
            values[column] = [v.strip() for v in cell.split(SEPARATOR) if v.strip()]
        elif column in ("type", "name") and not cell.strip():
            continue
        else:
            values[column] = cell.strip() or None
    return values


def apply_file(session: Session, path: Path, *, agent: str) -> tuple[list[RowOutcome], list[str]]:
    """Apply every row in the caller's transaction; returns each row's outcome and the items to re-index.

    Raises: FileErrors: any row (or the file) is wrong; the caller's transaction must then roll back.
    """
    outcomes: list[RowOutcome] = []
    reindex: set[str] = set()
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(path):
        authority_id = row["id"].strip()
        try:
            if authority_id in seen:
                raise InvalidInput(f"authority {authority_id} is on line {seen[authority_id]} already")
            values = _values(row)
            if not authority_id:
                missing = [c for c in ("type", "name") if not values.get(c)]
                if missing:
                    raise InvalidInput(f"a new authority (empty id) needs {' and '.join(missing)}")
                created = service.create(session, agent=agent, **values)
                changes = [service.Change(k, None, v) for k, v in values.items() if v]
                outcomes.append(RowOutcome(line, created.id, True, changes))
                continue
            seen[authority_id] = line
            changed = service.update(session, authority_id, agent=agent, reason=f"{path.name}:{line}", **values)
            outcomes.append(RowOutcome(line, changed.authority_id, False, changed.changes))
            reindex.update(changed.reindex)
        except HeritageError as exc:
            errors.append(f"{path}:{line}: {exc}")
    if errors:
        raise FileErrors(errors)
    return outcomes, sorted(reindex)
