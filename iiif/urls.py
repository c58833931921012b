"""The public URLs of IIIF resources and catalogue pages, in one place so every surface agrees."""

from __future__ import annotations

IMAGE_PREFIX = "/iiif/image/3"
PRESENTATION_PREFIX = "/iiif/presentation/3"


def image_service(base: str, image_id: str) -> str:
    return f"{base}{IMAGE_PREFIX}/{image_id}"


def manifest(base: str, item_id: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/manifest"


def canvas(base: str, item_id: str, n: int) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/canvas/p{n}"


def collection(base: str, slug: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/collection/{slug}"


def collections(base: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/collections"


def item_collection(base: str, item_id: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/collection"


def range_(base: str, item_id: str, n: int) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/range/r{n}"


def item_page(base: str, item_id: str) -> str:
    return f"{base}/items/{item_id}"


def original_record(base: str, item_id: str) -> str:
    return f"{base}/api/items/{item_id}/record"


def embed_page(base: str, item_id: str) -> str:
    return f"{base}/embed/{item_id}"


def exhibition(base: str, slug: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/exhibition/{slug}"


def exhibition_page_manifest(base: str, slug: str, n: int) -> str:
    return f"{base}{PRESENTATION_PREFIX}/exhibition/{slug}/page/{n}/manifest"


def exhibition_page(base: str, slug: str) -> str:
    return f"{base}/exhibitions/{slug}"


def alto(base: str, item_id: str, n: int) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/alto/p{n}"


def annotations(base: str, item_id: str, n: int) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/annotations/p{n}"


def search(base: str, item_id: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/search"


def autocomplete(base: str, item_id: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/autocomplete"


def search_v1(base: str, item_id: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/search/v1"


def autocomplete_v1(base: str, item_id: str) -> str:
    return f"{base}{PRESENTATION_PREFIX}/{item_id}/autocomplete/v1"
