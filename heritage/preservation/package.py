"""What an item's OCFL object holds, and how the catalogue is read back from it.

An object's state:
- `item.json`: the item's catalogue row with its collection and custodial unit, its records (the core
  record as JSON) and its files (fixity, format, technical metadata, the logical path of the bytes);
- `events.jsonl`: its event history, one JSON object a line, oldest first;
- `metadata/record-N.<ext>`: each original metadata record, verbatim;
- `masters/<path in the batch>`: the masters and born-digital files, byte for byte;
- `text/<path in the batch>[.pN].alto.xml`: the derived text of each image page (ALTO 4; `heritage.fulltext`).
Rows are written column by column (the names of the catalogue's tables), so a future catalogue (or a
person with a text editor) reads them without this code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Date, DateTime, inspect, select
from sqlalchemy.orm import Session

from heritage.models import Event, File, Item, Location, MetadataRecord, PageText, Unit
from heritage.models.base import UTCDateTime
from heritage.preservation.store import Content

FORMAT = "heritage-item/1"
ITEM_JSON = "item.json"
EVENTS = "events.jsonl"


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_json(row: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every column of a row as JSON-ready values (dates as ISO 8601)."""
    return {c.key: _value(getattr(row, c.key)) for c in inspect(type(row)).column_attrs if c.key not in exclude}


def row_values(model: type, data: dict[str, Any]) -> dict[str, Any]:
    """The column values of `model` in `data`, dates parsed back (the inverse of `row_json`)."""
    values: dict[str, Any] = {}
    for attr in inspect(model).column_attrs:
        if attr.key not in data:
            continue
        value, kind = data[attr.key], attr.columns[0].type
        if value is not None and isinstance(kind, UTCDateTime | DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, Date):
            value = date.fromisoformat(value)
        values[attr.key] = value
    return values


def _safe_logical(name: str) -> str:
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("/", "", ".", "..")]
    return "/".join(parts) or "file"


def _unit_chain(session: Session, unit: Unit | None) -> list[dict[str, Any]]:
    """The unit and its parents, nearest first (a rebuilt catalogue recreates them in reverse)."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    while unit is not None and unit.id not in seen:
        seen.add(unit.id)
        chain.append(row_json(unit, ("id", "parent_id")))
        unit = session.get(Unit, unit.parent_id) if unit.parent_id is not None else None
    return chain


def logical_paths(files: Iterable[File]) -> dict[str, str]:
    """SHA-256 -> the logical path of those bytes in the object: `masters/<path in the batch>`, made unique."""
    by_sha: dict[str, str] = {}
    used: set[str] = set()
    for file in sorted(files, key=lambda f: (f.sequence, f.id)):
        if file.sha256 in by_sha:
            continue
        logical = f"masters/{_safe_logical(file.original_name)}"
        if logical in used:
            logical = f"masters/{file.sha256[:12]}/{_safe_logical(file.original_name)}"
        by_sha[file.sha256] = logical
        used.add(logical)
    return by_sha


def _extension(record: MetadataRecord) -> str:
    text = (record.original or "").lstrip("\ufeff \r\n\t")
    if text.startswith("<"):
        return "xml"
    if text.startswith(("{", "[")):
        return "json"
    return "csv" if record.standard in ("csv", "dwc_csv") else "txt"


def event_json(event: Event) -> dict[str, Any]:
    return row_json(event, ("item_id",))


def item_json(core: dict[str, Any]) -> bytes:
    """The bytes of `item.json` for this core (one spelling, so equal states have equal digests)."""
    return json.dumps(core, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def describe(session: Session, item: Item, storage: Any | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """What the item's next version holds besides masters and events: its item.json (as data), and its
    original records by logical path."""
    records = []
    originals: dict[str, str] = {}
    for n, record in enumerate(item.records, start=1):
        data = row_json(record, ("id", "item_id", "original"))
        if record.original is not None:
            logical = f"metadata/record-{n}.{_extension(record)}"
            originals[logical] = record.original
            data["original"] = logical
        else:
            data["original"] = None
        records.append(data)
    paths = logical_paths(item.files)
    files = [
        {**row_json(file, ("item_id",)), "path": paths[file.sha256]}
        for file in sorted(item.files, key=lambda f: (f.sequence, f.id))
    ]
    collection = item.collection
    location = session.get(Location, item.location_id) if item.location_id else None
    core = {
        "format": FORMAT,
        # updated_at is left out: a rerun of a batch touches it without changing anything the object keeps
        **row_json(item, ("collection_id", "unit_id", "location_id", "updated_at")),
        "collection": row_json(collection, ("id", "unit_id")),
        "collection_units": _unit_chain(session, collection.unit),
        "units": _unit_chain(session, item.unit),
        "location": location.code if location is not None else None,
        "records": records,
        "files": files,
    }
    texts = _text_rows(session, item, paths, storage)
    if texts:  # only items with text: the objects of the others stay as they were
        core["texts"] = texts
    return core, originals


def build(session: Session, item: Item, folder: Path, storage: Any) -> tuple[list[Content], dict[str, Any]]:
    """Write the item's metadata files into `folder`; the object's contents (masters from `storage`) and item.json."""
    from heritage.fulltext.store import ALTO_NAME

    core, originals = describe(session, item, storage)
    contents: list[Content] = []
    for logical, text in originals.items():
        path = folder / logical
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        contents.append(Content(logical, path))
    for file in core["files"]:
        if not any(c.logical == file["path"] for c in contents):
            contents.append(Content(file["path"], storage.master_path(file["storage_key"]), file["sha256"]))
    by_id = {f.id: f for f in item.files}
    for text in core.get("texts", []):
        file = by_id[text["file_id"]]
        contents.append(Content(text["path"], storage.derivative_dir(file.sha256, file.page) / ALTO_NAME))
    (folder / ITEM_JSON).write_bytes(item_json(core))
    contents.append(Content(ITEM_JSON, folder / ITEM_JSON))
    events = session.scalars(select(Event).where(Event.item_id == item.id).order_by(Event.id))
    with (folder / EVENTS).open("w", encoding="utf-8") as fh:
        for event in events:
            fh.write(json.dumps(event_json(event), ensure_ascii=False, sort_keys=True) + "\n")
    contents.append(Content(EVENTS, folder / EVENTS))
    return contents, core


def text_path(master_logical: str, page: int) -> str:
    """The logical path of a page's ALTO: `text/<path in the batch>[.pN].alto.xml`."""
    return f"text/{master_logical.removeprefix('masters/')}" + (f".p{page}" if page else "") + ".alto.xml"


def _text_rows(session: Session, item: Item, paths: dict[str, str], storage: Any | None) -> list[dict[str, Any]]:
    """The item's pages with text (with `storage`: only those whose ALTO is at hand), each with the logical
    path of its ALTO in the object."""
    from heritage.fulltext.store import ALTO_NAME

    rows = {t.file_id: t for t in session.scalars(select(PageText).where(PageText.item_id == item.id))}
    out = []
    for file in sorted(item.files, key=lambda f: (f.sequence, f.page, f.id)):
        row = rows.get(file.id)
        if row is None or row.state != "done":
            continue
        if storage is not None and not (storage.derivative_dir(file.sha256, file.page) / ALTO_NAME).is_file():
            continue
        data = row_json(row, ("item_id", "collection_id", "updated_at", "reason"))
        out.append({**data, "path": text_path(paths[file.sha256], file.page)})
    return out


def known_masters(core: dict[str, Any] | None) -> dict[str, str]:
    """Logical path -> SHA-256 of the masters an item.json lists."""
    return {f["path"]: f["sha256"] for f in (core or {}).get("files", [])}
