"""A catalogue whose every rendered field carries an XSS payload, beside a closed item whose title is a secret:
the material of the bad-input suite."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from heritage.models import Collection, Item, Unit
from heritage.runtime import Runtime
from ingest.pipeline import plan_batch, run_batch
from tests.helpers import make_image, write_sheet

# Each payload tries a way out of its context: element text, a double- or single-quoted attribute, a URL.
SCRIPT = "<script>alert('xss-script')</script>"
IMG = "\"><img src=x onerror=alert('xss-img')>"
QUOTE = "' onmouseover='alert(1)' data-xss='"
SVG = "<svg/onload=alert('xss-svg')>"
PAYLOAD = f"{SCRIPT}{IMG}{QUOTE}{SVG}"
JS_URI = "javascript:alert('xss-uri')"
SECRET = "Geheimdossier Zwartboek"


@dataclass
class Hostile:
    runtime: Runtime
    fonds: str
    file: str  # with images
    page_item: str
    closed: str
    batch: str


def field(name: str) -> str:
    """The payload for one field, named so that a page that shows it can be told apart."""
    return f"{name} {PAYLOAD}"


def build(runtime: Runtime, folder: Path) -> Hostile:
    make_image(folder / "scans" / "p1.jpg", (640, 480), seed=3)
    make_image(folder / "scans" / "p2.jpg", (480, 640), seed=4)
    make_image(folder / "scans" / "secret.jpg", (400, 300), seed=5)
    linked = f"Linked {SCRIPT} <{JS_URI}>"
    write_sheet(
        folder / "sheet.csv",
        [
            {
                "identifier": f"F{IMG}",
                "level": "fonds",
                "title": field("fonds-title"),
                "title_en": field("fonds-title-en"),
                "description": field("fonds-description"),
                "date": "1850-1900",
                "creator": f"{field('creator')}|{linked}",
                "rights": JS_URI,
                "access": "public",
            },
            {
                "identifier": f"F{IMG}.1",
                "parent": f"F{IMG}",
                "level": "file",
                "title": field("file-title"),
                "title_en": field("file-title-en"),
                "description": field("file-description"),
                "description_en": field("file-description-en"),
                "date": f"1855 {SCRIPT}",
                "creator": f"{field('file-creator')}|Evil agent <{JS_URI}>",
                "subject": f"{field('subject')}|{linked}|Evil subject <{JS_URI}>",
                "place": f"{field('place')}|{linked}|Evil place <{JS_URI}>",
                "language": f"nl|{SCRIPT}",
                "extent": field("extent"),
                "type": field("type"),
                "rights": field("rights"),
                "files": "scans/p1.jpg|scans/p2.jpg",
                "access": "public",
            },
            {
                "identifier": "P1",
                "parent": f"F{IMG}.1",
                "level": "page",
                "title": field("page-title"),
                "files": "",
            },
            {
                "identifier": "SECRET-1",
                "parent": f"F{IMG}",
                "level": "file",
                "title": SECRET,
                "description": f"{SECRET} beschrijving",
                "subject": "Zwartboek",
                "files": "scans/secret.jpg",
                "access": "closed",
            },
        ],
    )
    batch = plan_batch(runtime, folder, "hostile", unit="hostile-unit", domain="archive")
    run_batch(runtime, batch, wait=True)
    with runtime.transaction() as s:
        collection = s.scalar(select(Collection).where(Collection.slug == "hostile"))
        assert collection is not None
        collection.title = field("collection-title")
        collection.title_en = field("collection-title-en")
        collection.description = field("collection-description")
        collection.rights = JS_URI
        unit = s.scalar(select(Unit).where(Unit.slug == "hostile-unit"))
        assert unit is not None
        unit.name = field("unit-name")
        unit.name_en = field("unit-name-en")
        items = {i.local_id: i.id for i in s.scalars(select(Item).where(Item.collection_id == collection.id))}
    return Hostile(
        runtime,
        fonds=items[f"F{IMG}"],
        file=items[f"F{IMG}.1"],
        page_item=items.get("P1", ""),
        closed=items["SECRET-1"],
        batch=batch,
    )
