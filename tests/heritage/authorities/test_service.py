"""Authority records through their service: create, rename, merge, names matched as documented, and the
items one may see counted by the same rule as every other surface. SQLite and (in CI) PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from heritage import authorities, catalogue, db
from heritage.access import PUBLIC, Viewer, Visibility, visibility, visible_items_clause
from heritage.authorities.names import name_key, search_keys
from heritage.errors import BadRequest, NotFound
from heritage.models import Authority, AuthorityLink, Event, Item
from heritage.runtime import Runtime
from metadata_schemas.core import Agent, CoreRecord, Term

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("a", "b", "type"),
    [
        ("Peeters, Jan", "Jan Peeters", "person"),
        ("Peeters, Jan, 1850-1920", "jan PEETERS", "person"),
        ("Ødegård, Ève", "Eve Odegard", "person"),
        ("Straße", "strasse", "subject"),
        ("Leuven (België)", "Leuven, Belgie", "place"),
        ("O'Brien, Seán", "Sean O’Brien", "person"),
    ],
)
def test_names_that_differ_only_as_documented_have_one_key(a: str, b: str, type: str) -> None:
    assert name_key(a, type) == name_key(b, type)


def test_what_is_not_normalised_keeps_names_apart() -> None:
    assert name_key("Peeters, J.", "person") != name_key("Peeters, Jan", "person")  # initials stay initials
    assert name_key("Leuven, Belgie", "place") != name_key("Belgie Leuven", "place")  # no inversion for places
    assert "peeters jan" in search_keys("Jan Peeters", "person")  # a suggestion finds it from the surname


def test_create_rename_merge_with_events_and_redirect(runtime: Runtime) -> None:
    with runtime.transaction() as s:
        a = authorities.create(s, type="person", name="Peeters, Jan", ids=["viaf:12345"], agent="tester").id
        b = authorities.create(s, type="person", name="J. Peeters", dates="1850-1920", agent="tester").id
    with runtime.transaction() as s:
        renamed = authorities.rename(s, a, "Peeters, Johannes", agent="tester")
    assert [c.field for c in renamed.changes] == ["name", "variants"]
    with runtime.transaction() as s:
        merged = authorities.merge(s, b, a, agent="tester")
    assert merged.authority_id == a
    with runtime.sessions() as s:
        survivor = authorities.get_authority(s, a)
        assert survivor.name == "Peeters, Johannes"
        assert survivor.variants == ["Peeters, Jan", "J. Peeters"]
        assert survivor.dates == "1850-1920"
        assert [i.uri for i in survivor.ids] == ["http://viaf.org/viaf/12345"]
        assert authorities.get_authority(s, b).merged_into == a
        assert authorities.resolve(s, b).id == a
        assert [x.id for x in authorities.suggest(s, "j. pee")] == [a]  # the merged one's name finds the survivor
        assert [x.id for x in authorities.suggest(s, "johannes")] == [a]
        types = s.scalars(select(Event.type).where(Event.type.like("authority_%")).order_by(Event.id)).all()
        assert types == ["authority_creation", "authority_creation", "authority_modification", "authority_merge"]
        assert [e.type for e in authorities.service.history(s, b)] == ["authority_merge", "authority_creation"]


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"type": "hero", "name": "X"}, "authority type"),
        ({"type": "person", "name": "  "}, "name"),
        ({"type": "person", "name": "X", "ids": ["https://example.org/x"]}, "https://example.org/x"),
        ({"type": "person", "name": "X", "ids": ["viaf:1"]}, "belongs to authority"),
    ],
)
def test_bad_values_are_refused_naming_them_and_nothing_changes(runtime: Runtime, kwargs: dict, named: str) -> None:
    with runtime.transaction() as s:
        authorities.create(s, type="person", name="Eerste", ids=["http://viaf.org/viaf/1"], agent="t")
    with pytest.raises(BadRequest, match=named), runtime.transaction() as s:
        authorities.create(s, agent="t", **kwargs)
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Authority)) == 1


def test_merge_refuses_itself_other_types_and_unknown_ids(runtime: Runtime) -> None:
    with runtime.transaction() as s:
        a = authorities.create(s, type="person", name="A", agent="t").id
        p = authorities.create(s, type="place", name="P", agent="t").id
    with runtime.transaction() as s:
        with pytest.raises(BadRequest, match="itself"):
            authorities.merge(s, a, a, agent="t")
        with pytest.raises(BadRequest, match="type"):
            authorities.merge(s, a, p, agent="t")
        with pytest.raises(NotFound, match="zzzzzzzzzzzz"):
            authorities.merge(s, a, "zzzzzzzzzzzz", agent="t")


def _item(s, collection, local_id: str, core: CoreRecord, fields: dict | None = None) -> Item:  # type: ignore[no-untyped-def]
    item, _ = catalogue.upsert_item(
        s,
        collection,
        core,
        local_id=local_id,
        parent=None,
        position=0,
        standard="csv",
        original=None,
        source="test",
        fields=fields,
    )
    return item


def _counts(runtime: Runtime) -> tuple[int, int, int]:
    """Authorities, links, and creation events."""
    with runtime.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Authority)) or 0,
            s.scalar(select(func.count()).select_from(AuthorityLink)) or 0,
            s.scalar(select(func.count()).select_from(Event).where(Event.type == "authority_creation")) or 0,
        )


def test_ingest_links_by_id_then_by_name_then_creates_and_a_rerun_adds_nothing(runtime: Runtime) -> None:
    def load() -> None:
        with runtime.transaction() as s:
            c = catalogue.ensure_collection(s, "auth")
            _item(
                s, c, "1", CoreRecord(title="Een", agents=[Agent("Peeters, Jan", "creator")], subjects=[Term("Tucht")])
            )
            _item(
                s,
                c,
                "2",
                CoreRecord(title="Twee", agents=[Agent("Jan Peeters", "creator", "https://viaf.org/viaf/99")]),
            )
            _item(
                s,
                c,
                "3",
                CoreRecord(
                    title="Drie",
                    agents=[Agent("Johannes Petri", "author", "http://viaf.org/viaf/99")],
                    places=[Term("Leuven")],
                    genres=[Term("tucht")],
                ),
            )

    load()
    with runtime.sessions() as s:
        people = s.scalars(select(Authority).where(Authority.type == "person")).all()
        assert [(p.name, [i.uri for i in p.ids]) for p in people] == [("Peeters, Jan", ["http://viaf.org/viaf/99"])]
        rows = s.execute(
            select(Item.local_id, AuthorityLink.role, Authority.type, Authority.name)
            .join(AuthorityLink, AuthorityLink.item_id == Item.id)
            .join(Authority, Authority.id == AuthorityLink.authority_id)
        )
        links = sorted(tuple(r) for r in rows)
        assert links == [
            ("1", "creator", "person", "Peeters, Jan"),
            ("1", "subject", "subject", "Tucht"),
            ("2", "creator", "person", "Peeters, Jan"),
            ("3", "author", "person", "Peeters, Jan"),  # by its VIAF id, whatever the name says
            ("3", "genre", "subject", "Tucht"),
            ("3", "place", "place", "Leuven"),
        ]
    before = _counts(runtime)
    load()
    assert _counts(runtime) == before == (3, 6, 3)


def test_a_name_the_record_no_longer_holds_loses_its_link(runtime: Runtime) -> None:
    with runtime.transaction() as s:
        c = catalogue.ensure_collection(s, "auth")
        _item(s, c, "1", CoreRecord(title="Een", subjects=[Term("Tucht"), Term("Onderwijs")]))
    with runtime.transaction() as s:
        c = catalogue.ensure_collection(s, "auth")
        _item(s, c, "1", CoreRecord(title="Een", subjects=[Term("Onderwijs")]))
    with runtime.sessions() as s:
        names = s.scalars(select(Authority.name).join(AuthorityLink, AuthorityLink.authority_id == Authority.id))
        assert list(names) == ["Onderwijs"]


def test_a_renamed_or_merged_authority_is_found_again_by_its_old_names(runtime: Runtime) -> None:
    with runtime.transaction() as s:
        c = catalogue.ensure_collection(s, "auth")
        _item(s, c, "1", CoreRecord(title="Een", agents=[Agent("Jan Peeters")]))
        _item(s, c, "2", CoreRecord(title="Twee", agents=[Agent("J. Peeters")]))
    with runtime.transaction() as s:
        jan = authorities.linking.find_or_create(
            s, authorities.linking.NameRef("person", "Jan Peeters", None, "x"), agent="t"
        )
        j = authorities.linking.find_or_create(
            s, authorities.linking.NameRef("person", "J. Peeters", None, "x"), agent="t"
        )
        assert jan and j and jan != j
        authorities.rename(s, jan, "Peeters, Johannes", agent="t")
        changed = authorities.merge(s, j, jan, agent="t")
    assert len(changed.reindex) == 2
    with runtime.transaction() as s:
        c = catalogue.ensure_collection(s, "auth")
        _item(s, c, "1", CoreRecord(title="Een", agents=[Agent("Jan Peeters")]))
        _item(s, c, "2", CoreRecord(title="Twee", agents=[Agent("J. Peeters")]))
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Authority).where(Authority.merged_into.is_(None))) == 1
        assert set(s.scalars(select(AuthorityLink.authority_id))) == {jan}


def test_an_agent_that_names_an_authority_by_its_own_id_links_to_it_or_to_its_survivor(runtime: Runtime) -> None:
    with runtime.transaction() as s:
        kept = authorities.create(s, type="person", name="Peeters, Jan", agent="t").id
        gone = authorities.create(s, type="person", name="Iemand anders", agent="t").id
        authorities.merge(s, gone, kept, agent="t")
        c = catalogue.ensure_collection(s, "auth")
        _item(s, c, "1", CoreRecord(title="Een", agents=[Agent("J. P.", "author", f"auth:{gone}")]))
    with runtime.sessions() as s:
        assert [tuple(r) for r in s.execute(select(AuthorityLink.authority_id, AuthorityLink.role))] == [
            (kept, "author")
        ]


def test_a_rename_leaves_its_items_in_the_search_outbox_until_they_are_indexed(runtime: Runtime) -> None:
    from heritage.models import SearchRequest

    with runtime.transaction() as s:
        c = catalogue.ensure_collection(s, "auth")
        item_id = _item(s, c, "1", CoreRecord(title="Een", subjects=[Term("Tucht")])).id
    from heritage.search.indexer import index_items

    index_items(runtime, [item_id])
    with runtime.transaction() as s:
        (tucht,) = authorities.suggest(s, "tucht")
        authorities.rename(s, tucht.id, "Discipline", agent="t")
    with runtime.sessions() as s:  # as a process killed right after the commit leaves it
        assert item_id in set(s.scalars(select(SearchRequest.item_id)))


def test_the_sql_rule_for_visible_items_is_the_access_rule(runtime: Runtime) -> None:
    cases = {
        "open": ("public", None, None),
        "restricted": ("restricted", None, None),
        "closed": ("closed", None, None),
        "lapsed": ("closed", "2001-01-01", None),
        "future": ("closed", "2999-01-01", None),
        "held": ("public", None, "waiting for files"),
    }
    with runtime.transaction() as s:
        c = catalogue.ensure_collection(s, "auth", unit_slug="faculty-x")
        other = catalogue.ensure_unit(s, "faculty-y")
        for name, (access, until, held) in cases.items():
            item = _item(s, c, name, CoreRecord(title=name), {"access": access, "closed_until": until})
            item.held_back = held
        unit_id, other_id = c.unit_id, other.id
    viewers = [
        PUBLIC,
        Viewer("reader", frozenset({("reader", None)})),
        Viewer("staff", frozenset({("archivist", unit_id)})),
        Viewer("elsewhere", frozenset({("archivist", other_id)})),
        Viewer("admin", frozenset({("administrator", None)})),
    ]
    with runtime.sessions() as s:
        for viewer in viewers:
            by_rule = {i.local_id for i in s.scalars(select(Item)) if visibility(viewer, i) > Visibility.NONE}
            in_sql = set(s.scalars(select(Item.local_id).where(visible_items_clause(viewer, date.today()))))
            assert by_rule == in_sql, viewer.username


def test_the_migration_makes_the_tables_the_models_describe(runtime: Runtime) -> None:
    tables = set(inspect(runtime.engine).get_table_names())
    assert {"authorities", "authority_ids", "authority_keys", "authority_links"} <= tables
    db.downgrade(runtime.engine, "i14_search_0001")
    assert "authorities" not in inspect(runtime.engine).get_table_names()
    db.upgrade(runtime.engine)
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from heritage.models import Base

    with runtime.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ours = [d for d in diff if "authorit" in repr(d)]
    assert ours == []
