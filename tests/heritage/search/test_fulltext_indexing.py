"""Text arriving with a batch (delivered PAGE XML, no Tesseract needed) reaches the catalogue search through
the search outbox: the item is found by a word of its page, with the page number, and `heritage reindex`
keeps it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import SearchRequest
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from heritage.search.indexer import reindex_all
from heritage.settings import Settings
from tests.heritage.fulltext.test_ocr import PAGE_XML, batch, ingest

pytestmark = pytest.mark.db


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """OCR switched on, as the OCR tests have it (the suite's other tests skip OCR)."""
    return Settings.load({"data_dir": tmp_path / "data", "database_url": database_url}, environ={})


def test_delivered_text_is_searchable_with_its_page(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    batch(folder, [{"identifier": "P", "title": "Notulen van de senaat", "language": "nl", "files": "p.png"}])
    (folder / "p.page.xml").write_text(PAGE_XML, encoding="utf-8")
    ingest(runner, folder, "reg")

    def search(q: str) -> list[dict]:  # type: ignore[type-arg]
        return runtime.index.search(SearchQuery(q=q, access=("public", "restricted"))).hits

    hits = search("Ultrajectina")
    assert [h["local_id"] for h in hits] == ["P"]
    assert hits[0]["text_hits"] == [{"page": 1, "snippet": "Utrecht 1636\nAcademia <mark>Ultrajectina</mark>"}]
    assert [h["local_id"] for h in search("text:Utrecht")] == ["P"]
    assert search("text:senaat") == []  # the title is no page text
    facets = runtime.index.search(SearchQuery(access=("public",))).facets
    assert dict(facets["has_text"]) == {"yes": 1}
    with runtime.sessions() as s:
        assert s.scalars(select(SearchRequest)).all() == []  # the outbox was answered

    reindex_all(runtime)
    assert [h["local_id"] for h in search("Ultrajectina")] == ["P"]


def test_ocr_run_reindexes_the_item(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    """Text that arrives after the batch (here: delivered text put beside the scan, read by `ocr run`)."""
    folder = tmp_path / "b"
    batch(folder, [{"identifier": "Q", "title": "Register", "language": "nl", "files": "q.png"}])
    ingest(runner, folder, "reg")
    assert runtime.index.search(SearchQuery(q="Ultrajectina")).total == 0
    (folder / "q.page.xml").write_text(PAGE_XML, encoding="utf-8")
    result = runner.invoke(main, ["ocr", "run", "--collection", "reg", "--force"])
    assert result.exit_code == 0, result.output
    assert [h["local_id"] for h in runtime.index.search(SearchQuery(q="Ultrajectina")).hits] == ["Q"]
