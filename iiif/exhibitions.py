"""An exhibition as IIIF: a Collection whose members are one Manifest per page of the story; each image of a
page (a region of a catalogue image) is a Canvas painted with the Image API's region of that image."""

from __future__ import annotations

from typing import Any

from heritage.models import Exhibition, ExhibitionPage
from iiif import urls

CONTEXT = "http://iiif.io/api/presentation/3/context.json"


def _lang(nl: str | None, en: str | None) -> dict[str, list[str]]:
    out = {}
    if nl:
        out["nl"] = [nl]
    if en:
        out["en"] = [en]
    return out or {"none": [""]}


def _size(image: dict[str, Any]) -> tuple[str, int, int]:
    """The Image API region and the canvas's size (the region's, in the image's pixels)."""
    file = image["file"]
    if image["region"] == "full":
        return "full", int(file.width), int(file.height)
    _x, _y, w, h = (int(v) for v in image["region"].split(","))
    return image["region"], w, h


def _homepage(base: str, exhibition: Exhibition) -> list[dict[str, Any]]:
    return [
        {
            "id": urls.exhibition_page(base, exhibition.slug),
            "type": "Text",
            "label": _lang(exhibition.title, exhibition.title_en),
            "format": "text/html",
        }
    ]


def build_exhibition_collection(
    exhibition: Exhibition, pages: list[tuple[int, ExhibitionPage]], base: str
) -> dict[str, Any]:
    """The exhibition's Collection: one Manifest per (number, page) given (the pages with images the viewer sees)."""
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": urls.exhibition(base, exhibition.slug),
        "type": "Collection",
        "label": _lang(exhibition.title, exhibition.title_en),
        "homepage": _homepage(base, exhibition),
        "items": [
            {
                "id": urls.exhibition_page_manifest(base, exhibition.slug, n),
                "type": "Manifest",
                "label": _lang(page.title, page.title_en),
            }
            for n, page in pages
        ],
    }
    if exhibition.summary or exhibition.summary_en:
        document["summary"] = _lang(exhibition.summary, exhibition.summary_en)
    return document


def build_page_manifest(
    exhibition: Exhibition, n: int, page: ExhibitionPage, images: list[dict[str, Any]], base: str
) -> dict[str, Any]:
    """Page `n`'s Manifest: a Canvas per image region the viewer may see, captioned, linked to its record."""
    manifest_id = urls.exhibition_page_manifest(base, exhibition.slug, n)
    canvases = []
    for k, image in enumerate(images, start=1):
        file, item = image["file"], image["item_row"]
        region, width, height = _size(image)
        service = urls.image_service(base, file.id)
        canvas_id = f"{manifest_id.removesuffix('/manifest')}/canvas/{k}"
        canvases.append(
            {
                "id": canvas_id,
                "type": "Canvas",
                "label": _lang(image["caption"], image["caption_en"]),
                "width": width,
                "height": height,
                "homepage": [
                    {
                        "id": urls.item_page(base, item.id),
                        "type": "Text",
                        "label": _lang(item.title, item.title_en),
                        "format": "text/html",
                    }
                ],
                "items": [
                    {
                        "id": f"{canvas_id}/page",
                        "type": "AnnotationPage",
                        "items": [
                            {
                                "id": f"{canvas_id}/annotation",
                                "type": "Annotation",
                                "motivation": "painting",
                                "body": {
                                    "id": f"{service}/{region}/max/0/default.jpg",
                                    "type": "Image",
                                    "format": "image/jpeg",
                                    "width": width,
                                    "height": height,
                                    "service": [{"id": service, "type": "ImageService3", "profile": "level2"}],
                                },
                                "target": canvas_id,
                            }
                        ],
                    }
                ],
            }
        )
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": manifest_id,
        "type": "Manifest",
        "label": _lang(page.title, page.title_en),
        "homepage": _homepage(base, exhibition),
        "partOf": [{"id": urls.exhibition(base, exhibition.slug), "type": "Collection"}],
        "items": canvases,
    }
    if page.text or page.text_en:
        document["summary"] = _lang(page.text, page.text_en)
    return document
