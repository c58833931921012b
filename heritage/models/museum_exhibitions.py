"""Exhibitions (Spectrum "exhibitions", and their stories online): the exhibition, its objects, its pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow


class Exhibition(Base):
    """A physical exhibition (with dates) or an online-only story (no dates); `state`: planned, installed, closed."""

    __tablename__ = "exhibitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="planned")
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    objects: Mapped[list[ExhibitionObject]] = relationship(
        back_populates="exhibition", order_by="ExhibitionObject.position", cascade="all, delete-orphan"
    )
    pages: Mapped[list[ExhibitionPage]] = relationship(
        back_populates="exhibition", order_by="ExhibitionPage.position", cascade="all, delete-orphan"
    )

    @property
    def online_only(self) -> bool:
        return self.starts_on is None


class ExhibitionObject(Base):
    """An object shown in a room or case (a location), with its label; `home_location_id` is where it returns."""

    __tablename__ = "exhibition_objects"
    __table_args__ = (UniqueConstraint("exhibition_id", "item_id", name="uq_exhibition_objects_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    home_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(Text)
    label_en: Mapped[str | None] = mapped_column(Text)

    exhibition: Mapped[Exhibition] = relationship(back_populates="objects")


class ExhibitionPage(Base):
    """One page of the story online: text and `images`, each {item, page, region, caption, caption_en}."""

    __tablename__ = "exhibition_pages"
    __table_args__ = (UniqueConstraint("exhibition_id", "position", name="uq_exhibition_pages_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    images: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)

    exhibition: Mapped[Exhibition] = relationship(back_populates="pages")
