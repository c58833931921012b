"""What the deep-zoom viewer of web/templates/_viewer.html is told by the server: its pages (image service,
size, thumbnail), whether they are a book's leaves (shown as spreads, as the manifest's `paged` says) and the
sizes a page may be downloaded at (up to the edge the rights allow, `heritage.access.download_edge`), and, from
the record URL (`?page=<n>&highlight=<words>`, as a full-text hit links it), the page to open and the words
to mark on it, found by the item's Content Search service."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from heritage.models import File, Item
from iiif import urls
from iiif.presentation import THUMBNAIL_SIZE, is_paged
from iiif.text_layer import pages_with_text
from web.context import base_url, session

bp = Blueprint("viewer", __name__)
DOWNLOAD_SIZES = (400, 800, 1200, 2000, 3000, 4000)  # longest edge in pixels, offered up to the allowed one


@bp.app_template_global()
def viewer_pages(images: list[File]) -> list[dict[str, Any]]:
    """One entry per page: its IIIF image service, pixel size, own label (or None) and thumbnail URL."""
    base = base_url()
    pages = []
    for file in images:
        service = urls.image_service(base, file.id)
        pages.append(
            {
                "service": service,
                "width": file.width,
                "height": file.height,
                "label": file.label,
                "thumbnail": f"{service}/full/{THUMBNAIL_SIZE}/0/default.jpg",  # the manifest's: one cached image
                "canvas": urls.canvas(base, file.item_id, len(pages) + 1),
            }
        )
    return pages


@bp.app_template_global()
def viewer_paged(item: Item, images: list[File]) -> bool:
    """The manifest's own test: the viewer shows spreads exactly when the manifest says `paged`."""
    return is_paged(item, images)


@bp.app_template_global()
def download_sizes(edge: int) -> list[int]:
    """The longest edges offered for a page download: the usual steps below `edge`, then `edge` itself."""
    if edge <= 0:
        return []
    return [size for size in DOWNLOAD_SIZES if size < edge] + [edge]


def start_page(value: str | None, count: int) -> int:
    """The page to open (0-based) from the record URL's `page` (1-based); page 1 for anything else."""
    if value and value.isdigit() and 1 <= int(value) <= count:
        return int(value) - 1
    return 0


@bp.app_template_global()
def viewer_text(item: Item, images: list[File]) -> dict[str, Any]:
    """Where the viewer opens (`page`, 0-based), the words it marks (`highlight`) and the Content Search
    service it finds them with (`search`; None when no page has text)."""
    has_text = bool(images) and bool(pages_with_text(session(), item, images))
    highlight = " ".join((request.args.get("highlight") or "").split())[:200] if has_text else ""
    return {
        "page": start_page(request.args.get("page"), len(images)),
        "highlight": highlight,
        "search": urls.search(base_url(), item.id) if has_text else None,
    }
