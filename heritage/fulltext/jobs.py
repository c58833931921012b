"""The OCR of an item's pages: a background job after its batch (one job interface), and `heritage ocr run`.

Idempotent and kill-safe: a page's ALTO is written atomically first, then its row, event and preservation
request commit together. A process killed between the two leaves no row, so the next run reads the page
again and replaces the file; a page with a row and its file is never read twice (unless forced).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import events
from heritage.fulltext import delivered, engine, rules
from heritage.fulltext.alto import mean_confidence, words
from heritage.fulltext.store import DONE, alto_path, write_alto
from heritage.models import Batch, BatchFile, File, FileRole, Item, Outcome, PageText
from heritage.preservation import outbox
from heritage.runtime import Runtime, current_runtime

FAILED, SKIPPED = "failed", "skipped"


@dataclass
class ItemOcr:
    item: str
    read: int = 0
    kept: int = 0  # already done
    skipped: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # file id -> reason


def ocr_item(item_id: str, lang: str | None = None, force: bool = False) -> dict[str, Any]:
    """Read the item's image pages that have no text yet (all of them with `force`)."""
    done = read_item(current_runtime(), item_id, lang=lang, force=force)
    return {"item": item_id, "read": done.read, "kept": done.kept, "skipped": done.skipped, "failed": done.failed}


def enqueue_items(runtime: Runtime, item_ids: list[str], *, why: str) -> None:
    """Queue the OCR of these items (inline without Redis: done before this returns)."""
    for item_id in item_ids:
        runtime.jobs.enqueue("heritage.fulltext.jobs.ocr_item", item_id, job_id=f"ocr-{item_id}", description=why)


def _pages(item: Item) -> list[File]:
    return [
        f
        for f in sorted(item.files, key=lambda f: (f.sequence, f.page, f.id))
        if f.role == FileRole.MASTER.value and f.is_image and f.derivatives_ready  # pages: not condition photos
    ]


def _set(session: Session, file: File, state: str, **values: Any) -> PageText:
    row = session.get(PageText, file.id)
    if row is None:
        row = PageText(file_id=file.id, item_id=file.item_id, collection_id=file.item.collection_id, state=state)
        session.add(row)
    row.state = state
    for name in ("source", "languages", "engine", "confidence", "words", "reason"):
        setattr(row, name, values.get(name))
    return row


def read_item(
    runtime: Runtime,
    item_id: str,
    *,
    lang: str | None = None,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ItemOcr:
    """Read each image page of the item by the OCR rules; `progress(1)` after each page."""
    result = ItemOcr(item_id)
    the_rules = rules.load(runtime.settings.ocr_rules)
    with runtime.sessions() as session:
        item = session.get(Item, item_id)
        if item is None:
            return result
        plan = rules.plan(item, the_rules, lang=lang)
        pages = [(f.id, f.sha256, f.page, f.storage_key, f.original_name) for f in _pages(item)]
        sidecars = {fid: _delivered(session, item_id, sha, page) for fid, sha, page, *_ in pages}
        known = {fid: session.get(PageText, fid) for fid, *_ in pages}
        states = {fid: (row.state if row is not None else None) for fid, row in known.items()}
    for file_id, sha256, page, storage_key, name in pages:
        target = alto_path(runtime, sha256, page)
        if states[file_id] == DONE and target.is_file() and not force:
            result.kept += 1  # text read before a rule said skip is kept
        elif plan.skip:
            if states[file_id] not in (SKIPPED, DONE):  # a rule never throws text away
                with runtime.transaction() as session:
                    file = session.get(File, file_id)
                    if file is not None:
                        _set(session, file, SKIPPED, reason=plan.why)
            result.skipped += 1
        else:
            master = runtime.storage.master_path(storage_key)
            _read_page(runtime, file_id, master, page, name, target, plan, result, sidecars[file_id])
        if progress is not None:
            progress(1)
    if result.read:
        # The item's new words in the catalogue search (the search outbox holds a request committed with each
        # page, so a crash here still reaches the index), then the version holding the new text.
        runtime.jobs.enqueue("heritage.search.indexer.index_item", item_id, job_id=f"index-{item_id}-ocr")
        runtime.jobs.enqueue(
            "heritage.preservation.jobs.preserve_item", item_id, "ocr", job_id=f"preserve-{item_id}-ocr"
        )
    return result


def _delivered(session: Session, item_id: str, sha256: str, page: int) -> Path | None:
    """The text that came with the page's scan in its batch, if it is still there: the METS file's FULLTEXT
    file for it, else a file beside it with the same stem (for a scan of several pages, a text of several
    pages: `delivered.to_alto` takes the page's own)."""
    row = session.execute(
        select(Batch.root, Batch.metadata_file, Batch.standard, BatchFile.path)
        .join(Batch, Batch.id == BatchFile.batch_id)
        .where(BatchFile.item_id == item_id, BatchFile.sha256 == sha256)
        .order_by(BatchFile.updated_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    root = Path(row.root)
    scan = root / row.path
    if row.standard == "mets" and row.metadata_file:
        try:
            text = delivered.mets_fulltext(root / row.metadata_file, root).get(scan.resolve())
        except delivered.NotText:
            text = None
        if text is not None and text.is_file():
            return text
    return delivered.sidecar(scan)


def _read_page(
    runtime: Runtime,
    file_id: str,
    master: Path,
    page: int,
    name: str,
    target: Path,
    plan: rules.Plan,
    result: ItemOcr,
    sidecar: Path | None = None,
) -> None:
    try:
        if sidecar is not None:
            try:
                alto, source = delivered.to_alto(sidecar, name, page=page)
            except delivered.NoSuchPage:
                sidecar = None  # the delivered text stops before this page of the scan: OCR reads it
        if sidecar is not None:
            version, model = None, None
            name_of_engine = f"{source} delivered with the batch"
        else:
            binarise_from = rules.load(runtime.settings.ocr_rules).binarise_min_short_edge
            alto = engine.read(master, page, plan.languages, name, binarise_from=binarise_from)
            source = "ocr"
            name_of_engine = engine.engine_name()
            version, model = name_of_engine.split(" ", 1)[1], plan.languages
        found = words(alto)
    except (engine.OcrFailed, delivered.NotText) as exc:
        with runtime.transaction() as session:
            file = session.get(File, file_id)
            if file is not None:
                _set(session, file, FAILED, languages=plan.languages, reason=str(exc))
                events.record(
                    session, "ocr", item_id=file.item_id, file_id=file_id, outcome=Outcome.FAILURE, detail=str(exc)
                )
        result.failed[file_id] = str(exc)
        return
    write_alto(target, alto)
    confidence = mean_confidence(found)
    with runtime.transaction() as session:
        file = session.get(File, file_id)
        if file is None:
            return  # removed meanwhile: the file beside its derivatives goes with them
        _set(
            session, file, DONE, source=source, languages=model, engine=name_of_engine,
            confidence=confidence, words=len(found),
        )  # fmt: skip
        how = f"by {name_of_engine}, model {model} ({plan.why})" if model else f"converted from {sidecar.name}"
        events.record(
            session,
            "ocr",
            item_id=file.item_id,
            file_id=file_id,
            detail=f"ALTO 4 {how}: {len(found)} words",
            engine="tesseract" if source == "ocr" else source,
            version=version,
            model=model,
            confidence=confidence,
            words=len(found),
        )
        outbox.request(session, file.item_id, "ocr")
    result.read += 1
