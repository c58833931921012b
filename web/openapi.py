"""The OpenAPI 3.1 description of the JSON API, built from the same tables the API reads (facets,
sorts, limits), so that the document cannot drift from what the API does; a schemathesis test holds
the API to it."""

from __future__ import annotations

from typing import Any

from heritage.auth import SCOPES
from heritage.authorities.vocabulary import types as authority_types
from heritage.editing import editable_fields
from heritage.search import MAX_QUERY_LENGTH, MAX_RESULT_WINDOW, SORTS, facets_for
from heritage.search.query_syntax import MAX_DEPTH, MAX_WORDS
from web.authorities import MAX_LIMIT as MAX_AUTHORITIES
from web.authorities import MAX_QUERY as MAX_AUTHORITY_QUERY
from web.i18n import LANGUAGES
from web.loans_openapi import loan_paths
from web.museum_openapi import museum_paths
from web.openapi_more import more_paths, with_tags
from web.search_params import MAX_FACET_VALUES, MAX_PAGE, MAX_PER_PAGE, MAX_VALUE_LENGTH, YEAR_BOUND

# No parameter may hold a NUL byte (PostgreSQL cannot even compare one): the app refuses it with a 400.
NO_NUL = "^[^\u0000]*$"
_SCOPE = f"(?:{'|'.join(SCOPES)})"
SCOPES_PATTERN = rf"^[\s,]*(?:{_SCOPE}(?:[\s,]+{_SCOPE})*)?[\s,]*$"  # as `heritage.auth.parse_scopes` reads them
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_INT = {"type": ["integer", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _html(description: str) -> dict[str, Any]:
    """An answer of a catalogue page route (not under /api/): its errors are pages, not JSON."""
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "A parameter is unknown or malformed; the message names it."),
    "404": _json(_ref("Error"), "No such item, or not one this viewer may see."),
    "401": _json(_ref("Error"), "The bearer token is unknown, revoked or expired."),
}
# Reading needs no token; one makes the request as its user (what they may see). See the README.
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"bearerToken": []}]
# Changing needs one (scope edit) of a user who may edit the item: administrators, or staff of its unit.
BEARER: list[dict[str, list[str]]] = [{"bearerToken": []}]
ETAG_HEADER = {
    "ETag": {"description": "The item's version; send it as If-Match to change the item.", "schema": {"type": "string"}}
}
# What one does next with an item one has read: change it (with its ETag), read its history, revert it.
ITEM_LINKS = {
    "UpdateItem": {
        "operationId": "updateItem",
        "parameters": {"item_id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
    },
    "ItemHistory": {"operationId": "getItemHistory", "parameters": {"item_id": "$response.body#/id"}},
    "RevertItem": {"operationId": "revertItem", "parameters": {"item_id": "$response.body#/id"}},
}
EDIT_ERRORS = {
    "400": _json(_ref("Error"), "A field is unknown or its value unacceptable; the message names the field."),
    "401": _json(_ref("Error"), "No bearer token, or one that is unknown, revoked or expired."),
    "403": _json(_ref("Error"), "The token lacks scope edit, or its user may not edit this item."),
    "404": _json(_ref("Error"), "No such item, or not one this user may see."),
}
ITEM_ID = {
    "name": "item_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 64, "pattern": NO_NUL},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "schema": {"type": "string", "maxLength": 200},
    "description": "The ETag of the version the change is based on (GET /api/items/{item_id}).",
}
PAGE = {
    "name": "page",
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    "description": "Page number.",
}
SEARCH_PAGE = {
    **PAGE,
    "description": f"Page number; a page past the first {MAX_RESULT_WINDOW:,} results has no items (the total and "
    "the facets are there to narrow the search by).",
}


def _search_parameters() -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {
            "name": "q",
            "in": "query",
            "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH, "pattern": NO_NUL},
            "description": 'Query: words (all must occur), OR/OF, NOT/NIET, "phrases", prefix*, fuzzy~, '
            "fields title:, creator:, subject:, place:, identifier:, text:. Read with this syntax when it keeps "
            f"its rules: quotes and brackets pair up (at most {MAX_DEPTH} deep), every operator has its words, "
            f"at most {MAX_WORDS} words; any other query is searched as its plain words (the first {MAX_WORDS}).",
        },
        SEARCH_PAGE,
        {
            "name": "per_page",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
        },
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS), "default": "relevance"}},
        {
            "name": "from",
            "in": "query",
            "schema": {"type": "integer", "minimum": -YEAR_BOUND, "maximum": YEAR_BOUND},
            "description": "Items whose dates reach this year or later.",
        },
        {
            "name": "to",
            "in": "query",
            "schema": {"type": "integer", "minimum": -YEAR_BOUND, "maximum": YEAR_BOUND},
            "description": "Items whose dates reach this year or earlier; `from` and `to` name one range in "
            "either order (from=1900&to=1800 is 1800 to 1900).",
        },
        {
            "name": "lang",
            "in": "query",
            "schema": {"type": "string", "enum": list(LANGUAGES)},
            "description": "The language of snippets and labels; any other value is a 400.",
        },
    ]
    for name in facets_for(False):
        params.append(
            {
                "name": name,
                "in": "query",
                "style": "form",
                "explode": True,
                "schema": {
                    "type": "array",
                    "maxItems": MAX_FACET_VALUES,
                    "items": {"type": "string", "maxLength": MAX_VALUE_LENGTH, "pattern": NO_NUL},
                },
                "description": f"Only items with this {name} (several values: any of them).",
            }
        )
    return params


def _field_properties() -> dict[str, Any]:
    """Each editable field with the JSON it takes (heritage/editing/fields.toml), labels as descriptions."""
    text = {"type": ["string", "null"], "maxLength": 20_000, "pattern": NO_NUL}
    short = {"type": ["string", "null"], "maxLength": 2000, "pattern": NO_NUL}
    lines = {"type": ["array", "null"], "items": {"type": "string", "maxLength": 20_000, "pattern": NO_NUL}}

    def record(*keys: str) -> dict[str, Any]:
        return {
            "type": "object",
            "required": [keys[0]],
            "properties": {key: short for key in keys},
            "additionalProperties": False,
        }

    kinds: dict[str, Any] = {
        "text": text,
        "longtext": text,
        "choice": short,
        "date": {**short, "description": "YYYY-MM-DD"},
        "coordinates": {**short, "description": "latitude, longitude in decimal degrees"},
        "lines": lines,
        "date_lines": lines,
        "agents": {"type": ["array", "null"], "items": record("name", "role", "id")},
        "terms": {"type": ["array", "null"], "items": record("label", "id")},
        "taxon": {"oneOf": [record("scientific_name", "rank", "kingdom", "family", "id"), {"type": "null"}]},
    }
    out = {}
    for spec in editable_fields():
        schema = dict(kinds[spec.kind])
        schema["description"] = spec.label("en") + (
            f" (one of: {', '.join(c.value for c in spec.choices)})" if spec.kind == "choice" else ""
        )
        out[spec.name] = schema
    return out


def _schemas() -> dict[str, Any]:
    path_entry = {
        "type": "object",
        "required": ["id", "title", "level"],
        "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "level": {"type": "string"}},
    }
    facet_value = {
        "type": "object",
        "required": ["value", "count"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0}},
    }
    return {
        "TokenRequest": {
            "type": "object",
            "required": ["username", "password"],
            "properties": {
                "username": {"type": "string", "maxLength": 100, "pattern": NO_NUL},
                "password": {"type": "string", "maxLength": 1000, "pattern": NO_NUL},
                "scopes": {
                    "type": "array",
                    "items": {"type": "string", "pattern": SCOPES_PATTERN},
                    "description": f"Any of {', '.join(SCOPES)}; an item may name several, separated by commas "
                    "or spaces; none is read.",
                },
                "expires": {"type": "string", "format": "date"},
            },
            "additionalProperties": False,
        },
        "Token": {
            "type": "object",
            "required": ["token", "id", "prefix", "scopes", "expires"],
            "properties": {
                "token": {"type": "string"},
                "id": {"type": "integer"},
                "prefix": {"type": "string"},
                "scopes": {"type": "array", "items": {"type": "string"}},
                "expires": NULLABLE_STRING,
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["status", "message"],
                    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
                }
            },
        },
        "Hit": {
            "type": "object",
            "required": ["id", "title", "collection", "domain", "level", "access", "url", "api", "manifest"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "title_en": NULLABLE_STRING,
                "titles": {"type": "object", "additionalProperties": {"type": "string"}},
                "collection": {"type": "string"},
                "domain": {"type": "string", "enum": ["archive", "library", "science", "museum"]},
                "level": {"type": "string"},
                "date": NULLABLE_STRING,
                "date_from": NULLABLE_INT,
                "date_to": NULLABLE_INT,
                "creators": {"type": "array", "items": {"type": "string"}},
                "access": {"type": "string", "enum": ["public", "restricted", "closed"]},
                "has_images": {"type": "boolean"},
                "path": {"type": "array", "items": path_entry},
                "snippet": {
                    "type": ["string", "null"],
                    "description": "HTML: the record's text escaped, matching words in <mark>.",
                },
                "text_hits": {
                    "type": "array",
                    "description": "Pages whose full text matched (only where the viewer may see the images): "
                    "the page (1-based), a snippet (HTML, matching words in <mark>) and the record page opened "
                    "on that page with the words to mark.",
                    "items": {
                        "type": "object",
                        "required": ["page", "snippet"],
                        "properties": {
                            "page": {"type": "integer", "minimum": 1},
                            "snippet": {"type": "string"},
                            "url": {"type": "string", "format": "uri"},
                        },
                    },
                },
                "score": {"type": ["number", "null"]},
                "children": NULLABLE_INT,
                "url": {"type": "string", "format": "uri"},
                "api": {"type": "string", "format": "uri"},
                "manifest": {"type": ["string", "null"], "format": "uri"},
                "thumbnail": {"type": ["string", "null"], "format": "uri"},
            },
        },
        "SearchResult": {
            "type": "object",
            "required": ["total", "page", "per_page", "items", "facets"],
            "properties": {
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "items": {"type": "array", "items": _ref("Hit")},
                "facets": {
                    "type": "object",
                    "properties": {name: {"type": "array", "items": facet_value} for name in facets_for(False)},
                    "additionalProperties": {"type": "array", "items": facet_value},
                },
                "suggestion": {"type": "string", "description": "A corrected query, when nothing was found."},
            },
        },
        "Children": {
            "type": "object",
            "required": ["total", "page", "per_page", "items"],
            "properties": {
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "items": {"type": "array", "items": _ref("Hit")},
            },
        },
        "Item": {
            "type": "object",
            "required": ["id", "title", "collection", "domain", "level", "access", "url", "manifest", "metadata"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "title_en": NULLABLE_STRING,
                "collection": {"type": "string"},
                "domain": {"type": "string"},
                "unit": {"type": "string"},
                "level": {"type": "string"},
                "local_id": NULLABLE_STRING,
                "date": NULLABLE_STRING,
                "date_from": NULLABLE_INT,
                "date_to": NULLABLE_INT,
                "access": {"type": "string"},
                "held_back": {
                    **NULLABLE_STRING,
                    "description": "Why the item's ingest holds it back from the public (its files failed or have "
                    "not arrived); only staff of its unit see such an item.",
                },
                "rights": NULLABLE_STRING,
                "url": {"type": "string"},
                "manifest": NULLABLE_STRING,
                "parent": NULLABLE_STRING,
                "path": {"type": "array", "items": path_entry},
                "children": {"type": "array", "items": path_entry},
                "metadata": {"type": "object", "description": "The core record (see metadata_schemas.core)."},
                "standard": NULLABLE_STRING,
                "files": {"type": "array", "items": {"type": "object"}},
                "version": {"type": "integer", "description": "The item's version (also its ETag)."},
                "edited_at": {**NULLABLE_STRING, "description": "When it was last edited; null: as imported."},
                "withdrawn_at": NULLABLE_STRING,
                "fields": {"type": "object", "description": "For those who may edit it: every field's value."},
            },
        },
        "Saved": {
            "type": "object",
            "required": ["id", "version", "revision", "changes", "warnings"],
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "integer", "minimum": 1},
                "revision": {**NULLABLE_INT, "description": "The revision written; null when nothing changed."},
                "changes": {"type": "array", "items": _ref("Change")},
                "warnings": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "What was kept but looks wrong (a date that does not exist, such as 31-02-1921).",
                },
            },
        },
        "Change": {
            "type": "object",
            "required": ["field", "before", "after"],
            "properties": {"field": {"type": "string"}, "before": {}, "after": {}},
        },
        "Stale": {
            "type": "object",
            "required": ["error", "version", "fields"],
            "properties": {
                "error": {"type": "object"},
                "version": {"type": "integer", "description": "The item's current version."},
                "fields": {"type": "object", "description": "The item's current values, by field name."},
            },
        },
        "Fields": {
            "type": "object",
            "properties": {
                **_field_properties(),
                "reason": {"type": ["string", "null"], "maxLength": 2000, "pattern": NO_NUL},
            },
            "additionalProperties": False,
            "description": "Field name -> new value (the fields of heritage/editing/fields.toml; a field of another "
            'domain than the item\'s collection is refused); "reason" says why (kept in the history).',
        },
        "NewItem": {
            "type": "object",
            "properties": {
                "parent": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL},
                "collection": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL},
                "fields": {"type": "object", "properties": _field_properties(), "additionalProperties": False},
                "reason": {"type": "string", "maxLength": 2000, "pattern": NO_NUL},
            },
            "additionalProperties": False,
            "oneOf": [{"required": ["parent"]}, {"required": ["collection"]}],
            "description": "Exactly one of parent (an item id) and collection (a slug); fields as for PATCH.",
        },
        "Revert": {
            "type": "object",
            "required": ["revision"],
            "properties": {
                "revision": {"type": "integer", "minimum": 1, "maximum": 2**31},
                "reason": {"type": "string", "maxLength": 2000, "pattern": NO_NUL},
            },
            "additionalProperties": False,
        },
        "History": {
            "type": "object",
            "required": ["revisions"],
            "properties": {
                "revisions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["number", "kind", "by", "at", "reason", "changes"],
                        "properties": {
                            "number": {"type": "integer"},
                            "kind": {"type": "string"},
                            "by": {"type": "string"},
                            "at": {"type": "string", "format": "date-time"},
                            "reason": NULLABLE_STRING,
                            "changes": {"type": "array", "items": _ref("Change")},
                        },
                    },
                }
            },
        },
        "Authority": {
            "type": "object",
            "required": ["id", "type", "name", "variants", "ids", "items"],
            "properties": {
                "id": {"type": "string"},
                "type": {"type": "string", "enum": list(authority_types())},
                "name": {"type": "string", "description": "The preferred name."},
                "variants": {"type": "array", "items": {"type": "string"}, "description": "Other names."},
                "ids": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["scheme", "uri"],
                        "properties": {"scheme": {"type": "string"}, "uri": {"type": "string"}},
                    },
                    "description": "External ids (VIAF, Wikidata, ULAN, TGN, GBIF, LCSH, GND, ...) as URIs.",
                },
                "items": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "How many items this viewer may see link to it (closed ones never count).",
                },
                "dates": NULLABLE_STRING,
                "url": {"type": "string", "format": "uri"},
            },
        },
        "Authorities": {
            "type": "object",
            "required": ["authorities"],
            "properties": {"authorities": {"type": "array", "items": _ref("Authority")}},
        },
        "Collections": {
            "type": "object",
            "required": ["collections"],
            "properties": {
                "collections": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["slug", "title", "iiif", "domain", "items"],
                        "properties": {
                            "slug": {"type": "string"},
                            "title": {"type": "string"},
                            "title_en": NULLABLE_STRING,
                            "domain": {"type": "string"},
                            "unit": {"type": "string"},
                            "central": {"type": "boolean"},
                            "description": NULLABLE_STRING,
                            "description_en": NULLABLE_STRING,
                            "items": {"type": "integer", "minimum": 0},
                            "iiif": {"type": "string"},
                            "url": {"type": "string"},
                        },
                    },
                }
            },
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI document (servers are added per request), every operation tagged with its group."""
    return with_tags(_document())


def _document() -> dict[str, Any]:
    from heritage.search.suggest import KINDS as SUGGEST_KINDS  # (imports Whoosh: only when asked)
    from heritage.search.suggest import MAX_LIMIT as SUGGEST_LIMIT
    from heritage.search.suggest import MAX_QUERY_LENGTH as SUGGEST_QUERY_LENGTH
    from heritage.search.suggest import MIN_LENGTH as SUGGEST_MIN

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Heritage catalogue API",
            "version": "1",
            "description": "Search and read the heritage catalogue of archives, libraries, scientific collections "
            "and museums. Closed items do not exist for the public, not even in counts.",
        },
        "paths": {
            "/api/items": {
                "get": {
                    "operationId": "searchItems",
                    "summary": "Search the catalogue, with facet counts",
                    "parameters": _search_parameters(),
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": _json(_ref("SearchResult"), "One page of results."),
                        "400": ERRORS["400"],
                        "401": ERRORS["401"],
                    },
                },
                "post": {
                    "operationId": "createItem",
                    "summary": "Add an item under a parent or at the top of a collection",
                    "security": BEARER,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewItem")}}},
                    "responses": {
                        "201": {**_json(_ref("Saved"), "The new item (see Location)."), "headers": ETAG_HEADER},
                        **EDIT_ERRORS,
                    },
                },
            },
            "/api/items/{item_id}": {
                "get": {
                    "operationId": "getItem",
                    "summary": "One item with its metadata, hierarchy and files",
                    "parameters": [ITEM_ID],
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": {**_json(_ref("Item"), "The item."), "headers": ETAG_HEADER, "links": ITEM_LINKS},
                        "401": ERRORS["401"],
                        "404": ERRORS["404"],
                        "410": _json(_ref("Error"), "The item was withdrawn (a tombstone)."),
                    },
                },
                "patch": {
                    "operationId": "updateItem",
                    "summary": "Change fields of the item (If-Match: its ETag)",
                    "parameters": [ITEM_ID, IF_MATCH],
                    "security": BEARER,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Fields")}}},
                    "responses": {
                        "200": {**_json(_ref("Saved"), "What changed; the new version."), "headers": ETAG_HEADER},
                        **EDIT_ERRORS,
                        "412": _json(_ref("Stale"), "The item changed since that version: its current values."),
                        "428": _json(_ref("Error"), "No If-Match header."),
                    },
                },
            },
            "/api/items/{item_id}/history": {
                "get": {
                    "operationId": "getItemHistory",
                    "summary": "Who changed what of the item, newest first (staff of its unit)",
                    "parameters": [ITEM_ID],
                    "security": BEARER,
                    "responses": {
                        "200": _json(_ref("History"), "The revisions."),
                        "401": EDIT_ERRORS["401"],
                        "403": _json(_ref("Error"), "The history is for the staff of the item's unit."),
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/items/{item_id}/revert": {
                "post": {
                    "operationId": "revertItem",
                    "summary": "Bring the item's fields back to a revision (itself a new revision)",
                    "parameters": [ITEM_ID, {**IF_MATCH, "required": False}],
                    "security": BEARER,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Revert")}}},
                    "responses": {
                        "200": {**_json(_ref("Saved"), "What changed; the new version."), "headers": ETAG_HEADER},
                        **EDIT_ERRORS,
                        "412": _json(_ref("Stale"), "The item changed since that version: its current values."),
                    },
                }
            },
            "/api/items/{item_id}/children": {
                "get": {
                    "operationId": "getChildren",
                    "summary": "The item's children in archival order, 50 a page",
                    "parameters": [ITEM_ID, PAGE],
                    "responses": {
                        "200": _json(_ref("Children"), "One page of children."),
                        "400": ERRORS["400"],
                        "401": ERRORS["401"],
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/items/{item_id}/record": {
                "get": {
                    "operationId": "getOriginalRecord",
                    "summary": "The original metadata record, verbatim",
                    "parameters": [ITEM_ID],
                    "responses": {
                        "200": {
                            "description": "The record as it came in.",
                            "content": {"application/xml": {}, "text/csv": {}},
                        },
                        "401": ERRORS["401"],
                        "404": ERRORS["404"],
                    },
                }
            },
            "/api/collections": {
                "get": {
                    "operationId": "listCollections",
                    "summary": "Every collection with its IIIF collection and the items one may find",
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": _json(_ref("Collections"), "The collections."),
                        "401": ERRORS["401"],
                    },
                }
            },
            "/api/authorities": {
                "get": {
                    "operationId": "listAuthorities",
                    "summary": "Authorities by a prefix of any word of their names (what name fields suggest), or "
                    "all by name",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {"type": "string", "maxLength": MAX_AUTHORITY_QUERY, "pattern": NO_NUL},
                            "description": "The beginning of a name, or of a later word of it (case and accents "
                            "do not matter); none lists them by name.",
                        },
                        {"name": "type", "in": "query", "schema": {"type": "string", "enum": list(authority_types())}},
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_AUTHORITIES, "default": 20},
                        },
                    ],
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": _json(_ref("Authorities"), "The authorities found, best first."),
                        "400": ERRORS["400"],
                        "401": ERRORS["401"],
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Suggestions as one types: title words, names, places and subjects, with the number "
                    "of items this viewer may find for each",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "schema": {"type": "string", "maxLength": SUGGEST_QUERY_LENGTH, "pattern": NO_NUL},
                            "description": "What the box holds: its last word is completed (case and accents do not "
                            f"matter), the words before it narrow the items counted; under {SUGGEST_MIN} characters "
                            "there are no suggestions.",
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": SUGGEST_LIMIT, "default": 8},
                        },
                    ],
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["suggestions"],
                                "properties": {
                                    "suggestions": {
                                        "type": "array",
                                        "maxItems": SUGGEST_LIMIT,
                                        "items": {
                                            "type": "object",
                                            "required": ["text", "kind", "count"],
                                            "properties": {
                                                "text": {"type": "string"},
                                                "kind": {"type": "string", "enum": list(SUGGEST_KINDS)},
                                                "count": {"type": "integer", "minimum": 1},
                                            },
                                        },
                                    }
                                },
                            },
                            "Most counted first; what the search box becomes when one is chosen.",
                        ),
                        "400": ERRORS["400"],
                        "401": ERRORS["401"],
                    },
                }
            },
            "/api/authorities/{authority_id}": {
                "get": {
                    "operationId": "getAuthority",
                    "summary": "One authority",
                    "parameters": [
                        {
                            "name": "authority_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 64, "pattern": NO_NUL},
                        }
                    ],
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": _json(_ref("Authority"), "The authority."),
                        "301": {
                            "description": "It was merged into another: Location names that one.",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                        },
                        "401": ERRORS["401"],
                        "404": _json(_ref("Error"), "No such authority."),
                    },
                }
            },
            "/items/{item_id}/pdf": {
                "get": {
                    "operationId": "getItemPdf",
                    "summary": "The whole item as one PDF of its access copies, where the rights allow a download",
                    "parameters": [ITEM_ID],
                    "security": OPTIONAL_BEARER,
                    "responses": {
                        "200": {
                            "description": "A page per image, at most as large as the rights allow (an attachment).",
                            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                            "headers": {"ETag": {"description": "Changes with the PDF.", "schema": {"type": "string"}}},
                        },
                        "401": _html("The bearer token is unknown, revoked or expired."),
                        "403": _html("The item's rights statement allows no download."),
                        "404": _html("No such item, or none whose images this viewer may see."),
                    },
                }
            },
            "/api/token": {
                "post": {
                    "operationId": "createToken",
                    "summary": "Trade a username and password for an API token (rate-limited like the sign-in form)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("TokenRequest")}},
                    },
                    "responses": {
                        "201": _json(_ref("Token"), "The token, shown this once; send it as a bearer token."),
                        "400": ERRORS["400"],
                        "401": _json(_ref("Error"), "Wrong username or password."),
                        "429": _json(_ref("Error"), "Too many failed attempts; see Retry-After."),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document (OpenAPI 3.1); /api shows it as a page",
                    "responses": {"200": _json({"type": "object"}, "The document.")},
                }
            },
            **loan_paths(),
            **museum_paths(),
            **more_paths(),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearerToken": {"type": "http", "scheme": "bearer"}},
        },
    }
