"""Several processes starting at once on a fresh database (rq workers of a new installation, a command beside
them) each apply the migrations they find missing: all of them must start, on one schema."""

from __future__ import annotations

import multiprocessing

import pytest

from heritage import db
from heritage.runtime import Runtime
from heritage.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]
PROCESSES = 4


def _open_at_once(settings: Settings, barrier, results) -> None:  # type: ignore[no-untyped-def]
    barrier.wait()
    try:
        Runtime.open(settings).close()
        results.put(None)
    except Exception as exc:  # the test reports what each process met
        results.put(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")


@pytest.mark.empty_database
def test_processes_starting_together_on_a_fresh_database_all_start(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [context.Process(target=_open_at_once, args=(settings, barrier, results)) for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    assert [outcome for outcome in outcomes if outcome is not None] == []
    runtime = Runtime(settings)
    assert db.current_revision(runtime.engine) == db.head_revision()
    runtime.close()
