"""Writing an item's state into the preservation store (a new OCFL version), then into the replica.

`preserve` is called by the drains of the preservation outbox (`outbox.py`: the end of every ingest batch,
a change the session hook notices, the next command after a crash, workers) and by `heritage preservation
sync`. A version is written only when the state differs from the newest one. Whether or not it wrote one,
it brings the replica up to the store's head when it is behind (a replication killed half-way is
finished by the next call). Events recorded after a version (its replication, a fixity check) enter the
object with the next version; a version that only brings the event history up to date is replicated
without a replication event of its own, so that `sync` comes to rest.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

from sqlalchemy import func, select

from heritage import events
from heritage.errors import NotFound
from heritage.models import Event, Item, Outcome
from heritage.preservation import package
from heritage.preservation.replica import in_step, replica_store, replicate
from heritage.preservation.store import OcflStore
from heritage.runtime import Runtime


def store_of(runtime: Runtime) -> OcflStore:
    root = runtime.settings.ocfl_root or runtime.settings.data_dir / "ocfl"
    return OcflStore(root)


@dataclass(frozen=True)
class Preserved:
    item: str
    version: str | None  # None: nothing had changed
    changed: tuple[str, ...] = ()
    replicated: bool = False  # the replica was brought up to date by this call
    in_step: bool = True  # the replica (when there is one) holds the store's head


def _changed(store: OcflStore, item_id: str) -> tuple[str, ...]:
    inventory = store.inventory(item_id)
    head = int(inventory["head"][1:])
    now = inventory["versions"][inventory["head"]]["state"]
    before = inventory["versions"][f"v{head - 1}"]["state"] if head > 1 else {}

    def flat(state: dict[str, list[str]]) -> dict[str, str]:
        return {path: digest for digest, paths in state.items() for path in paths}

    a, b = flat(before), flat(now)
    return tuple(sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p)))


def preserve(runtime: Runtime, item_id: str, *, message: str, agent: str = events.SOFTWARE_AGENT) -> Preserved:
    """Write the item's current state as the next version of its object (when it changed) and replicate it.

    Raises:
        NotFound: no such item.
    """
    store = store_of(runtime)
    store.ensure()
    with store.locked(item_id):
        known = None
        if store.has(item_id):
            try:
                known = package.known_masters(json.loads(store.read(item_id, package.ITEM_JSON)))
            except (NotFound, ValueError, OSError):
                known = None
        stage = store.staging(store.lock_name(item_id))
        try:
            with runtime.sessions() as session:
                item = session.get(Item, item_id)
                if item is None:
                    raise NotFound(f"item {item_id!r} does not exist")
                contents, _ = package.build(session, item, stage, runtime.storage)
            version = store.write_version(item_id, contents, message=message, agent=agent, known=known)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        if runtime.settings.replica is None:
            return Preserved(item_id, version, _changed(store, item_id) if version else ())
        replica = replica_store(store, runtime.settings.replica)
        if version is None and in_step(store, replica, item_id):
            _record_lost_replication(runtime, store, replica, item_id)
            return Preserved(item_id, None)
        changed = _changed(store, item_id)
        head = version or str(store.inventory(item_id)["head"])
        replicated = _replicate(runtime, store, replica, item_id, head, record=changed != (package.EVENTS,))
    return Preserved(item_id, version, changed if version else (), replicated, replicated)


def _record_lost_replication(runtime: Runtime, store: OcflStore, replica: OcflStore, item_id: str) -> None:
    """A process killed after the replica's inventory was replaced (each file read back and checked before)
    but before its replication event committed leaves the replica in step and the event lost: record it now,
    once. A version of events alone is copied without an event, so none is owed for it."""
    head = str(store.inventory(item_id)["head"])
    if _changed(store, item_id) == (package.EVENTS,):
        return
    with runtime.transaction() as session:
        recorded = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(
                Event.item_id == item_id,
                Event.type == "replication",
                Event.outcome == Outcome.SUCCESS.value,
                Event.data["version"].as_string() == head,
            )
        )
        if not recorded:
            events.record(
                session,
                "replication",
                item_id=item_id,
                outcome=Outcome.SUCCESS,
                detail=f"OCFL version {head} found in {replica.root}, in step with the store (its copy was "
                "verified by a run that stopped before recording it)",
                version=head,
                files=0,
            )


def _replicate(
    runtime: Runtime, store: OcflStore, replica: OcflStore, item_id: str, version: str, *, record: bool
) -> bool:
    try:
        result = replicate(store, replica, item_id)
        problems = result.problems
    except OSError as exc:
        problems = [f"{item_id}: {exc}"]
        result = None
    if problems or record:
        with runtime.transaction() as session:
            events.record(
                session,
                "replication",
                item_id=item_id,
                outcome=Outcome.FAILURE if problems else Outcome.SUCCESS,
                detail=(
                    "; ".join(problems)
                    if problems
                    else f"OCFL version {version} copied to {replica.root} and verified (SHA-512)"
                ),
                version=version,
                files=len(result.copied) if result else 0,
            )
    return not problems


def restore_master(runtime: Runtime, item_id: str, sha256: str, storage_key: str) -> bool:
    """Put a master back into the working store from the item's OCFL object when it is missing there.

    The object's copy is checked against the recorded SHA-256 while it is copied. True when restored.

    Raises:
        NotFound: the object does not hold a file with that checksum.
    """
    path = runtime.storage.master_path(storage_key)
    if path.is_file():
        return False
    store = store_of(runtime)
    core = json.loads(store.read(item_id, package.ITEM_JSON))
    logical = next((f["path"] for f in core.get("files", []) if f["sha256"] == sha256), None)
    files = store.head_files(item_id)
    if logical is None or logical not in files:
        raise NotFound(f"the object of item {item_id} holds no file with SHA-256 {sha256}")
    runtime.storage.put_master(files[logical], sha256)
    return True
