"""What the end of a batch hands on (each item's policy evaluation and OCFL version) is part of the ingest:
a failure fails the item's files with the reason, is listed in the report and gives exit status 1, inline
and with rq workers; a rerun once the cause is gone finishes the batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from redis import Redis
from rq import Queue
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, Item, Outcome, PolicyDecision
from heritage.preservation.service import store_of
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.conftest import REDIS_URL
from tests.helpers import small_batch

pytestmark = pytest.mark.db


def _not_a_store(tmp_path: Path) -> Path:
    """A folder named as the OCFL root that holds something else: the store cannot be written there."""
    folder = tmp_path / "not-ocfl"
    folder.mkdir()
    (folder / "notes.txt").write_text("not an OCFL storage root\n")
    return folder


def _ingest(env: dict[str, str], batch: Path, report: Path) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(
        main, ["ingest", str(batch), "--collection", "pedel", "--report", str(report)], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def test_preservation_that_fails_fails_the_files_and_the_command(cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = small_batch(tmp_path / "batch")
    env = {**cli_env, "HERITAGE_OCFL_ROOT": str(_not_a_store(tmp_path))}
    code, out, err = _ingest(env, batch, tmp_path / "report.json")
    assert code == 1, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    failed = report["handoffs"]
    assert len(failed) == 4 and {h["kind"] for h in failed} == {"preservation"}  # fonds, series and two files
    assert all("is not empty and not an OCFL storage root" in h["reason"] for h in failed)
    assert {f["path"]: f["status"] for f in report["files"]} == {
        "scans/a1.tif": "failed",
        "scans/b1.jpg": "failed",
        "scans/b2.png": "failed",
    }
    assert all(f["reason"].startswith("preservation failed: ") for f in report["files"])
    assert all("is not empty and not an OCFL storage root" in f["reason"] for f in report["files"])
    assert f"failed: preservation of item {failed[0]['item']}: " in err
    assert "after the files, 4 items failed (preservation)" in out

    code, out, err = _ingest(cli_env, batch, tmp_path / "report.json")  # the setting put right: a rerun finishes
    assert code == 0, out + err
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["handoffs"] == [] and report["counts"]["already_ingested"] == 3


def test_a_policy_evaluation_that_fails_is_reported(runtime: Runtime, cli_env: dict[str, str], tmp_path: Path) -> None:
    rules = tmp_path / "closure.yaml"
    rules.write_text("schema: something-else\n")
    env = {**cli_env, "HERITAGE_ACCESS_RULES": str(rules)}
    code, out, err = _ingest(env, small_batch(tmp_path / "batch"), tmp_path / "report.json")
    assert code == 1, out + err
    failed = json.loads((tmp_path / "report.json").read_text())["handoffs"]
    assert {h["kind"] for h in failed} == {"policy"} and len(failed) == 4
    assert f"failed: policy of item {failed[0]['item']}: ConfigurationError: closure rules {rules}" in err
    with runtime.sessions() as session:
        failures = session.scalars(
            select(Event).where(Event.type == "policy_assignment", Event.outcome == Outcome.FAILURE.value)
        ).all()
        assert len(failures) == 4


@pytest.mark.redis
@pytest.mark.slow
def test_with_rq_workers_the_command_waits_for_the_handoffs_and_reports_their_failures(
    settings: Settings, tmp_path: Path
) -> None:
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **settings.as_env(),
        "REDIS_URL": REDIS_URL,
        "HERITAGE_QUEUE": queue,
        "HERITAGE_OCFL_ROOT": str(_not_a_store(tmp_path)),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "heritage", "worker"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        command = subprocess.run(
            [sys.executable, "-m", "heritage", "ingest", str(small_batch(tmp_path / "batch")), "--collection", "pedel"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        Queue(queue, connection=Redis.from_url(REDIS_URL)).delete(delete_jobs=True)
    assert command.returncode == 1, command.stdout + command.stderr
    assert command.stderr.count("failed: preservation of item ") == 4
    assert "after the files, 4 items failed (preservation)" in command.stdout
    runtime = Runtime.open(settings)
    with runtime.sessions() as session:  # the policy handoffs ran on the worker too, and were waited for
        assert set(session.scalars(select(PolicyDecision.item_id))) == set(session.scalars(select(Item.id)))
    assert not store_of(runtime).exists
    runtime.close()
