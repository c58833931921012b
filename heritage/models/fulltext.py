"""The text of each page: where its ALTO lies, how it was read, and how far the OCR of it got."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from heritage.models.base import Base, UTCDateTime, utcnow


class PageText(Base):
    """One image file's full text (one row per file; a multi-page master has a file row per page).

    `state`: done (ALTO stored), failed (reason), skipped (the collection's rule says images only); a page
    without a row is waiting. The ALTO itself lies beside the derivatives (`heritage.fulltext.store`); this
    row is what status, search and IIIF ask first. No foreign key: like the preservation outbox, the row
    does not hold up the removal of a file.
    """

    __tablename__ = "page_texts"

    file_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(32), index=True)
    collection_id: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    source: Mapped[str | None] = mapped_column(String(16))  # ocr, alto, hocr, page (text that came with the batch)
    languages: Mapped[str | None] = mapped_column(String(100))  # Tesseract's model names, "nld+fra+eng"
    engine: Mapped[str | None] = mapped_column(String(100))  # "tesseract 5.3.0"
    confidence: Mapped[float | None] = mapped_column(Float)  # mean word confidence, 0-100
    words: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
