"""Request helpers shared by the blueprints: the runtime, a database session, the public base URL."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from heritage.access import PUBLIC, Viewer, search_scope
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
    """Who is asking: set for every request by `web.auth` from the session or a bearer token."""
    return getattr(g, "viewer", PUBLIC)


def acting_viewer() -> Viewer:
    """Who is acting (a token's scopes intact, for routes that change things)."""
    return getattr(g, "acting_viewer", PUBLIC)


def client_address() -> str:
    """The address a request came from (the proxy's `X-Forwarded-For` is honoured only behind ProxyFix)."""
    return request.remote_addr or "unknown"


def viewer_search_scope(who: Viewer | None = None) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The access statuses and the units (slugs) whose items `who` (default: who is asking) may find."""
    from sqlalchemy import select

    from heritage.models import Unit

    scope = search_scope(who or viewer())
    if not scope.unit_ids:
        return scope.access, ()
    slugs = session().scalars(select(Unit.slug).where(Unit.id.in_(sorted(scope.unit_ids))).order_by(Unit.slug))
    return scope.access, tuple(slugs)
