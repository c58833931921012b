"""Authority records (persons, corporate bodies, families, places, subjects, taxa) and their links to items."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from heritage.models.catalogue import Item

# Name keys compare byte by byte on PostgreSQL too, so that a prefix is one index range on every backend.
KeyType = String(255).with_variant(String(255, collation="C"), "postgresql")


class Authority(Base):
    """One person, corporate body, family, place, subject or taxon; `id` is public and permanent.

    A merged authority stays as a redirect (`merged_into`) so that its links and pages keep working.
    """

    __tablename__ = "authorities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(Text)
    variants: Mapped[list[str]] = mapped_column(JsonType, default=list)
    dates: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    ids: Mapped[list[AuthorityId]] = relationship(
        back_populates="authority", cascade="all, delete-orphan", order_by="AuthorityId.scheme"
    )


class AuthorityId(Base):
    """An external id (VIAF, Wikidata, ULAN, TGN, GBIF, LCSH, GND, ...) as its canonical URI; one authority each."""

    __tablename__ = "authority_ids"
    __table_args__ = (UniqueConstraint("uri", name="uq_authority_ids_uri"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(32))
    uri: Mapped[str] = mapped_column(String(500))

    authority: Mapped[Authority] = relationship(back_populates="ids")


class AuthorityKey(Base):
    """A normalised form of one of an authority's names (see heritage/authorities/names.py).

    `exact` keys are what ingest matches a name on; the others are the same name starting at a later
    word, so that a suggestion finds "Peeters, Jan" from "pee" as well as from "jan".
    """

    __tablename__ = "authority_keys"
    __table_args__ = (
        UniqueConstraint("authority_id", "key", name="uq_authority_keys_authority_key"),
        Index("ix_authority_keys_type_key", "type", "key"),
        Index("ix_authority_keys_key", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(KeyType)
    exact: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred: Mapped[bool] = mapped_column(Boolean, default=False)


class AuthorityLink(Base):
    """An item names an authority in a role (creator, contributor, subject, place, genre, taxon, ...)."""

    __tablename__ = "authority_links"
    __table_args__ = (Index("ix_authority_links_authority_id", "authority_id", "item_id"),)

    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    authority_id: Mapped[str] = mapped_column(ForeignKey("authorities.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship()
    authority: Mapped[Authority] = relationship()
