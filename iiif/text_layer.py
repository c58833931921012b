"""The text of an item's pages as IIIF shows it: words and lines with boxes in canvas coordinates.

The ALTO of a page (`heritage.fulltext.store`) gives boxes in the pixels of the image that was read (the
master). A canvas has the master's size, but ALTO delivered with a batch may describe a scan of another size:
its `Page` WIDTH and HEIGHT say which, and boxes are scaled from those to the canvas. Callers ask
`heritage.access` first: nothing here checks who is asking.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session

from heritage.fulltext.alto import PARSER, Word, words
from heritage.fulltext.store import alto_of, item_texts
from heritage.models import File, Item, PageText
from heritage.runtime import Runtime
from iiif import urls
from metadata_schemas.tables import language_tag


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def xywh(self) -> str:
        return f"{self.x},{self.y},{self.w},{self.h}"

    @staticmethod
    def around(boxes: list[Box]) -> Box:
        x0, y0 = min(b.x for b in boxes), min(b.y for b in boxes)
        x1, y1 = max(b.x + b.w for b in boxes), max(b.y + b.h for b in boxes)
        return Box(x0, y0, x1 - x0, y1 - y0)


@dataclass(frozen=True)
class CanvasWord:
    text: str
    box: Box
    line: str


@dataclass(frozen=True)
class TextPage:
    """One canvas with text: its number (from 1), id, words in reading order, when its text was made and in
    which language (a BCP 47 tag, or None when the page was read in several)."""

    n: int
    canvas: str
    words: list[CanvasWord]
    created: datetime | None
    language: str | None

    def lines(self) -> Iterator[tuple[str, Box]]:
        """Each line's text and the box around its words."""
        start = 0
        for end in range(1, len(self.words) + 1):
            if end == len(self.words) or self.words[end].line != self.words[start].line:
                part = self.words[start:end]
                yield " ".join(w.text for w in part), Box.around([w.box for w in part])
                start = end


def has_text(row: PageText | None) -> bool:
    """A page counts as having text when its ALTO is stored and holds at least one word."""
    return row is not None and row.words != 0


def pages_with_text(session: Session, item: Item, files: list[File]) -> dict[int, PageText]:
    """Canvas number (from 1) -> the text row of each of `files` (the manifest's pages) that has text."""
    texts = item_texts(session, item.id)
    return {n: texts[f.id] for n, f in enumerate(files, start=1) if has_text(texts.get(f.id))}


def _page_size(alto: bytes) -> tuple[float, float] | None:
    root = etree.fromstring(alto, PARSER)
    ns = root.nsmap.get(None) or ""
    page = root.find(f".//{{{ns}}}Page") if ns else root.find(".//Page")
    try:
        width, height = float(page.get("WIDTH") or 0), float(page.get("HEIGHT") or 0)  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        return None
    return (width, height) if width > 0 and height > 0 else None


def _language(row: PageText, fallback: str | None) -> str | None:
    models = [m for m in (row.languages or "").split("+") if m]
    tag = language_tag(models[0]) if len(models) == 1 else None
    return tag if tag and re.fullmatch(r"[a-z]{2,3}", tag) else fallback  # not a script model ("Fraktur")


def canvas_words(found: list[Word], size: tuple[float, float] | None, file: File) -> list[CanvasWord]:
    """The words with their boxes scaled from the ALTO page's pixels to the canvas (the master's size)."""
    sx = file.width / size[0] if size and file.width else 1.0
    sy = file.height / size[1] if size and file.height else 1.0
    return [
        CanvasWord(w.text, Box(round(w.x * sx), round(w.y * sy), round(w.w * sx), round(w.h * sy)), w.line)
        for w in found
        if w.text.strip()
    ]


_WORDS: OrderedDict[tuple[str, str, str], list[CanvasWord]] = OrderedDict()
_WORDS_LOCK = threading.Lock()
WORDS_CACHED = 2000  # pages whose words a process keeps: a search reads every page of the item


def _page_words(runtime: Runtime, file: File, row: PageText) -> list[CanvasWord] | None:
    """The page's words in canvas coordinates, kept until its text is stored anew (`updated_at` changes)."""
    key = (str(runtime.settings.data_dir), file.id, str(row.updated_at))
    with _WORDS_LOCK:
        found = _WORDS.get(key)
        if found is not None:
            _WORDS.move_to_end(key)
            return found
    alto = alto_of(runtime, file.id)
    if alto is None:
        return None
    found = canvas_words(words(alto), _page_size(alto), file)
    with _WORDS_LOCK:
        _WORDS[key] = found
        while len(_WORDS) > WORDS_CACHED:
            _WORDS.popitem(last=False)
    return found


def text_page(
    runtime: Runtime, item: Item, file: File, n: int, row: PageText, base: str, fallback_language: str | None
) -> TextPage | None:
    """Canvas `n` of the item with its words; None when its ALTO is gone."""
    found = _page_words(runtime, file, row)
    if found is None:
        return None
    return TextPage(n, urls.canvas(base, item.id, n), found, row.updated_at, _language(row, fallback_language))
