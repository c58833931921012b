"""The sheet column `script` (ISO 15924; Latf chooses the Fraktur model) goes round: a sheet's `script` is kept
with the record, `heritage export --format csv` writes it back, the exported sheet ingests with it again, and
the sheet converter (`CsvSheet.serialise`) writes what its reader takes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from metadata_schemas.csv_sheet import CsvSheet
from tests.helpers import write_sheet

ROWS = [
    {"identifier": "F1", "title": "Gebetbuch", "language": "de", "script": "Latf"},
    {"identifier": "A1", "title": "Register", "language": "nl", "script": ""},
]


def _scripts(runtime: Runtime, collection_items: set[str] | None = None) -> dict[str, str | None]:
    with runtime.sessions() as session:
        items = session.scalars(select(Item)).all()
        return {
            f"{item.collection.slug}/{item.local_id}": (item.primary_record.core or {}).get("details", {}).get("script")
            for item in items
        }


def test_export_writes_the_script_and_ingest_takes_it_back(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    write_sheet(folder / "sheet.csv", ROWS)
    result = runner.invoke(main, ["ingest", str(folder), "--collection", "drukken", "--domain", "library"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "export.csv"
    result = runner.invoke(main, ["export", "--collection", "drukken", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = {row["identifier"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert (rows["F1"]["script"], rows["A1"]["script"]) == ("Latf", "")

    again = tmp_path / "again"
    again.mkdir()
    (again / "sheet.csv").write_bytes(out.read_bytes())
    result = runner.invoke(main, ["ingest", str(again), "--collection", "kopie", "--domain", "library"])
    assert result.exit_code == 0, result.output
    scripts = _scripts(runtime)
    assert scripts["kopie/F1"] == "Latf" and not scripts["kopie/A1"]

    # `heritage catalogue update` takes the exported sheet whole: it names `script` among the columns it leaves alone.
    result = runner.invoke(main, ["catalogue", "update", str(out), "--dry-run"])
    assert result.exit_code == 0, result.output


def test_sheet_converter_writes_the_script_its_reader_takes(tmp_path: Path) -> None:
    sheet = write_sheet(tmp_path / "in.csv", ROWS)
    records = [parsed.core for parsed in CsvSheet().parse(sheet)]
    assert records[0].details["script"] == "Latf"
    out = io.BytesIO()
    CsvSheet().serialise(records, out)
    written = tmp_path / "out.csv"
    written.write_bytes(out.getvalue())
    back = [parsed.core for parsed in CsvSheet().parse(written)]
    assert back[0].details.get("script") == "Latf" and "script" not in back[1].details
