"""The replica: a second OCFL storage root in another place (`HERITAGE_REPLICA`), object by object.

Content files in OCFL never change once written, so bringing an object's replica up to date copies the
files it lacks and the root inventory; every copied content file is then read back and its SHA-512
compared with the inventory before the replica's inventory is replaced (a reader of the replica never
sees an inventory naming bytes it does not hold intact).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from heritage.errors import ConfigurationError
from heritage.preservation.store import CHUNK, OcflStore, sha512_of

ROOT_FILES = ("inventory.json", "inventory.json.sha512")


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
    partial = target.with_name(f".{target.name}.partial")
    with source.open("rb") as src, partial.open("wb") as out:
        shutil.copyfileobj(src, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)


def replicate(primary: OcflStore, replica: OcflStore, item_id: str) -> Replicated:
    """Bring the replica of one object up to date and verify what was copied."""
    result = Replicated()
    source = primary.object_dir(item_id)
    target = replica.object_dir(item_id)
    inventory = json.loads((source / "inventory.json").read_text(encoding="utf-8"))
    digests = {path: digest for digest, paths in inventory["manifest"].items() for path in paths}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source).as_posix()
        if relative in ROOT_FILES or (target / relative).is_file():
            continue
        _copy(path, target / relative)
        result.copied.append(relative)
        expected = digests.get(relative)
        if expected is not None and sha512_of(target / relative) != expected:
            result.problems.append(f"{item_id}: {relative}: the replica's copy does not match the inventory")
    for relative in ROOT_FILES:
        if not result.problems:
            _copy(source / relative, target / relative)
    if not result.problems and (target / "inventory.json").read_bytes() != (source / "inventory.json").read_bytes():
        result.problems.append(f"{item_id}: inventory.json: the replica's copy differs")
    return result
