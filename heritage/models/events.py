"""The audit trail: what happened to what, when, by whom, with what outcome (PREMIS-style events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow


class Event(Base):
    """One recorded action. Never updated, never deleted; it outlives the item it names (no foreign key)."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(48), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    agent: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str | None] = mapped_column(String(32), index=True)
    file_id: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
