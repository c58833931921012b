"""Which batch files a live process is working on: one OS lock per file, which the kernel releases when
the process holding it dies (a kill -9 or a power cut included).

A rerun of a batch resets files left `working` and removes what they left half-made; it must not do so for
a file that a worker still alive (another rq worker, an earlier command still running) is processing. The
lock tells the two apart without timeouts or heartbeats. Locks live in the data directory, so every process
on this machine sees them (a data directory shared between machines needs a filesystem with working
`flock`, as NFSv4 has).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from heritage.runtime import Runtime


def _lock_path(runtime: Runtime, batch_file_id: int) -> Path:
    folder = runtime.settings.data_dir / "locks" / "batch-files"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"bf{batch_file_id}.lock"


@contextmanager
def working_on(runtime: Runtime, batch_file_id: int, *, wait: bool = True) -> Iterator[bool]:
    """Hold the file's lock for the block; yields False (without waiting) when `wait` is off and it is held."""
    fd = os.open(_lock_path(runtime, batch_file_id), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


def is_being_worked_on(runtime: Runtime, batch_file_id: int) -> bool:
    """True while a live process holds the file's lock."""
    with working_on(runtime, batch_file_id, wait=False) as free:
        return not free
