"""Signing in and out, API tokens over HTTP, CSRF protection, and who each request is.

Every request gets its viewer here (`web.context.viewer()`): a bearer token's user (with the token's
scopes), the signed-in user of the session cookie, or the public. Every state-changing request without a
bearer token must carry the CSRF token of its session (Flask-WTF); OAI-PMH (reading by POST) and
`POST /api/token` (JSON with the password itself) are the exceptions, and so is a JSON API request with
no credentials at all (no session to ride on: the route answers it 401).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for
from flask import session as cookie
from flask_wtf.csrf import CSRFProtect

from heritage import auth, events, iiif_tokens
from heritage.access import PUBLIC, Viewer
from heritage.errors import BadRequest, Forbidden, HeritageError
from heritage.models import User
from heritage.policy.service import may_see_disposals
from web.context import acting_viewer, client_address, runtime, session, viewer

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
CSRF_EXEMPT = frozenset({"oai.oai", "auth.api_token"})
TOKEN_FIELDS = frozenset({"username", "password", "scopes", "expires"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_HOURS = 12
IIIF_IMAGE_PREFIX = "/iiif/image/"
IIIF_AUTH_PREFIX = "/iiif/auth/2/"
IIIF_COOKIE = "heritage_iiif"  # the viewers a person let show them images (web/iiif_auth.py)
API_TOKEN_DAYS = 30  # a token made over HTTP expires unless asked otherwise (the CLI's do not)


class Unauthorized(HeritageError):
    """Sign in first (JSON routes; pages redirect to the sign-in form instead)."""

    status = 401


def init_app(app: Flask) -> None:
    secure = (runtime_settings_base(app) or "").startswith("https://")
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in `_protect`, after the bearer token is known
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    csrf.init_app(app)
    app.before_request(_load_viewer)
    app.before_request(_protect)
    app.after_request(_private_when_signed_in)
    app.context_processor(lambda: {"current_viewer": viewer()})
    app.register_blueprint(bp)


def runtime_settings_base(app: Flask) -> str | None:
    return app.extensions["heritage"].settings.base_url


def _load_viewer() -> None:
    g.viewer = g.acting_viewer = PUBLIC
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and request.path.startswith(IIIF_AUTH_PREFIX):
        return  # the probe reads its bearer token itself: a bad one is a probe result, not an error
    if header[:7].lower() == "bearer ":
        g.bearer = True
        if iiif_tokens.is_access_token(header[7:]):
            if not request.path.startswith(IIIF_IMAGE_PREFIX):
                raise auth.TokenRejected("an IIIF access token opens the IIIF image service only")
            who = iiif_tokens.viewer_for(session(), header[7:])
        else:
            who = auth.viewer_for_token(session(), header[7:])  # TokenRejected: 401, never the public silently
    elif "uid" in cookie:
        user = session().get(User, cookie["uid"]) if isinstance(cookie["uid"], int) else None
        if user is None or not user.active:
            cookie.clear()
            return
        who = auth.viewer_of(session(), user)
    else:
        return
    g.acting_viewer = who
    g.viewer = who if request.method in STATE_CHANGING else who.for_reading()


def _protect() -> None:
    # A method or path with no route changes nothing: routing answers it (405 with Allow, or 404).
    if request.routing_exception is not None:
        return
    if request.method in STATE_CHANGING and not g.get("bearer") and request.endpoint not in CSRF_EXEMPT:
        if request.path.startswith("/api/") and not acting_viewer().signed_in:
            return  # nobody to act as: the route refuses it 401, which says what is missing
        csrf.protect()


def _private_when_signed_in(response: Response) -> Response:
    """What a signed-in person sees may differ from the public's: never for shared caches."""
    if viewer().signed_in or "uid" in cookie:
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
        response.vary.add("Authorization")
    return response


def landing(who: Viewer) -> str:
    """Where one lands after signing in with nowhere to return to: staff on their batches, the board and
    conservators on the review queue, anyone else on the home page."""
    if who.is_staff:
        return url_for("archivist.batches")
    if who.signed_in and may_see_disposals(who):
        return url_for("masterplan.review")
    return url_for("catalogue.home")


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """Where to go after signing in: a path on this site, never another host (no open redirect)."""
    fallback = fallback or url_for("catalogue.home")
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def login_limit() -> auth.RateLimit:
    settings = runtime().settings
    return auth.RateLimit(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))


@bp.get("/login")
def login_form() -> Any:
    """The sign-in form."""
    if viewer().signed_in and not request.args.get("next"):
        return redirect(landing(viewer()))
    return render_template("login.html", next=request.args.get("next", ""), username="", error=None)


@bp.post("/login")
def login() -> Any:
    """Check the username and password (rate-limited) and start a session."""
    username = request.form.get("username", "")
    target = request.form.get("next", "")
    try:
        user = auth.authenticate(
            session(), username, request.form.get("password", ""), client_address(), login_limit(), via="form"
        )
    except auth.TooManyAttempts as exc:
        body = render_template("login.html", next=target, username=username, error=str(exc))
        return Response(body, status=429, headers={"Retry-After": str(exc.retry_after)})
    except auth.LoginFailed as exc:
        return render_template("login.html", next=target, username=username, error=str(exc)), 401
    cookie.clear()  # a fresh session (and CSRF token) for the signed-in user
    cookie["uid"] = user.id
    cookie.permanent = True
    return redirect(safe_next(target, landing(auth.viewer_of(session(), user))), code=303)


def end_session() -> None:
    """Sign out (an event): the session cookie is cleared and the user's IIIF access tokens revoked."""
    who = acting_viewer()
    uid = cookie.get("uid")
    if isinstance(uid, int):
        iiif_tokens.revoke_for_user(session(), uid, reason="signed out", agent=who.username or events.SOFTWARE_AGENT)
    if who.signed_in and who.username:
        auth.record_logout(session(), who.username, client_address())
    session().commit()
    cookie.clear()


@bp.post("/logout")
def logout() -> Any:
    """End the session (an event)."""
    end_session()
    response = redirect(url_for("catalogue.home"), code=303)
    response.delete_cookie(IIIF_COOKIE, path=IIIF_AUTH_PREFIX.rstrip("/"))
    return response


@bp.post("/api/token")
def api_token() -> Any:
    """Trade a username and password (JSON) for an API token: {"token", "id", "scopes", "expires"}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("username"), str):
        raise BadRequest('send JSON {"username": ..., "password": ...} with Content-Type application/json')
    unknown = sorted(set(body) - TOKEN_FIELDS)
    if unknown:
        raise BadRequest(f"unknown field(s) {', '.join(map(repr, unknown))}: use {', '.join(sorted(TOKEN_FIELDS))}")
    password = body.get("password")
    if not isinstance(password, str):
        raise BadRequest('"password" must be a string')
    scopes = body.get("scopes", ["read"])
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise BadRequest(f'"scopes" must be a list of strings ({", ".join(auth.SCOPES)})')
    expires = _expiry(body.get("expires"))
    try:
        user = auth.authenticate(session(), body["username"], password, client_address(), login_limit(), via="api")
    except auth.TooManyAttempts as exc:
        response = jsonify({"error": {"status": 429, "message": str(exc)}})
        response.status_code = 429
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    db = session()
    row, token = auth.create_token(db, user.username, auth.parse_scopes(scopes), auth.expiry_of(expires))
    db.commit()
    response = jsonify(
        {
            "token": token,
            "id": row.id,
            "prefix": row.prefix,
            "scopes": row.scopes.split(),
            "expires": row.expires_at.isoformat() if row.expires_at else None,
        }
    )
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


def _expiry(value: object) -> date:
    if value is None:
        return date.today() + timedelta(days=API_TOKEN_DAYS)
    if not isinstance(value, str):
        raise BadRequest('"expires" must be a date YYYY-MM-DD')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f'"expires": {value!r} is not a date YYYY-MM-DD') from None


def require_staff() -> Viewer:
    """The viewer, if staff (archivist, collection manager, administrator); else sign in first, or 403."""
    who = viewer()
    if not who.signed_in:
        if request.path.endswith(".json") or request.path.startswith("/api/"):
            raise Unauthorized("sign in (or send a bearer token) to use this")
        abort(redirect(url_for("auth.login_form", next=request.full_path.rstrip("?"))))
    if not who.is_staff:
        raise Forbidden("this is for archivists, collection managers and administrators")
    return who
