"""Test databases, migrated once and copied per test.

Applying every migration to a fresh database costs 0.2 s on SQLite and 0.4-0.7 s on PostgreSQL, and two
thousand tests each start on one: minutes of every CI run spent making the same tables. So the first test
of a run migrates a template and every later one gets a copy of it: on SQLite a copy of the file, on
PostgreSQL `CREATE DATABASE ... TEMPLATE` (about 50 ms). The template is named after a digest of the
migration scripts, so a changed migration makes a new one. Tests of the migrations themselves (marked
`empty_database`) still start on an empty database.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from heritage import db

TEMPLATE_LOCK = 0x68746D70  # "htmp": one pytest process at a time builds a PostgreSQL template


@cache
def migrations_digest() -> str:
    """A digest of the migration scripts: a template made from other scripts is another template."""
    digest = hashlib.sha256()
    for script in sorted(db.MIGRATIONS.rglob("*.py")):
        digest.update(script.name.encode() + b"\0" + script.read_bytes())
    return digest.hexdigest()[:12]


def _migrate(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()


@cache
def _sqlite_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"heritage-template-{migrations_digest()}-"))
    atexit.register(shutil.rmtree, folder, True)  # the run's template goes with the run
    path = folder / "heritage.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


@contextmanager
def migrated_sqlite(folder: Path) -> Iterator[str]:
    """A migrated SQLite database in `folder` (a copy of the template)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "heritage.sqlite"
    shutil.copyfile(_sqlite_template(), path)
    yield f"sqlite:///{path}"


def _admin(server_url: str):  # type: ignore[no-untyped-def]
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@cache
def _postgres_template(server_url: str) -> str:
    """The name of the migrated template database on the server of `server_url`, made once."""
    name = f"heritage_tmpl_{migrations_digest()}"
    admin = _admin(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": TEMPLATE_LOCK})
            try:
                made = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
                if made is None:
                    building = f"{name}_building"
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{building}"'))
                    _migrate(make_url(server_url).set(database=building).render_as_string(hide_password=False))
                    conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": TEMPLATE_LOCK})
    finally:
        admin.dispose()
    return name


@contextmanager
def migrated_postgres(server_url: str) -> Iterator[str]:
    """A migrated PostgreSQL database of its own (a copy of the template), dropped afterwards."""
    template = _postgres_template(server_url)
    name = f"heritage_t_{uuid.uuid4().hex[:12]}"
    admin = _admin(server_url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
