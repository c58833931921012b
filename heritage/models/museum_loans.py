"""The registrar's records (Spectrum 5.1): loans out and in with their objects, condition checks, conservation
treatments, object entries and exits with receipts, acquisitions with accession numbers. Each changes only through
`heritage.museum` (which records the events); events carry the history, these rows the current state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow


class Loan(Base):
    """A loan out (our objects to a borrower's venue) or in (a lender's objects to our venue)."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))  # out | in
    state: Mapped[str] = mapped_column(String(16), index=True)
    party: Mapped[str] = mapped_column(String(300))  # the borrower (out) or the lender (in)
    venue_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    terms: Mapped[str | None] = mapped_column(Text)
    insurance_kind: Mapped[str | None] = mapped_column(String(16))  # insurance | indemnity
    insurance_value: Mapped[float | None] = mapped_column(Float)
    courier: Mapped[str | None] = mapped_column(String(300))
    facility_report: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)  # why approval went ahead over failed checks
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    objects: Mapped[list[LoanObject]] = relationship(
        back_populates="loan", order_by="LoanObject.id", cascade="all, delete-orphan"
    )


class LoanObject(Base):
    """One object of a loan, with the location it came from (where it returns to)."""

    __tablename__ = "loan_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    home_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    value: Mapped[float | None] = mapped_column(Float)  # insurance value of this object

    loan: Mapped[Loan] = relationship(back_populates="objects")


class ConditionCheck(Base):
    """A condition check of one object: condition from the controlled list, notes, hazards, images (its files)."""

    __tablename__ = "condition_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    condition: Mapped[str] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[date] = mapped_column(Date)
    checked_by: Mapped[str] = mapped_column(String(200))
    hazards: Mapped[list[str]] = mapped_column(JsonType, default=list)
    file_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # routine | dispatch | return
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConservationTreatment(Base):
    """A conservation treatment of one object, with the materials used."""

    __tablename__ = "conservation_treatments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), index=True)
    treatment: Mapped[str] = mapped_column(Text)
    materials: Mapped[list[str]] = mapped_column(JsonType, default=list)
    treated_on: Mapped[date] = mapped_column(Date)
    treated_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ObjectPassage(Base):
    """An object entry or exit (a deposit, an enquiry, a return) with its receipt number."""

    __tablename__ = "object_passages"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), unique=True)
    direction: Mapped[str] = mapped_column(String(8))  # entry | exit
    reason: Mapped[str] = mapped_column(String(32))
    party: Mapped[str] = mapped_column(String(300))  # depositor, enquirer or recipient
    item_ids: Mapped[list[str]] = mapped_column(JsonType, default=list)
    on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Acquisition(Base):
    """The acquisition of one object: method, source, date, its documents and the accession number."""

    __tablename__ = "acquisitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("items.id"), unique=True)
    accession_number: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(300))
    acquired_on: Mapped[date] = mapped_column(Date)
    documents: Mapped[list[str]] = mapped_column(JsonType, default=list)
    agent: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    extra: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
