"""Recording the audit trail: every action on an item or file becomes an Event row."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import __version__
from heritage.models import Event, Outcome

SOFTWARE_AGENT = f"heritage {__version__}"


def record(
    session: Session,
    type: str,
    *,
    item_id: str | None = None,
    file_id: str | None = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    agent: str = SOFTWARE_AGENT,
    detail: str | None = None,
    **data: Any,
) -> Event:
    """Add one event to the session (it is written with the caller's transaction)."""
    event = Event(
        type=type, item_id=item_id, file_id=file_id, outcome=str(outcome), agent=agent, detail=detail, data=data
    )
    session.add(event)
    return event


def record_once(
    session: Session,
    type: str,
    *,
    item_id: str | None = None,
    file_id: str | None = None,
    outcome: Outcome | str = Outcome.SUCCESS,
    agent: str = SOFTWARE_AGENT,
    detail: str | None = None,
    **data: Any,
) -> Event | None:
    """Add the event unless an identical one (type, item, file, outcome, detail and data) is recorded already.

    A step that a killed run recorded and its rerun does again is one event with one outcome, not one per
    attempt; returns None when the event was there.
    """
    wanted = json.loads(json.dumps(data, default=str))  # as the JSON column gives it back
    found = session.scalars(
        select(Event).where(
            Event.type == type,
            Event.item_id.is_(None) if item_id is None else Event.item_id == item_id,
            Event.file_id.is_(None) if file_id is None else Event.file_id == file_id,
            Event.outcome == str(outcome),
            Event.detail.is_(None) if detail is None else Event.detail == detail,
        )
    )
    if any(event.data == wanted for event in found):
        return None
    return record(session, type, item_id=item_id, file_id=file_id, outcome=outcome, agent=agent, detail=detail, **data)
