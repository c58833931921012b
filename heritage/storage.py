"""Where masters and derivatives live. Masters are content-addressed, written once and never modified.

`Storage` is the interface; `LocalStorage` keeps everything under the data directory. Another backend
(shared or object storage) implements the same Protocol and is chosen by a setting.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
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

    def discard_incoming(self, sha256: str) -> int:
        """Remove half-copied masters with this checksum left by a killed process; returns how many."""
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
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            copied, _, _ = file_digests(tmp)
            if copied != sha256:
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

    def discard_incoming(self, sha256: str) -> int:
        folder = self.master_path(self.key_for(sha256)).parent
        removed = 0
        for stale in folder.glob(f".incoming-{sha256}-*") if folder.is_dir() else []:
            stale.unlink(missing_ok=True)
            removed += 1
        return removed

    def discard_orphan(self, sha256: str) -> bool:
        path = self.master_path(self.key_for(sha256))
        if not path.is_file():
            return False
        path.unlink()  # the folder is writable; the file's own 0444 does not protect it from unlink
        return True
