"""Search pages and API answers kept for anonymous visitors: served again while the index is unchanged,
retired by any index write (an access change included), never kept for or served to anyone signed in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.models import Collection, Item
from heritage.search.indexer import index_items
from ingest.pipeline import ingest
from tests.helpers import add_user, sign_in, small_batch

pytestmark = pytest.mark.db


@pytest.fixture
def catalogue(runtime, tmp_path: Path):  # type: ignore[no-untyped-def]
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    return runtime


def _rename_collection(runtime, title: str) -> None:  # type: ignore[no-untyped-def]
    with runtime.transaction() as session:
        session.scalars(select(Collection).where(Collection.slug == "pedel")).one().title = title


def test_a_page_is_served_again_until_the_index_changes(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    _rename_collection(catalogue, "Pedelarchief")
    first = client.get("/search?q=pedel").get_data(as_text=True)
    assert "Pedelarchief" in first
    _rename_collection(catalogue, "Archief der pedellen")  # a database label only: the index is unchanged
    assert client.get("/search?q=pedel").get_data(as_text=True) == first  # the kept page
    assert "Archief der pedellen" in client.get("/search?q=pedel&page=1").get_data(as_text=True)  # another URL
    with catalogue.sessions() as session:
        some = session.scalars(select(Item.id).where(Item.local_id == "F1")).one()
    index_items(catalogue, [some])  # any index write retires every kept page
    assert "Archief der pedellen" in client.get("/search?q=pedel").get_data(as_text=True)


def test_an_access_change_shows_at_once(catalogue, client) -> None:  # type: ignore[no-untyped-def]
    before = client.get("/api/items?q=reglement").get_json()
    assert [i["title"] for i in before["items"]] == ["Règlement van de pedel"]
    with catalogue.transaction() as session:
        item = session.scalars(select(Item).where(Item.local_id == "F1.1.1")).one()
        item.access = "closed"
        item_id = item.id
    index_items(catalogue, [item_id])
    assert client.get("/api/items?q=reglement").get_json()["total"] == 0


def test_signed_in_staff_neither_get_nor_leave_public_pages(catalogue, app, client) -> None:  # type: ignore[no-untyped-def]
    public = client.get("/api/items?q=pedel").get_json()
    assert "access" not in public["facets"]
    kept = len(app.extensions["search_page_cache"])
    add_user(catalogue, "els", "administrator")
    staff = app.test_client()
    assert sign_in(staff, "els").status_code == 303
    answer = staff.get("/api/items?q=pedel")
    assert "access" in answer.get_json()["facets"]  # the staff view, not the kept public one
    assert "no-store" in answer.headers["Cache-Control"]
    assert len(app.extensions["search_page_cache"]) == kept


def test_the_cache_can_be_switched_off(tmp_path: Path) -> None:
    from heritage.runtime import Runtime
    from heritage.settings import Settings
    from web import create_app

    settings = Settings.load(
        {"data_dir": tmp_path / "data", "database_url": f"sqlite:///{tmp_path / 'h.sqlite'}", "search_page_cache": 0},
        environ={},
    )
    runtime = Runtime.open(settings)
    try:
        application = create_app(runtime=runtime)
        assert application.test_client().get("/search?q=x").status_code == 200
        assert "search_page_cache" not in application.extensions
    finally:
        runtime.close()
