"""Where a page's ALTO lies (beside its derivatives) and how the other surfaces read it.

Search, IIIF annotations and Content Search read text through `alto_of` and `words_of`; they must ask
`heritage.access` first: these functions answer for any file.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.fulltext.alto import Word, words
from heritage.models import File, PageText
from heritage.runtime import Runtime

ALTO_NAME = "alto.xml"
DONE = "done"


def alto_path(runtime: Runtime, sha256: str, page: int) -> Path:
    return runtime.storage.derivative_dir(sha256, page) / ALTO_NAME


def write_alto(path: Path, alto: bytes) -> None:
    """Write atomically: a killed process leaves the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # what a process killed mid-write left
        stale.unlink(missing_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(alto)
    os.replace(temporary, path)


def alto_of(runtime: Runtime, file_id: str) -> bytes | None:
    """The ALTO 4 of an image file's page; None when it has no text (yet)."""
    with runtime.sessions() as session:
        row = session.execute(
            select(File.sha256, File.page)
            .join(PageText, PageText.file_id == File.id)
            .where(File.id == file_id, PageText.state == DONE)
        ).first()
    if row is None:
        return None
    path = alto_path(runtime, row.sha256, row.page)
    return path.read_bytes() if path.is_file() else None


def words_of(runtime: Runtime, file_id: str) -> list[Word]:
    """The words of a page with their boxes (master pixels) and confidences; empty without text."""
    alto = alto_of(runtime, file_id)
    return words(alto) if alto is not None else []


def item_texts(session: Session, item_id: str) -> dict[str, PageText]:
    """File id -> the text row of each page of the item that has text."""
    rows = session.scalars(select(PageText).where(PageText.item_id == item_id, PageText.state == DONE))
    return {row.file_id: row for row in rows}
