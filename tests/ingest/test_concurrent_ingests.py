"""Two `heritage ingest` commands at once on one data directory, each with its own batch: both finish, and
neither takes the other's work in the preservation store for what a killed writer left (a sweep of staging
folders once removed a live writer's, and its ingest exited 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from heritage.models import Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.helpers import write_sheet

pytestmark = [pytest.mark.db, pytest.mark.slow]


def test_two_ingests_at_once_both_finish(settings: Settings, runtime: Runtime, tmp_path: Path) -> None:
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    processes = []
    for name in ("links", "rechts"):
        folder = tmp_path / name
        folder.mkdir()
        write_sheet(
            folder / "sheet.csv", [{"identifier": f"R{i}", "title": f"Akte {i}", "files": ""} for i in range(12)]
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "heritage", "ingest", str(folder), "--collection", name],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for process in processes:
        _, err = process.communicate(timeout=240)
        assert process.returncode == 0, err
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 24
    work = settings.data_dir / ".ocfl-work" if (settings.data_dir / ".ocfl-work").exists() else None
    assert work is None or not list(work.glob("stage-*"))
