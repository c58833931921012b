"""Users, passwords, API tokens and the login rate limit: who a request is, as a `heritage.access.Viewer`.

Passwords are hashed with werkzeug's scrypt; tokens are random (`secrets.token_urlsafe`) and only their
SHA-256 is stored. Failed logins are rows in the database, so the rate limit holds across processes and
machines. Logins, logouts and failed logins are events in the audit trail.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from heritage import events
from heritage.access import Viewer
from heritage.errors import BadRequest, HeritageError, NotFound
from heritage.models import AccessRequest, ApiToken, LoginAttempt, Outcome, Role, RoleAssignment, Unit, User, utcnow

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "hrt_"
PREFIX_LENGTH = 12  # "hrt_" and 8 random characters: enough to name a token, too little to guess it
SCOPES = ("read", "harvest", "ingest", "edit")
# Compared against when the username is unknown, so an unknown name costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class LoginFailed(HeritageError):
    """Wrong username or password, or a disabled account (one message for all, so nothing leaks)."""

    status = 401


class TooManyAttempts(HeritageError):
    """Too many failed logins for this username from this address within the window."""

    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TokenRejected(HeritageError):
    """A bearer token that is unknown, revoked or expired."""

    status = 401


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_password_strength(password: str) -> None:
    """Raises: BadRequest when the password is too short to be a password."""
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"the password must have at least {MIN_PASSWORD} characters")


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise BadRequest(f"unknown role {value!r} (known: {', '.join(r.value for r in Role)})") from None


def _unit(session: Session, slug: str | None) -> Unit | None:
    if not slug:
        return None
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        known = ", ".join(session.scalars(select(Unit.slug).order_by(Unit.slug))) or "none yet"
        raise BadRequest(f"unknown unit {slug!r} (known: {known})")
    return unit


def get_user(session: Session, username: str) -> User:
    """Raises: NotFound naming the username."""
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def add_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    unit: str | None = None,
    *,
    display_name: str | None = None,
    agent: str = events.SOFTWARE_AGENT,
) -> User:
    """Create a user with one role (for one unit, or all units without `unit`).

    Raises:
        BadRequest: a malformed or taken username, a short password, an unknown role or unit.
    """
    username = username.strip()
    if not USERNAME.match(username):
        raise BadRequest(f"username {username!r}: letters, digits and . _ @ - only, at most 100 characters")
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
        raise BadRequest(f"user {username!r} exists already")
    check_password_strength(password)
    chosen = _role(role)
    unit_row = _unit(session, unit)
    if chosen in (Role.ARCHIVIST, Role.COLLECTION_MANAGER) and unit_row is None:
        raise BadRequest(f"an {chosen.value} works for one unit: give --unit")
    user = User(username=username, display_name=display_name, password_hash=hash_password(password), active=True)
    user.roles.append(RoleAssignment(role=chosen.value, unit_id=unit_row.id if unit_row else None))
    session.add(user)
    events.record(
        session,
        "user added",
        agent=agent,
        detail=f"user {username} added as {chosen.value}" + (f" of {unit_row.slug}" if unit_row else ""),
        username=username,
        role=chosen.value,
        unit=unit_row.slug if unit_row else None,
    )
    session.flush()
    return user


def set_active(session: Session, username: str, active: bool, *, agent: str = events.SOFTWARE_AGENT) -> User:
    """Disable (or enable again) a user; a disabled user's sessions and tokens stop working at once."""
    from heritage import iiif_tokens  # it builds on this module

    user = get_user(session, username)
    user.active = active
    if not active:
        iiif_tokens.revoke_for_user(session, user.id, reason="account disabled", agent=agent)
    events.record(
        session,
        "user enabled" if active else "user disabled",
        agent=agent,
        detail=f"user {user.username} {'enabled' if active else 'disabled'}",
        username=user.username,
    )
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).options(selectinload(User.roles)).order_by(func.lower(User.username))))


def role_labels(session: Session, user: User) -> list[str]:
    """`role` or `role@unit` for each of the user's roles."""
    slugs: dict[int, str] = {unit_id: slug for unit_id, slug in session.execute(select(Unit.id, Unit.slug))}
    return sorted(f"{r.role}@{slugs[r.unit_id]}" if r.unit_id else r.role for r in user.roles)


def viewer_of(session: Session, user: User, scopes: frozenset[str] | None = None) -> Viewer:
    """The viewer a signed-in user is: their roles and the restricted items they were granted."""
    granted = session.scalars(
        select(AccessRequest.item_id).where(AccessRequest.user_id == user.id, AccessRequest.status == "approved")
    )
    return Viewer(
        username=user.username,
        roles=frozenset((r.role, r.unit_id) for r in user.roles),
        granted_items=frozenset(granted),
        scopes=scopes,
    )


# -- the login rate limit ------------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimit:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


def _failures(session: Session, username: str, address: str, since: datetime) -> list[datetime]:
    return list(
        session.scalars(
            select(LoginAttempt.at)
            .where(LoginAttempt.username == username, LoginAttempt.address == address, LoginAttempt.at >= since)
            .order_by(LoginAttempt.at)
        )
    )


def _check_rate(session: Session, username: str, address: str, limit: RateLimit, now: datetime) -> None:
    failures = _failures(session, username, address, now - limit.window)
    if len(failures) >= limit.max_failures:
        oldest = failures[-limit.max_failures]
        retry = max(1, int((oldest + limit.window - now).total_seconds()) + 1)
        raise TooManyAttempts(
            f"too many failed logins for {username!r} from this address: try again in {retry // 60 + 1} minutes",
            retry,
        )


def authenticate(
    session: Session,
    username: str,
    password: str,
    address: str,
    limit: RateLimit | None = None,
    *,
    via: str = "form",
) -> User:
    """The active user with this username and password; every outcome is an event.

    Raises:
        TooManyAttempts: `limit.max_failures` failures for this username and address within the window
            (checked before the password, so guessing stops).
        LoginFailed: the username is unknown, the password wrong or the account disabled.
    """
    limit = limit or RateLimit()
    # NUL, which PostgreSQL cannot compare, as U+FFFD: such a name matches no user and the failure still counts
    name = username.strip().lower().replace("\x00", "\ufffd")[:100]
    address = (address or "unknown").replace("\x00", "\ufffd")[:64]
    now = utcnow()
    _check_rate(session, name, address, limit, now)
    user = session.scalar(select(User).where(func.lower(User.username) == name)) if name else None
    valid = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    if user is None or not valid or not user.active:
        session.add(LoginAttempt(username=name, address=address, at=now))
        events.record(
            session,
            "login",
            outcome=Outcome.FAILURE,
            agent=name or "(no username)",
            detail=f"failed login for {name!r} from {address} ({via})",
            address=address,
            via=via,
        )
        session.commit()
        raise LoginFailed("wrong username or password")
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == name, LoginAttempt.address == address))
    events.record(
        session, "login", agent=user.username, detail=f"login from {address} ({via})", address=address, via=via
    )
    session.commit()
    return user


def record_logout(session: Session, username: str, address: str) -> None:
    events.record(session, "logout", agent=username, detail=f"logout from {address}", address=address)
    session.commit()


# -- API tokens ----------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(values: Iterable[str]) -> tuple[str, ...]:
    """Raises: BadRequest naming an unknown scope."""
    chosen: list[str] = []
    for value in values:
        for scope in value.replace(",", " ").split():
            if scope not in SCOPES:
                raise BadRequest(f"unknown scope {scope!r} (known: {', '.join(SCOPES)})")
            if scope not in chosen:
                chosen.append(scope)
    return tuple(chosen) or ("read",)


def expiry_of(value: date | None) -> datetime | None:
    """A token given an expiry date works through that day (UTC); through 9999-12-31, it never expires."""
    if value is None or value == date.max:
        return None
    return datetime.combine(value + timedelta(days=1), time(), tzinfo=UTC)


def create_token(
    session: Session,
    username: str,
    scopes: Sequence[str] = ("read",),
    expires_at: datetime | None = None,
    *,
    agent: str = events.SOFTWARE_AGENT,
) -> tuple[ApiToken, str]:
    """A new token for an active user; returns the row and the token itself (shown once, never stored).

    Raises:
        NotFound: no such user. BadRequest: a disabled user, an unknown scope or an expiry in the past.
    """
    user = get_user(session, username)
    if not user.active:
        raise BadRequest(f"user {user.username!r} is disabled")
    chosen = parse_scopes(scopes)
    if expires_at is not None and expires_at <= utcnow():
        raise BadRequest(f"expiry {expires_at.date().isoformat()} lies in the past")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        prefix=token[:PREFIX_LENGTH],
        token_hash=_digest(token),
        scopes=" ".join(chosen),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    events.record(
        session,
        "token created",
        agent=agent,
        detail=f"token {row.id} ({row.prefix}...) for {user.username}, scopes {row.scopes}",
        username=user.username,
        token=row.id,
        scopes=list(chosen),
    )
    session.flush()
    return row, token


def revoke_token(session: Session, id_or_prefix: str, *, agent: str = events.SOFTWARE_AGENT) -> ApiToken:
    """Revoke a token named by its number or the first characters the CLI showed.

    Raises:
        NotFound: nothing matches. BadRequest: the prefix matches more than one token.
    """
    key = id_or_prefix.strip()
    if key.isdigit():
        rows = [t for t in [session.get(ApiToken, int(key))] if t is not None]
    else:
        if len(key) < len(TOKEN_PREFIX) + 4:
            raise BadRequest(f"token prefix {key!r} is too short: give the number or at least 8 characters")
        rows = list(session.scalars(select(ApiToken).where(ApiToken.prefix.startswith(key[:PREFIX_LENGTH]))))
        rows = [t for t in rows if (t.prefix.startswith(key) or key.startswith(t.prefix))]
    if not rows:
        raise NotFound(f"no token {key!r}")
    if len(rows) > 1:
        raise BadRequest(f"{key!r} names {len(rows)} tokens: give the number ({', '.join(str(t.id) for t in rows)})")
    row = rows[0]
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        events.record(
            session, "token revoked", agent=agent, detail=f"token {row.id} ({row.prefix}...) revoked", token=row.id
        )
    session.flush()
    return row


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id)))


def viewer_for_token(session: Session, token: str) -> Viewer:
    """The viewer a bearer token stands for, with the token's scopes.

    Raises:
        TokenRejected: unknown, revoked or expired, or its user is disabled.
    """
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token.strip())))
    now = utcnow()
    if row is None or row.revoked_at is not None or not row.user.active:
        raise TokenRejected("the bearer token is unknown or revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise TokenRejected("the bearer token has expired")
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=10):
        row.last_used_at = now  # coarse, so that reads do not write on every request
        session.commit()
    return viewer_of(session, row.user, frozenset(row.scopes.split()))
