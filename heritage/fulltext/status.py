"""How far the full text of each collection got: pages done, waiting, failed, skipped, the mean confidence,
and the pages below the rules' confidence threshold (flagged for review)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, func, select

from heritage.fulltext import rules
from heritage.models import BatchFile, Collection, File, FileRole, Item, PageText
from heritage.runtime import Runtime


@dataclass
class CollectionText:
    collection: str
    pages: int = 0  # image pages (derived)
    done: int = 0
    waiting: int = 0
    failed: int = 0
    skipped: int = 0
    mean_confidence: float | None = None
    low: int = 0  # done, below the threshold


@dataclass
class LowPage:
    item: str
    file: str
    name: str
    confidence: float


@dataclass
class Status:
    threshold: float
    collections: list[CollectionText] = field(default_factory=list)
    low_pages: list[LowPage] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _pages(runtime: Runtime) -> Any:
    return and_(
        File.role == FileRole.MASTER.value,  # pages: condition photographs are never read
        File.width.is_not(None),
        File.height.is_not(None),
        File.derivatives_ready.is_(True),
    )


def status(runtime: Runtime, *, collection: str | None = None) -> Status:
    threshold = rules.load(runtime.settings.ocr_rules).min_confidence
    out = Status(threshold)
    with runtime.sessions() as session:
        query = (
            select(
                Collection.slug,
                func.count(File.id),
                func.count(PageText.file_id).filter(PageText.state == "done"),
                func.count(PageText.file_id).filter(PageText.state == "failed"),
                func.count(PageText.file_id).filter(PageText.state == "skipped"),
                func.avg(PageText.confidence).filter(PageText.state == "done"),
                func.count(PageText.file_id).filter(PageText.state == "done", PageText.confidence < threshold),
            )
            .select_from(File)
            .join(Item, Item.id == File.item_id)
            .join(Collection, Collection.id == Item.collection_id)
            .outerjoin(PageText, PageText.file_id == File.id)
            .where(_pages(runtime))
            .group_by(Collection.slug)
            .order_by(Collection.slug)
        )
        if collection:
            query = query.where(Collection.slug == collection)
        for slug, pages, done, failed, skipped, mean, low in session.execute(query):
            out.collections.append(
                CollectionText(
                    slug, pages, done, pages - done - failed - skipped, failed, skipped,
                    round(float(mean), 1) if mean is not None else None, low,
                )
            )  # fmt: skip
        low_query = (
            select(PageText.item_id, PageText.file_id, File.original_name, File.page, PageText.confidence)
            .join(File, File.id == PageText.file_id)
            .where(PageText.state == "done", PageText.confidence < threshold)
            .order_by(PageText.confidence, PageText.file_id)
        )
        if collection:
            low_query = low_query.join(Collection, Collection.id == PageText.collection_id).where(
                Collection.slug == collection
            )
        for item_id, file_id, name, page, confidence in session.execute(low_query):
            label = f"{name} p{page + 1}" if page else name
            out.low_pages.append(LowPage(item_id, file_id, label, confidence))
    return out


@dataclass
class BatchText:
    """The OCR of one batch's pages, for its page: the counts move while the batch page is open."""

    threshold: float
    pages: int = 0  # image pages (derived) of the batch's files
    done: int = 0
    waiting: int = 0
    failed: int = 0
    skipped: int = 0
    low: int = 0  # done, below the threshold
    mean_confidence: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _of_batch(batch_id: str) -> Any:
    """A file is the batch's when the batch brought its bytes to its item (a multi-page scan: each page)."""
    return and_(BatchFile.batch_id == batch_id, BatchFile.item_id == File.item_id, BatchFile.sha256 == File.sha256)


def batch_text(runtime: Runtime, batch_id: str) -> BatchText:
    """Pages read, waiting, failed, skipped and below the threshold among the batch's image pages."""
    threshold = rules.load(runtime.settings.ocr_rules).min_confidence
    pages = select(File.id).join(BatchFile, _of_batch(batch_id)).where(_pages(runtime)).distinct().subquery()
    with runtime.sessions() as session:
        row = session.execute(
            select(
                func.count(pages.c.id),
                func.count(PageText.file_id).filter(PageText.state == "done"),
                func.count(PageText.file_id).filter(PageText.state == "failed"),
                func.count(PageText.file_id).filter(PageText.state == "skipped"),
                func.count(PageText.file_id).filter(PageText.state == "done", PageText.confidence < threshold),
                func.avg(PageText.confidence).filter(PageText.state == "done"),
            )
            .select_from(pages)
            .outerjoin(PageText, PageText.file_id == pages.c.id)
        ).one()
    total, done, failed, skipped, low, mean = row
    return BatchText(
        threshold, total, done, total - done - failed - skipped, failed, skipped, low,
        round(float(mean), 1) if mean is not None else None,
    )  # fmt: skip


def batch_low_pages(runtime: Runtime, batch_id: str) -> list[LowPage]:
    """The pages of a batch whose text is below the threshold (for its report)."""
    threshold = rules.load(runtime.settings.ocr_rules).min_confidence
    with runtime.sessions() as session:
        rows = session.execute(
            select(PageText.item_id, PageText.file_id, File.original_name, PageText.confidence)
            .join(File, File.id == PageText.file_id)
            .join(BatchFile, _of_batch(batch_id))
            .where(PageText.state == "done", PageText.confidence < threshold)
            .order_by(File.original_name, File.page)
        ).all()
    return [LowPage(*row) for row in rows]
