"""Migrations upgrade a catalogue that already holds data, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from heritage import db
from heritage.runtime import Runtime, ensure_data_dir
from heritage.settings import Settings

pytestmark = pytest.mark.db


@pytest.mark.empty_database
def test_upgrade_from_the_first_revision_keeps_items_files_and_events(settings: Settings) -> None:
    ensure_data_dir(settings.data_dir)
    runtime = Runtime(settings)
    db.upgrade(runtime.engine, "0001")
    with runtime.engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, slug, name, kind, central) VALUES (1, 'u', 'U', 'library', true)"))
        conn.execute(
            text(
                "INSERT INTO collections (id, slug, title, domain, unit_id, created_at) "
                "VALUES (1, 'c', 'C', 'library', 1, CURRENT_TIMESTAMP)"
            )
        )
        for item_id, parent in (("aaaaaaaaaaaa", None), ("bbbbbbbbbbbb", "aaaaaaaaaaaa")):
            conn.execute(
                text(
                    "INSERT INTO items (id, collection_id, parent_id, position, level, title, access, "
                    "created_at, updated_at) VALUES (:id, 1, :parent, 0, 'file', 'T', 'public', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"id": item_id, "parent": parent},
            )
        conn.execute(
            text(
                "INSERT INTO files (id, item_id, role, sequence, original_name, storage_key, sha256, md5, "
                "size, technical, quality, derivatives_ready, created_at) VALUES ('ffffffffffff', "
                "'bbbbbbbbbbbb', 'master', 1, 'p.tif', 'k', :sha, :md5, 1, '{}', '{}', true, "
                "CURRENT_TIMESTAMP)"
            ),
            {"sha": "a" * 64, "md5": "b" * 32},
        )
    db.upgrade(runtime.engine)
    assert db.current_revision(runtime.engine) == db.head_revision()
    with runtime.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM items")).scalar() == 2
        assert conn.execute(text("SELECT parent_id FROM items WHERE id = 'bbbbbbbbbbbb'")).scalar() == "aaaaaaaaaaaa"
        assert conn.execute(text("SELECT item_id FROM files")).scalar() == "bbbbbbbbbbbb"
        if runtime.engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert "items" in inspect(runtime.engine).get_table_names()
    runtime.close()
