"""Revisions: every saved edit of an item, with who, when, why and each field before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow


class Revision(Base):
    """One saved change of an item (create, update, move, reorder, withdraw, revert, pages).

    `changes` is a list of {"field", "before", "after"} in the field names of `heritage/editing/fields.toml`,
    so a history shows them and a revert can read them back; numbers count 1, 2, ... per item.
    """

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("item_id", "number", name="uq_revisions_item_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
