"""The preservation outbox: changes of items that their OCFL objects do not hold yet."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, UTCDateTime, utcnow


class PreservationRequest(Base):
    """A committed change of an item that its object does not hold yet.

    Written in the transaction of the change (so a crash right after the commit loses nothing), deleted once
    a version holding the change is written and, with a replica, copied. No foreign key: the row outlives
    an item removed meanwhile (its drain then finds nothing to write).
    """

    __tablename__ = "preservation_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(200))  # what changed: an event type, "files", "catalogue row", ...
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # drains that failed (the store or replica refused)
    last_error: Mapped[str | None] = mapped_column(Text)
