"""The replica: a second OCFL storage root in another place (`HERITAGE_REPLICA`), object by object.

Content files in OCFL never change once written, so bringing an object's replica up to date copies the
files the store's root inventory names and the replica lacks, then the root inventory with its sidecar
last; every file the replica's own root inventory did not yet vouch for is read back and checked (content
files against the inventory's SHA-512, the rest byte for byte) before the root inventory is replaced, so a
reader of the replica never sees an inventory naming bytes it does not hold intact.

A copy killed half-way leaves `.NAME.partial` files and the old root inventory (or none): the replica is
then behind the store (`in_step` is false), and the next `replicate` removes the leftovers, checks what
the killed copy did write and finishes the rest. Files of a version the store's writer left unfinished
are never copied: only what the root inventory names.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heritage.errors import ConfigurationError
from heritage.preservation.store import CHUNK, OcflStore, sha512_of

INVENTORY = "inventory.json"
PARTIAL = ".partial"


@dataclass
class Replicated:
    copied: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def replica_store(primary: OcflStore, replica: Path) -> OcflStore:
    if replica.resolve() == primary.root.resolve():
        raise ConfigurationError(f"HERITAGE_REPLICA={replica} is the preservation store itself")
    store = OcflStore(replica)
    try:
        store.ensure()
    except OSError as exc:
        raise ConfigurationError(f"replica {replica} cannot be created: {exc.strerror} (HERITAGE_REPLICA)") from None
    return store


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}{PARTIAL}")
    with source.open("rb") as src, partial.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)


def sidecar(inventory: dict[str, Any]) -> str:
    return f"{INVENTORY}.{inventory.get('digestAlgorithm', 'sha512')}"


def _read_inventory(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / INVENTORY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def head_of(folder: Path) -> str | None:
    """The head version an object folder's root inventory names (None: no readable inventory)."""
    inventory = _read_inventory(folder)
    return str(inventory.get("head")) if inventory else None


def in_step(primary: OcflStore, replica: OcflStore, item_id: str) -> bool:
    """True when the replica holds the store's object as it is now: the same root inventory (by its digest)."""
    source, target = primary.object_dir(item_id), replica.object_dir(item_id)
    try:
        names = [p.name for p in source.glob(f"{INVENTORY}.*")]
        return bool(names) and all((target / n).read_bytes() == (source / n).read_bytes() for n in names)
    except OSError:
        return False


def object_files(folder: Path, inventory: dict[str, Any]) -> list[str]:
    """Every file of the object its root inventory names (that inventory and its sidecar apart), in the order a
    copy writes them: the declaration, then version by version its content and its inventory."""
    files = sorted(p.name for p in folder.glob("0=ocfl_object_*"))
    versions = sorted(inventory.get("versions", {}), key=lambda v: int(v[1:]))
    content = sorted(path for paths in inventory.get("manifest", {}).values() for path in paths)
    for version in versions:
        files += [path for path in content if path.startswith(f"{version}/")]
        files += [f"{version}/{INVENTORY}", f"{version}/{sidecar(inventory)}"]
    return files


def _vouched(target: Path) -> set[str]:
    """Files the replica's current root inventory names: they were checked when it was written."""
    inventory = _read_inventory(target)
    if inventory is None:
        return set()
    return set(object_files(target, inventory)) - {p.name for p in target.glob("0=ocfl_object_*")}


def _remove_leftovers(target: Path) -> None:
    if target.is_dir():
        for path in target.rglob(f".*{PARTIAL}"):
            path.unlink(missing_ok=True)


def replicate(primary: OcflStore, replica: OcflStore, item_id: str) -> Replicated:
    """Bring the replica of one object up to date (finishing a copy a killed process left) and verify it.

    Call under the store's `locked(item_id)`.
    """
    result = Replicated()
    source = primary.object_dir(item_id)
    target = replica.object_dir(item_id)
    inventory = json.loads((source / INVENTORY).read_text(encoding="utf-8"))
    digests = {path: digest for digest, paths in inventory["manifest"].items() for path in paths}
    vouched = _vouched(target)
    _remove_leftovers(target)
    for relative in object_files(source, inventory):
        if relative in vouched:
            continue
        copy = target / relative
        if not copy.is_file():
            _copy(source / relative, copy)
            result.copied.append(relative)
        if not _intact(source / relative, copy, digests.get(relative)):
            _copy(source / relative, copy)  # a copy a killed process left, damaged since: copied again
            if not _intact(source / relative, copy, digests.get(relative)):
                result.problems.append(f"{item_id}: {relative}: the replica's copy does not match the inventory")
    if result.problems:
        return result
    for relative in (INVENTORY, sidecar(inventory)):
        _copy(source / relative, target / relative)
    if (target / INVENTORY).read_bytes() != (source / INVENTORY).read_bytes():
        result.problems.append(f"{item_id}: {INVENTORY}: the replica's copy differs")
    return result


def _intact(source: Path, copy: Path, digest: str | None) -> bool:
    if digest is not None:
        return sha512_of(copy) == digest
    return copy.read_bytes() == source.read_bytes()
