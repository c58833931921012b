"""What an item becomes in the search index: its text, its facet values and what a result line shows."""

from __future__ import annotations

from typing import Any

from heritage.access import effective_access
from heritage.catalogue import ancestors, core_of
from heritage.models import FileRole, Item


def century_of(year: int | None) -> str | None:
    if year is None:
        return None
    return str((year // 100) * 100) if year >= 0 else str(-((-year + 99) // 100) * 100)


def item_document(item: Item) -> dict[str, Any]:
    """The index document for one item (facets are lists of exact values)."""
    core = core_of(item)
    images = [f for f in item.files if f.role == FileRole.MASTER and f.is_image and f.derivatives_ready]
    unit = item.unit or item.collection.unit
    centuries: list[str] = []
    if item.date_from is not None:
        end = item.date_to if item.date_to is not None else item.date_from
        start_c = int(century_of(item.date_from) or 0)
        end_c = int(century_of(end) or 0)
        centuries = [str(c) for c in range(start_c, end_c + 1, 100)][:30]
    texts = [
        core.title,
        *core.titles.values(),
        core.description or "",
        *core.descriptions.values(),
        *(a.name for a in core.agents),
        *(t.label for t in core.subjects),
        *(t.label for t in core.places),
        *core.identifiers,
        core.extent or "",
        core.taxon.scientific_name if core.taxon else "",
        item.local_id or "",
    ]
    path = [{"id": a.id, "title": a.title, "level": a.level} for a in ancestors(item)]
    return {
        "id": item.id,
        "title": item.title,
        "title_en": item.title_en or "",
        "text": "\n".join(t for t in texts if t),
        "description": (core.description or "")[:600],
        "creator": [a.name for a in core.agents],
        "subject": [t.label for t in core.subjects],
        "place": [t.label for t in core.places],
        "collection": item.collection.slug,
        "domain": item.collection.domain,
        "unit": unit.slug if unit else "",
        "level": item.level,
        "access": effective_access(item.access, item.closed_until).value,
        "has_images": "yes" if images else "no",
        "century": centuries,
        "date_from": item.date_from,
        "date_to": item.date_to,
        "date_text": item.date_text or "",
        "parent": item.parent_id or "",
        "path": path,
        "thumbnail": images[0].id if images else "",
        "sort_title": (item.title or "").casefold()[:200],
    }
