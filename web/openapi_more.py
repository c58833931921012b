"""The routes the OpenAPI document describes beyond `/api/`: IIIF, OAI-PMH, the token upload and the JSON
beside the pages. Machines use them as much as `/api/`, so a reader of `/api` (and a script) finds them all;
tests/web/test_openapi_coverage.py fails for any such route missing here. Their answers are held to their own
standards (the IIIF validator, the OAI-PMH tests), not fuzzed from this document."""

from __future__ import annotations

from typing import Any

NO_NUL = "^[^\u0000]*$"
SEGMENT = {"type": "string", "maxLength": 200, "pattern": NO_NUL}
PAGE_NUMBER = {"type": "integer", "minimum": 0}
NOT_FOUND = {"description": "No such resource, or not one this viewer may see."}
UNAUTHORIZED = {"description": "The bearer token is unknown, revoked or expired."}
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {"bearerToken": []}]
BEARER: list[dict[str, list[str]]] = [{"bearerToken": []}]
# Which group of the readable API page (/api) each path belongs to: the first prefix that matches.
TAGS: tuple[tuple[str, str], ...] = (
    ("/api/items/{item_id}/history", "Editing"),
    ("/api/items/{item_id}/revert", "Editing"),
    ("/api/items", "Items"),
    ("/api/suggest", "Items"),
    ("/api/collections", "Items"),
    ("/api/exhibitions", "Exhibitions"),
    ("/api/authorities", "Authorities"),
    ("/api/loans", "Loans"),
    ("/api/museum", "Object entry, exit and acquisition"),
    ("/api/token", "Accounts"),
    ("/api/openapi.json", "About this API"),
    ("/iiif/image", "IIIF Image API 3"),
    ("/iiif/auth", "IIIF Authorization Flow 2.0"),
    ("/iiif/discovery", "IIIF Change Discovery"),
    ("/iiif/presentation", "IIIF Presentation API 3"),
    ("/oai", "OAI-PMH"),
    ("/archivist", "Ingest"),
    ("/items", "Citations"),
    ("/masterplan", "Masterplan"),
)


def _path(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema or SEGMENT}


def _json(description: str, schema: dict[str, Any] | None = None, media: str = "application/json") -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": schema or {"type": "object"}}}}


def _get(operation_id: str, summary: str, parameters: list[dict[str, Any]], ok: dict[str, Any]) -> dict[str, Any]:
    """A read operation as the public (or a bearer token's user) may ask it."""
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "parameters": parameters,
            "security": OPTIONAL_BEARER,
            "responses": {"200": ok, "401": UNAUTHORIZED, "404": NOT_FOUND},
        }
    }


def _iiif_paths() -> dict[str, Any]:
    image_id = _path("image_id")
    item_id = _path("item_id")
    slug = _path("slug")
    manifest = "application/ld+json"
    return {
        "/iiif/image/3/{image_id}": {
            "get": {
                "operationId": "getImageBase",
                "summary": "An image's base URI: redirects to its info.json",
                "parameters": [image_id],
                "security": OPTIONAL_BEARER,
                "responses": {"303": {"description": "See info.json."}, "401": UNAUTHORIZED, "404": NOT_FOUND},
            }
        },
        "/iiif/image/3/{image_id}/info.json": _get(
            "getImageInfo",
            "IIIF Image API 3 information: sizes, tiles, the largest size the image's rights allow",
            [image_id],
            _json("The image information (JSON-LD).", media=manifest),
        ),
        "/iiif/image/3/{image_id}/{region}/{size}/{rotation}/{quality_format}": {
            "get": {
                "operationId": "getImage",
                "summary": "A region of an image at a size, rotation, quality and format (IIIF Image API 3)",
                "parameters": [image_id, _path("region"), _path("size"), _path("rotation"), _path("quality_format")],
                "security": OPTIONAL_BEARER,
                "responses": {
                    "200": {
                        "description": "The image.",
                        "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
                    },
                    "400": {
                        "description": "Not an Image API request, or one impossible for this image (larger than "
                        "its rights allow, for one); the message says why."
                    },
                    "401": UNAUTHORIZED,
                    "404": NOT_FOUND,
                    "501": {"description": "A valid request for something this server does not offer."},
                },
            }
        },
        "/iiif/presentation/3/{item_id}/manifest": _get(
            "getManifest",
            "The IIIF Presentation 3 manifest of an item with images",
            [item_id],
            _json("The manifest.", media=manifest),
        ),
        "/iiif/presentation/3/{item_id}/collection": _get(
            "getItemCollection",
            "An archival unit as a IIIF collection of its children",
            [item_id],
            _json("The collection (its first page).", media=manifest),
        ),
        "/iiif/presentation/3/{item_id}/collection/page/{page}": _get(
            "getItemCollectionPage",
            "One page of an archival unit's IIIF collection",
            [item_id, _path("page", PAGE_NUMBER)],
            _json("The page.", media=manifest),
        ),
        "/iiif/presentation/3/collections": _get(
            "listIiifCollections",
            "Every collection as a IIIF collection",
            [],
            _json("The top collection.", media=manifest),
        ),
        "/iiif/presentation/3/collection/{slug}": _get(
            "getIiifCollection",
            "A collection's items as a IIIF collection",
            [slug],
            _json("The collection.", media=manifest),
        ),
        "/iiif/presentation/3/collection/{slug}/page/{page}": _get(
            "getIiifCollectionPage",
            "One page of a collection's IIIF collection",
            [slug, _path("page", PAGE_NUMBER)],
            _json("The page.", media=manifest),
        ),
        **_iiif_text_paths(item_id, manifest),
        "/iiif/discovery/activity/all-changes": _get(
            "getChangeDiscovery",
            "IIIF Change Discovery 1.0: the ordered collection of changes to public resources",
            [],
            _json("The ordered collection.", media=manifest),
        ),
        "/iiif/discovery/activity/all-changes/page/{n}": _get(
            "getChangeDiscoveryPage",
            "One page of IIIF Change Discovery activities",
            [_path("n", PAGE_NUMBER)],
            _json("The page.", media=manifest),
        ),
    }


def _iiif_auth_paths() -> dict[str, Any]:
    """The IIIF Authorization Flow 2.0 services (web/iiif_auth.py): the probe for scripts and viewers, the
    windows and the frame a viewer opens for a person."""
    origin = {"name": "origin", "in": "query", "required": True, "schema": SEGMENT}
    message_id = {"name": "messageId", "in": "query", "required": True, "schema": SEGMENT}
    html = {"description": "An HTML page.", "content": {"text/html": {}}}
    form = {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
    }
    return {
        "/iiif/auth/2/probe/{image_id}": {
            "get": {
                "operationId": "getAuthProbe",
                "summary": "IIIF auth probe: AuthProbeResult2, status 200 when the access token opens the image, "
                "else 401 with how to get access",
                "parameters": [_path("image_id")],
                "security": OPTIONAL_BEARER,
                "responses": {"200": _json("AuthProbeResult2 (JSON-LD).")},
            }
        },
        "/iiif/auth/2/access": {
            "get": {
                "operationId": "getAuthAccess",
                "summary": "IIIF access service (active profile): the sign-in window a viewer opens",
                "parameters": [origin],
                "responses": {"200": html, "400": {"description": "No usable origin."}},
            },
            "post": {
                "operationId": "postAuthAccess",
                "summary": "Sign in (or confirm the viewer's origin); the window closes itself",
                "requestBody": form,
                "responses": {"200": html, "400": {"description": "No usable origin or CSRF token."}, "401": html},
            },
        },
        "/iiif/auth/2/token": {
            "get": {
                "operationId": "getAuthToken",
                "summary": "IIIF access token service: a page for a hidden frame that posts AuthAccessToken2 "
                "(or AuthAccessTokenError2) to the origin",
                "parameters": [message_id, origin],
                "responses": {"200": html},
            }
        },
        "/iiif/auth/2/logout": {
            "get": {
                "operationId": "getAuthLogout",
                "summary": "IIIF logout service: the window a viewer opens to sign out",
                "parameters": [],
                "responses": {"200": html},
            },
            "post": {
                "operationId": "postAuthLogout",
                "summary": "Sign out and revoke the person's access tokens; the window closes itself",
                "requestBody": form,
                "responses": {"200": html, "400": {"description": "No CSRF token."}},
            },
        },
    }


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}  # fmt: skip


def _search(operation_id: str, summary: str, item_id: dict[str, Any], media: str, prefix: bool) -> dict[str, Any]:
    """A Content Search request: 400 names the parameter at fault (no words in `q`, a `date` that is no range)."""
    operation = _get(
        operation_id,
        summary,
        [
            item_id,
            _query("q", "The beginning of a word." if prefix else 'Words; "a phrase" in quotes.'),
            _query("motivation", "Space-separated motivations; the text's annotations are `supplementing`."),
            _query("date", "Space-separated ranges of ISO 8601 times (start/end, UTC) when the text was made."),
            _query("user", "Not supported: listed as `ignored`."),
            *([] if prefix else [_query("page", "The page of results (from 1).", PAGE_NUMBER)]),
        ],
        _json("The answer (JSON-LD).", media=media),
    )
    operation["get"]["responses"]["400"] = {"description": "A parameter cannot be understood; the message says which."}
    return operation


def _iiif_text_paths(item_id: dict[str, Any], media: str) -> dict[str, Any]:
    """The text of an item's pages: ALTO, line annotations, Content Search 2.0 (and 1.0 for Mirador 4)."""
    page = _path("page", PAGE_NUMBER)
    return {
        "/iiif/presentation/3/{item_id}/alto/p{page}": _get(
            "getPageAlto",
            "The ALTO 4 XML of a page with text (coordinates as stored)",
            [item_id, page],
            {"description": "The ALTO.", "content": {"application/xml": {}}},
        ),
        "/iiif/presentation/3/{item_id}/annotations/p{page}": _get(
            "getPageTextAnnotations",
            "A page's lines as an AnnotationPage of supplementing text annotations",
            [item_id, page],
            _json("The AnnotationPage.", media=media),
        ),
        "/iiif/presentation/3/{item_id}/search": _search(
            "searchItemText", "IIIF Content Search 2.0 in an item's text", item_id, media, False
        ),
        "/iiif/presentation/3/{item_id}/autocomplete": _search(
            "autocompleteItemText", "IIIF Content Search 2.0 autocomplete: words of the text", item_id, media, True
        ),
        "/iiif/presentation/3/{item_id}/search/v1": _search(
            "searchItemTextV1", "The same search in Content Search 1.0 form (Mirador 4)", item_id, media, False
        ),
        "/iiif/presentation/3/{item_id}/autocomplete/v1": _search(
            "autocompleteItemTextV1", "The same autocomplete in Content Search 1.0 form", item_id, media, True
        ),
    }


def _oai() -> dict[str, Any]:
    answer = {
        "200": {"description": "The OAI-PMH answer (errors too, as the protocol says).", "content": {"text/xml": {}}}
    }
    verb = {"name": "verb", "in": "query", "required": True, "schema": {"type": "string"}}
    return {
        "/oai": {
            "get": {
                "operationId": "oaiGet",
                "summary": "OAI-PMH 2.0: Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords, "
                "GetRecord",
                "parameters": [verb],
                "security": OPTIONAL_BEARER,
                "responses": answer,
            },
            "post": {
                "operationId": "oaiPost",
                "summary": "OAI-PMH 2.0 with the arguments as a form (application/x-www-form-urlencoded)",
                "security": OPTIONAL_BEARER,
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}}},
                "responses": answer,
            },
        }
    }


def _staff_and_pages() -> dict[str, Any]:
    batch_id = _path("batch_id")
    staff = {"401": UNAUTHORIZED, "403": {"description": "Not staff of the batch's unit."}, "404": NOT_FOUND}
    upload_form = {
        "type": "object",
        "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
            "collection": {"type": "string", "description": "The slug of the collection (a new one is made)."},
            "new_collection": {"type": "string", "description": "The slug of a new collection (the form's)."},
            "unit": {"type": "string", "description": "The unit of a new collection."},
            "domain": {"type": "string", "enum": ["archive", "library", "science", "museum"]},
            "format": {
                "type": "string",
                "description": "auto, folder, bagit, csv, ead, marcxml, mods, lido, dwc, mets",
            },
        },
    }
    return {
        "/archivist/upload": {
            "post": {
                "operationId": "uploadBatch",
                "summary": "Upload a batch (a folder of scans with its sheet, or a BagIt bag's files) and start "
                "its ingest",
                "description": "Scripts send a bearer token of scope ingest of staff of the collection's unit; the "
                "batch runs in the background, followed at /archivist/batches/{batch_id}.json.",
                "security": BEARER,
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": upload_form}}},
                "responses": {
                    "303": {
                        "description": "Planned and started: Location is the batch's page.",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    },
                    "400": {
                        "description": "No files, a refused file name or an unreadable sheet (named); nothing kept."
                    },
                    "401": UNAUTHORIZED,
                    "403": {"description": "The token lacks scope ingest, or the collection is another unit's."},
                },
            }
        },
        "/archivist/batches/{batch_id}.json": {
            "get": {
                "operationId": "getBatchReport",
                "summary": "A batch's report, file by file (as heritage ingest --report), with its progress",
                "parameters": [batch_id],
                "security": BEARER,
                "responses": {"200": _json("The report."), **staff},
            }
        },
        "/archivist/batches/{batch_id}/progress.json": {
            "get": {
                "operationId": "getBatchProgress",
                "summary": "A batch's progress only: counts, the files being worked on, a sentence",
                "parameters": [batch_id],
                "security": BEARER,
                "responses": {"200": _json("The progress."), **staff},
            }
        },
        "/items/{item_id}/citation.json": _get(
            "getCitation", "The item's citation as CSL-JSON", [_path("item_id")], _json("CSL-JSON.", {"type": "array"})
        ),
        "/masterplan/figures.json": _get(
            "getMasterplanFigures", "Every figure of the masterplan dashboard", [], _json("The figures.")
        ),
    }


def more_paths() -> dict[str, Any]:
    """The paths beyond /api/, in the order the readable page shows them."""
    from web.openapi_exhibitions import exhibition_paths

    return {**_iiif_paths(), **_iiif_auth_paths(), **_oai(), **_staff_and_pages(), **exhibition_paths()}


def tag_of(path: str) -> str:
    """The group of a path on the readable API page."""
    return next((tag for prefix, tag in TAGS if path.startswith(prefix)), "Other")


def with_tags(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation tagged with its path's group (the groups of the readable page)."""
    for path, operations in document["paths"].items():
        for operation in operations.values():
            operation.setdefault("tags", [tag_of(path)])
    return document
