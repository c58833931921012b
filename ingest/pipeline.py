"""The ingest pipeline: a batch folder in, items described, masters checksummed and stored once,
formats identified, technical metadata read, derivatives made (as jobs), everything indexed.

Every step is an event. Re-running the same batch skips what is done and finishes what is not.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from heritage import catalogue, events
from heritage.errors import InvalidInput
from heritage.identifiers import derived_id
from heritage.models import File, FileRole, Item, Outcome, utcnow
from heritage.runtime import Runtime
from heritage.search.indexer import index_items
from heritage.storage import file_digests
from ingest import identify
from ingest.discover import Batch, discover, safe_relative
from ingest.technical import NotAnImage, TooLarge, read_image_info
from metadata_schemas import registry
from metadata_schemas.errors import InvalidMetadata

Progress = Callable[[str, "FileReport"], None]


@dataclass
class FileReport:
    path: str
    status: str  # stored, already_ingested, failed
    reason: str | None = None
    item: str | None = None
    file: str | None = None
    sha256: str | None = None


@dataclass
class IngestReport:
    source: str
    collection: str
    metadata_file: str | None = None
    standard: str | None = None
    items_created: int = 0
    items_updated: int = 0
    files: list[FileReport] = field(default_factory=list)
    started: str = field(default_factory=lambda: utcnow().isoformat())
    finished: str | None = None

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = {
            status: sum(1 for f in self.files if f.status == status)
            for status in ("stored", "already_ingested", "failed")
        }
        return data


def _agent() -> str:
    try:
        return f"{getpass.getuser()} via heritage ingest"
    except (KeyError, OSError):
        return "heritage ingest"


def _validate_metadata(batch: Batch) -> None:
    if batch.metadata_file is None or batch.standard is None:
        return
    problems = [p for p in registry.get(batch.standard).validate(batch.metadata_file)]
    if problems:
        raise InvalidMetadata(problems)


def _create_items(
    runtime: Runtime, batch: Batch, collection_slug: str, *, unit: str | None, domain: str | None, report: IngestReport
) -> list[tuple[str, list[str]]]:
    """Create or update every item of the batch (parents resolved by local id); returns (item id, files)."""
    planned: list[tuple[str, list[str]]] = []
    source = str(batch.metadata_file) if batch.metadata_file else str(batch.root)
    with runtime.transaction() as session:
        collection = catalogue.ensure_collection(session, collection_slug, unit_slug=unit, domain=domain)
        by_local: dict[str, Item] = {}
        pending_parent: list[tuple[Item, str]] = []
        for planned_item in batch.items:
            record = planned_item.record
            item, created = catalogue.upsert_item(
                session,
                collection,
                record.core,
                local_id=record.local_id,
                parent=None,
                position=record.position,
                standard=record.standard,
                original=record.original,
                source=source,
                fields=record.fields,
            )
            if created:
                report.items_created += 1
                events.record(
                    session,
                    "description",
                    item_id=item.id,
                    agent=_agent(),
                    detail=f"described from {Path(source).name} ({record.standard})",
                    position=record.position,
                )
            else:
                report.items_updated += 1
            if record.local_id:
                by_local[record.local_id] = item
            if record.parent_local_id:
                pending_parent.append((item, record.parent_local_id))
            planned.append((item.id, planned_item.files))
        for item, parent_local in pending_parent:
            parent = by_local.get(parent_local) or session.scalar(
                select(Item).where(Item.collection_id == collection.id, Item.local_id == parent_local)
            )
            item.parent = parent
    return planned


def _ingest_file(
    runtime: Runtime, batch: Batch, item_id: str, sequence: int, reference: str, seen: dict[str, str]
) -> FileReport:
    """Checksum, identify, describe and store one file; a bad file is reported, never raised."""
    report = FileReport(reference, "failed", item=item_id)
    path, reason = safe_relative(batch.root, reference)
    if path is None:
        report.reason = reason
        return report
    if path.stat().st_size == 0:
        report.reason = "empty file (0 bytes)"
        return report
    sha256, md5, size = file_digests(path)
    report.sha256 = sha256
    if sha256 in seen and seen[sha256] != reference:
        report.reason = f"duplicate of {seen[sha256]} in this batch (same SHA-256)"
        return report
    seen[sha256] = reference
    file_id = derived_id(item_id, sha256)
    with runtime.transaction() as session:
        existing = session.get(File, file_id)
        if existing is not None:
            report.status, report.file = "already_ingested", file_id
            return report
        elsewhere = session.scalar(select(File).where(File.sha256 == sha256).limit(1))
        if elsewhere is not None:
            report.reason = f"duplicate: already stored as file {elsewhere.id} of item {elsewhere.item_id}"
            return report
        events.record(
            session, "message_digest_calculation", item_id=item_id, detail=reference, sha256=sha256, md5=md5, size=size
        )
        fmt = identify.identify(path)
        technical: dict[str, Any] = {}
        width = height = None
        if fmt.pillow or fmt.mime.startswith("image/"):
            try:
                info = read_image_info(path, runtime.settings.max_image_pixels)
            except TooLarge as exc:
                report.reason = f"decompression bomb or oversized image: {exc}"
                events.record(
                    session,
                    "validation",
                    item_id=item_id,
                    outcome=Outcome.FAILURE,
                    detail=f"{reference}: {report.reason}",
                )
                return report
            except NotAnImage as exc:
                report.reason = f"corrupt or unsupported image ({fmt.name}): {exc}"
                events.record(
                    session,
                    "validation",
                    item_id=item_id,
                    outcome=Outcome.FAILURE,
                    detail=f"{reference}: {report.reason}",
                )
                return report
            technical = info.as_dict()
            width, height = info.width, info.height
        events.record(
            session,
            "format_identification",
            item_id=item_id,
            detail=f"{reference}: {fmt.name}",
            puid=fmt.puid,
            mime=fmt.mime,
            preferred=fmt.preferred,
        )
        key = runtime.storage.put_master(path, sha256)
        role = FileRole.MASTER if width else FileRole.BORN_DIGITAL
        session.add(
            File(
                id=file_id,
                item_id=item_id,
                role=role.value,
                sequence=sequence,
                label=Path(reference).stem,
                original_name=reference,
                storage_key=key,
                sha256=sha256,
                md5=md5,
                size=size,
                mime=fmt.mime,
                format_name=fmt.name,
                puid=fmt.puid,
                width=width,
                height=height,
                technical=technical,
                quality={"preferred_format": fmt.preferred},
            )
        )
        session.flush()
        if technical:
            events.record(
                session,
                "metadata_extraction",
                item_id=item_id,
                file_id=file_id,
                detail=f"{width} x {height} {technical['mode']} {technical['format']}",
            )
        events.record(
            session,
            "ingestion",
            item_id=item_id,
            file_id=file_id,
            agent=_agent(),
            detail=f"stored {reference} as {key}",
        )
    report.status, report.file = "stored", file_id
    return report


def ingest(
    runtime: Runtime,
    path: Path,
    collection: str,
    *,
    unit: str | None = None,
    fmt: str = "auto",
    domain: str | None = None,
    progress: Progress | None = None,
    on_plan: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest a batch folder into a collection (created when it does not exist yet).

    Raises:
        InvalidInput, InvalidMetadata: the batch cannot be read at all; nothing was stored.
    """
    batch = discover(path.expanduser(), fmt)
    _validate_metadata(batch)
    report = IngestReport(
        source=str(path),
        collection=collection,
        metadata_file=str(batch.metadata_file) if batch.metadata_file else None,
        standard=batch.standard,
    )
    if not batch.items:
        raise InvalidInput(f"{path}: nothing to ingest (no files and no records)")
    planned = _create_items(runtime, batch, collection, unit=unit, domain=domain, report=report)
    report.files += [FileReport(rel, "failed", reason) for rel, reason in batch.rejected]
    if on_plan:
        on_plan(sum(len(files) for _, files in planned))
    seen: dict[str, str] = {}
    for item_id, files in planned:
        for sequence, reference in enumerate(files, start=1):
            file_report = _ingest_file(runtime, batch, item_id, sequence, reference, seen)
            report.files.append(file_report)
            if progress:
                progress(reference, file_report)
    index_items(runtime, [item_id for item_id, _ in planned])
    with runtime.sessions() as session:
        pending = session.scalars(
            select(File.id)
            .join(Item)
            .where(
                Item.id.in_([i for i, _ in planned]),
                File.role == FileRole.MASTER.value,
                File.derivatives_ready.is_(False),
            )
        ).all()
    for file_id in pending:
        runtime.jobs.enqueue(
            "ingest.jobs.derive_file", file_id, job_id=f"derive-{file_id}", description=f"derivatives of {file_id}"
        )
    for item_id, _ in planned:  # the policy engine decides on every ingested item (retention, priority)
        runtime.jobs.enqueue("heritage.policy.jobs.evaluate_item", item_id, description=f"policy for {item_id}")
    report.finished = datetime.now().astimezone().isoformat()
    return report
