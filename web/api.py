"""The JSON API: search, items, their children, collections, and its OpenAPI description."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, url_for

from heritage.access import Visibility, may_edit, tombstone_is_public, visibility
from heritage.access_changes import note_staff_view
from heritage.authorities import get_authority, resolve, visible_item_counts
from heritage.catalogue import get_item
from heritage.editing import values_of
from heritage.errors import BadRequest, HeritageError, NotFound, StaleVersion
from heritage.search import SearchQuery
from iiif import urls
from iiif.presentation import record_format
from web import api_editing
from web import authorities as authority_pages
from web.authorities import authority_json, authority_query
from web.catalogue import children_page, visible_counts
from web.context import acting_viewer, base_url, runtime, session, viewer
from web.i18n import current_language
from web.openapi import document as openapi_document
from web.page_cache import cached_for_the_public
from web.search_page import text_links
from web.search_params import search_query
from web.serialize import collections_json, hit_json, item_json

bp = Blueprint("api", __name__, url_prefix="/api")


def _facets_json(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[dict[str, Any]]]:
    return {name: [{"value": v, "count": c} for v, c in values] for name, values in facets.items()}


@bp.get("/items")
@cached_for_the_public
def items() -> Any:
    """Search the catalogue: {"total", "page", "per_page", "items", "facets"}."""
    query = search_query(request.args, viewer(), current_language())
    result = runtime().index.search(query)
    base = base_url()
    body: dict[str, Any] = {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "items": text_links(
            [hit_json(hit, base) for hit in result.hits], lambda item_id: urls.item_page(base, item_id), query.q
        ),
        "facets": _facets_json(result.facets),
    }
    if result.suggestion:
        body["suggestion"] = result.suggestion
    return jsonify(body)


class Gone(HeritageError):
    """A withdrawn item the public once saw: its tombstone."""

    status = 410


def _visible_item(item_id: str) -> Any:
    item = get_item(session(), item_id)
    if visibility(viewer(), item) == Visibility.NONE:
        if tombstone_is_public(item):
            raise Gone(f"item {item_id} was withdrawn on {item.withdrawn_at.date().isoformat()}")
        raise NotFound(f"item {item_id!r} does not exist")
    return item


@bp.get("/items/<item_id>")
def item(item_id: str) -> Any:
    """One item with its metadata, hierarchy and files; its ETag is its version (send it as If-Match to PATCH)."""
    found = _visible_item(item_id)
    who = viewer()
    note_staff_view(session(), who, found, "the JSON API")
    body = item_json(found, who, base_url())
    body["version"] = found.version
    body["edited_at"] = found.edited_at.isoformat() if found.edited_at else None
    body["withdrawn_at"] = found.withdrawn_at.isoformat() if found.withdrawn_at else None
    if may_edit(acting_viewer(), found):
        body["fields"] = values_of(found)  # by field name, as PATCH takes them
    response = jsonify(body)
    response.headers["ETag"] = api_editing.etag(found.version)
    return response


@bp.patch("/items/<item_id>")
def update_item(item_id: str) -> Any:
    """Change fields of the item (JSON by field name); If-Match with its ETag required."""
    try:
        return api_editing.update(item_id)
    except StaleVersion as exc:
        return api_editing.stale_response(exc)


@bp.post("/items")
def create_item() -> Any:
    """Add an item under a parent or at the top of a collection."""
    return api_editing.create()


@bp.get("/items/<item_id>/history")
def item_history(item_id: str) -> Any:
    """Who changed what of the item, newest first."""
    return api_editing.revision_history(item_id)


@bp.post("/items/<item_id>/revert")
def revert_item(item_id: str) -> Any:
    """Bring the item's fields back to a revision (itself a new revision)."""
    try:
        return api_editing.revert(item_id)
    except StaleVersion as exc:
        return api_editing.stale_response(exc)


@bp.get("/items/<item_id>/children")
def children(item_id: str) -> Any:
    """The item's children this viewer may see, in archival order, 50 a page."""
    _visible_item(item_id)
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise BadRequest(f"page={raw!r} must be a whole number from 1 to 100000")
    result = children_page(item_id, int(raw))
    base = base_url()
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "items": [hit_json(hit, base) for hit in result.hits],
        }
    )


@bp.get("/items/<item_id>/record")
def original_record(item_id: str) -> Response:
    """The original metadata record, verbatim, as it came in."""
    record = _visible_item(item_id).primary_record
    if record is None or not record.original:
        raise NotFound(f"item {item_id!r} has no original record")
    mimetype = record_format(record.standard)["format"]  # the same media type the manifest's seeAlso names
    return Response(record.original, mimetype=mimetype, headers={"Access-Control-Allow-Origin": "*"})


@bp.get("/collections")
def collections() -> Any:
    """Every collection with its IIIF collection URL and the number of items this viewer may find."""
    return jsonify({"collections": collections_json(session(), base_url(), visible_counts())})


@bp.get("/authorities")
def authorities_list() -> Any:
    """Authorities whose names have a word starting with `q` (the suggestions of name fields), or all by name;
    "items" counts the linked items this viewer may see."""
    query = authority_query(request.args, ("q", "type", "limit"), strict=True)
    found = authority_pages.found(query, query.limit)
    counts = visible_item_counts(session(), viewer(), [a.id for a in found])
    base = base_url()
    return jsonify({"authorities": [authority_json(a, counts[a.id], base) for a in found]})


@bp.get("/suggest")
@cached_for_the_public
def suggest() -> Any:
    """Suggestions for what the search box is becoming: {"suggestions": [{"text", "kind", "count"}]}, counted
    over what this viewer may find."""
    from heritage.search.suggest import read_limit
    from heritage.search.suggest import suggest as suggestions
    from web.context import viewer_search_scope

    for name in request.args:
        if name not in ("q", "limit") or len(request.args.getlist(name)) > 1:
            raise BadRequest(f"parameter {name!r}: this resource takes q and limit, each once")
    q = request.args.get("q", "")
    if "\x00" in q:
        raise BadRequest("q holds a NUL character")
    access, units = viewer_search_scope(viewer())
    scope = SearchQuery(access=access, units=units)
    found = suggestions(runtime().index, q, scope, read_limit(request.args.get("limit")))
    return jsonify({"suggestions": [s.as_json() for s in found]})


@bp.get("/authorities/<authority_id>")
def authority(authority_id: str) -> Any:
    """One authority; a merged one answers 301 to the one it went into."""
    if request.args:
        raise BadRequest(f"unknown parameter {next(iter(request.args))!r}: this resource takes none")
    found = get_authority(session(), authority_id)
    if found.merged_into:
        return redirect(url_for("api.authority", authority_id=resolve(session(), found.id).id), 301)
    count = visible_item_counts(session(), viewer(), [found.id])[found.id]
    return jsonify(authority_json(found, count, base_url()))


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.1 description of this API (a schemathesis test holds the API to it)."""
    document = openapi_document()
    document["servers"] = [{"url": base_url()}]
    response = jsonify(document)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
