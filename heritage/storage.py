"""Where masters and derivatives live. Masters are content-addressed, written once and never modified.

`Storage` is the interface; `LocalStorage` keeps everything under the data directory. Another backend
(shared or object storage) implements the same Protocol and is chosen by a setting.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from heritage.errors import InvalidInput

CHUNK = 1024 * 1024


PARALLEL_DIGEST_BYTES = 16 * CHUNK


def file_digests(path: Path) -> tuple[str, str, int]:
    """SHA-256, MD5 and size of a file, read once in chunks (bounded memory).

    Large files hash MD5 on a second thread while SHA-256 runs here (hashlib releases the GIL), so
    the two digests of a big master cost the time of one.
    """
    sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with path.open("rb") as fh:
        if os.fstat(fh.fileno()).st_size < PARALLEL_DIGEST_BYTES:
            while chunk := fh.read(CHUNK):
                sha.update(chunk)
                md5.update(chunk)
                size += len(chunk)
            return sha.hexdigest(), md5.hexdigest(), size
        with ThreadPoolExecutor(1) as pool:
            pending = None
            while chunk := fh.read(4 * CHUNK):
                if pending is not None:
                    pending.result()
                pending = pool.submit(md5.update, chunk)
                sha.update(chunk)
                size += len(chunk)
            if pending is not None:
                pending.result()
    return sha.hexdigest(), md5.hexdigest(), size


@dataclass(frozen=True)
class Incoming:
    """A copy received into the store's incoming area, with its checksums; not a stored master yet."""

    path: Path
    sha256: str
    md5: str
    size: int


def _is_sha(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _valid_sha(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise InvalidInput(f"not a SHA-256 checksum: {sha256!r}")
    return sha256


@runtime_checkable
class Storage(Protocol):
    """Stores masters by checksum and gives each master a folder for its derivatives."""

    def put_master(self, source: Path, sha256: str) -> str:
        """Copy `source` in unless a master with this checksum is already stored; return its key."""
        ...

    def has_master(self, sha256: str) -> bool: ...

    def open_master(self, key: str) -> BinaryIO: ...

    def master_path(self, key: str) -> Path: ...

    def derivative_dir(self, sha256: str, page: int = 0) -> Path:
        """The folder of a master's derivatives (of one page of a multi-page master when `page` > 0)."""
        ...

    def receive(self, source: Path, tag: str) -> Incoming:
        """Copy `source` into the incoming area, computing SHA-256 and MD5 on the way (the file is read once).

        `tag` names the copy (for example the batch file it belongs to) so that what a killed process
        left can be found again with `discard_incoming(tag)`.
        """
        ...

    def persist(self, incoming: Incoming) -> None:
        """Make the received bytes durable (fsync); may run on another thread while the copy is used."""
        ...

    def commit(self, incoming: Incoming) -> str:
        """Store the received copy as the master of its checksum (read-only), or drop it when one is stored."""
        ...

    def discard(self, incoming: Incoming) -> None:
        """Drop a received copy that is not to be stored."""
        ...

    def discard_incoming(self, tag: str) -> int:
        """Remove copies left in the incoming area under this tag (a checksum or a tag given to `receive`)."""
        ...

    def discard_orphan(self, sha256: str) -> bool:
        """Remove a stored master no file record refers to (the caller checked); True when one was removed."""
        ...


class LocalStorage:
    """Masters under `<root>/masters/ab/cd/<sha256>`, derivatives under `<root>/derivatives/ab/<sha256>/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.masters = root / "masters"
        self.derivatives = root / "derivatives"

    def key_for(self, sha256: str) -> str:
        sha = _valid_sha(sha256)
        return f"masters/{sha[:2]}/{sha[2:4]}/{sha}"

    def master_path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.masters.resolve()):
            raise InvalidInput(f"storage key {key!r} points outside the master store")
        return path

    def has_master(self, sha256: str) -> bool:
        return self.master_path(self.key_for(sha256)).is_file()

    def put_master(self, source: Path, sha256: str) -> str:
        key = self.key_for(sha256)
        target = self.master_path(key)
        if target.is_file():
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".incoming-{sha256}-")
        tmp = Path(tmp_name)
        try:
            copied = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                # hash what is written, as it is written: the copy is checked without reading it again
                while chunk := src.read(4 * CHUNK):
                    copied.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if copied.hexdigest() != sha256:
                raise InvalidInput(f"{source}: changed while it was being stored (checksum differs)")
            tmp.chmod(0o444)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return key

    def open_master(self, key: str) -> BinaryIO:
        return self.master_path(key).open("rb")

    def derivative_dir(self, sha256: str, page: int = 0) -> Path:
        sha = _valid_sha(sha256)
        return self.derivatives / sha[:2] / (f"{sha}-p{page}" if page else sha)

    @property
    def incoming(self) -> Path:
        return self.masters / ".incoming"

    def receive(self, source: Path, tag: str) -> Incoming:
        if not tag or not all(c.isalnum() or c in "-_" for c in tag):
            raise InvalidInput(f"incoming tag {tag!r}: letters, digits, '-' and '_' only")
        self.incoming.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.incoming, prefix=f"{tag}-")
        tmp = Path(tmp_name)
        sha, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src, ThreadPoolExecutor(1) as pool:
                pending = None
                while chunk := src.read(4 * CHUNK):
                    if pending is not None:
                        pending.result()
                    pending = pool.submit(md5.update, chunk)  # MD5 on a second core; hashlib frees the GIL
                    sha.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                if pending is not None:
                    pending.result()
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return Incoming(tmp, sha.hexdigest(), md5.hexdigest(), size)

    def persist(self, incoming: Incoming) -> None:
        fd = os.open(incoming.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def commit(self, incoming: Incoming) -> str:
        key = self.key_for(incoming.sha256)
        target = self.master_path(key)
        if target.is_file():
            self.discard(incoming)
            return key
        self.persist(incoming)
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming.path.chmod(0o444)
        os.replace(incoming.path, target)
        return key

    def discard(self, incoming: Incoming) -> None:
        incoming.path.unlink(missing_ok=True)

    def discard_incoming(self, tag: str) -> int:
        removed = 0
        stale_copies = list(self.incoming.glob(f"{tag}-*")) if self.incoming.is_dir() else []
        folder = self.master_path(self.key_for(tag)).parent if _is_sha(tag) else None
        if folder is not None and folder.is_dir():
            stale_copies += list(folder.glob(f".incoming-{tag}-*"))
        for stale in stale_copies:
            stale.unlink(missing_ok=True)
            removed += 1
        return removed

    def discard_orphan(self, sha256: str) -> bool:
        path = self.master_path(self.key_for(sha256))
        if not path.is_file():
            return False
        path.unlink()  # the folder is writable; the file's own 0444 does not protect it from unlink
        return True
