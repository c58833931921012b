"""Ingest batches: a folder, sheet or bag handed in once, whose files are rows with states.

A batch is a database object so that any process (the command, a web request, any rq worker) can
resume it after a crash: every file is `pending`, `working`, `done` or `failed`, with the checksum
recorded before anything is stored, so a rerun knows what may have been left half-made.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.models.base import Base, JsonType, UTCDateTime, utcnow
from heritage.models.organisation import Collection


class BatchStatus(StrEnum):
    RUNNING = "running"  # files still pending or working
    FINISHED = "finished"  # every file done or failed


class FileState(StrEnum):
    PENDING = "pending"
    WORKING = "working"
    DONE = "done"
    FAILED = "failed"


class Batch(Base):
    """One batch handed in for ingest; its id is derived from the collection and the source path."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id"), index=True)
    source: Mapped[str] = mapped_column(String(1000))
    root: Mapped[str] = mapped_column(String(1000))  # the folder file references are relative to
    kind: Mapped[str] = mapped_column(String(16))  # sheet, standard, folder, bag
    standard: Mapped[str | None] = mapped_column(String(32))
    metadata_file: Mapped[str | None] = mapped_column(String(1000))
    options: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.RUNNING.value)
    run: Mapped[int] = mapped_column(Integer, default=1)
    agent: Mapped[str] = mapped_column(String(200))
    items_created: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list[str]] = mapped_column(JsonType, default=list)  # batch-level warnings
    # What the batch's metadata says that is doubtful (impossible dates): {"file", "line", "identifier", "message"}
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType, default=list)
    unlisted: Mapped[list[str] | None] = mapped_column(JsonType, default=list)  # files no record names
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    collection: Mapped[Collection] = relationship()
    files: Mapped[list[BatchFile]] = relationship(
        back_populates="batch", order_by="BatchFile.position", cascade="all, delete-orphan"
    )


class BatchFile(Base):
    """One file reference of a batch and how far it got; `outcome` is what the report says."""

    __tablename__ = "batch_files"
    __table_args__ = (UniqueConstraint("batch_id", "key", name="uq_batch_files_batch_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    key: Mapped[str] = mapped_column(String(32))  # derived from item and path: stable across reruns
    position: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(1000))
    item_id: Mapped[str | None] = mapped_column(String(32), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    line: Mapped[int | None] = mapped_column(Integer)  # line of the record naming it in the metadata file
    label: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default=FileState.PENDING.value, index=True)
    outcome: Mapped[str | None] = mapped_column(String(24))  # stored, already_ingested, failed
    reason: Mapped[str | None] = mapped_column(Text)
    step: Mapped[str | None] = mapped_column(String(32))  # the last step reached
    run: Mapped[int] = mapped_column(Integer, default=1)  # the batch run that last touched it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    md5: Mapped[str | None] = mapped_column(String(32))
    size: Mapped[int | None] = mapped_column(BigInteger)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    file_id: Mapped[str | None] = mapped_column(String(32))
    pages: Mapped[int | None] = mapped_column(Integer)
    format_name: Mapped[str | None] = mapped_column(String(100))
    puid: Mapped[str | None] = mapped_column(String(32))
    quality: Mapped[str | None] = mapped_column(String(16))  # passed, failed, not_checked
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    batch: Mapped[Batch] = relationship(back_populates="files")


class HandoffKind(StrEnum):
    POLICY = "policy"  # the policy engine's evaluation (heritage.policy.jobs.evaluate_item)
    PRESERVATION = "preservation"  # the item's next OCFL version (heritage.preservation.service.preserve)


class BatchHandoff(Base):
    """What the end of a batch hands on for one item of it, and how that went.

    The policy evaluation and the preservation version of each item run as jobs after the last file; a
    row per item and kind lets the waiting command see them end, and their failures reach the report.
    """

    __tablename__ = "batch_handoffs"
    __table_args__ = (UniqueConstraint("batch_id", "item_id", "kind", name="uq_batch_handoffs_batch_item_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # HandoffKind
    run: Mapped[int] = mapped_column(Integer)  # the batch run that handed it on
    state: Mapped[str] = mapped_column(String(16), default=FileState.PENDING.value)  # pending, done, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # jobs lost and queued again
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
