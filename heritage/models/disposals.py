"""What governance keeps after the engine proposed: refusals, external approvals (a protected piece's
permission from outside the university) and disposals carried out (a deaccession record with its route and
documents; a destruction's row is its certificate, kept permanently). Each change is also an Event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow


class Refusal(Base):
    """One account's refusal, in one role, of a proposed destruction or deaccession: the proposal is refused."""

    __tablename__ = "refusals"
    __table_args__ = (UniqueConstraint("subject", "kind", "role", name="uq_refusals_subject_kind_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)  # an item id
    kind: Mapped[str] = mapped_column(String(32))  # destroy_proposed | deaccession_candidate
    role: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    person: Mapped[str] = mapped_column(String(200))  # the account's username when it refused
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExternalApproval(Base):
    """The permission of an authority outside the university that the policy names for a protected piece
    (e.g. the Flemish minister on the Topstukkenraad's advice), as recorded by an account."""

    __tablename__ = "external_approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)  # an item id
    kind: Mapped[str] = mapped_column(String(32))  # deaccession_candidate | destroy_proposed
    authority: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(Text)
    granted_on: Mapped[date] = mapped_column(Date)
    flags: Mapped[list[str]] = mapped_column(JsonType, default=list)  # the flags this permission answers
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    person: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Disposal(Base):
    """A destruction or deaccession carried out: what (title, identifiers, extent as they were), by whose
    decision and approvals, when, by which route, by whom. Kept permanently; the item becomes a tombstone.
    A disposal by the route `destruction` is a certificate of destruction (numbered by its id)."""

    __tablename__ = "disposals"
    __table_args__ = (UniqueConstraint("item_id", name="uq_disposals_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), index=True)  # no foreign key: the record outlives the item
    kind: Mapped[str] = mapped_column(String(32))  # destroy_proposed | deaccession_candidate
    route: Mapped[str] = mapped_column(String(16), index=True)  # transfer | return | sale | destruction
    title: Mapped[str] = mapped_column(Text)
    identifiers: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    extent: Mapped[str | None] = mapped_column(Text)
    collection: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)  # rule, explanation, policy version
    approvals: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    external_approvals: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    carried_out_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    person: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class DisposalDocument(Base):
    """A document kept with a disposal (a deed of transfer, a bill of sale, a destruction firm's receipt)."""

    __tablename__ = "disposal_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    disposal_id: Mapped[int] = mapped_column(ForeignKey("disposals.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
