"""Several processes (rq workers on one data directory) may be the first to use the OCFL storage root:
all of them must find one valid root, none may fail."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from heritage.preservation.store import OcflStore

PROCESSES = 4
ROUNDS = 2


def _ensure_at_once(root: str, barrier: multiprocessing.synchronize.Barrier, results: multiprocessing.Queue) -> None:
    barrier.wait()
    try:
        OcflStore(Path(root)).ensure()
        results.put(None)
    except Exception as exc:  # the test reports what each process met
        results.put(f"{type(exc).__name__}: {exc}")


def test_processes_creating_the_storage_root_at_once_all_find_it(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    problems: list[str] = []
    for round_ in range(ROUNDS):
        root = tmp_path / f"round{round_}" / "ocfl"
        root.parent.mkdir()
        barrier = context.Barrier(PROCESSES)
        results = context.Queue()
        processes = [
            context.Process(target=_ensure_at_once, args=(str(root), barrier, results)) for _ in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(timeout=60)
        problems += [f"round {round_}: {outcome}" for outcome in outcomes if outcome is not None]
        assert OcflStore(root).validate() == []
    assert problems == []


def test_an_empty_folder_given_as_the_root_becomes_the_root(tmp_path: Path) -> None:
    root = tmp_path / "ocfl"
    root.mkdir()
    OcflStore(root).ensure()
    assert OcflStore(root).validate() == []
