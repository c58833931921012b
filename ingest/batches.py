"""Batches in the database: opened (or resumed) from a plan, reconciled after a crash, counted, reported.

Opening a batch a second time is how a rerun resumes: items are upserted again (their ids derive from
collection and local id), files already `done` stay done (unless the file on disk changed), files left
`working` by a killed process and files that `failed` go back to `pending`, and whatever a killed
process left half-made for them (a master half-copied, a derivative folder half-written) is removed.
When the last file is done or failed the batch is finished once: masters stored for files that then
failed, and that nothing refers to, are removed, so no orphan stays in the store.

An item the batch creates is held back from the public until its files have arrived, and held back again
while any of them failed (`Item.held_back` says why; `heritage.access` hides it as it hides a closed item):
the public never meets a record without the images it was ingested with.
"""

from __future__ import annotations

import getpass
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.identifiers import derived_id
from heritage.models import Batch, BatchFile, BatchHandoff, BatchStatus, File, FileState, Item, utcnow
from heritage.preservation import hooks
from heritage.runtime import Runtime
from heritage.search.indexer import index_items
from ingest import discover, handoffs
from ingest.derivatives import discard_partial, remove_derivatives
from ingest.quality import failed_reasons
from ingest.working import is_being_worked_on, working_on

FINAL = (FileState.DONE.value, FileState.FAILED.value)
log = logging.getLogger(__name__)


def agent_name() -> str:
    try:
        return f"{getpass.getuser()} via heritage ingest"
    except (KeyError, OSError):
        return "heritage ingest"


def batch_id_for(collection: str, source: Path) -> str:
    """The same folder ingested into the same collection is the same batch, run after run."""
    return derived_id("batch", collection, str(source.expanduser().resolve()))


def _stat(root: Path, reference: str) -> tuple[int, int] | None:
    try:
        st = (root / reference).stat()
    except (OSError, ValueError):
        return None
    return st.st_size, st.st_mtime_ns


def anchors(plan: discover.Batch, batch_id: str) -> list[tuple[str, ...]]:
    """How each planned record without an identifier is recognised run after run: by its batch and the first
    file it names (by its position when it names none, or when an earlier record names that file first).

    A record with an identifier needs none (its id derives from the identifier)."""
    first_files: set[str] = set()
    out: list[tuple[str, ...]] = []
    for planned_item in plan.items:
        record = planned_item.record
        first = (record.files or planned_item.files or [""])[0]
        if record.local_id:
            out.append(())
        elif first and first not in first_files:
            out.append((batch_id, "file", first))
        else:
            out.append((batch_id, "position", str(record.position)))
        if first:
            first_files.add(first)
    return out


def planned_item_ids(plan: discover.Batch, collection_slug: str, batch_id: str) -> list[str]:
    """The id of every planned item: the same for the same batch read again, so a rerun finds its items."""
    return [
        catalogue.item_id_for(collection_slug, planned_item.record.local_id, anchor)
        for planned_item, anchor in zip(plan.items, anchors(plan, batch_id), strict=True)
    ]


def _upsert_items(
    session: Session, plan: discover.Batch, collection: Any, batch: Batch
) -> list[tuple[str, discover.PlannedItem]]:
    source = str(plan.metadata_file) if plan.metadata_file else str(plan.root)
    by_local: dict[str, Item] = {}
    pending_parent: list[tuple[Item, str]] = []
    planned: list[tuple[str, discover.PlannedItem]] = []
    for planned_item, anchor in zip(plan.items, anchors(plan, batch.id), strict=True):
        record = planned_item.record
        before = _state(session, catalogue.item_id_for(collection, record.local_id, anchor), record.standard)
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
            anchor=anchor,
        )
        if created:
            batch.items_created += 1
            if planned_item.files:
                item.held_back = waiting_for_files(batch.id)
            events.record(
                session,
                "description",
                item_id=item.id,
                agent=batch.agent,
                detail=f"described from {Path(source).name} ({record.standard})",
                position=record.position,
                batch=batch.id,
            )
        else:
            batch.items_updated += 1
            _record_changes(session, item, before, record.standard, batch)
        if record.local_id:
            by_local[record.local_id] = item
        if record.parent_local_id:
            pending_parent.append((item, record.parent_local_id))
        planned.append((item.id, planned_item))
    for item, parent_local in pending_parent:
        item.parent = by_local.get(parent_local) or session.scalar(
            select(Item).where(Item.collection_id == collection.id, Item.local_id == parent_local)
        )
    return planned


def _state(session: Session, item_id: str, standard: str) -> dict[str, Any] | None:
    """What a re-ingest may change about an existing item: its access and its description."""
    item = session.get(Item, item_id)
    if item is None:
        return None
    record = next((r for r in item.records if r.standard == standard and r.is_primary), None)
    return {
        "access": item.access,
        "closed_until": item.closed_until.isoformat() if item.closed_until else None,
        "core": dict(record.core) if record is not None else None,
        "original": record.original if record is not None else None,
    }


def _record_changes(session: Session, item: Item, before: dict[str, Any] | None, standard: str, batch: Batch) -> None:
    """An access or description change by a re-ingest is an event (PREMIS: access change, metadata modification)."""
    if before is None:
        return
    until = item.closed_until.isoformat() if item.closed_until else None
    if (before["access"], before["closed_until"]) != (item.access, until):
        events.record(
            session,
            "access_change",
            item_id=item.id,
            agent=batch.agent,
            detail=f"access {before['access']} -> {item.access}" + (f" (closed until {until})" if until else ""),
            before={"access": before["access"], "closed_until": before["closed_until"]},
            after={"access": item.access, "closed_until": until},
            batch=batch.id,
        )
    record = next((r for r in item.records if r.standard == standard and r.is_primary), None)
    if record is not None and (before["core"], before["original"]) != (record.core, record.original):
        changed = sorted(
            k
            for k in set(before["core"] or {}) | set(record.core)
            if (before["core"] or {}).get(k) != record.core.get(k)
        )
        events.record(
            session,
            "metadata_modification",
            item_id=item.id,
            agent=batch.agent,
            detail=f"{standard} record changed by a new ingest: {', '.join(changed) or 'original record'}",
            fields=changed,
            batch=batch.id,
        )


def open_batch(
    runtime: Runtime,
    plan: discover.Batch,
    source: Path,
    collection_slug: str,
    *,
    unit: str | None = None,
    domain: str | None = None,
    fmt: str = "auto",
    agent: str | None = None,
) -> str:
    """Create the batch of this plan, or resume it; returns its id. Items are created or updated here."""
    batch_id = batch_id_for(collection_slug, source)
    with runtime.transaction() as session:
        session.info[hooks.LATER] = True  # the end of the batch writes each item's next OCFL version, once
        collection = catalogue.ensure_collection(session, collection_slug, unit_slug=unit, domain=domain)
        batch = session.get(Batch, batch_id)
        if batch is None:
            batch = Batch(
                id=batch_id,
                collection=collection,
                source=str(source.expanduser().resolve()),
                root=str(plan.root.resolve()),
                kind=plan.kind,
                agent=agent or agent_name(),
                run=1,
                items_created=0,
                items_updated=0,
                options={},
                problems=[],
            )
            session.add(batch)
        else:
            batch.run += 1
            batch.agent = agent or batch.agent
            batch.items_created = batch.items_updated = 0
        batch.root = str(plan.root.resolve())
        batch.kind = plan.kind
        batch.standard = plan.standard
        batch.metadata_file = str(plan.metadata_file) if plan.metadata_file else None
        batch.options = {"unit": unit, "domain": domain, "format": fmt, "include_unlisted": plan.unlisted_included}
        batch.problems = list(plan.problems)
        batch.warnings = [finding.as_dict() for finding in plan.warnings]
        batch.unlisted = list(plan.unlisted)
        batch.status = BatchStatus.RUNNING.value
        batch.started_at = utcnow()
        batch.finished_at = None
        session.flush()
        planned = _upsert_items(session, plan, collection, batch)
        existing = {bf.key: bf for bf in batch.files}
        position = 0
        root = plan.root
        for item_id, planned_item in planned:
            for sequence, reference in enumerate(planned_item.files, start=1):
                position += 1
                key = derived_id(item_id, reference)
                bf = existing.get(key)
                if bf is None:
                    bf = BatchFile(key=key, path=reference, state=FileState.PENDING.value, run=batch.run, attempts=0)
                    batch.files.append(bf)
                elif bf.state == FileState.DONE.value:
                    if bf.size is not None and _stat(root, reference) not in (None, (bf.size, bf.mtime_ns)):
                        bf.state, bf.outcome, bf.run = FileState.PENDING.value, None, batch.run  # changed on disk
                elif bf.state != FileState.WORKING.value or not is_being_worked_on(runtime, bf.id):
                    # failed, or left working by a killed process: try again (a live worker's file is left to it),
                    # with fresh tries (ingest.watch fails a file whose worker keeps dying)
                    bf.state, bf.outcome, bf.reason, bf.run = FileState.PENDING.value, None, None, batch.run
                    bf.attempts = 0
                bf.item_id, bf.position, bf.sequence = item_id, position, sequence
                bf.label = planned_item.labels.get(reference)
                bf.line = planned_item.line_of(reference)
        for reference, reason in plan.rejected:
            position += 1
            key = derived_id("-", reference)
            bf = existing.get(key)
            if bf is None:
                bf = BatchFile(key=key, path=reference, attempts=0)
                batch.files.append(bf)
            bf.position, bf.state, bf.outcome, bf.reason, bf.run = (
                position,
                FileState.FAILED.value,
                "failed",
                reason,
                batch.run,
            )
            bf.step = "discovery"
        item_ids = [item_id for item_id, _ in planned]
        batch.options = {**batch.options, "items": item_ids}  # every item the batch describes, for the policy
    reconcile(runtime, batch_id)
    index_items(runtime, item_ids)
    return batch_id


def reconcile(runtime: Runtime, batch_id: str) -> None:
    """Remove what killed processes left half-made for the unfinished files of this batch."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(BatchFile.id, BatchFile.sha256, BatchFile.pages).where(
                BatchFile.batch_id == batch_id, BatchFile.state.not_in(FINAL)
            )
        ).all()
    for batch_file_id, sha256, pages in rows:
        with working_on(runtime, batch_file_id, wait=False) as free:
            if not free:
                continue  # a live process is on it: what lies there is its work in progress
            discard_leftovers(runtime, batch_file_id, sha256, pages)


def discard_leftovers(runtime: Runtime, batch_file_id: int, sha256: str | None, pages: int | None) -> None:
    """Remove what a dead process left half-made for one file (call while holding the file's lock)."""
    runtime.storage.discard_incoming(f"bf{batch_file_id}")  # see ingest.process.incoming_tag
    if sha256 is None:
        return
    for page in range(max(1, pages or 1)):
        discard_partial(runtime.storage.derivative_dir(sha256, page))


def pending_files(runtime: Runtime, batch_id: str) -> list[tuple[int, str]]:
    """(id, path) of the files still to do, in batch order."""
    with runtime.sessions() as session:
        rows = session.execute(
            select(BatchFile.id, BatchFile.path)
            .where(BatchFile.batch_id == batch_id, BatchFile.state == FileState.PENDING.value)
            .order_by(BatchFile.position)
        ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass
class Progress:
    total: int = 0
    done: int = 0
    failed: int = 0

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "done": self.done, "failed": self.failed, "remaining": self.remaining}


def progress(runtime: Runtime, batch_id: str) -> Progress:
    with runtime.sessions() as session:
        counts = dict(
            session.execute(
                select(BatchFile.state, func.count()).where(BatchFile.batch_id == batch_id).group_by(BatchFile.state)
            ).all()
        )
    return Progress(
        total=sum(counts.values()),
        done=counts.get(FileState.DONE.value, 0),
        failed=counts.get(FileState.FAILED.value, 0),
    )


def waiting_for_files(batch_id: str) -> str:
    return f"waiting for its files (batch {batch_id})"


def settle_items(session: Session, batch_id: str, item_ids: list[str]) -> list[str]:
    """Hold back the items whose files in this batch failed (naming them) and release those whose files are all
    done; items with files still to do stay as they are. Returns the ids whose state changed (to re-index)."""
    rows = session.execute(
        select(BatchFile.item_id, BatchFile.path, BatchFile.state, BatchFile.reason)
        .where(BatchFile.batch_id == batch_id, BatchFile.item_id.in_(item_ids))
        .order_by(BatchFile.position)
    ).all()
    by_item: dict[str, list[tuple[str, str, str | None]]] = {}
    for item_id, path, state, reason in rows:
        by_item.setdefault(item_id, []).append((path, state, reason))
    changed: list[str] = []
    for item_id, files in by_item.items():
        failed = [(path, reason) for path, state, reason in files if state == FileState.FAILED.value]
        if failed:
            named = "; ".join(f"{path}: {reason}" for path, reason in failed[:5]) + ("; ..." if len(failed) > 5 else "")
            held: str | None = f"{len(failed)} of {len(files)} files failed in batch {batch_id}: {named}"
        elif all(state == FileState.DONE.value for _, state, _ in files):
            held = None
        else:
            continue
        item = session.get(Item, item_id)
        if item is not None and item.held_back != held:
            item.held_back = held
            changed.append(item_id)
    return changed


def working_paths(runtime: Runtime, batch_id: str, limit: int = 5) -> list[str]:
    """The paths of the batch's files being worked on now (a few), in batch order: what its page shows."""
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(BatchFile.path)
                .where(BatchFile.batch_id == batch_id, BatchFile.state == FileState.WORKING.value)
                .order_by(BatchFile.position)
                .limit(limit)
            )
        )


def finish_if_complete(runtime: Runtime, batch_id: str) -> bool:
    """Finish the batch when no file is left to do (once, whoever gets here first); True if this call did.

    The same transaction records the handoffs of every item (policy, preservation), so that a process
    dying right after it leaves them pending for the waiting command or a rerun, never forgotten.
    """
    left = (
        select(func.count()).select_from(BatchFile).where(BatchFile.batch_id == batch_id, BatchFile.state.not_in(FINAL))
    )
    with runtime.sessions() as session:  # a read first: a waiting command asks at every poll
        if session.scalar(select(Batch.status).where(Batch.id == batch_id)) != BatchStatus.RUNNING.value:
            return False
    with runtime.transaction() as session:
        if session.scalar(left):
            return False
        claimed = session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.status == BatchStatus.RUNNING.value)
            .values(status=BatchStatus.FINISHED.value, finished_at=utcnow())
        ).rowcount
        if claimed:
            batch = session.get(Batch, batch_id)
            assert batch is not None
            handoffs.record(session, batch)
    if not claimed:
        return False
    with runtime.transaction() as session:
        batch = session.get(Batch, batch_id)
        item_ids = list((batch.options or {}).get("items", [])) if batch is not None else []
        changed = settle_items(session, batch_id, item_ids)  # whatever the files' own commits raced to decide
    if changed:
        index_items(runtime, changed)
    remove_orphans(runtime, batch_id)
    handoffs.enqueue_pending(runtime, batch_id)
    ocr_after(runtime, batch_id, item_ids)
    return True


def ocr_after(runtime: Runtime, batch_id: str, item_ids: list[str]) -> None:
    """Queue the OCR of the batch's items once it has finished: text never holds an ingest back, and a
    failure to queue it is left to `heritage ocr run` (which reads what is missing)."""
    from heritage.fulltext.jobs import enqueue_items

    try:
        enqueue_items(runtime, item_ids, why=f"OCR after batch {batch_id}")
    except Exception:  # the batch is done and searchable; its text can always be read later
        logging.getLogger(__name__).exception("OCR of batch %s could not be queued", batch_id)


def remove_orphans(runtime: Runtime, batch_id: str) -> int:
    """Remove masters (and derivatives) stored for files of this batch that failed and nothing refers to."""
    removed = 0
    with runtime.sessions() as session:
        candidates = set(
            session.scalars(
                select(BatchFile.sha256).where(
                    BatchFile.batch_id == batch_id,
                    BatchFile.state == FileState.FAILED.value,
                    BatchFile.sha256.is_not(None),
                )
            )
        )
        for sha256 in candidates:
            referenced = session.scalar(select(func.count()).select_from(File).where(File.sha256 == sha256))
            in_flight = session.scalar(
                select(func.count())
                .select_from(BatchFile)
                .where(BatchFile.sha256 == sha256, BatchFile.state.not_in(FINAL))
            )
            if referenced or in_flight:
                continue
            runtime.storage.discard_incoming(sha256)
            if runtime.storage.discard_orphan(sha256):
                removed += 1
            remove_derivatives(runtime, sha256)
    return removed


@dataclass
class FileReport:
    path: str
    status: str  # stored, already_ingested, failed, pending, working
    reason: str | None = None
    item: str | None = None
    file: str | None = None
    sha256: str | None = None
    format: str | None = None
    puid: str | None = None
    pages: int | None = None
    quality: str | None = None
    quality_reasons: list[str] = field(default_factory=list)  # every failed check of the guideline, with why
    line: int | None = None  # the metadata file's line of the record naming it
    identifier: str | None = None  # that record's identifier


@dataclass
class HeldBack:
    """An item the public does not see until its files arrive."""

    item: str
    title: str
    identifier: str | None
    line: int | None
    reason: str


@dataclass
class HandoffReport:
    """A handoff of the batch's latest run that failed or is still to do."""

    item: str
    kind: str  # policy, preservation
    state: str  # pending, failed
    reason: str | None = None


@dataclass
class IngestReport:
    source: str
    collection: str
    batch: str | None = None
    metadata_file: str | None = None
    standard: str | None = None
    kind: str | None = None
    status: str | None = None
    run: int = 1
    items_created: int = 0
    items_updated: int = 0
    problems: list[str] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    started: str | None = None
    finished: str | None = None
    warnings: list[str] = field(default_factory=list)  # FILE:LINE: identifier: message (impossible dates)
    unlisted: list[str] = field(default_factory=list)  # files in the folder the metadata file does not name
    unlisted_included: bool = False  # True: they were taken in as items of their own (--include-unlisted)
    held_back: list[HeldBack] = field(default_factory=list)
    dry_run: bool = False  # checked only: nothing was stored
    handoffs: list[HandoffReport] = field(default_factory=list)  # failed or still to do
    # pages whose OCR text is below the OCR rules' confidence threshold: {"item", "file", "name", "confidence"}
    ocr_low: list[dict[str, Any]] = field(default_factory=list)

    def location(self, line: int | None, identifier: str | None) -> str:
        """Where the metadata file says it, for messages: `sheet.csv:3, identifier 'K2'` ('' without a file)."""
        if self.metadata_file is None:
            return ""
        who = f"identifier {identifier!r}" if identifier else "no identifier"
        return f"{Path(self.metadata_file).name}:{line if line is not None else '-'}, {who}"

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def failed_handoffs(self) -> list[HandoffReport]:
        return [h for h in self.handoffs if h.state == FileState.FAILED.value]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.problems or self.failed_handoffs else 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        statuses = ("checked" if self.dry_run else "stored", "already_ingested", "failed")
        data["counts"] = {status: sum(1 for f in self.files if f.status == status) for status in statuses}
        remaining = sum(1 for f in self.files if f.status in ("pending", "working"))
        if remaining:
            data["counts"]["remaining"] = remaining
        return data


def _status(bf: BatchFile, run: int) -> str:
    if bf.state == FileState.DONE.value:
        return "stored" if bf.outcome == "stored" and bf.run == run else "already_ingested"
    if bf.state == FileState.FAILED.value:
        return "failed"
    return bf.state


def report(runtime: Runtime, batch_id: str) -> IngestReport:
    """The report of the batch's latest run: every file, with its status and, when it failed, why."""
    with runtime.sessions() as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            from heritage.errors import NotFound

            raise NotFound(f"batch {batch_id!r} does not exist")
        result = IngestReport(
            source=batch.source,
            collection=batch.collection.slug,
            batch=batch.id,
            metadata_file=batch.metadata_file,
            standard=batch.standard,
            kind=batch.kind,
            status=batch.status,
            run=batch.run,
            items_created=batch.items_created,
            items_updated=batch.items_updated,
            problems=list(batch.problems or []),
            started=batch.started_at.isoformat() if batch.started_at else None,
            finished=batch.finished_at.isoformat() if batch.finished_at else None,
            warnings=[str(discover.Finding(**w)) for w in batch.warnings or []],
            unlisted=list(batch.unlisted or []),
            unlisted_included=bool((batch.options or {}).get("include_unlisted")),
        )
        item_ids = set((batch.options or {}).get("items", [])) | {bf.item_id for bf in batch.files if bf.item_id}
        items = {i.id: i for i in session.scalars(select(Item).where(Item.id.in_(item_ids)))} if item_ids else {}
        lines: dict[str, int] = {}
        for bf in batch.files:
            item = items.get(bf.item_id or "")
            if item is not None and bf.line is not None:
                lines[item.id] = min(lines.get(item.id, bf.line), bf.line)
            result.files.append(
                FileReport(
                    path=bf.path,
                    status=_status(bf, batch.run),
                    reason=bf.reason,
                    item=bf.item_id,
                    file=bf.file_id,
                    sha256=bf.sha256,
                    format=bf.format_name,
                    puid=bf.puid,
                    pages=bf.pages,
                    quality=bf.quality,
                    quality_reasons=_quality_reasons(session, bf) if bf.quality == "failed" else [],
                    line=bf.line,
                    identifier=item.local_id if item is not None else None,
                )
            )
        for item_id in (batch.options or {}).get("items", []):
            item = items.get(item_id)
            if item is not None and item.held_back is not None:
                result.held_back.append(
                    HeldBack(item.id, item.title, item.local_id, lines.get(item.id), item.held_back)
                )
        result.handoffs = [
            HandoffReport(item=h.item_id, kind=h.kind, state=h.state, reason=h.reason)
            for h in session.scalars(
                select(BatchHandoff)
                .where(
                    BatchHandoff.batch_id == batch.id,
                    BatchHandoff.run == batch.run,
                    BatchHandoff.state != FileState.DONE.value,
                )
                .order_by(BatchHandoff.id)
            )
        ]
    from heritage.fulltext.status import batch_low_pages

    result.ocr_low = [asdict(page) for page in batch_low_pages(runtime, batch_id)]
    return result


def _quality_reasons(session: Session, bf: BatchFile) -> list[str]:
    """Why the file failed the digitisation guideline, check by check (per page of a multi-page master)."""
    pages = session.scalars(
        select(File).where(File.item_id == bf.item_id, File.sha256 == bf.sha256).order_by(File.page)
    ).all()
    many = len(pages) > 1
    return [
        f"p. {page.page + 1}: {reason}" if many else reason
        for page in pages
        for reason in failed_reasons(page.quality or {})
    ]


def recent_batches(session: Session, limit: int = 50) -> list[Batch]:
    return list(session.scalars(select(Batch).order_by(Batch.started_at.desc()).limit(limit)))
