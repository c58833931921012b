"""`heritage ingest` killed with SIGKILL again and again (in planning, between the commits of one file, at
the end of the batch, and from outside while files are running), then run to the end: exactly one item per
row, one batch file per path, each step's event once per file, and exit 0 with no "duplicate"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from heritage.models import BatchFile, Event, File, Item
from heritage.runtime import Runtime
from ingest.batches import batch_id_for, progress
from tests.helpers import make_image, write_sheet
from tests.ingest.checks import assert_masters_identical, assert_no_duplicates, assert_store_clean

pytestmark = [pytest.mark.db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

# (function, which call, before or after it, only calls recording this event type)
KILL_POINTS = [
    ("heritage.catalogue:upsert_item", 3, "before", None),  # planning: the batch's transaction half written
    ("ingest.batches:reconcile", 1, "before", None),  # planning committed, nothing cleaned up or indexed yet
    ("heritage.events:record", 2, "before", "metadata_extraction"),  # a file's checksum and format recorded
    ("heritage.storage:LocalStorage.commit", 2, "after", None),  # a master stored, its file rows not written
    ("ingest.process:index_items", 2, "before", None),  # a file's rows committed, the index not told
    ("ingest.handoffs:enqueue_pending", 1, "before", None),  # the batch finished, policy and store not told
]
FILE_STEPS = ("message_digest_calculation", "format_identification", "metadata_extraction", "validation")


def kill_batch(folder: Path) -> tuple[Path, int, int]:
    """A sheet without identifiers: rows of one scan, a row of two pages, a row without scans."""
    rows = []
    for i in range(10):
        make_image(folder / "scans" / f"s{i:02}.tif", (1200, 900), seed=i, fmt="TIFF")
        rows.append({"title": f"Akte {i}", "date": "1921", "files": f"scans/s{i:02}.tif"})
    make_image(folder / "scans" / "boek-1.jpg", (1200, 900), seed=41)
    make_image(folder / "scans" / "boek-2.jpg", (1200, 900), seed=42)
    rows.append({"title": "Register", "date": "1922", "files": "scans/boek-1.jpg|scans/boek-2.jpg"})
    rows.append({"title": "Omslag", "date": "1922", "files": ""})
    write_sheet(folder / "sheet.csv", rows)
    return folder, len(rows), 12


def _run(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_killed_at(point: tuple[str, int, str, str | None], ingest: list[str], env: dict[str, str]) -> None:
    target, nth, when, kind = point
    proc = _run(["-m", "tests.ingest.kill_at", target, str(nth), when, *([kind] if kind else []), "--", *ingest], env)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == -signal.SIGKILL, f"{target} was never reached: {err}"


def _kill_when_files_done(runtime: Runtime, batch_id: str, proc: subprocess.Popen[str], more: int) -> None:
    """SIGKILL from outside once `more` further files are done (the run may end first on a slow machine: the
    test then goes on, and the final checks hold all the same)."""
    start = progress(runtime, batch_id).done
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if progress(runtime, batch_id).done >= start + more:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)


def test_killed_again_and_again_then_run_to_the_end(runtime: Runtime, cli_env: dict[str, str], tmp_path: Path) -> None:
    batch, rows, paths = kill_batch(tmp_path / "batch")
    ingest = ["ingest", str(batch), "--collection", "kills", "--parallel", "2"]
    for point in KILL_POINTS[:-1]:
        _run_killed_at(point, ingest, cli_env)
    outside = _run(["-m", "heritage", *ingest], cli_env)
    _kill_when_files_done(runtime, batch_id_for("kills", batch), outside, 2)
    _run_killed_at(KILL_POINTS[-1], ingest, cli_env)  # reached again by any rerun: the batch is finished anew

    final = _run(["-m", "heritage", *ingest], cli_env)
    out, err = final.communicate(timeout=240)
    assert final.returncode == 0, out + err
    assert "duplicate" not in out + err
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == rows
        assert session.scalar(select(func.count()).select_from(BatchFile)) == paths
        assert session.scalar(select(func.count(func.distinct(BatchFile.path)))) == paths
        assert session.scalar(select(func.count()).select_from(File)) == paths
        counts = dict(session.execute(select(Event.type, func.count()).group_by(Event.type)).all())
    assert {step: counts.get(step) for step in (*FILE_STEPS, "creation", "ingestion")} == dict.fromkeys(
        (*FILE_STEPS, "creation", "ingestion"), paths
    ), "each step of each file is recorded once"
    assert counts["description"] == rows
    assert_no_duplicates(runtime)
    assert_store_clean(runtime)
    assert assert_masters_identical(runtime, batch) == paths
