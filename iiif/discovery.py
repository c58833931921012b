"""IIIF Change Discovery API 1.0: an Activity Streams OrderedCollection of the changes to our
manifests and collections, paged oldest first, so that an aggregator reads backwards from `last`
until it reaches a change it has seen."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from heritage.harvest.changes import changes, count
from iiif import urls

CONTEXT = "http://iiif.io/api/discovery/1/context.json"
PREFIX = "/iiif/discovery/activity"
PAGE_SIZE = 100


def stream_url(base: str) -> str:
    return f"{base}{PREFIX}/all-changes"


def page_url(base: str, n: int) -> str:
    return f"{stream_url(base)}/page/{n}"


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


def collection_document(session: Session, base: str, size: int = PAGE_SIZE) -> dict[str, Any]:
    total = count(session)
    pages = _pages(total, size)
    return {
        "@context": CONTEXT,
        "id": stream_url(base),
        "type": "OrderedCollection",
        "totalItems": total,
        "first": {"id": page_url(base, 0), "type": "OrderedCollectionPage"},
        "last": {"id": page_url(base, pages - 1), "type": "OrderedCollectionPage"},
    }


def page_document(session: Session, base: str, n: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """Raises: LookupError: there is no page `n`."""
    total = count(session)
    pages = _pages(total, size)
    if not 0 <= n < pages:
        raise LookupError(f"page {n} does not exist (pages 0 to {pages - 1})")
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": page_url(base, n),
        "type": "OrderedCollectionPage",
        "partOf": {"id": stream_url(base), "type": "OrderedCollection"},
        "startIndex": n * size,
    }
    if n > 0:
        document["prev"] = {"id": page_url(base, n - 1), "type": "OrderedCollectionPage"}
    if n < pages - 1:
        document["next"] = {"id": page_url(base, n + 1), "type": "OrderedCollectionPage"}
    document["orderedItems"] = [
        {
            "type": change.activity,
            "object": {
                "id": urls.manifest(base, change.key) if change.kind == "item" else urls.collection(base, change.key),
                "type": "Manifest" if change.kind == "item" else "Collection",
            },
            "endTime": change.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for change in changes(session, n * size, size)
    ]
    return document
