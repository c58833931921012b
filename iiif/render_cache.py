"""A disk cache with a size bound for rendered IIIF images that are not stored tiles.

Entries are files named by a key (a hash of the image's derivative stamp and the canonical request),
written atomically, touched on every hit (so the oldest-used go first) and trimmed to the bound by a
scan that runs once per tenth of the bound written, in any process that shares the folder. Every file
under the folder counts against the bound, whatever its name: every variant of a request (format,
quality, rotation) is an entry of its own, and the temporary file of a writer killed mid-write is
counted and, being old, dropped first. A render larger than the whole bound is sent but never kept.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

TRIM_TO = 0.9  # after a trim the cache holds at most this share of the bound
PART_PREFIX = ".part-"  # a file being written; left behind when its writer was killed


class RenderCache:
    """Files under `root`, at most `max_bytes` in total (give or take one trim interval)."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._written_since_scan = max_bytes  # scan on the first write of the process
        self._lock = threading.Lock()

    def path(self, key: str, suffix: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"cache key {key!r} is not alphanumeric")
        return self.root / key[:2] / f"{key}.{suffix}"

    def open(self, key: str, suffix: str) -> BinaryIO | None:
        """The entry, opened (so a trim in any process cannot take it away mid-response), or None."""
        path = self.path(key, suffix)
        try:
            handle = path.open("rb")
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return handle

    def put(self, key: str, suffix: str, data: bytes) -> Path | None:
        """Store `data` under `key` (atomically: readers see the whole file or none); None when it is not kept
        (larger than the whole bound, or a trim in another process took the half-written file)."""
        if len(data) > self.max_bytes:
            return None
        path = self.path(key, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=PART_PREFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except FileNotFoundError:
            return None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        with self._lock:
            self._written_since_scan += len(data)
            due = self._written_since_scan >= self.max_bytes // 10
            if due:
                self._written_since_scan = 0
        if due:
            self.trim(keep=path)
        return path

    def entries(self) -> list[tuple[float, int, Path]]:
        """(last use, bytes, path) of every file in the cache: entries, and temporary files alive or left."""
        out: list[tuple[float, int, Path]] = []
        folders = [self.root]
        while folders:
            try:
                listed = list(os.scandir(folders.pop()))
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in listed:
                with contextlib.suppress(FileNotFoundError):
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(Path(entry.path))
                    else:
                        st = entry.stat(follow_symlinks=False)
                        out.append((st.st_mtime, st.st_size, Path(entry.path)))
        return out

    def size(self) -> int:
        return sum(size for _, size, _ in self.entries())

    def trim(self, keep: Path | None = None) -> int:
        """Drop the least recently used entries (never `keep`) until under the bound; return bytes freed."""
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return 0
        freed, target = 0, total - int(self.max_bytes * TRIM_TO)
        for _, size, path in sorted(entries):
            if freed >= target:
                break
            if path == keep:
                continue
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                freed += size
        return freed
