"""Request helpers shared by the blueprints: the runtime, a database session, the public base URL."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from heritage.access import PUBLIC, Viewer
from heritage.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["heritage"]


def session() -> Session:
    """One session per request, closed at teardown."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


def base_url() -> str:
    """The public base URL: HERITAGE_BASE_URL, or what the request came in on."""
    return runtime().settings.base_url or request.url_root.rstrip("/")


def viewer() -> Viewer:
    """Who is asking (the public until the login issue adds users)."""
    return getattr(g, "viewer", PUBLIC)
