"""`heritage ingest --dry-run`: everything a real run checks before it stores, and nothing stored.

The metadata file is validated and read, the collection slug checked, and every file the batch names is
found inside the folder, checksummed (duplicates within the batch and against the store), identified by
its content and its image header read (decompression bombs, unreadable images); the report says what a real
run would do with each file and item. No database row, no stored file, no index entry is written. What
needs the whole image decoded (truncation, the guideline's quality checks) is left to the real run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue
from heritage.errors import InvalidInput
from heritage.models import Batch as BatchRow
from heritage.models import Collection, File, Item
from heritage.runtime import Runtime
from ingest import identify
from ingest.batches import FileReport, HeldBack, IngestReport, batch_id_for, planned_item_ids
from ingest.discover import Batch, discover
from ingest.pipeline import validate_metadata
from ingest.process import Rejected, check_format, file_id_for, read_pages, source_file
from ingest.quality import load_guideline


def check_batch(
    runtime: Runtime,
    path: Path,
    collection: str,
    *,
    fmt: str = "auto",
    domain: str | None = None,
    include_unlisted: bool = False,
    strict: bool = False,
) -> IngestReport:
    """The report a real `ingest` of this batch would start from, every file checked; nothing is stored.

    Raises:
        InvalidInput, InvalidMetadata, BadRequest: the batch cannot be read at all, as a real run would refuse it.
    """
    path = path.expanduser()
    load_guideline(runtime.settings.digitisation_guideline)
    plan = discover(path, fmt, include_unlisted=include_unlisted)
    validate_metadata(plan, strict=strict)
    if not plan.items and not plan.rejected:
        raise InvalidInput(f"{path}: nothing to ingest (no files and no records)")
    catalogue.check_collection_slug(collection)
    batch_id = batch_id_for(collection, path)
    item_ids = planned_item_ids(plan, collection, batch_id)
    with runtime.sessions() as session:
        if session.scalar(select(Collection.id).where(Collection.slug == collection)) is None:
            catalogue.domain_of(domain)  # a real run would refuse an unknown domain for the new collection
        known = set(session.scalars(select(Item.id).where(Item.id.in_(item_ids)))) if item_ids else set()
        earlier = session.get(BatchRow, batch_id)
        report = IngestReport(
            source=str(path.resolve()),
            collection=collection,
            batch=batch_id,
            metadata_file=str(plan.metadata_file) if plan.metadata_file else None,
            standard=plan.standard,
            kind=plan.kind,
            status="dry_run",
            run=earlier.run + 1 if earlier is not None else 1,
            items_created=len(set(item_ids) - known),
            items_updated=len(set(item_ids) & known),
            problems=list(plan.problems),
            warnings=[str(finding) for finding in plan.warnings],
            unlisted=list(plan.unlisted),
            unlisted_included=plan.unlisted_included,
            dry_run=True,
        )
        _check_files(runtime, session, plan, item_ids, report)
    return report


def _check_files(runtime: Runtime, session: Session, plan: Batch, item_ids: list[str], report: IngestReport) -> None:
    first_of: dict[str, str] = {}  # SHA-256 -> the first path of the batch with that content
    for item_id, planned in zip(item_ids, plan.items, strict=True):
        checked: list[FileReport] = []
        for reference in planned.files:
            result = FileReport(
                path=reference,
                status="checked",
                item=item_id,
                line=planned.line_of(reference),
                identifier=planned.record.local_id,
            )
            try:
                _check_file(runtime, session, plan, item_id, reference, result, first_of)
            except Rejected as rejected:
                result.status, result.reason = "failed", rejected.reason
            checked.append(result)
        report.files += checked
        failed = [f for f in checked if f.status == "failed"]
        if failed:
            named = "; ".join(f"{f.path}: {f.reason}" for f in failed[:5]) + ("; ..." if len(failed) > 5 else "")
            reason = f"{len(failed)} of {len(checked)} files would fail: {named}"
            title = planned.record.core.title or "(untitled)"
            report.held_back.append(HeldBack(item_id, title, planned.record.local_id, planned.record.line, reason))
    report.files += [FileReport(path=reference, status="failed", reason=reason) for reference, reason in plan.rejected]


def _check_file(
    runtime: Runtime,
    session: Session,
    plan: Batch,
    item_id: str,
    reference: str,
    result: FileReport,
    first_of: dict[str, str],
) -> None:
    """What the real run's steps up to storing would find for one file. Raises: Rejected: as the real run would."""
    path = source_file(plan.root, reference)
    with path.open("rb") as fh:
        sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
    result.sha256 = sha256
    if sha256 in first_of:
        raise Rejected(f"duplicate of {first_of[sha256]} in this batch (same SHA-256)", "checksum")
    first_of[sha256] = reference
    mine = session.get(File, file_id_for(item_id, sha256))
    if mine is not None:
        result.status, result.file = "already_ingested", mine.id
        result.format, result.puid = mine.format_name, mine.puid
        return
    elsewhere = session.scalar(select(File).where(File.sha256 == sha256).limit(1))
    if elsewhere is not None:
        raise Rejected(f"duplicate: already stored as file {elsewhere.id} of item {elsewhere.item_id}", "checksum")
    fmt = identify.identify(path)
    result.format, result.puid = fmt.name, fmt.puid
    check_format(fmt, plan.kind)
    pages = read_pages(runtime.settings.max_image_pixels, path, fmt)
    result.pages = len(pages) or None
