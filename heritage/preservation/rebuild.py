"""`heritage rebuild-from-store`: the catalogue database rebuilt from the OCFL store alone.

Each object's newest `item.json` gives the item (with its collection and custodial unit), its records and
its files; `events.jsonl` its events, with their original ids (PREMIS identifiers stay stable). Masters
missing from the working store are put back from the objects; an item's `updated_at` (not kept in the store)
becomes the time of its newest event. Locations are a register of their own
(places and their rules): an item is put back in its location when that location exists. Policy decisions,
batches and the harvest ledger are not in the store; the policy engine and harvesters make them again.

Each item is restored in a transaction of its own, whole or not at all. A marker in the store's work folder
(naming the database) says a rebuild is under way; a rebuild killed midway is resumed by running it again:
the items already restored are kept and the rest follow. The marker goes once every master is back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from heritage.errors import BadRequest
from heritage.models import Collection, Event, File, Item, Location, MetadataRecord, PageText, Unit
from heritage.preservation import hooks, package
from heritage.runtime import Runtime


@dataclass
class Rebuilt:
    items: int = 0
    records: int = 0
    files: int = 0
    events: int = 0
    masters_restored: int = 0
    resumed: int = 0  # items an earlier, stopped run had restored already
    unknown_locations: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _unit(session: Session, chain: list[dict[str, Any]]) -> Unit | None:
    """The nearest unit of a chain (nearest first), created with its parents where missing."""
    parent: Unit | None = None
    for data in reversed(chain):
        unit = session.scalar(select(Unit).where(Unit.slug == data["slug"]))
        if unit is None:
            unit = Unit(**package.row_values(Unit, data), parent_id=parent.id if parent else None)
            session.add(unit)
            session.flush()
        parent = unit
    return parent


def _collection(session: Session, core: dict[str, Any]) -> Collection:
    data = core["collection"]
    collection = session.scalar(select(Collection).where(Collection.slug == data["slug"]))
    if collection is None:
        unit = _unit(session, core.get("collection_units") or [])
        if unit is None:
            raise BadRequest(f"item {core['id']}: its collection {data['slug']} names no custodial unit")
        collection = Collection(**package.row_values(Collection, data), unit_id=unit.id)
        session.add(collection)
        session.flush()
    return collection


def _ordered(cores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before their children (foreign keys are checked row by row on PostgreSQL)."""
    by_id = {c["id"]: c for c in cores}
    done: set[str] = set()
    ordered: list[dict[str, Any]] = []

    def visit(core: dict[str, Any], path: set[str]) -> None:
        if core["id"] in done or core["id"] in path:
            return
        parent = by_id.get(core.get("parent_id") or "")
        if parent is not None:
            visit(parent, path | {core["id"]})
        done.add(core["id"])
        ordered.append(core)

    for core in cores:
        visit(core, set())
    return ordered


def rebuild(runtime: Runtime, progress: Callable[[int, int], None] | None = None) -> Rebuilt:
    """Fill an empty catalogue from the store.

    Raises:
        BadRequest: the catalogue is not empty, or the store holds no objects.
    """
    from heritage.preservation.service import restore_master, store_of

    store = store_of(runtime)
    result = Rebuilt()
    marker = store.work / "rebuild-under-way"
    database = hashlib.sha256(runtime.engine.url.render_as_string(hide_password=True).encode()).hexdigest()
    resuming = marker.is_file() and marker.read_text(encoding="utf-8").strip() == database
    with runtime.sessions() as session:
        present = set(session.scalars(select(Item.id))) if resuming else set()
        if not resuming and session.scalar(select(func.count()).select_from(Item)):
            raise BadRequest("the catalogue is not empty: rebuild-from-store fills an empty database")
    objects = list(store.objects())
    if not objects:
        raise BadRequest(f"{store.root}: no OCFL objects to rebuild from")
    if not resuming:
        store.work.mkdir(parents=True, exist_ok=True)
        marker.write_text(database + "\n", encoding="utf-8")
    cores: list[dict[str, Any]] = []
    history: dict[str, list[dict[str, Any]]] = {}
    originals: dict[str, dict[str, str]] = {}
    for item_id, _folder in objects:
        files = store.head_files(item_id)
        core = json.loads(files[package.ITEM_JSON].read_text(encoding="utf-8"))
        cores.append(core)
        history[core["id"]] = [
            json.loads(line) for line in files[package.EVENTS].read_text(encoding="utf-8").splitlines() if line
        ]
        originals[core["id"]] = {
            r["original"]: files[r["original"]].read_text(encoding="utf-8")
            for r in core.get("records", [])
            if r.get("original")
        }
    ordered = _ordered(cores)
    for n, core in enumerate(ordered, start=1):
        if core["id"] in present:
            result.resumed += 1
            continue
        _restore_texts(runtime, store, core)  # the files first: a row never points at a missing ALTO
        with runtime.transaction() as session:
            session.info[hooks.OFF] = True  # restoring the past writes no new versions
            _restore_item(session, core, history[core["id"]], originals[core["id"]], result)
        if progress:
            progress(n, len(ordered))
    with runtime.transaction() as session:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))"))
    _relink_authorities(runtime, [core["id"] for core in ordered])
    for core in ordered:
        for f in core.get("files", []):
            result.masters_restored += restore_master(runtime, core["id"], f["sha256"], f["storage_key"])
    marker.unlink(missing_ok=True)
    return result


def _relink_authorities(runtime: Runtime, item_ids: list[str]) -> None:
    """Authority records are not in the store: the names each restored record holds are linked again, which
    gives back the authorities ingest made (with the same ids, derived from the names). Changes staff made to
    authorities (renames, merges, variants, external ids) are not in the store and do not come back."""
    from heritage.authorities.linking import link_item
    from heritage.catalogue import core_of

    for start in range(0, len(item_ids), 200):
        with runtime.transaction() as session:
            session.info[hooks.OFF] = True
            for item in session.scalars(select(Item).where(Item.id.in_(item_ids[start : start + 200]))):
                link_item(session, item.id, core_of(item))


def _restore_texts(runtime: Runtime, store: Any, core: dict[str, Any]) -> None:
    """Put each page's ALTO back beside its (future) derivatives, from the object's `text/` files."""
    from heritage.fulltext.store import alto_path, write_alto

    if not core.get("texts"):
        return
    files = store.head_files(core["id"])
    by_id = {f["id"]: f for f in core.get("files", [])}
    for text_row in core["texts"]:
        file = by_id.get(text_row["file_id"])
        if file is not None and text_row["path"] in files:
            write_alto(alto_path(runtime, file["sha256"], file.get("page") or 0), files[text_row["path"]].read_bytes())


def _restore_item(
    session: Session,
    core: dict[str, Any],
    events: list[dict[str, Any]],
    originals: dict[str, str],
    result: Rebuilt,
) -> None:
    collection = _collection(session, core)
    unit = _unit(session, core.get("units") or [])
    location = None
    if core.get("location"):
        location = session.scalar(select(Location).where(Location.code == core["location"]))
        if location is None:
            result.unknown_locations.append(f"{core['id']}: {core['location']}")
    changed = [package.row_values(Event, e)["at"] for e in events if e.get("at")]
    item = Item(
        **package.row_values(Item, core),
        updated_at=max(changed) if changed else package.row_values(Item, core).get("created_at"),
        collection_id=collection.id,
        unit_id=unit.id if unit else None,
        location_id=location.id if location else None,
    )
    session.add(item)
    session.flush()
    for data in core.get("records", []):
        values = package.row_values(MetadataRecord, {k: v for k, v in data.items() if k != "original"})
        session.add(MetadataRecord(**values, item_id=item.id, original=originals.get(data.get("original") or "")))
        result.records += 1
    for data in core.get("files", []):
        session.add(File(**package.row_values(File, data), item_id=item.id))
        result.files += 1
    for data in core.get("texts", []):
        session.add(PageText(**package.row_values(PageText, data), item_id=item.id, collection_id=collection.id))
    for data in events:
        session.add(Event(**package.row_values(Event, data), item_id=item.id))
        result.events += 1
    result.items += 1
