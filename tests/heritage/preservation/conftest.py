"""A small ingested batch whose items are in the preservation store (and its replica)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.pipeline import ingest
from tests.helpers import small_batch


@pytest.fixture
def preserved(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    """A runtime with a replica configured, after ingesting the small batch (fonds, series, two files)."""
    settings = Settings.load(
        {"data_dir": tmp_path / "data", "database_url": database_url, "replica": tmp_path / "replica"}, environ={}
    )
    (tmp_path / "data").mkdir()
    runtime = Runtime.open(settings)
    report = ingest(runtime, small_batch(tmp_path / "batch"), "pedel", parallel=1)
    assert report.exit_code == 0, report.as_dict()
    try:
        yield runtime
    finally:
        runtime.close()
