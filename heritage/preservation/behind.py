"""What the store lacks: items of the catalogue without an object, objects behind their catalogue row, and
a replica behind the store. The fixity audit and `heritage preservation validate` report these beside
damage, because a store that is whole but out of date loses the changes it never got.

"Behind" is decided exactly, not by clocks: the item.json and original records the next version would hold
are built from the catalogue (no master is read: the files' SHA-256 are in item.json) and their SHA-512
compared with the head's state in the inventory; and every event of a change (`hooks.TRIGGERS`) must be in
the head's events.jsonl. Events that describe the store itself (fixity checks, replications) enter with the
next version and do not make an object behind. That is a few queries and two small reads per object,
next to the audit's reading of every stored byte. A replica is behind when its root inventory is not the
store's (compared by the sidecar digest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.models import Event, Item
from heritage.preservation import package
from heritage.preservation.hooks import TRIGGERS
from heritage.preservation.replica import head_of, in_step
from heritage.preservation.store import OcflStore

ABSENT = "absent"
BEHIND = "behind"
INVENTORY = "inventory.json"
SHOWN = 5  # events named in one problem's detail


@dataclass(frozen=True)
class Gap:
    item: str
    path: str
    problem: str  # absent, behind
    detail: str


def catalogue_ids(session: Session) -> Iterable[str]:
    return session.scalars(select(Item.id).order_by(Item.id).execution_options(yield_per=10_000))


def absent(session: Session, present: set[str], *, where: str = "the preservation store") -> list[Gap]:
    """Items of the catalogue that have no object among `present`."""
    return [
        Gap(item, INVENTORY, ABSENT, f"the catalogue's item has no object in {where}")
        for item in catalogue_ids(session)
        if item not in present
    ]


def _head(folder: Path) -> tuple[str, dict[str, str], dict[str, Path]] | None:
    """The head version, its state (logical path -> digest) and where each logical path's bytes are."""
    try:
        inventory = json.loads((folder / INVENTORY).read_text(encoding="utf-8"))
        head = str(inventory["head"])
        state = {path: digest for digest, paths in inventory["versions"][head]["state"].items() for path in paths}
        where = {path: folder / inventory["manifest"][digest][0] for path, digest in state.items()}
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None  # the fixity audit names a damaged inventory
    return head, state, where


def _sha512(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


def object_behind(
    session: Session, item_id: str, folder: Path, waiting: dict[str, tuple[datetime, str]] | None = None
) -> list[Gap]:
    """Where the object's head differs from what the catalogue holds of the item now (empty: in step)."""
    item = session.get(Item, item_id)
    found = _head(folder)
    if item is None or found is None:
        return []  # an object of an item removed from the catalogue is kept as it is
    head, state, where = found
    core, originals = package.describe(session, item)
    gaps = []
    if _sha512(package.item_json(core)) != state.get(package.ITEM_JSON):
        detail = f"{head} differs from the catalogue in {_keys(core, where)}"
        gaps.append(Gap(item_id, package.ITEM_JSON, BEHIND, detail))
    kept = {path for path in state if path.startswith("metadata/")}
    for logical in sorted(kept | set(originals)):
        text = originals.get(logical)
        if text is None or _sha512(text.encode("utf-8")) != state.get(logical):
            detail = "no longer in the catalogue" if text is None else f"{head} differs from the catalogue's record"
            gaps.append(Gap(item_id, logical, BEHIND, detail))
    missing = _missing_events(session, item_id, where.get(package.EVENTS))
    if missing:
        named = ", ".join(f"event {n} ({kind})" for n, kind in missing[:SHOWN])
        more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        gaps.append(Gap(item_id, package.EVENTS, BEHIND, f"{named}{more} not in {head}"))
    if gaps and waiting and item_id in waiting:
        since, reasons = waiting[item_id]
        note = f"waiting in the outbox since {since:%Y-%m-%d %H:%M} ({reasons})"
        gaps = [Gap(g.item, g.path, g.problem, f"{g.detail}; {note}") for g in gaps]
    return gaps


def _keys(core: dict[str, Any], where: dict[str, Path]) -> str:
    try:
        kept = json.loads(where[package.ITEM_JSON].read_text(encoding="utf-8"))
    except (KeyError, OSError, ValueError):
        return "item.json (unreadable in the object)"
    keys = sorted(k for k in set(core) | set(kept) if core.get(k) != kept.get(k))
    return ", ".join(keys) or "the spelling of item.json"


def _missing_events(session: Session, item_id: str, events_file: Path | None) -> list[tuple[int, str]]:
    changes = session.execute(
        select(Event.id, Event.type).where(Event.item_id == item_id, Event.type.in_(TRIGGERS)).order_by(Event.id)
    ).all()
    if not changes:
        return []
    kept: set[int] = set()
    if events_file is not None:
        try:
            with events_file.open(encoding="utf-8") as fh:
                kept = {json.loads(line)["id"] for line in fh if line.strip()}
        except (OSError, ValueError, KeyError):
            pass  # the fixity audit names a damaged file
    return [(n, kind) for n, kind in changes if n not in kept]


def replica_behind(primary: OcflStore, replica: OcflStore, item_id: str) -> list[Gap]:
    """The replica's object is not the store's as it is now (empty when in step, or the store has none)."""
    if not primary.object_dir(item_id).is_dir() or in_step(primary, replica, item_id):
        return []
    theirs = head_of(replica.object_dir(item_id)) or "no complete version"
    ours = head_of(primary.object_dir(item_id)) or "a damaged inventory"
    return [Gap(item_id, INVENTORY, BEHIND, f"the replica holds {theirs}, the store {ours}")]
