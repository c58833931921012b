"""Keeping the index in step with the catalogue: an item that changes is re-indexed by itself (and, when
asked, the items below it); `heritage reindex` rebuilds everything with progress while search goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Item
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from heritage.search.indexer import index_items
from ingest.pipeline import ingest
from tests.helpers import small_batch

pytestmark = pytest.mark.db


def titles(runtime: Runtime, q: str) -> list[str]:
    return [h["title"] for h in runtime.index.search(SearchQuery(q=q, access=("public", "restricted"))).hits]


def test_a_changed_item_changes_its_documents_and_those_below_it(runtime: Runtime, tmp_path: Path) -> None:
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    with runtime.transaction() as session:
        series = session.scalar(select(Item).where(Item.local_id == "F1.1"))
        assert series is not None
        series.title = "Dagorders van de pedel"
        series_id = series.id
    assert titles(runtime, "dagorders") == []  # not indexed yet
    assert index_items(runtime, [series_id], descendants=True) == 3
    assert titles(runtime, "dagorders") == ["Dagorders van de pedel"]
    below = runtime.index.search(SearchQuery(q="register"))
    assert [p["title"] for p in below.hits[0]["path"]] == ["Archief van de Pedel", "Dagorders van de pedel"]


def test_closing_an_item_removes_it_from_public_results_and_counts(runtime: Runtime, tmp_path: Path) -> None:
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    with runtime.transaction() as session:
        register = session.scalar(select(Item).where(Item.local_id == "F1.1.2"))
        assert register is not None
        register.access = "closed"
        register_id = register.id
    index_items(runtime, [register_id])
    public = runtime.index.search(SearchQuery(q="pedel", access=("public", "restricted")))
    assert "Register van de pedel" not in [h["title"] for h in public.hits]
    assert dict(public.facets["level"]) == {"fonds": 1, "file": 1}
    assert runtime.index.search(SearchQuery(q="pedel")).total == public.total + 1  # staff still find it


def test_a_deleted_item_leaves_the_index(runtime: Runtime, tmp_path: Path) -> None:
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    count = runtime.index.count()
    index_items(runtime, ["nosuchitem00"])
    assert runtime.index.count() == count


def test_reindex_rebuilds_with_progress_and_keeps_the_index_usable(
    runtime: Runtime, runner: CliRunner, tmp_path: Path
) -> None:
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    before = runtime.index.search(SearchQuery(q="reglement")).total
    result = runner.invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "indexing" in result.stderr and "indexed 4 items" in result.stdout
    assert runtime.index.search(SearchQuery(q="reglement")).total == before == 1
    index_dir = runtime.settings.data_dir / "index"
    assert (index_dir / "CURRENT").exists() and not (index_dir / "BUILDING").exists()
    assert len([p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("g-")]) == 1


def test_reindex_with_several_processes_gives_the_same_answers(
    runtime: Runtime, runner: CliRunner, tmp_path: Path
) -> None:
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    queries = [SearchQuery(q="reglement"), SearchQuery(q="pedel"), SearchQuery(), SearchQuery(q='"van de pedel"')]
    before = [sorted(h["id"] for h in runtime.index.search(q).hits) for q in queries]
    result = runner.invoke(main, ["reindex", "--procs", "2"])
    assert result.exit_code == 0, result.output
    assert "indexed 4 items" in result.stdout
    assert [sorted(h["id"] for h in runtime.index.search(q).hits) for q in queries] == before
    assert all(before)


def test_an_empty_catalogue_answers_searches(client) -> None:  # type: ignore[no-untyped-def]
    """A fresh install (an index without segments) shows its pages and an empty result, not a 500."""
    for url in ("/", "/search", "/search?q=x&sort=date", "/api/items?subject=a&page=2"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get("/api/items").get_json()["total"] == 0
