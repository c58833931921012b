"""The runtime: settings plus the services built from them (database, storage, search index, jobs).

Nothing is built at import time. A command, the web app or a worker opens one `Runtime`; job
functions reach it through `current_runtime()` so that they take ids, not objects, and run the same
inline and on an rq worker.
"""

from __future__ import annotations

import contextvars
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from heritage import db
from heritage.errors import ConfigurationError
from heritage.settings import Settings
from heritage.storage import LocalStorage, Storage


def ensure_data_dir(path: Path) -> Path:
    """Create the data directory if its parent exists, and prove it is writable.

    Raises:
        ConfigurationError: it is not a directory, cannot be created or cannot be written.
    """
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"data directory {path} is not a directory (HERITAGE_DATA)")
    if not path.exists():
        if not path.parent.is_dir():
            raise ConfigurationError(
                f"data directory {path} cannot be created: {path.parent} does not exist (HERITAGE_DATA)"
            )
        try:
            path.mkdir()
        except OSError as exc:
            raise ConfigurationError(f"data directory {path} cannot be created: {exc.strerror}") from None
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ConfigurationError(f"data directory {path} is not writable: {exc.strerror}") from None
    return path


@dataclass
class Runtime:
    """Settings and the services built from them, for one process."""

    settings: Settings
    _closed: bool = field(default=False, repr=False)

    @classmethod
    def open(cls, settings: Settings | None = None, *, migrate: bool | None = None) -> Runtime:
        """Check the data directory, the database (and Redis when set) and apply migrations.

        Raises:
            ConfigurationError: any of them is unusable; the message names which and why.
        """
        settings = settings or Settings.load()
        ensure_data_dir(settings.data_dir)
        from heritage import standards

        standards.activate(settings)  # metadata validates against the official XSDs where a folder has them
        runtime = cls(settings)
        db.check_connection(runtime.engine)
        if settings.redis_url:
            from heritage.jobs import check_redis

            check_redis(settings.redis_url)
        if settings.auto_migrate if migrate is None else migrate:
            db.upgrade(runtime.engine)
        return runtime

    @cached_property
    def engine(self) -> Engine:
        return db.make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from heritage import access_changes
        from heritage.harvest import ledger
        from heritage.preservation import hooks
        from heritage.search import outbox as search_outbox

        sessions = db.make_sessionmaker(self.engine)
        ledger.track(sessions)  # harvesters learn of every change made through these sessions
        access_changes.track(sessions, self.access_stamp)  # caches learn of every access change at once
        hooks.track(sessions, self)  # a move, custody or access change becomes a new OCFL version
        search_outbox.track(sessions)  # a change the index has not taken yet is known after a kill
        return sessions

    @cached_property
    def access_stamp(self):  # -> heritage.access_changes.AccessStamp
        from heritage.access_changes import AccessStamp

        return AccessStamp(self.settings.data_dir)

    def transaction(self) -> AbstractContextManager[Session]:
        """A session that commits on success and rolls back on error."""
        return db.transaction(self.sessions)

    @cached_property
    def storage(self) -> Storage:
        return LocalStorage(self.settings.data_dir)

    @cached_property
    def index(self):  # -> heritage.search.SearchIndex (imported lazily: Whoosh is heavy)
        from heritage.search.whoosh_index import WhooshIndex

        return WhooshIndex(self.settings.data_dir / "index", cache_mb=self.settings.search_cache_mb)

    @cached_property
    def jobs(self):  # -> heritage.jobs.JobQueue
        from heritage.jobs import make_queue

        return make_queue(self)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
        self._closed = True


_current: contextvars.ContextVar[Runtime | None] = contextvars.ContextVar("heritage_runtime", default=None)
_process_runtime: Runtime | None = None


@contextmanager
def use_runtime(runtime: Runtime) -> Iterator[Runtime]:
    """Make `runtime` the one that job functions see while the block runs."""
    token = _current.set(runtime)
    try:
        yield runtime
    finally:
        _current.reset(token)


def set_process_runtime(runtime: Runtime) -> None:
    """Set the runtime of a long-lived process (an rq worker) for jobs that run outside `use_runtime`."""
    global _process_runtime
    _process_runtime = runtime


def current_runtime() -> Runtime:
    """The runtime of the running job: the one in scope, or the process's, or one from the environment."""
    global _process_runtime
    runtime = _current.get() or _process_runtime
    if runtime is None:
        runtime = _process_runtime = Runtime.open(Settings.load(environ=os.environ))
    return runtime
