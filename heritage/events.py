"""Recording the audit trail: every action on an item or file becomes an Event row."""

from __future__ import annotations

from typing import Any

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
