"""New records, moves, order, pages and withdrawal: each a revision, the subtree following its parent,
a withdrawn item gone for the public and deleted for harvesters, its masters kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from heritage.access import PUBLIC, Visibility, public_search_statuses, visibility
from heritage.editing import (
    create_item,
    history,
    move_item,
    pages_of,
    reindex,
    reorder_children,
    set_pages,
    withdraw_item,
)
from heritage.errors import BadRequest, Forbidden, NotFound
from heritage.harvest import changes as change_discovery
from heritage.models import Event, File, HarvestRecord, Item
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from tests.heritage.editing.conftest import viewer

pytestmark = pytest.mark.db


def _public_hits(runtime: Runtime, q: str) -> set[str]:
    return {h["id"] for h in runtime.index.search(SearchQuery(q=q, access=public_search_statuses(), per_page=50)).hits}


def _run(runtime: Runtime, action, *args, who: str = "els", **kw):  # type: ignore[no-untyped-def]
    with runtime.transaction() as session:
        saved = action(session, *args, viewer=viewer(runtime, who), agent=who, **kw)
    reindex(runtime, saved)
    return saved


def test_create_under_a_parent_and_in_a_collection(runtime: Runtime, catalogue: dict[str, str]) -> None:
    series = catalogue["F1.1"]
    saved = _run(
        runtime,
        create_item,
        parent_id=series,
        values={"title": "Brief aan de rector", "dates": ["1861"], "level": "file", "subjects": [{"label": "Tucht"}]},
        reason="new file",
    )
    assert saved.revision == 1 and saved.version == 1
    with runtime.sessions() as s:
        item = s.get(Item, saved.item_id)
        assert item.parent_id == series and item.collection.slug == "pedel" and item.level == "file"
        assert item.parent.children[-1] is item and len(item.parent.children) == 3  # last under its parent
        assert (item.date_from, item.date_to) == (1861, 1861) and item.edited_at is not None
        assert item.primary_record.original is None and item.primary_record.core["title"] == "Brief aan de rector"
        [rev] = history(s, item.id)
        assert rev.kind == "create" and {c.field for c in rev.changes} == {
            "title",
            "dates",
            "level",
            "subjects",
            "access",
        }
    assert saved.item_id in _public_hits(runtime, "rector")
    top = _run(runtime, create_item, collection="pedel", values={"title": "Losse stukken", "level": "fonds"})
    with runtime.sessions() as s:
        assert s.get(Item, top.item_id).parent_id is None
    for who, kw, error in [
        ("piet", {"parent_id": series}, Forbidden),
        ("rita", {"collection": "pedel"}, Forbidden),
        ("els", {"collection": "nergens"}, NotFound),
        ("els", {}, BadRequest),
        ("els", {"parent_id": series, "collection": "pedel"}, BadRequest),
    ]:
        with pytest.raises(error):
            _run(runtime, create_item, who=who, values={"title": "x"}, **kw)
    with pytest.raises(BadRequest) as caught:
        _run(runtime, create_item, parent_id=series, values={"extent": "1 stuk"})
    assert caught.value.field == "title"


def test_move_takes_the_subtree_and_refuses_its_own_subtree(runtime: Runtime, catalogue: dict[str, str]) -> None:
    fonds, series, file1 = catalogue["F1"], catalogue["F1.1"], catalogue["F1.1.1"]
    other = _run(runtime, create_item, parent_id=fonds, values={"title": "Rekeningen", "level": "series"}).item_id
    for target in (series, file1):  # into itself or below itself
        with pytest.raises(BadRequest) as caught:
            _run(runtime, move_item, series, target, base_version=1)
        assert "own subtree" in str(caught.value)
    saved = _run(runtime, move_item, file1, other, base_version=1, reason="wrong series")
    assert saved.changes[0].as_dict() == {"field": "parent", "before": series, "after": other}
    assert saved.version == 2 and saved.descendants
    with runtime.sessions() as s:
        assert s.get(Item, file1).parent_id == other
        assert s.get(Item, catalogue["F1.1.2"]).position == 0  # the old siblings close ranks
    # a series moves with everything below it; search shows the new path
    saved = _run(runtime, move_item, series, other, position=0, base_version=1)
    hits = runtime.index.search(SearchQuery(q="Register", access=public_search_statuses(), per_page=10)).hits
    [hit] = [h for h in hits if h["id"] == catalogue["F1.1.2"]]
    assert [p["id"] for p in hit["path"]] == [fonds, other, series]
    with runtime.sessions() as s:
        assert [c.id for c in s.get(Item, other).children] == [series, file1]
    with pytest.raises(Forbidden):
        _run(runtime, move_item, file1, series, who="piet", base_version=2)


def test_reorder_children(runtime: Runtime, catalogue: dict[str, str]) -> None:
    series, a, b = catalogue["F1.1"], catalogue["F1.1.1"], catalogue["F1.1.2"]
    saved = _run(runtime, reorder_children, series, [b, a])
    assert saved.revision == 1 and saved.changes[0].after == [b, a]
    with runtime.sessions() as s:
        assert [c.id for c in s.get(Item, series).children] == [b, a]
    for wrong in ([b], [b, a, a], [b, a, catalogue["F1"]]):
        with pytest.raises(BadRequest):
            _run(runtime, reorder_children, series, wrong)
    assert _run(runtime, reorder_children, series, [b, a]).revision is None


def test_pages_order_labels_and_representative(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.2"]
    with runtime.sessions() as s:
        first, second = [p["file"] for p in pages_of(s.get(Item, item_id))]
    saved = _run(
        runtime,
        set_pages,
        item_id,
        [(second, "achterzijde"), (first, " voorzijde ")],
        representative=second,
        base_version=1,
    )
    assert [c.field for c in saved.changes] == ["pages", "representative"]
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert [(p["file"], p["label"]) for p in pages_of(item)] == [(second, "achterzijde"), (first, "voorzijde")]
        assert item.representative_id == second
    hits = runtime.index.search(SearchQuery(q="Register", access=public_search_statuses(), per_page=10)).hits
    assert next(h for h in hits if h["id"] == item_id)["thumbnail"] == second
    for pages, rep in [
        ([(first, None)], None),
        ([(first, None), (first, None)], None),
        ([(first, None), (second, None)], "x"),
    ]:
        with pytest.raises(BadRequest):
            _run(runtime, set_pages, item_id, pages, representative=rep, base_version=2)


def test_withdraw_leaves_a_tombstone(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    with runtime.sessions() as s:
        masters = [(f.storage_key, f.sha256) for f in s.scalars(select(File).where(File.item_id == item_id))]
        assert s.get(HarvestRecord, ("item", item_id)).deleted is False
    with pytest.raises(BadRequest):
        _run(runtime, withdraw_item, item_id, base_version=1, reason="  ")
    with pytest.raises(BadRequest) as caught:  # a series with files below it
        _run(runtime, withdraw_item, catalogue["F1.1"], base_version=1, reason="dubbel")
    assert "children" in str(caught.value)
    saved = _run(runtime, withdraw_item, item_id, base_version=1, reason="dubbele beschrijving")
    assert saved.revision == 1
    assert item_id not in _public_hits(runtime, "pedel")
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item.withdrawn_reason == "dubbele beschrijving" and visibility(PUBLIC, item) == Visibility.NONE
        assert visibility(viewer(runtime, "els"), item) == Visibility.FULL  # staff still see the tombstone
        assert s.get(HarvestRecord, ("item", item_id)).deleted is True
        assert s.scalar(select(Event).where(Event.type == "deaccession", Event.item_id == item_id)).agent == "els"
        kept = [(f.storage_key, f.sha256) for f in s.scalars(select(File).where(File.item_id == item_id))]
        assert kept == masters and all(runtime.storage.has_master(sha) for _, sha in kept)
        activities = {c.key: c.activity for c in change_discovery.changes(s, 0, 100) if c.kind == "item"}
        assert activities[item_id] == "Delete"
    with pytest.raises(BadRequest):
        _run(runtime, withdraw_item, item_id, base_version=2, reason="again")
