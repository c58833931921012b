"""The exhibitions' routes in the OpenAPI document: the JSON list, planning through the API (create, get, replace,
install, close: `web/exhibitions_api.py`) and the IIIF Collection and page Manifests."""

from __future__ import annotations

from typing import Any

from web.openapi_more import BEARER, OPTIONAL_BEARER, SEGMENT, UNAUTHORIZED, _get, _json, _path

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


TEXT = {"type": ["string", "null"], "pattern": "^[^\u0000]*$"}
LINE = {"type": "string", "pattern": "^[^\u0000]*$"}
OBJECT = {
    "type": "object",
    "required": ["item"],
    "additionalProperties": False,
    "properties": {
        "item": {**TEXT, "description": "The object's item id or identifier."},
        "room": {**TEXT, "description": "The room or case (a location code); none for an exhibition online only."},
        "label": TEXT,
        "label_en": TEXT,
    },
}
IMAGE = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "item": {**TEXT, "description": "The item (with `page`), or a master image's file id."},
        "file": {**TEXT, "description": "A master image's file id (instead of `item` and `page`)."},
        "page": {"type": "integer", "minimum": 1, "description": "The item's image page, 1 unless given."},
        "region": {**TEXT, "description": "`full` or x,y,w,h in pixels."},
        "caption": TEXT,
        "caption_en": TEXT,
    },
}
PAGE = {
    "type": "object",
    "required": ["title", "title_en"],
    "additionalProperties": False,
    "properties": {
        "title": TEXT,
        "title_en": TEXT,
        "text": TEXT,
        "text_en": TEXT,
        "images": {"type": "array", "items": IMAGE},
    },
}
NAME = {"type": "string", "pattern": "^[^\u0000]*[^\\s\u0000][^\u0000]*$"}  # a title: not blank, no NUL
SPEC_PROPERTIES: dict[str, Any] = {
    "slug": {
        "type": "string",
        "pattern": "^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$",
        "description": "3-64 lower-case letters, digits and hyphens; not `new`, `collection` or `collections`. On PUT "
        "the path names the exhibition and this is not read (a slug does not change).",
    },
    "title": NAME,
    "title_en": NAME,
    "summary": TEXT,
    "summary_en": TEXT,
    "from": {**DAY, "description": "Both `from` and `to`, or neither for an exhibition online only."},
    "to": DAY,
    "objects": {"type": "array", "items": OBJECT},
    "pages": {"type": "array", "items": PAGE},
}
SPEC = {
    "type": "object",
    "required": ["title", "title_en"],
    "dependentRequired": {"from": ["to"], "to": ["from"]},
    "additionalProperties": False,
    "description": "What JSON Schema cannot say is checked too (a 400 naming it): `to` not before `from`, rooms only "
    "with dates, an image page the item has, a region inside the image; an unknown item or image file is a 404.",
    "properties": {
        **SPEC_PROPERTIES,
        "state": {**LINE, "description": "Read only: sent back as the GET gave it, it is ignored."},
        "version": {**LINE, "description": "The version the change is based on (or `If-Match`)."},
    },
}
PLANNED = {
    "type": "object",
    "required": [*SPEC_PROPERTIES, "state", "version"],
    "properties": {
        **SPEC_PROPERTIES,
        "state": {"type": "string", "enum": ["planned", "installed", "closed"]},
        "version": {"type": "string", "description": "Also the ETag: send it back as `If-Match` to replace."},
    },
}
MOVES = {
    "type": "object",
    "required": ["slug", "state", "moves"],
    "properties": {
        "slug": {"type": "string"},
        "state": {"type": "string"},
        "moves": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["item", "to", "moved", "warnings"],
                "properties": {
                    "item": {"type": "string"},
                    "to": {"type": "string", "description": "The location code."},
                    "moved": {"type": "boolean"},
                    "warnings": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict[str, Any]:
    return _json(description, ERROR)


PLANNING_ERRORS = {
    "400": _error(
        "A bad spec (the key or place in it and the reason named), a slug in use, or a step not allowed now."
    ),
    "401": _error("No credentials, or the bearer token is unknown, revoked or expired."),
    "403": _error("Not a collection manager or administrator, or the exhibition holds another unit's objects."),
    "404": _error("No such exhibition, or an item or image file the spec names does not exist."),
    "409": _error("The exhibition's state does not allow it: a slug in use, a step out of order, a stale version."),
}


def _planning_paths(slug: dict[str, Any]) -> dict[str, Any]:
    """Planning exhibitions (collection managers and administrators), every save through the exhibitions service."""
    body = {"required": True, "content": {"application/json": {"schema": SPEC}}}
    return {
        "/api/exhibitions/{slug}": {
            "get": {
                "operationId": "getExhibitionSpec",
                "summary": "An exhibition as a spec to edit, with its state and version (planners)",
                "parameters": [slug],
                "security": BEARER,
                "responses": {"200": _json("The exhibition.", PLANNED), **PLANNING_ERRORS},
            },
            "put": {
                "operationId": "replaceExhibition",
                "summary": "Replace an exhibition's titles, dates, objects and pages (planners)",
                "parameters": [
                    slug,
                    {
                        "name": "If-Match",
                        "in": "header",
                        "schema": SEGMENT,
                        "description": "The version it is based on.",
                    },
                ],
                "security": BEARER,
                "requestBody": body,
                "responses": {"200": _json("The exhibition as saved.", PLANNED), **PLANNING_ERRORS},
            },
        },
        "/api/exhibitions/{slug}/{action}": {
            "post": {
                "operationId": "installOrCloseExhibition",
                "summary": "Install an exhibition (its objects move to their rooms) or close it (they return)",
                "parameters": [slug, _path("action", {"type": "string", "enum": ["install", "close"]})],
                "security": BEARER,
                "responses": {"200": _json("The state and the moves made.", MOVES), **PLANNING_ERRORS},
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
            },
            "post": {
                "operationId": "createExhibition",
                "summary": "Plan a new exhibition (collection managers and administrators)",
                "security": BEARER,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {**SPEC, "required": ["slug", "title", "title_en"]}}},
                },
                "responses": {"201": _json("The exhibition as saved.", PLANNED), **PLANNING_ERRORS},
            },
        },
        **_planning_paths(slug),
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
