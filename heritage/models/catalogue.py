"""Items (a tree: fonds > series > file > item, volume > page) and their metadata records."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow
from heritage.models.vocab import Access

if TYPE_CHECKING:
    from heritage.models.files import File
    from heritage.models.organisation import Collection, Unit


class Item(Base):
    """One described unit at any level; `id` is the public, permanent identifier."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("collection_id", "local_id", name="uq_items_collection_local"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("items.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    level: Mapped[str] = mapped_column(String(32))
    local_id: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    date_text: Mapped[str | None] = mapped_column(Text)
    date_from: Mapped[int | None] = mapped_column(Integer)
    date_to: Mapped[int | None] = mapped_column(Integer)
    access: Mapped[str] = mapped_column(String(16), default=Access.PUBLIC.value)
    closed_until: Mapped[date | None] = mapped_column(Date)
    # Why the item is held back from the public (files of its batch failed or have not arrived); None when not.
    # Set and cleared by the ingest; `heritage.access` hides a held-back item as it hides a closed one.
    held_back: Mapped[str | None] = mapped_column(Text)
    rights: Mapped[str | None] = mapped_column(Text)  # a real rights statement runs to paragraphs
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    # Facts the masterplan rules read (material, series, flags, significance, condition, ...):
    # documented in heritage/policy/README.md.
    attributes: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic concurrency for editing (heritage/editing): +1 with every saved change; a save based on an
    # older version is refused. `edited_at` is None while the item is as imported.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A withdrawn item is a tombstone: hidden from the public like a closed one, `deleted` to harvesters;
    # its masters are kept.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    # The file that stands for the item (thumbnail, manifest thumbnail); None: its first image. No foreign key:
    # files point at items, and a file removed leaves the first image in its place.
    representative_id: Mapped[str | None] = mapped_column(String(32))

    collection: Mapped[Collection] = relationship(back_populates="items")
    unit: Mapped[Unit | None] = relationship()
    parent: Mapped[Item | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Item]] = relationship(back_populates="parent", order_by="Item.position")
    records: Mapped[list[MetadataRecord]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="MetadataRecord.id"
    )
    files: Mapped[list[File]] = relationship(back_populates="item", order_by="File.sequence")

    @property
    def primary_record(self) -> MetadataRecord | None:
        for record in self.records:
            if record.is_primary:
                return record
        return self.records[0] if self.records else None


class MetadataRecord(Base):
    """A description of an item: the core record (crosswalked) and the original, verbatim, with its standard."""

    __tablename__ = "metadata_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    standard: Mapped[str] = mapped_column(String(32))
    core: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    original: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(back_populates="records")
