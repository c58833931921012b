"""The preservation store: an OCFL 1.1 storage root (ocfl-py), one object per item, SHA-512 addressed.

Every change of an item is a new version; nothing in a version is ever rewritten. The root is readable
without this application (any OCFL client reads it), and the catalogue can be rebuilt from it alone.
A content file that is a stored master is a hard link of the master when both live on one file system
(the bytes are kept once; the replica is the independent second copy), a copy otherwise.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heritage.errors import ConfigurationError, NotFound

if TYPE_CHECKING:
    import ocfl

LAYOUT = "0003-hash-and-id-n-tuple-storage-layout"
DECLARATION = "0=ocfl_1.1"
SWEEP_EVERY = 60.0  # seconds between two sweeps of staging folders left by killed writers
ROOT_LOCK = "storage-root"  # the lock held while the storage root is created
CHUNK = 4 * 1024 * 1024
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Content:
    """One file of an object's next state: its logical path and where its bytes are now.

    `sha256` is given for stored masters: a logical path whose recorded SHA-256 is unchanged is carried
    forward without reading the master again.
    """

    logical: str
    source: Path
    sha256: str | None = None


def sha512_of(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _place(source: Path, target: Path) -> None:
    """Hard-link `source` at `target` (one copy of the bytes), or copy it durably across file systems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
        return
    except OSError:
        pass
    with source.open("rb") as src, target.open("xb") as out:
        shutil.copyfileobj(src, out, CHUNK)
        out.flush()
        os.fsync(out.fileno())
    target.chmod(0o444)


def _normal(state: dict[str, list[str]]) -> dict[str, list[str]]:
    return {digest: sorted(paths) for digest, paths in state.items() if paths}


class OcflStore:
    """An OCFL storage root under `root`; working files (locks, staging) in a hidden sibling folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.work = root.parent / f".{root.name}-work"
        self._swept = -SWEEP_EVERY

    # -- the root ------------------------------------------------------------------------------------
    def ensure(self) -> None:
        """Create the storage root (declaration and layout) the first time it is used.

        Any number of processes may get here at once (rq workers starting the first batch): one creates
        the root, under a lock, in the work folder and renames it into place whole, so the others (and a
        process killed half-way) never meet a half-made root.
        """
        if (self.root / DECLARATION).is_file():
            return
        if not self.root.parent.is_dir():
            raise ConfigurationError(f"{self.root.parent} does not exist (HERITAGE_OCFL_ROOT, HERITAGE_REPLICA)")
        with self._root_lock():
            if (self.root / DECLARATION).is_file():
                return  # another process made it while this one waited
            if self.root.exists() and any(self.root.iterdir()):
                raise ConfigurationError(f"{self.root} is not empty and not an OCFL storage root (HERITAGE_OCFL_ROOT)")
            import ocfl  # imported when used: it takes half a second, which every command would pay

            stage = self.staging(ROOT_LOCK)
            try:
                ocfl.StorageRoot(str(stage / "root"), layout_name=LAYOUT).initialize()
                os.rename(stage / "root", self.root)  # onto nothing, or onto the empty folder given as the root
            finally:
                shutil.rmtree(stage, ignore_errors=True)

    @contextmanager
    def _root_lock(self) -> Iterator[None]:
        locks = self.work / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        with (locks / f"{ROOT_LOCK}.lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # released by the kernel if this process dies
            yield

    @property
    def exists(self) -> bool:
        return (self.root / DECLARATION).is_file()

    def _storage_root(self) -> ocfl.StorageRoot:
        import ocfl

        return ocfl.StorageRoot(str(self.root))

    def object_path(self, item_id: str) -> str:
        import ocfl

        return str(ocfl.StorageRoot(str(self.root), layout_name=LAYOUT).object_path(item_id))

    def object_dir(self, item_id: str) -> Path:
        return self.root / self.object_path(item_id)

    def has(self, item_id: str) -> bool:
        return (self.object_dir(item_id) / "inventory.json").is_file()

    def objects(self) -> Iterator[tuple[str, Path]]:
        """(item id, object folder) of every object in the root, in path order."""
        if not self.exists:
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames.sort()
            if "0=ocfl_object_1.1" in filenames:
                dirnames.clear()
                folder = Path(dirpath)
                try:
                    inventory = json.loads((folder / "inventory.json").read_text(encoding="utf-8"))
                    yield str(inventory["id"]), folder
                except (OSError, ValueError, KeyError):
                    yield folder.name, folder  # a damaged object still shows up (the audit names it)
            elif Path(dirpath) == self.root:
                dirnames[:] = [d for d in dirnames if d != "extensions"]

    def validate(self, *, check_digests: bool = True) -> list[str]:
        """Every problem the OCFL validator of ocfl-py finds in the whole root (empty when valid)."""
        if not self.exists:
            return [f"{self.root}: not an OCFL storage root"]
        root = self._storage_root()
        valid = root.validate(check_digests=check_digests, log_errors=False, max_errors=1000)
        problems = [f"{path}: {message}" for path, message in (root.errors or [])]
        if not valid and not problems:
            problems.append(f"{self.root}: storage root structure is not valid")
        if root.num_objects != root.good_objects and not problems:
            problems.append(f"{root.num_objects - root.good_objects} objects are not valid")
        return problems

    # -- reading -------------------------------------------------------------------------------------
    def inventory(self, item_id: str) -> dict[str, Any]:
        path = self.object_dir(item_id) / "inventory.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFound(f"item {item_id!r} has no object in the preservation store") from None

    def head_files(self, item_id: str, inventory: dict[str, Any] | None = None) -> dict[str, Path]:
        """Logical path -> content file of the newest version."""
        inventory = inventory or self.inventory(item_id)
        folder = self.object_dir(item_id)
        state = inventory["versions"][inventory["head"]]["state"]
        return {
            logical: folder / inventory["manifest"][digest][0] for digest, paths in state.items() for logical in paths
        }

    def read(self, item_id: str, logical: str) -> bytes:
        files = self.head_files(item_id)
        if logical not in files:
            raise NotFound(f"{logical} is not in the object of item {item_id}")
        return files[logical].read_bytes()

    # -- writing -------------------------------------------------------------------------------------
    @staticmethod
    def lock_name(item_id: str) -> str:
        return hashlib.sha256(item_id.encode()).hexdigest()[:32]

    @contextmanager
    def locked(self, item_id: str) -> Iterator[None]:
        """One writer per object at a time, across processes (ingest workers, the CLI, the web app)."""
        locks = self.work / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        self._sweep_staging()  # before taking the lock: what a killed writer of this item left is swept too
        with (locks / f"{self.lock_name(item_id)}.lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def staging(self, owner: str) -> Path:
        """A fresh staging folder named after the lock its writer holds (`owner`: `lock_name(item_id)` under
        `locked(item_id)`, ROOT_LOCK while creating the root), so that what a killed writer leaves is known to be
        dead once that lock is free again."""
        self.work.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"stage-{owner}-", dir=self.work))

    def _sweep_staging(self) -> None:
        """Remove staging folders whose writer is gone (its lock is free): a process killed mid-write
        leaves one behind, and nobody else would ever remove it. Done at most once a minute per store."""
        if time.monotonic() - self._swept < SWEEP_EVERY or not self.work.is_dir():
            return
        self._swept = time.monotonic()
        for stage in sorted(self.work.glob("stage-*")):
            owner = stage.name[len("stage-") :].rsplit("-", 1)[0]
            lock = self.work / "locks" / f"{owner}.lock"
            if owner == stage.name[len("stage-") :] or not lock.is_file():
                shutil.rmtree(stage, ignore_errors=True)  # an unnamed folder of an older release
                continue
            with lock.open("a") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its writer is at work
                try:
                    log.warning("removing staging folder %s left by a stopped writer", stage.name)
                    shutil.rmtree(stage, ignore_errors=True)
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    def write_version(
        self, item_id: str, contents: list[Content], *, message: str, agent: str, known: dict[str, str] | None = None
    ) -> str | None:
        """Write the next version of the item's object with exactly `contents`; None when nothing changed.

        `known` maps logical paths of the current head to the SHA-256 recorded for them (from its item.json):
        a master whose logical path and SHA-256 are unchanged is carried forward without being read.
        Call under `locked(item_id)`.
        """
        import ocfl

        self.ensure()
        metadata = ocfl.VersionMetadata(message=message, name=agent)
        folder = self.object_dir(item_id)
        if not (folder / "inventory.json").is_file():
            return self._first_version(item_id, contents, metadata, folder)
        self._drop_unfinished_versions(folder)
        obj = ocfl.Object(identifier=item_id)
        nv = obj.start_new_version(objdir=str(folder), srcdir="/", metadata=metadata, carry_content_forward=True)
        inventory = nv.inventory
        previous = _normal(inventory.version(f"v{int(inventory.head[1:]) - 1}").state)
        wanted = {c.logical: c for c in contents}
        known = known or {}
        for logical in list(inventory.current_version.logical_paths):
            content = wanted.get(logical)
            if content is not None and content.sha256 and known.get(logical) == content.sha256:
                wanted.pop(logical)  # the same master: carried forward unread
            else:
                nv.delete(logical)
        for content in wanted.values():
            nv.add(str(content.source.resolve())[1:], content.logical, content_path=self._content_path(nv, content))
        if _normal(inventory.current_version.state) == previous:
            return None
        for source, target in nv.files_to_copy.items():
            _place(Path("/") / source, folder / target)
        obj.write_inventory_and_sidecar(inventory, inventory.head)
        obj.write_inventory_and_sidecar(inventory)  # the root inventory last: the version exists from here on
        return str(inventory.head)

    @staticmethod
    def _content_path(nv: ocfl.NewVersion, content: Content) -> str:
        path = f"{nv.inventory.head}/{nv.content_directory}/{content.logical}"
        return path if path not in nv.inventory.content_paths else f"{path}.{uuid.uuid4().hex[:8]}"

    def _first_version(
        self, item_id: str, contents: list[Content], metadata: ocfl.VersionMetadata, folder: Path
    ) -> str:
        import ocfl

        nv = ocfl.NewVersion.first_version(srcdir="/", identifier=item_id, metadata=metadata)
        for content in contents:
            nv.add(str(content.source.resolve())[1:], content.logical, content_path=self._content_path(nv, content))
        stage = self.staging(self.lock_name(item_id)) / "object"
        stage.mkdir()
        obj = ocfl.Object(identifier=item_id)
        obj.open_obj_fs(str(stage))
        for source, target in nv.files_to_copy.items():
            _place(Path("/") / source, stage / target)
        obj.write_inventory_and_sidecar(nv.inventory, "v1")
        obj.write_object_declaration()
        obj.write_inventory_and_sidecar(nv.inventory)
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.rename(stage, folder)  # the object appears whole or not at all
        shutil.rmtree(stage.parent, ignore_errors=True)
        return "v1"

    @staticmethod
    def _drop_unfinished_versions(folder: Path) -> None:
        """Remove a version folder a killed writer left beyond the head the root inventory names."""
        head = int(json.loads((folder / "inventory.json").read_text(encoding="utf-8"))["head"][1:])
        for child in folder.iterdir():
            if child.is_dir() and child.name[:1] == "v" and child.name[1:].isdigit() and int(child.name[1:]) > head:
                log.warning("removing unfinished version %s of %s", child.name, folder)
                shutil.rmtree(child)
