"""The domain model and its migrations, on SQLite and (in CI) PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, select

from heritage import catalogue, db, events
from heritage.models import (
    Access,
    Event,
    File,
    Item,
    Location,
    MetadataRecord,
    Role,
    RoleAssignment,
    Unit,
    User,
    utcnow,
)
from heritage.runtime import Runtime
from metadata_schemas.core import Agent, CoreRecord, DateRange

pytestmark = pytest.mark.db


def test_migrations_create_every_table(runtime: Runtime) -> None:
    tables = set(inspect(runtime.engine).get_table_names())
    assert {
        "units",
        "collections",
        "items",
        "metadata_records",
        "files",
        "locations",
        "events",
        "users",
        "role_assignments",
        "alembic_version",
    } <= tables
    assert db.current_revision(runtime.engine) == db.head_revision()


def test_migrations_downgrade_and_upgrade_again(runtime: Runtime) -> None:
    db.downgrade(runtime.engine, "base")
    assert "items" not in inspect(runtime.engine).get_table_names()
    db.upgrade(runtime.engine)
    assert "items" in inspect(runtime.engine).get_table_names()


def test_item_tree_records_files_events_round_trip(runtime: Runtime) -> None:
    with runtime.transaction() as s:
        coll = catalogue.ensure_collection(
            s, "ua", title="Universiteitsarchief", domain="archive", unit_slug="central-archive"
        )
        fonds, _ = catalogue.upsert_item(
            s,
            coll,
            CoreRecord("Fonds", level="fonds"),
            local_id="F",
            parent=None,
            position=1,
            standard="csv",
            original="F,Fonds",
            source="sheet.csv",
        )
        core = CoreRecord(
            "Register",
            level="file",
            agents=[Agent("Jan", "creator")],
            dates=[DateRange("1850-1860", 1850, 1860)],
            titles={"en": "Register"},
        )
        reg, created = catalogue.upsert_item(
            s,
            coll,
            core,
            local_id="F.1",
            parent=fonds,
            position=1,
            standard="csv",
            original="F.1,Register",
            source="sheet.csv",
            fields={"access": "closed", "closed_until": "2090-01-01"},
        )
        assert created
        s.add(
            File(
                id="abcdefghijkl",
                item_id=reg.id,
                role="master",
                sequence=1,
                original_name="p1.tif",
                storage_key="masters/aa/bb/x",
                sha256="a" * 64,
                md5="b" * 32,
                size=10,
                width=10,
                height=20,
                technical={"mode": "RGB"},
            )
        )
        events.record(s, "ingestion", item_id=reg.id, file_id="abcdefghijkl", detail="stored")
        shelf = Location(code="D1", name="Depot 1", kind="room", attributes={"capacity_m": 10})
        s.add(shelf)
        s.flush()
        reg.location_id = shelf.id
        user = User(username="an", display_name="An Archivist")
        user.roles.append(RoleAssignment(role=Role.ARCHIVIST.value, unit_id=coll.unit_id))
        s.add(user)
        reg_id, fonds_id = reg.id, fonds.id
    with runtime.sessions() as s:
        reg = s.get(Item, reg_id)
        assert reg is not None
        assert reg.parent_id == fonds_id and reg.parent.children == [reg]
        assert (reg.date_from, reg.date_to, reg.title_en) == (1850, 1860, "Register")
        assert reg.access == Access.CLOSED.value and reg.closed_until == date(2090, 1, 1)
        assert reg.files[0].technical == {"mode": "RGB"}
        assert reg.primary_record.core["agents"] == [{"name": "Jan", "role": "creator", "id": None, "kind": None}]
        assert s.scalar(select(Event).where(Event.item_id == reg_id)).at <= utcnow()
        assert s.scalar(select(Unit).where(Unit.slug == "central-archive")).central is True
        assert s.scalar(select(User)).roles[0].role == "archivist"
        assert s.scalars(select(MetadataRecord)).all()[0].standard == "csv"


def test_upsert_is_idempotent_and_ids_are_stable(runtime: Runtime) -> None:
    ids = []
    for _ in range(2):
        with runtime.transaction() as s:
            coll = catalogue.ensure_collection(s, "lib", domain="library")
            item, _ = catalogue.upsert_item(
                s,
                coll,
                CoreRecord("Boek"),
                local_id="B1",
                parent=None,
                position=1,
                standard="csv",
                original=None,
                source=None,
            )
            ids.append(item.id)
    assert ids[0] == ids[1]
    with runtime.sessions() as s:
        assert len(s.scalars(select(Item)).all()) == 1
        assert len(s.scalars(select(MetadataRecord)).all()) == 1


def test_bad_collection_slug_and_domain_are_refused(runtime: Runtime) -> None:
    from heritage.errors import BadRequest

    with pytest.raises(BadRequest, match="slug"), runtime.transaction() as s:
        catalogue.ensure_collection(s, "../etc")
    with pytest.raises(BadRequest, match="domain"), runtime.transaction() as s:
        catalogue.ensure_collection(s, "ok", domain="zoo")
