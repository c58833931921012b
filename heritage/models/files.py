"""Files of an item: masters (scans), born-digital files and derivatives, with fixity and technical data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from heritage.models.catalogue import Item


class File(Base):
    """A stored file; `id` is also its IIIF image identifier when it is an image."""

    __tablename__ = "files"
    __table_args__ = (UniqueConstraint("item_id", "sha256", "page", name="uq_files_item_sha256_page"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    page: Mapped[int] = mapped_column(Integer, default=0)  # page of a multi-page master (0 = first)
    label: Mapped[str | None] = mapped_column(String(300))
    original_name: Mapped[str] = mapped_column(String(1000))
    storage_key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str | None] = mapped_column(String(100))
    format_name: Mapped[str | None] = mapped_column(String(100))
    puid: Mapped[str | None] = mapped_column(String(32))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    technical: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    quality: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    derivatives_ready: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(back_populates="files")

    @property
    def is_image(self) -> bool:
        return bool(self.width and self.height)

    @property
    def staff_only(self) -> bool:
        """A staff record of the object (a condition photograph): seen by its unit's staff, never published."""
        return self.role == "condition"  # FileRole.CONDITION (vocab imports nothing of the models)
