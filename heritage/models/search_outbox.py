"""The search outbox: items whose search documents may be behind the catalogue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, UTCDateTime, utcnow


class SearchRequest(Base):
    """A committed change of an item that the search index may not show yet.

    Written in the transaction of the change, deleted by the indexing that reads the item after it; so a
    process killed between its commit and its re-indexing (a closed item still found by the public)
    leaves the request for the next command. No foreign key: an item removed meanwhile is removed from
    the index by the same drain.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    descendants: Mapped[bool] = mapped_column(Boolean, default=False)  # their hierarchy paths show this item
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
