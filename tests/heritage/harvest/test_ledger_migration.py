"""Migration i9_0001 on a catalogue that already has items: what the public may see today enters the
ledger, stamped with each item's last change; closed items do not; downgrading removes the table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, text

from heritage import db
from heritage.runtime import Runtime
from heritage.settings import Settings

pytestmark = pytest.mark.db


@pytest.mark.empty_database
def test_backfill_and_downgrade(settings: Settings) -> None:
    runtime = Runtime.open(settings, migrate=False)
    db.upgrade(runtime.engine, "i4_0001")
    then = datetime(2020, 5, 1, 12, 0, 0, tzinfo=UTC)
    with runtime.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO units (slug, name, kind, central) VALUES ('ua', 'Archief', 'central_archive', true)")
        )
        conn.execute(
            text(
                "INSERT INTO collections (slug, title, domain, unit_id, created_at) "
                "VALUES ('brieven', 'Brieven', 'archive', 1, :t)"
            ),
            {"t": then},
        )
        for item_id, access, closed_until in [
            ("open1", "public", None),
            ("asked", "restricted", None),
            ("shut1", "closed", date(2999, 1, 1)),
            ("lapse", "closed", date(2001, 1, 1)),
        ]:
            conn.execute(
                text(
                    "INSERT INTO items (id, collection_id, position, level, title, access, closed_until, attributes,"
                    " created_at, updated_at) VALUES (:id, 1, 0, 'file', :title, :access, :closed, '{}', :t, :t)"
                ),
                {"id": item_id, "title": item_id, "access": access, "closed": closed_until, "t": then},
            )
    db.upgrade(runtime.engine)
    with runtime.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT key, collection, unit, domain, deleted FROM harvest_records ORDER BY key")
        ).all()
    assert [tuple(r) for r in rows] == [
        ("asked", "brieven", "ua", "archive", False),
        ("lapse", "brieven", "ua", "archive", False),
        ("open1", "brieven", "ua", "archive", False),
    ]
    with runtime.sessions() as session:
        from heritage.models import HarvestRecord

        assert session.get(HarvestRecord, ("item", "open1")).datestamp == then
    db.downgrade(runtime.engine, "i4_0001")
    assert "harvest_records" not in inspect(runtime.engine).get_table_names()
    runtime.close()
