"""Changing who may see what: `access set`, grants to readers, and the stamp that tells caches at once.

Processes keep what the access rules read of an item for a few seconds (the IIIF image resolver answers
tiles by the hundred). A hook on the runtime's sessions notices every committed change of an item's
access, a grant or a user, and replaces a small stamp file in the data directory; a cache compares the
stamp (one `stat`) before it trusts what it kept, so a change reaches every process at once.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from heritage import events
from heritage.access import Viewer, effective_access
from heritage.catalogue import get_item
from heritage.errors import BadRequest
from heritage.models import Access, AccessRequest, Item, RoleAssignment, User, utcnow

STAMP_NAME = "access.stamp"
WATCHED_ITEM_FIELDS = frozenset({"access", "closed_until", "held_back", "withdrawn_at", "unit_id", "collection_id"})


class AccessStamp:
    """A file replaced whenever access changes; its identity (inode, mtime, size) is the version."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / STAMP_NAME

    def bump(self) -> None:
        temp = self.path.with_name(f".{STAMP_NAME}.{secrets.token_hex(4)}")
        temp.write_text(f"{utcnow().isoformat()} {secrets.token_hex(8)}\n", encoding="utf-8")
        os.replace(temp, self.path)  # atomic: readers see the old stamp or the new one

    def current(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)


def _changes_access(obj: object) -> bool:
    if isinstance(obj, AccessRequest | RoleAssignment):
        return True
    if isinstance(obj, User):
        return inspect(obj).attrs.active.history.has_changes()
    if isinstance(obj, Item):
        state = inspect(obj)
        return any(state.attrs[name].history.has_changes() for name in WATCHED_ITEM_FIELDS)
    return False


def track(sessions: sessionmaker[Session], stamp: AccessStamp) -> None:
    """Bump `stamp` after every commit that changed access (items, grants, users' roles or state)."""

    def after_flush(session: Session, _context: Any) -> None:
        if any(_changes_access(o) for o in [*session.dirty, *session.deleted]) or any(
            isinstance(o, AccessRequest | RoleAssignment) for o in session.new
        ):
            session.info["access_changed"] = True

    def after_commit(session: Session) -> None:
        if session.info.pop("access_changed", False):
            stamp.bump()

    def after_rollback(session: Session) -> None:
        session.info.pop("access_changed", None)

    event.listen(sessions, "after_flush", after_flush)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)


# -- changing an item's access --------------------------------------------------------------------


def parse_status(value: str) -> Access:
    try:
        return Access(value.strip().lower())
    except ValueError:
        raise BadRequest(f"access {value!r}: one of {', '.join(a.value for a in Access)}") from None


@dataclass(frozen=True)
class AccessChange:
    item_id: str
    before: tuple[str, date | None]
    after: tuple[str, date | None]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def set_access(
    session: Session,
    item_id: str,
    status: str,
    *,
    until: date | None = None,
    reason: str | None = None,
    agent: str = events.SOFTWARE_AGENT,
    rule: str | None = None,
) -> AccessChange:
    """Set an item's access status (closed until a date, when given); an `access_change` event.

    Raises:
        NotFound: no such item. BadRequest: an unknown status, or a date with a status other than closed.
    """
    item = get_item(session, item_id)
    chosen = parse_status(status)
    if until is not None and chosen is not Access.CLOSED:
        raise BadRequest(f"--until goes with closed (an item closed until that date), not with {chosen.value}")
    before = (item.access, item.closed_until)
    item.access = chosen.value
    item.closed_until = until
    after = (item.access, item.closed_until)
    change = AccessChange(item.id, before, after)
    if change.changed:
        describe = f"{chosen.value}" + (f" until {until.isoformat()}" if until else "")
        events.record(
            session,
            "access_change",
            item_id=item.id,
            agent=agent,
            detail=f"access {before[0]}{' until ' + before[1].isoformat() if before[1] else ''} -> {describe}"
            + (f": {reason.strip()}" if reason and reason.strip() else ""),
            before=before[0],
            before_until=before[1].isoformat() if before[1] else None,
            access=chosen.value,
            closed_until=until.isoformat() if until else None,
            reason=reason.strip() if reason else None,
            rule=rule,
        )
    session.flush()
    return change


# -- readers' requests and grants ------------------------------------------------------------------


def request_access(session: Session, user: User, item_id: str, reason: str | None = None) -> AccessRequest:
    """A reader asks to see a restricted item's images (again after a refusal); staff decide."""
    item = get_item(session, item_id)
    if item.access != Access.RESTRICTED.value:
        raise BadRequest(f"item {item_id!r} is not restricted: there is nothing to request")
    row = session.scalar(
        select(AccessRequest).where(AccessRequest.user_id == user.id, AccessRequest.item_id == item.id)
    )
    if row is None:
        row = AccessRequest(user_id=user.id, item_id=item.id, status="requested", reason=reason)
        session.add(row)
    elif row.status == "refused":
        row.status, row.reason, row.requested_at, row.decided_at, row.decided_by = (
            "requested",
            reason,
            utcnow(),
            None,
            None,
        )
    events.record(session, "access request", item_id=item.id, agent=user.username, detail=reason or None)
    session.flush()
    return row


def decide(
    session: Session, username: str, item_id: str, approve: bool, *, agent: str = events.SOFTWARE_AGENT
) -> AccessRequest:
    """Approve (grant) or refuse a reader's access to an item; a grant needs no request first.

    Raises:
        NotFound: no such user or item.
    """
    from heritage.auth import get_user

    user = get_user(session, username)
    item = get_item(session, item_id)
    row = session.scalar(
        select(AccessRequest).where(AccessRequest.user_id == user.id, AccessRequest.item_id == item.id)
    )
    if row is None:
        row = AccessRequest(user_id=user.id, item_id=item.id, status="requested")
        session.add(row)
    row.status = "approved" if approve else "refused"
    row.decided_at = utcnow()
    row.decided_by = agent
    events.record(
        session,
        "access grant" if approve else "access refusal",
        item_id=item.id,
        agent=agent,
        detail=f"{'granted' if approve else 'refused'} {user.username} access to {item.id}",
        username=user.username,
    )
    session.flush()
    return row


def pending_requests(session: Session) -> list[tuple[AccessRequest, str]]:
    rows = session.execute(
        select(AccessRequest, User.username)
        .join(User, User.id == AccessRequest.user_id)
        .where(AccessRequest.status == "requested")
        .order_by(AccessRequest.requested_at)
    )
    return [(r, name) for r, name in rows]


def note_staff_view(session: Session, viewer: Viewer, item: Item, where: str) -> None:
    """A staff member looked at an item closed to the public: an event (`closed item viewed`)."""
    if viewer.username and effective_access(item.access, item.closed_until) is Access.CLOSED:
        events.record(
            session, "closed item viewed", item_id=item.id, agent=viewer.username, detail=f"viewed on {where}"
        )
        session.commit()
