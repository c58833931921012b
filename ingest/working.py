"""Which batch files (and batches) a live process is working on: one OS lock per file and one per batch
run, which the kernel releases when the process holding it dies (a kill -9 or a power cut included).

A rerun of a batch resets files left `working` and removes what they left half-made; it must not do so for
a file that a worker still alive (another rq worker, an earlier command still running) is processing. The
lock tells the two apart without timeouts or heartbeats. Likewise every run of a batch (a `heritage ingest`,
an upload's background run) holds the batch's lock, shared, so the batch page can tell a batch that is
being run from one whose run died. Locks live in the data directory, so every process
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


def _batch_lock_path(runtime: Runtime, batch_id: str) -> Path:
    folder = runtime.settings.data_dir / "locks" / "batches"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{batch_id}.lock"


@contextmanager
def running_batch(runtime: Runtime, batch_id: str) -> Iterator[None]:
    """Hold the batch's run lock for the block (shared: a rerun may run beside a live run)."""
    fd = os.open(_batch_lock_path(runtime, batch_id), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def claim_batch_run(runtime: Runtime, batch_id: str) -> int | None:
    """A descriptor holding the batch's run lock when no live process runs the batch; None when one does.

    The caller hands the descriptor to the process that runs the batch (the lock goes with it) and closes
    its own copy, so the batch is never seen without a run between the two.
    """
    fd = os.open(_batch_lock_path(runtime, batch_id), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    fcntl.flock(fd, fcntl.LOCK_SH)  # let the run's own `running_batch` share it
    return fd


def is_batch_being_run(runtime: Runtime, batch_id: str) -> bool:
    """True while a live process holds the batch's run lock."""
    fd = os.open(_batch_lock_path(runtime, batch_id), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _job_lock_path(runtime: Runtime, job_id: str) -> Path:
    folder = runtime.settings.data_dir / "locks" / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.lock"


@contextmanager
def running_job(runtime: Runtime, job_id: str | None) -> Iterator[None]:
    """Hold the job's lock while its work runs (nothing for jobs run inline, which have no id).

    The lock file exists only while the job runs or after its process died: it is removed, still locked, when
    the work ends. So a started job whose lock file is there and free was killed (a dead worker noticed at
    once, without waiting for rq's heartbeat to expire), and a job not yet begun has no file.
    """
    if job_id is None:
        yield
        return
    path = _job_lock_path(runtime, job_id)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def job_died(runtime: Runtime, job_id: str) -> bool:
    """True when the job began its work and the process running it is gone (its lock left behind, free)."""
    path = runtime.settings.data_dir / "locks" / "jobs" / f"{job_id}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False  # not begun, or ended normally
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # its process is at work
    finally:
        os.close(fd)
    return path.exists()  # (its work may have ended and removed the file between the open and the lock)


def forget_job(runtime: Runtime, job_id: str) -> None:
    """Remove the lock a dead job left, once its file has been seen to."""
    (runtime.settings.data_dir / "locks" / "jobs" / f"{job_id}.lock").unlink(missing_ok=True)
