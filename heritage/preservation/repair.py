"""`heritage fixity repair ITEM`: put an object right again from the replica, checking the replica first.

A damaged or missing content file is replaced by the replica's copy once that copy's SHA-512 matches the
inventory; a damaged inventory by the replica's when the replica's matches its own sidecar; a file that no
inventory lists is moved aside into a quarantine folder (never deleted). A stored master that shared the
damaged bytes (a hard link) is put back as well. The repair is recorded as a `recovery` event.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from heritage import events
from heritage.errors import ConfigurationError
from heritage.models import File, Outcome, utcnow
from heritage.preservation.fixity import Problem, _sidecar_ok, audit_object
from heritage.preservation.replica import replica_store
from heritage.preservation.store import CHUNK, sha512_of
from heritage.runtime import Runtime
from heritage.storage import file_digests


@dataclass
class Repair:
    item: str
    restored: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    masters: list[str] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)


def _replace(source: Path, target: Path) -> None:
    """Copy `source` beside `target`, make it durable and read-only, then swap it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.repair")
    with source.open("rb") as src, partial.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    partial.chmod(0o444)
    os.replace(partial, target)


def repair(runtime: Runtime, item_id: str, *, agent: str = events.SOFTWARE_AGENT) -> Repair:
    """Repair one object from the replica and record it.

    Raises:
        ConfigurationError: no replica is configured.
        NotFound: the item has no object.
    """
    from heritage.preservation.service import store_of

    if runtime.settings.replica is None:
        raise ConfigurationError("fixity repair restores from the replica: set HERITAGE_REPLICA")
    store = store_of(runtime)
    replica = replica_store(store, runtime.settings.replica)
    result = Repair(item_id)
    with store.locked(item_id):
        store.inventory(item_id)  # NotFound when there is no object
        folder, spare = store.object_dir(item_id), replica.object_dir(item_id)
        found = audit_object(store, item_id, folder)
        for problem in found.problems:
            if problem.problem == "inventory" and _sidecar_ok(spare / problem.path):
                _replace(spare / problem.path, folder / problem.path)
                _replace(spare / f"{problem.path}.sha512", folder / f"{problem.path}.sha512")
                result.restored.append(problem.path)
        inventory = store.inventory(item_id)
        expected = {path: digest for digest, paths in inventory["manifest"].items() for path in paths}
        for problem in audit_object(store, item_id, folder).problems:
            if problem.problem in ("mismatch", "missing"):
                copy = spare / problem.path
                if copy.is_file() and sha512_of(copy) == expected[problem.path]:
                    _replace(copy, folder / problem.path)
                    result.restored.append(problem.path)
            elif problem.problem == "unexpected":
                aside = store.work / "quarantine" / item_id / utcnow().strftime("%Y%m%dT%H%M%S") / problem.path
                aside.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(folder / problem.path, aside)
                result.quarantined.append(problem.path)
        result.remaining = audit_object(store, item_id, folder).problems
        result.masters = _restore_masters(runtime, item_id) if not result.remaining else []
    with runtime.transaction() as session:
        events.record(
            session,
            "recovery",
            item_id=item_id,
            agent=agent,
            outcome=Outcome.FAILURE if result.remaining else Outcome.SUCCESS,
            detail=(
                f"restored {len(result.restored)} files from the replica after checking its copies, "
                f"quarantined {len(result.quarantined)}"
                + (f"; {len(result.remaining)} problems remain" if result.remaining else "")
            ),
            restored=result.restored,
            quarantined=result.quarantined,
            masters=result.masters,
            remaining=[p.path for p in result.remaining],
        )
    return result


def _restore_masters(runtime: Runtime, item_id: str) -> list[str]:
    """Working masters whose bytes no longer match their SHA-256 (they shared the damaged file) put back."""
    from heritage.preservation.service import restore_master

    restored = []
    with runtime.sessions() as session:
        rows = session.execute(select(File.sha256, File.storage_key).where(File.item_id == item_id).distinct()).all()
    for sha256, key in rows:
        path = runtime.storage.master_path(key)
        if path.is_file() and file_digests(path)[0] != sha256:
            path.unlink()
        if restore_master(runtime, item_id, sha256, key):
            restored.append(key)
    return restored
