"""An item whose files failed is held back from the public until its files arrive (a refused decompression
bomb no longer leaves an empty public record); the report, the console and the batch page say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from ingest.pipeline import plan_batch
from tests.helpers import add_user, make_image, sign_in, write_sheet
from tests.security.test_decompression_bomb import bomb_png

pytestmark = pytest.mark.db


def bomb_batch(folder: Path) -> Path:
    """A fonds; a file whose only scan is a bomb; a file with a good page and a bomb; a file of one good scan."""
    make_image(folder / "scans" / "goed.jpg", seed=1)
    make_image(folder / "scans" / "deel-1.jpg", seed=2)
    (folder / "scans" / "bom.png").write_bytes(bomb_png())
    (folder / "scans" / "deel-2.png").write_bytes(bomb_png(50000))
    write_sheet(
        folder / "sheet.csv",
        [
            {"identifier": "B", "level": "fonds", "title": "Bommenfonds", "files": ""},
            {"identifier": "B.1", "parent": "B", "title": "Alleen een bom", "files": "scans/bom.png"},
            {"identifier": "B.2", "parent": "B", "title": "Half goed", "files": "scans/deel-1.jpg|scans/deel-2.png"},
            {"identifier": "B.3", "parent": "B", "title": "Helemaal goed", "files": "scans/goed.jpg"},
        ],
    )
    return folder


def _items(runtime: Runtime) -> dict[str, Item]:
    with runtime.sessions() as session:
        items = session.scalars(select(Item)).all()
        return {item.local_id: item for item in items if item.local_id}


def test_items_whose_files_failed_are_held_back_and_said_so(
    runner: CliRunner, runtime: Runtime, client: FlaskClient, tmp_path: Path
) -> None:
    batch = bomb_batch(tmp_path / "batch")
    out = tmp_path / "report.json"
    result = runner.invoke(main, ["ingest", str(batch), "--collection", "bommen", "--report", str(out)])
    assert result.exit_code == 1, result.output
    items = _items(runtime)
    assert items["B"].held_back is None and items["B.3"].held_back is None
    assert "scans/bom.png: decompression bomb" in items["B.1"].held_back
    assert items["B.2"].held_back.startswith("1 of 2 files failed") and "scans/deel-2.png" in items["B.2"].held_back
    report = json.loads(out.read_text())
    assert [(h["identifier"], h["line"]) for h in report["held_back"]] == [("B.1", 3), ("B.2", 4)]
    assert "held back: Alleen een bom (sheet.csv:3, identifier 'B.1'): not public until its files arrive" in (
        result.output
    )
    assert "2 items held back" in result.output
    for local in ("B.1", "B.2"):
        assert client.get(f"/items/{items[local].id}").status_code == 404
        assert client.get(f"/api/items/{items[local].id}").status_code == 404
    assert client.get(f"/items/{items['B.3'].id}").status_code == 200
    found = {hit["id"] for hit in client.get("/api/items?q=*").get_json()["items"]}
    assert found == {items["B"].id, items["B.3"].id}


def test_staff_see_a_held_back_item_with_the_reason(
    runner: CliRunner, runtime: Runtime, client: FlaskClient, tmp_path: Path
) -> None:
    runner.invoke(main, ["ingest", str(bomb_batch(tmp_path / "batch")), "--collection", "bommen"])
    add_user(runtime, "archivaris", "archivist", "central-archive")
    assert sign_in(client, "archivaris").status_code == 303
    held = _items(runtime)["B.1"]
    page = client.get(f"/items/{held.id}?lang=en").get_data(as_text=True)
    assert "Held back from the public until its files arrive" in page and "decompression bomb" in page
    body = client.get(f"/api/items/{held.id}").get_json()
    assert body["access"] == "closed" and "decompression bomb" in body["held_back"]
    nl = client.get(f"/items/{held.id}?lang=nl").get_data(as_text=True)
    assert "Achtergehouden voor het publiek tot de bestanden binnen zijn" in nl


def test_the_item_is_released_when_its_files_arrive(
    runner: CliRunner, runtime: Runtime, client: FlaskClient, tmp_path: Path
) -> None:
    batch = bomb_batch(tmp_path / "batch")
    command = ["ingest", str(batch), "--collection", "bommen", "--report", str(tmp_path / "report.json")]
    assert runner.invoke(main, command).exit_code == 1
    make_image(batch / "scans" / "bom.png", seed=7, fmt="PNG")  # the scan is made again, properly
    make_image(batch / "scans" / "deel-2.png", seed=8, fmt="PNG")
    result = runner.invoke(main, command)
    assert result.exit_code == 0, result.output
    assert {local: item.held_back for local, item in _items(runtime).items()} == dict.fromkeys(
        ("B", "B.1", "B.2", "B.3")
    )
    assert json.loads((tmp_path / "report.json").read_text())["held_back"] == []
    manifest = client.get(f"/iiif/presentation/3/{_items(runtime)['B.2'].id}/manifest")
    assert manifest.status_code == 200 and len(manifest.get_json()["items"]) == 2


def test_new_items_wait_unseen_for_their_files(runtime: Runtime, client: FlaskClient, tmp_path: Path) -> None:
    """Planned but not yet run (a kill, or rq workers still busy): the records are not public without images."""
    plan_batch(runtime, bomb_batch(tmp_path / "batch"), "bommen")
    items = _items(runtime)
    assert items["B"].held_back is None
    assert all(items[local].held_back.startswith("waiting for its files") for local in ("B.1", "B.2", "B.3"))
    assert client.get(f"/items/{items['B.3'].id}").status_code == 404
    assert client.get(f"/items/{items['B'].id}").status_code == 200
