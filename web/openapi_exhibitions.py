"""The exhibitions' routes in the OpenAPI document: the JSON list and the IIIF Collection and page Manifests."""

from __future__ import annotations

from typing import Any

from web.openapi_more import OPTIONAL_BEARER, SEGMENT, UNAUTHORIZED, _get, _json, _path

DAY = {"type": ["string", "null"], "format": "date"}
EXHIBITIONS = {
    "type": "object",
    "required": ["exhibitions"],
    "additionalProperties": False,
    "properties": {
        "exhibitions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["slug", "title", "from", "to", "objects", "iiif"],
                "additionalProperties": False,
                "properties": {
                    "slug": {"type": "string"},
                    "title": {
                        "type": "object",
                        "required": ["nl", "en"],
                        "properties": {"nl": {"type": "string"}, "en": {"type": "string"}},
                    },
                    "from": DAY,
                    "to": DAY,
                    "objects": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "The ids of the objects the asker may see.",
                    },
                    "iiif": {"type": "string", "format": "uri", "description": "The exhibition's IIIF Collection."},
                },
            },
        }
    },
}


def exhibition_paths() -> dict[str, Any]:
    """`/api/exhibitions` and the exhibitions' IIIF resources."""
    slug = _path("slug", SEGMENT)
    presentation = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
    return {
        "/api/exhibitions": {
            "get": {
                "operationId": "listExhibitions",
                "summary": "Every exhibition (physical or online) with the objects the asker may see",
                "parameters": [],
                "security": OPTIONAL_BEARER,
                "responses": {"200": _json("The exhibitions.", EXHIBITIONS), "401": UNAUTHORIZED},
            }
        },
        "/iiif/presentation/3/exhibition/{slug}": _get(
            "getExhibitionCollection",
            "An exhibition as a IIIF Collection: one Manifest per page of its story",
            [slug],
            _json("The Collection.", media=presentation),
        ),
        "/iiif/presentation/3/exhibition/{slug}/page/{n}/manifest": _get(
            "getExhibitionPageManifest",
            "One page of an exhibition's story as a IIIF Manifest of its image regions",
            [slug, _path("n", {"type": "integer", "minimum": 0})],
            _json("The Manifest.", media=presentation),
        ),
    }
