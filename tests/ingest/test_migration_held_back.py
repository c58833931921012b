"""Migration i14_ingest_0001 (held-back items, a batch's warnings and unlisted files, the line of each batch
file) on a catalogue that holds ingested batches, both ways, on SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from heritage import db
from heritage.runtime import Runtime
from ingest.batches import report
from ingest.pipeline import ingest
from tests.helpers import make_image, write_sheet

pytestmark = pytest.mark.db


def test_a_populated_catalogue_goes_down_and_up_again(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "a.jpg", seed=1)
    write_sheet(batch / "sheet.csv", [{"identifier": "M1", "title": "Blad", "date": "1921", "files": "a.jpg"}])
    first = ingest(runtime, batch, "migratie")
    assert first.exit_code == 0
    db.downgrade(runtime.engine, "i8_0001")
    assert "held_back" not in {c["name"] for c in inspect(runtime.engine).get_columns("items")}
    db.upgrade(runtime.engine)
    assert db.current_revision(runtime.engine) == db.head_revision()
    with runtime.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM items WHERE held_back IS NULL")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM batches WHERE warnings IS NULL")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM batch_files WHERE line IS NULL")).scalar() == 1
    runtime.engine.dispose()  # the columns changed under the pooled connections
    again = report(runtime, first.batch or "")
    assert (again.warnings, again.unlisted, again.held_back) == ([], [], [])
    rerun = ingest(runtime, batch, "migratie")
    assert rerun.exit_code == 0 and {f.status for f in rerun.files} == {"already_ingested"}
    assert [f.line for f in rerun.files] == [2]
