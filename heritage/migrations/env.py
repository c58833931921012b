"""Alembic environment: the engine comes from the caller (heritage.db.upgrade), never from an ini file.

On SQLite, Alembic's batch mode rebuilds a table to alter it (copy, drop, rename). With foreign keys
enforced, dropping a table that others refer to fails, so enforcement is off while migrating (SQLite's
own advice for schema changes) and the keys are checked before it is switched back on.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from heritage.models import Base

target_metadata = Base.metadata
engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or SQLite ignores it
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            if broken:
                raise RuntimeError(f"migration left rows that break foreign keys: {broken[:5]}")
    connection.commit()
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
