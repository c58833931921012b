"""The JSON shapes of the API: a search hit, a full item, a collection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.access import AccessFacts, Viewer, Visibility, item_access, visibility
from heritage.catalogue import ancestors, core_of
from heritage.models import Collection, File, Item
from iiif import urls
from iiif.presentation import has_manifest


def thumbnail_url(base: str, image_id: str | None, size: str = "!200,200") -> str | None:
    return f"{urls.image_service(base, image_id)}/full/{size}/0/default.jpg" if image_id else None


def hit_json(hit: dict[str, Any], base: str) -> dict[str, Any]:
    """One search result (from the index's stored display fields)."""
    show_images = hit.get("access") == "public" and bool(hit.get("has_images"))
    return {
        "id": hit["id"],
        "title": hit["title"],
        "title_en": (hit.get("titles") or {}).get("en"),
        "titles": hit.get("titles") or {},
        "collection": hit["collection"],
        "domain": hit["domain"],
        "level": hit["level"],
        "date": hit.get("date_text") or None,
        "date_from": hit.get("date_from"),
        "date_to": hit.get("date_to"),
        "creators": hit.get("creators") or [],
        "access": hit["access"],
        "has_images": bool(hit.get("has_images")),
        "path": hit.get("path", []),
        "snippet": hit.get("snippet") or None,
        # pages whose full text matched: {"page": n (1-based), "snippet": HTML}; see `web.search_page.text_links`
        "text_hits": [dict(t) for t in hit.get("text_hits") or []],
        "score": hit.get("score"),
        "children": hit.get("children"),
        "url": urls.item_page(base, hit["id"]),
        "api": f"{base}/api/items/{hit['id']}",
        "manifest": urls.manifest(base, hit["id"]) if show_images else None,
        "thumbnail": thumbnail_url(base, hit.get("thumbnail")) if show_images else None,
    }


def file_json(file: File, base: str, images_visible: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": file.id,
        "role": file.role,
        "sequence": file.sequence,
        "label": file.label,
        "format": file.format_name,
        "puid": file.puid,
        "mime": file.mime,
        "size": file.size,
        "sha256": file.sha256,
        "width": file.width,
        "height": file.height,
    }
    if images_visible and file.is_image and file.derivatives_ready:
        data["iiif"] = urls.image_service(base, file.id)
        data["thumbnail"] = thumbnail_url(base, file.id)
    return data


def _files_seen(item: Item, viewer: Viewer) -> list[File]:
    """The item's files this viewer may know of: its condition photographs are its unit's staff records."""
    return [f for f in item.files if visibility(viewer, AccessFacts.of_file(f)) > Visibility.NONE]


def item_json(item: Item, viewer: Viewer, base: str) -> dict[str, Any]:
    """A whole item as the API gives it to this viewer (call only when visibility > NONE)."""
    seen = visibility(viewer, item)
    images_visible = seen >= Visibility.FULL
    core = core_of(item)
    children = [c for c in item.children if visibility(viewer, c) > Visibility.NONE]
    return {
        "id": item.id,
        "title": item.title,
        "title_en": item.title_en,
        "collection": item.collection.slug,
        "domain": item.collection.domain,
        "unit": (item.unit or item.collection.unit).slug,
        "level": item.level,
        "local_id": item.local_id,
        "date": item.date_text,
        "date_from": item.date_from,
        "date_to": item.date_to,
        "access": item_access(item).value,
        "held_back": item.held_back,  # why staff see an item the public does not (its ingest holds it back)
        "rights": item.rights or item.collection.rights,
        "url": urls.item_page(base, item.id),
        "manifest": urls.manifest(base, item.id) if images_visible and has_manifest(item) else None,
        "parent": item.parent_id if item.parent and visibility(viewer, item.parent) > Visibility.NONE else None,
        "path": [
            {"id": a.id, "title": a.title, "level": a.level}
            for a in ancestors(item)
            if visibility(viewer, a) > Visibility.NONE
        ],
        "children": [{"id": c.id, "title": c.title, "level": c.level} for c in children],
        "metadata": core.to_dict(),
        "standard": item.primary_record.standard if item.primary_record else None,
        "files": [file_json(f, base, images_visible) for f in _files_seen(item, viewer)] if images_visible else [],
    }


def collections_json(session: Session, base: str, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Every collection; `counts` are the items the viewer may find, by slug, from the search index
    (a count from the database would reveal closed items)."""
    out = []
    for c in session.scalars(select(Collection).order_by(Collection.title)):
        out.append(
            {
                "slug": c.slug,
                "title": c.title,
                "title_en": c.title_en,
                "domain": c.domain,
                "unit": c.unit.slug,
                "central": c.unit.central,
                "description": c.description,
                "items": counts.get(c.slug, 0),
                "description_en": c.description_en,
                "iiif": urls.collection(base, c.slug),
                "url": f"{base}/search?collection={c.slug}",
            }
        )
    return out
