"""IIIF access tokens (Authorization Flow 2.0): what the token service hands a viewer for a signed-in person.

A token is random (`secrets.token_urlsafe`), lives `TOKEN_SECONDS`, and only its SHA-256 is stored. It stands
for its user as `heritage.access` sees them (roles and granted items read afresh on every use), so the one
access function decides; it stops working when the user signs out, is disabled, or it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from heritage import events
from heritage.access import Viewer
from heritage.auth import TokenRejected, viewer_of
from heritage.errors import BadRequest
from heritage.models import IIIFAccessToken, User, utcnow

TOKEN_PREFIX = "hia_"  # tells an IIIF access token from an API token (`hrt_`) at a glance
TOKEN_SECONDS = 3600
READ_SCOPES = frozenset({"read"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_access_token(token: str) -> bool:
    return token.strip().startswith(TOKEN_PREFIX)


def issue(session: Session, user: User, origin: str, seconds: int = TOKEN_SECONDS) -> tuple[str, int]:
    """A new token for an active user, for the viewer at `origin`; returns the token and its lifetime (seconds).

    Raises:
        BadRequest: the user is disabled.
    """
    if not user.active:
        raise BadRequest(f"user {user.username!r} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        IIIFAccessToken(
            user_id=user.id,
            token_hash=_digest(token),
            origin=origin[:300],
            expires_at=utcnow() + timedelta(seconds=seconds),
        )
    )
    session.flush()
    return token, seconds


def viewer_for(session: Session, token: str) -> Viewer:
    """The viewer an IIIF access token stands for (reading only).

    Raises:
        TokenRejected: unknown, revoked or expired, or its user is disabled.
    """
    row = session.scalar(select(IIIFAccessToken).where(IIIFAccessToken.token_hash == _digest(token.strip())))
    if row is None or row.revoked_at is not None or not row.user.active:
        raise TokenRejected("the IIIF access token is unknown or revoked")
    if row.expires_at <= utcnow():
        raise TokenRejected("the IIIF access token has expired")
    return viewer_of(session, row.user, READ_SCOPES)


def revoke_for_user(session: Session, user_id: int, *, reason: str, agent: str = events.SOFTWARE_AGENT) -> int:
    """Revoke every live token of a user (signing out, disabling); returns how many; an event when any."""
    now = utcnow()
    result = session.execute(
        update(IIIFAccessToken)
        .where(IIIFAccessToken.user_id == user_id, IIIFAccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        events.record(
            session,
            "iiif tokens revoked",
            agent=agent,
            detail=f"{count} IIIF access token(s) of user {user_id} revoked ({reason})",
            user_id=user_id,
            count=count,
        )
    session.flush()
    return count
