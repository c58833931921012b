"""The archive trees (/browse and the home page) list the top-level fonds and collections a viewer may find,
and never a closed one to those who may not see it (not even its title)."""

from __future__ import annotations

from pathlib import Path

from heritage.cli import main
from tests.helpers import add_user, sign_in, write_sheet


def _ingest_two_fondses(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = [
        {"identifier": "OPEN", "level": "fonds", "title": "Openboomarchief", "access": "public"},
        {"identifier": "OPEN.1", "parent": "OPEN", "level": "file", "title": "Openboomdossier", "access": "public"},
        {"identifier": "DICHT", "level": "fonds", "title": "Geslotenboomarchief", "access": "closed"},
        {"identifier": "LOS", "level": "file", "title": "Losdossier", "access": "public"},
    ]
    (tmp_path / "batch").mkdir()
    sheet = write_sheet(tmp_path / "batch" / "sheet.csv", rows)
    result = runner.invoke(main, ["ingest", str(sheet.parent), "--collection", "bomen", "--unit", "archief"])
    assert result.exit_code == 0, result.output


def test_the_public_finds_the_open_trees_only(client, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _ingest_two_fondses(runner, tmp_path)
    for path in ("/browse", "/"):
        page = client.get(path).get_data(as_text=True)
        assert "Openboomarchief" in page and 'href="/browse/' in page, path
        assert "Geslotenboomarchief" not in page, path  # closed: not even its title
        assert "Openboomdossier" not in page and "Losdossier" not in page  # not the top of a tree


def test_the_units_archivist_finds_the_closed_tree_too(client, runner, runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _ingest_two_fondses(runner, tmp_path)
    add_user(runtime, "els", "archivist", "archief")
    assert sign_in(client, "els").status_code == 303
    page = client.get("/browse").get_data(as_text=True)
    assert "Openboomarchief" in page and "Geslotenboomarchief" in page
