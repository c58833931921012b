"""Engine and sessions for SQLite (default, WAL) and PostgreSQL, plus migrations through Alembic."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from heritage.errors import ConfigurationError

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout for concurrent workers.

    Raises:
        ConfigurationError: the URL is malformed or names a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"DATABASE_URL {url!r} is not a database URL") from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise ConfigurationError(f"DATABASE_URL {parsed.render_as_string()!r}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    # A forked rq work horse must not share pooled connections with its parent.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def check_connection(engine: Engine) -> None:
    """Connect once so that a wrong or unreachable database fails with one clear line.

    Raises:
        ConfigurationError: the database cannot be reached.
    """
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigurationError(
            f"database {engine.url.render_as_string(hide_password=True)} is unreachable: {reason}"
        ) from None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error, so stored data stays as it was."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` (idempotent; one process at a time)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    with _migrating(engine):
        if revision == "head" and current_revision(engine) == head_revision():
            return  # another process migrated while this one waited
        command.upgrade(alembic_config(engine), revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock: workers and commands started together on a fresh database would
    otherwise each create the same tables, and all but one fail. The lock dies with its process."""
    if engine.dialect.name == "postgresql":
        key = "SELECT {}(hashtext('heritage migrations ' || current_schema()))"
        with engine.connect() as conn:
            conn.execute(text(key.format("pg_advisory_lock")))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text(key.format("pg_advisory_unlock")))
                conn.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with Path(f"{database}.migrating").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)
