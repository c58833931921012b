"""IIIF Authorization Flow 2.0 over HTTP (/iiif/auth/2/...): probe, access, token and logout services.

A viewer on any site probes an image with a bearer token; without one that opens it, it opens the access
service (our sign-in page, `active` profile) in a window with its `origin`; that window signs the person in
and records that they let that origin show them images (a cookie of its own, `COOKIE`, SameSite=None over
HTTPS so that the token service can read it inside a partner's frame); the token service, in a hidden
frame, posts a short-lived access token to that origin only. The image service then decides with
`heritage.access` for the token's user (`web.auth` reads the token). Logging out ends the session and
revokes every token of the person.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, request
from flask import session as cookie
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError

from heritage import auth, iiif_tokens
from heritage.access import PUBLIC, Access, Visibility, item_access
from heritage.models import User
from iiif import auth as services
from iiif.errors import ImageNotFound
from web.auth import IIIF_COOKIE as COOKIE
from web.auth import SESSION_HOURS, end_session, login_limit
from web.context import base_url, client_address, session
from web.iiif_routes import image_resolver
from web.security import served_over_https

bp = Blueprint("iiif_auth", __name__, url_prefix=services.PREFIX)
MAX_ORIGINS = 20  # origins one person confirmed, newest kept


def valid_origin(value: str | None) -> str | None:
    """`scheme://host[:port]` of an http(s) origin as the client gave it, or None when it is not one."""
    if not value or len(value) > 300 or any(ord(c) < 0x21 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="iiif-auth-2")  # type: ignore[arg-type]


def _own_origin() -> str:
    return valid_origin(base_url()) or ""


# -- probe -----------------------------------------------------------------------------------------


@bp.route("/probe/<image_id>", methods=["GET", "OPTIONS"])
def probe(image_id: str) -> Response:
    """`AuthProbeResult2` (HTTP 200 always): `status` 200 when the bearer token's user may see the image, else
    401 with a heading and note saying how to get access; an unknown image reads as a closed one."""
    if request.method == "OPTIONS":
        return _no_store(Response(status=204))
    header = request.headers.get("Authorization", "")
    who = None
    if header[:7].lower() == "bearer " and iiif_tokens.is_access_token(header[7:]):
        try:
            who = iiif_tokens.viewer_for(session(), header[7:])
        except auth.TokenRejected:
            who = None
    try:
        image, seen = image_resolver(current_app._get_current_object()).lookup(  # type: ignore[attr-defined]
            image_id, who or PUBLIC
        )
    except ImageNotFound:
        image, seen = None, Visibility.NONE
    if image is not None and seen >= Visibility.FULL:
        result = services.probe_result(200)
    elif image is not None and item_access(image.access) is Access.RESTRICTED:
        record = f"{base_url()}/items/{image.item_id}"
        result = services.probe_result(
            401, heading=services.text("restricted_heading"), note=services.text("restricted_note", record=record)
        )
    else:  # closed, held back, withdrawn or unknown: told alike
        result = services.probe_result(401, heading=services.text("closed_heading"), note=services.text("closed_note"))
    return _no_store(jsonify(result))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Authorization")
    return response


# -- access service (active profile) --------------------------------------------------------------


def _confirmed(raw: str | None) -> tuple[int | None, dict[str, int]]:
    """The user and the confirmed origins (origin -> when) the cookie holds; raises SignatureExpired or
    BadSignature for an old or forged one."""
    if not raw:
        return None, {}
    data = _signer().loads(raw, max_age=SESSION_HOURS * 3600)
    uid, origins = data.get("uid"), data.get("origins")
    if not isinstance(uid, int) or not isinstance(origins, dict):
        raise BadSignature("malformed")
    return uid, {str(k): int(v) for k, v in origins.items()}


def _confirm(response: Response, user_id: int, origin: str) -> Response:
    """Add `origin` to the origins the person let show them images (a cookie the token service reads)."""
    try:
        uid, origins = _confirmed(request.cookies.get(COOKIE))
    except BadSignature:
        uid, origins = None, {}
    if uid != user_id:
        origins = {}
    origins[origin] = int(time.time())
    kept = dict(sorted(origins.items(), key=lambda kv: kv[1])[-MAX_ORIGINS:])
    https = served_over_https(current_app.extensions["heritage"].settings.base_url)
    response.set_cookie(
        COOKIE,
        _signer().dumps({"uid": user_id, "origins": kept}),
        max_age=SESSION_HOURS * 3600,
        path=services.PREFIX,
        httponly=True,
        secure=https,
        samesite="None" if https else "Lax",  # read inside a partner's frame: cross-site needs None (HTTPS)
    )
    return response


def _forget(response: Response) -> Response:
    response.delete_cookie(COOKIE, path=services.PREFIX)
    return response


def _signed_in_user() -> User | None:
    uid = cookie.get("uid")
    user = session().get(User, uid) if isinstance(uid, int) else None
    return user if user is not None and user.active else None


def _origin_or_400(value: str | None) -> str | Response:
    origin = valid_origin(value)
    if origin is None:
        body = render_template(
            "error.html",
            status=400,
            message=f"origin {value!r}: give the origin of the viewer's page (scheme://host[:port])"
            if value
            else "origin is missing: the viewer opens this page with ?origin=<its origin>",
        )
        return make_response(body, 400)
    return origin


@bp.get("/access")
def access() -> Any:
    """The sign-in page a viewer opens in a window (`?origin=`): sign in, or confirm the viewer when signed in."""
    origin = _origin_or_400(request.args.get("origin"))
    if isinstance(origin, Response):
        return origin
    user = _signed_in_user()
    return render_template("iiif_auth/access.html", origin=origin, user=user, username="", error=None)


@bp.post("/access")
def access_post() -> Any:
    """Sign in (username, password) or confirm the viewer (signed in already); the window then closes itself."""
    origin = _origin_or_400(request.form.get("origin"))
    if isinstance(origin, Response):
        return origin
    user = _signed_in_user()
    if user is None or request.form.get("username"):
        username = request.form.get("username", "")
        try:
            user = auth.authenticate(
                session(), username, request.form.get("password", ""), client_address(), login_limit(), via="iiif"
            )
        except auth.TooManyAttempts as exc:
            body = render_template("iiif_auth/access.html", origin=origin, user=None, username=username, error=str(exc))
            return Response(body, status=429, headers={"Retry-After": str(exc.retry_after)})
        except auth.LoginFailed as exc:
            body = render_template("iiif_auth/access.html", origin=origin, user=None, username=username, error=str(exc))
            return make_response(body, 401)
        cookie.clear()  # a fresh session (and CSRF token), as the sign-in form gives
        cookie["uid"] = user.id
        cookie.permanent = True
    response = make_response(render_template("iiif_auth/done.html", origin=origin, signed_out=False))
    return _confirm(response, user.id, origin)


# -- token service --------------------------------------------------------------------------------


@bp.get("/token")
def token() -> Any:
    """A page for a hidden frame that posts `AuthAccessToken2` (or `AuthAccessTokenError2`) to `origin`."""
    message_id = request.args.get("messageId", "")
    raw_origin = request.args.get("origin")
    origin = valid_origin(raw_origin)
    target = origin or "*"  # an error carries no secret: it may reach a client that gave no usable origin
    if not message_id or len(message_id) > 200:
        return _post(services.token_error("invalidRequest", message_id[:200]), target)
    if origin is None:
        return _post(services.token_error("invalidOrigin", message_id), target)
    try:
        uid, origins = _confirmed(request.cookies.get(COOKIE))
    except SignatureExpired:
        return _post(services.token_error("expiredAspect", message_id), origin)
    except BadSignature:
        return _post(services.token_error("invalidAspect", message_id), origin)
    if uid is None and origin == _own_origin() and isinstance(cookie.get("uid"), int):
        uid, origins = cookie["uid"], {origin: int(time.time())}  # our own pages: the session is the consent
    if uid is None or origin not in origins:
        return _post(services.token_error("missingAspect", message_id), origin)
    user = session().get(User, uid)
    if user is None or not user.active:
        return _post(services.token_error("invalidAspect", message_id), origin)
    try:
        value, seconds = iiif_tokens.issue(session(), user, origin)
        session().commit()
    except SQLAlchemyError:  # the database is away: the client may try again later
        session().rollback()
        current_app.logger.exception("IIIF access token not issued")
        return _post(services.token_error("unavailable", message_id), origin)
    return _post(services.access_token(value, seconds, message_id), origin)


def _post(message: dict[str, Any], target: str) -> Response:
    response = make_response(render_template("iiif_auth/token.html", message=message, target=target))
    response.headers["Cache-Control"] = "no-store"
    return response


# -- logout ---------------------------------------------------------------------------------------


@bp.get("/logout")
def logout() -> Any:
    """The logout page a viewer opens in a window: one button ends the session."""
    return render_template("iiif_auth/logout.html", user=_signed_in_user())


@bp.post("/logout")
def logout_post() -> Any:
    """End the session, revoke the person's access tokens, forget the confirmed viewers; the window closes."""
    end_session()
    return _forget(make_response(render_template("iiif_auth/done.html", origin=None, signed_out=True)))


@bp.after_app_request
def _cors_preflight(response: Response) -> Response:
    """IIIF resources are read by viewers on any site with a bearer token: allow the Authorization header."""
    if request.path.startswith("/iiif/"):
        response.headers["Access-Control-Allow-Headers"] = "Authorization"
        response.headers["Access-Control-Max-Age"] = "600"
    return response
