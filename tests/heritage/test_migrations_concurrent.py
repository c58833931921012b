"""Commands and workers started together on a fresh database migrate it once, one after the other: none of
them fails on the tables another is creating (a traceback instead of a start, seen with two `heritage
worker` processes and `heritage ingest` launched at once on an empty PostgreSQL schema)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from heritage import db
from heritage.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow]
HERITAGE = Path(sys.executable).with_name("heritage")
TOGETHER = 8


def test_commands_started_together_on_a_fresh_database_all_start(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    commands = [["user", "list"], ["db", "upgrade"]] * (TOGETHER // 2)
    started = [
        subprocess.Popen([str(HERITAGE), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in commands
    ]
    ended = [
        (args, *proc.communicate(timeout=120), proc.returncode) for args, proc in zip(commands, started, strict=True)
    ]
    failed = [f"heritage {' '.join(args)}: exit {code}: {err.strip()[-300:]}" for args, _, err, code in ended if code]
    assert failed == []
    engine = db.make_engine(settings.database_url)
    try:
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()
