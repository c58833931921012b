"""The harvest ledger: what harvesters (OAI-PMH, IIIF Change Discovery) have been or may be shown.

One row per item that was ever exposed to the public (a collection's state is read from its items'
rows). It outlives the item (no foreign key), so a removed or closed item is still reported as deleted;
an item that was never public never gets a row. `datestamp` is the time of the last change a harvester can see.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, UTCDateTime, utcnow


class HarvestRecord(Base):
    __tablename__ = "harvest_records"
    __table_args__ = (Index("ix_harvest_records_kind_datestamp", "kind", "datestamp", "key"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # "item": room for other resources later
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # the item id
    datestamp: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # first exposed
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)  # exposed once, not any more
    collection: Mapped[str] = mapped_column(String(64))  # set memberships, kept for deleted records
    unit: Mapped[str | None] = mapped_column(String(64))
    domain: Mapped[str] = mapped_column(String(16))
    standard: Mapped[str | None] = mapped_column(String(32))  # the standard the description came in
    manifest: Mapped[bool] = mapped_column(Boolean, default=False)  # a public IIIF manifest now
    manifest_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when it first had one
