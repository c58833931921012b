"""What the masterplan engine stores: policy versions, decisions, overrides, approvals, environment
readings, movements, inventory checks and custody transfers. Each change is also an Event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow


class PolicyVersion(Base):
    """One recorded policy layer: the default, a global replacement, or a unit or collection override."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("scope", "sha256", name="uq_policy_versions_scope_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(100), index=True)  # default | global | unit:SLUG | collection:SLUG
    policy_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JsonType)
    source: Mapped[str | None] = mapped_column(String(1000))
    agent: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyDecision(Base):
    """The engine's current decision for one item, with the rule, its inputs and the policy version used."""

    __tablename__ = "policy_decisions"

    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(32), index=True)
    rule: Mapped[str] = mapped_column(String(100))
    explanation: Mapped[str] = mapped_column(Text)
    # the explanation as a template with its values ({"template", "params"}), for pages in other languages
    explanation_said: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    inputs: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    policy_version: Mapped[str] = mapped_column(String(300))
    due: Mapped[date | None] = mapped_column(Date, index=True)
    significance: Mapped[float | None] = mapped_column(Float)
    priority: Mapped[float | None] = mapped_column(Float, index=True)
    priority_gate: Mapped[str | None] = mapped_column(String(32))
    priority_factors: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    evaluated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyOverride(Base):
    """A person's decision in place of the engine's, with the reason; the newest active one counts."""

    __tablename__ = "policy_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    decision: Mapped[str] = mapped_column(String(32))
    due: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Approval(Base):
    """One account's approval, in one role, of a proposed destruction, deaccession or transfer."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("subject", "kind", "role", name="uq_approvals_subject_kind_role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)  # an item id, or transfer:N
    kind: Mapped[str] = mapped_column(String(32))  # destroy_proposed | deaccession_candidate | transfer
    role: Mapped[str] = mapped_column(String(64))
    person: Mapped[str] = mapped_column(String(200))  # the account's username (free text before i16)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the approving account
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EnvironmentReading(Base):
    """One logger reading in a location (imported from a logger CSV file)."""

    __tablename__ = "environment_readings"
    __table_args__ = (UniqueConstraint("location_id", "at", name="uq_environment_readings_location_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    t: Mapped[float | None] = mapped_column(Float)
    rh: Mapped[float | None] = mapped_column(Float)
    lux: Mapped[float | None] = mapped_column(Float)


class Movement(Base):
    """A move of an item (Spectrum location and movement control): who, when, from, to, why."""

    __tablename__ = "movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    agent: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)


class InventoryCheck(Base):
    """A shelf or room check: what was scanned, what is missing, what was not expected there."""

    __tablename__ = "inventory_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agent: Mapped[str] = mapped_column(String(200))
    scanned: Mapped[list[str]] = mapped_column(JsonType, default=list)
    missing: Mapped[list[str]] = mapped_column(JsonType, default=list)
    unexpected: Mapped[list[str]] = mapped_column(JsonType, default=list)
    unknown: Mapped[list[str]] = mapped_column(JsonType, default=list)


class Transfer(Base):
    """A custody transfer of a series from a decentral unit to the central archive: proposed, listed, accepted."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    from_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(16), index=True)  # proposed | listed | accepted | rejected
    reason: Mapped[str] = mapped_column(Text)
    items: Mapped[list[str]] = mapped_column(JsonType, default=list)  # the transfer list: every item moved
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_by: Mapped[str | None] = mapped_column(String(200))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
