"""The editing service: validate, change, record a revision and an event, bump the version; refuse the rest."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from heritage.access import PUBLIC, public_search_statuses
from heritage.editing import editable_fields, history, reindex, revert, update_item, values_of
from heritage.errors import BadRequest, Forbidden, NotFound, StaleVersion
from heritage.models import Event, Item, MetadataRecord, Revision
from heritage.runtime import Runtime
from heritage.search import SearchQuery
from tests.heritage.editing.conftest import viewer

pytestmark = pytest.mark.db


def _save(runtime: Runtime, item_id: str, values: dict, who: str = "els", base: int | None = 1, **kw):  # type: ignore[no-untyped-def]
    with runtime.transaction() as session:
        saved = update_item(session, item_id, values, viewer=viewer(runtime, who), agent=who, base_version=base, **kw)
    reindex(runtime, saved)
    return saved


def test_update_changes_the_core_record_and_records_a_revision(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    with runtime.sessions() as s:
        original = s.scalar(select(MetadataRecord.original).where(MetadataRecord.item_id == item_id))
    saved = _save(
        runtime,
        item_id,
        {"title": "Reglement van de pedel", "titles.en": "Rules of the beadle", "dates": ["ca. 1855", "31-02-1921"]},
        reason="typo",
    )
    assert saved.revision == 1 and saved.version == 2
    assert [c.field for c in saved.changes] == ["title", "titles.en", "dates"]
    assert saved.changes[0].before == "Règlement van de pedel" and saved.changes[0].after == "Reglement van de pedel"
    assert [str(w) for w in saved.warnings] == [
        "dates: date '31-02-1921' does not exist: month 2 of 1921 has no day 31"
    ]
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item.title == "Reglement van de pedel" and item.title_en == "Rules of the beadle"
        assert (item.date_from, item.date_to) == (1845, 1921)  # the unreadable day still gives its year
        assert item.version == 2 and item.edited_at is not None
        assert item.primary_record.original == original  # the imported record stays verbatim
        assert values_of(item)["dates"] == ["ca. 1855", "31-02-1921"]
        event = s.scalar(select(Event).where(Event.type == "metadata_modification", Event.item_id == item_id))
        assert (
            event.agent == "els"
            and event.data["revision"] == 1
            and event.data["fields"] == ["title", "titles.en", "dates"]
        )
    [rev] = _history(runtime, item_id)
    assert (rev.number, rev.kind, rev.by, rev.reason) == (1, "update", "els", "typo")
    assert rev.changes[1].as_dict() == {"field": "titles.en", "before": None, "after": "Rules of the beadle"}
    hits = runtime.index.search(SearchQuery(q="Reglement", access=public_search_statuses(), per_page=10)).hits
    assert item_id in {h["id"] for h in hits}


def _history(runtime: Runtime, item_id: str):  # type: ignore[no-untyped-def]
    with runtime.sessions() as s:
        return history(s, item_id)


def test_nothing_changed_writes_no_revision(runtime: Runtime, catalogue: dict[str, str]) -> None:
    saved = _save(runtime, catalogue["F1.1.1"], {"title": "  Règlement van de pedel "})
    assert saved.revision is None and saved.version == 1 and saved.changes == []
    assert _history(runtime, catalogue["F1.1.1"]) == []


def test_a_stale_save_is_refused_with_the_current_values(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.2"]
    _save(runtime, item_id, {"extent": "2 bladen"})
    with pytest.raises(StaleVersion) as caught:
        _save(runtime, item_id, {"extent": "3 bladen"}, who="root", base=1)
    assert caught.value.status == 412 and caught.value.current == 2
    assert caught.value.theirs["extent"] == "2 bladen"
    with runtime.sessions() as s:
        assert values_of(s.get(Item, item_id))["extent"] == "2 bladen"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"nonsense": "x"}, "nonsense", "is not a field"),
        ({"museum.material": "brons"}, "museum.material", "another domain"),
        ({"title": ""}, "title", "needs a title"),
        ({"rights": "free for all"}, "rights", "not one of the choices"),
        ({"access": "secret"}, "access", "not one of the choices"),
        ({"closed_until": "2090-01-01"}, "closed_until", "goes with access closed"),
        ({"access": "closed", "closed_until": "01-01-2090"}, "closed_until", "not a date"),
        ({"languages": ["Nederlands"]}, "languages", "not a language code"),
        ({"agents": [{"name": "Jan", "role": "butler"}]}, "agents", "not a known role"),
        ({"agents": [{"name": "Jan", "id": "viaf 123"}]}, "agents", "neither a URI"),
        ({"subjects": [{"label": "x", "scheme": "y"}]}, "subjects", "unknown keys"),
        ({"title": ["a"]}, "title", "give a text"),
        ({"title": "two\nlines"}, "title", "one line only"),
    ],
)
def test_bad_values_are_refused_by_field_and_change_nothing(
    runtime: Runtime, catalogue: dict[str, str], values: dict, field: str, words: str
) -> None:
    item_id = catalogue["F1.1.1"]
    with runtime.sessions() as s:
        before = values_of(s.get(Item, item_id))
    with pytest.raises(BadRequest) as caught:
        _save(runtime, item_id, {"extent": "1 stuk", **values})
    assert caught.value.field == field and words in str(caught.value)
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert values_of(item) == before and item.version == 1
        assert s.scalar(select(func.count()).select_from(Revision)) == 0


def test_who_may_edit(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    for who in ("piet", "rita"):  # staff of another unit, a reader: they see the public item, may not change it
        with pytest.raises(Forbidden):
            _save(runtime, item_id, {"extent": "x"}, who=who)
    with runtime.transaction() as s, pytest.raises(Forbidden):
        update_item(s, item_id, {"extent": "x"}, viewer=PUBLIC, agent="anon", base_version=1)
    token_without_edit = viewer(runtime, "els", frozenset({"read"}))
    with runtime.transaction() as s, pytest.raises(Forbidden):
        update_item(s, item_id, {"extent": "x"}, viewer=token_without_edit, agent="els", base_version=1)
    with runtime.transaction() as s:
        update_item(
            s, item_id, {"extent": "x"}, viewer=viewer(runtime, "els", frozenset({"edit"})), agent="els", base_version=1
        )
    assert _save(runtime, item_id, {"extent": "y"}, who="root", base=2).version == 3
    _save(runtime, item_id, {"access": "closed"}, base=3)  # now the public and other units may not see it
    for who in ("piet", "rita"):
        with pytest.raises(NotFound):
            _save(runtime, item_id, {"extent": "z"}, who=who, base=4)
        with runtime.sessions() as s, pytest.raises(NotFound):
            history(s, item_id, viewer=viewer(runtime, who))
    with runtime.sessions() as s:
        assert [r.number for r in history(s, item_id, viewer=viewer(runtime, "els"))] == [3, 2, 1]


def test_access_goes_through_set_access_and_leaves_search(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.2"]
    stamp = runtime.access_stamp.current()
    saved = _save(runtime, item_id, {"access": "closed", "closed_until": "2090-01-01"}, reason="privacy")
    assert saved.descendants
    assert runtime.access_stamp.current() != stamp
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item.access == "closed" and item.closed_until.isoformat() == "2090-01-01"
        event = s.scalar(select(Event).where(Event.type == "access_change", Event.item_id == item_id))
        assert event.agent == "els" and event.data["reason"] == "privacy"
    hits = runtime.index.search(SearchQuery(q="Register", access=public_search_statuses(), per_page=10)).hits
    assert item_id not in {h["id"] for h in hits}
    with pytest.raises(BadRequest) as caught:  # opening it again needs the date gone too
        _save(runtime, item_id, {"access": "public"}, base=2)
    assert caught.value.field == "closed_until"
    _save(runtime, item_id, {"access": "public", "closed_until": None}, base=2)


def test_every_field_round_trips(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.1"]
    values = {
        "title": "Reglement",
        "titles.nl": "Reglement (nl)",
        "titles.en": "Rules",
        "identifiers": ["F1.1.1", "BE-A0510/1"],
        "agents": [{"name": "Jan Peeters", "role": "author", "id": "auth:12"}],
        "dates": ["1855"],
        "extent": "4 bladen",
        "descriptions.nl": "Over de pedel.",
        "descriptions.en": "On the beadle.",
        "notes.nl": "Beschadigd.",
        "notes.en": "Damaged.",
        "languages": ["nl", "la"],
        "subjects": [{"label": "Tucht", "id": None}, {"label": "Pedel", "id": "http://vocab.getty.edu/aat/1"}],
        "places": [{"label": "Leuven", "id": "http://vocab.getty.edu/tgn/7007868"}],
        "genres": [{"label": "reglementen", "id": None}],
        "taxon": None,
        "rights": "http://rightsstatements.org/vocab/NoC-NC/1.0/",
        "access": "restricted",
        "closed_until": None,
        "level": "item",
        "archives.container": "Doos 4",
        "archives.physical_location": "Depot 2",
        "archives.arrangement": "Chronologisch.",
    }
    saved = _save(runtime, item_id, values)
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        now = values_of(item)
        assert {k: now[k] for k in values} == values
        assert item.level == "item" and item.rights == values["rights"] and item.access == "restricted"
        core = item.primary_record.core
        assert core["details"]["archives.container"] == "Doos 4" and core["notes"] == {
            "nl": "Beschadigd.",
            "en": "Damaged.",
        }
    assert {c.field for c in saved.changes} <= set(values)
    assert "science.locality" not in {f.name for f in editable_fields(domain="archive")}


def test_revert_is_a_new_revision(runtime: Runtime, catalogue: dict[str, str]) -> None:
    item_id = catalogue["F1.1.2"]
    _save(runtime, item_id, {"extent": "2 bladen"})
    _save(runtime, item_id, {"extent": "3 bladen", "title": "Register"}, base=2)
    _save(runtime, item_id, {"notes.nl": "nota"}, base=3)
    with runtime.transaction() as s:
        saved = revert(s, item_id, 1, viewer=viewer(runtime, "els"), agent="els", base_version=4)
    reindex(runtime, saved)
    assert saved.revision == 4 and saved.version == 5
    assert {c.field: c.after for c in saved.changes} == {
        "extent": "2 bladen",
        "title": "Register van de pedel",
        "notes.nl": None,
    }
    newest = _history(runtime, item_id)[0]
    assert newest.kind == "revert" and newest.reason == "revert to revision 1"
    with runtime.transaction() as s, pytest.raises(NotFound):
        revert(s, item_id, 9, viewer=viewer(runtime, "els"), agent="els")
    with runtime.transaction() as s, pytest.raises(StaleVersion):
        revert(s, item_id, 1, viewer=viewer(runtime, "els"), agent="els", base_version=2)


def test_two_editors_saving_the_same_version_at_once(runtime: Runtime, catalogue: dict[str, str]) -> None:
    """The second save waits for the first and is refused with the first one's values: no lost update."""
    import threading

    item_id = catalogue["F1.1.2"]
    els, root = viewer(runtime, "els"), viewer(runtime, "root")
    first_saved, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        with runtime.transaction() as s:
            update_item(s, item_id, {"extent": "van A"}, viewer=els, agent="els", base_version=1)
            first_saved.set()
            release.wait(30)  # still uncommitted while the second one reads and saves

    def second() -> None:
        try:
            with runtime.transaction() as s:
                update_item(s, item_id, {"extent": "van B"}, viewer=root, agent="root", base_version=1)
            outcome["saved"] = True
        except StaleVersion as exc:
            outcome["stale"] = exc

    a = threading.Thread(target=first)
    a.start()
    assert first_saved.wait(30)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.5)  # the second save is waiting for the first one's lock (or already refused)
    release.set()
    a.join(30)
    b.join(60)
    stale = outcome.get("stale")
    assert isinstance(stale, StaleVersion), outcome
    assert stale.current == 2 and stale.theirs["extent"] == "van A", str(stale)
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item.version == 2 and values_of(item)["extent"] == "van A"
        assert [r.by for r in history(s, item_id)] == ["els"]


def test_a_save_reaches_the_items_ocfl_object(runtime: Runtime, catalogue: dict[str, str]) -> None:
    from heritage.preservation.service import store_of

    item_id = catalogue["F1.1.1"]
    _save(runtime, item_id, {"title": "Reglement van de pedel", "archives.container": "Doos 9"})
    store = store_of(runtime)
    held = store.read(item_id, "item.json").decode()
    assert "Reglement van de pedel" in held and "Doos 9" in held
    assert "metadata_modification" in store.read(item_id, "events.jsonl").decode()


def test_a_parents_new_title_reaches_the_types_its_files_inherit(runtime: Runtime, catalogue: dict[str, str]) -> None:
    """A series retitled "Kaarten" (maps) makes its files found as maps: an ancestor's title that is a type names
    what the records below it are, so the save reindexes them (the search outbox), not only the series."""
    files = {catalogue["F1.1.1"], catalogue["F1.1.2"]}

    def found(q: str) -> set[str]:
        hits = runtime.index.search(SearchQuery(q=q, access=public_search_statuses(), per_page=50)).hits
        return {h["id"] for h in hits}

    assert not files & found("plattegrond") and not files & found("maps")
    _save(runtime, catalogue["F1.1"], {"title": "Kaarten"})
    assert files <= found("plattegrond") and files <= found("maps")  # a Dutch and an English name of the type
    _save(runtime, catalogue["F1.1"], {"title": "Stukken van de pedel"}, base=2)
    assert not files & found("plattegrond")
