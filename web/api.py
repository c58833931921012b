"""The JSON API: search, items, collections."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from heritage.access import Visibility, visibility
from heritage.catalogue import get_item
from heritage.errors import NotFound
from web.context import base_url, runtime, session, viewer
from web.search_params import search_query
from web.serialize import collections_json, hit_json, item_json

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/items")
def items() -> Any:
    """Search the catalogue: {"total", "page", "per_page", "items", "facets"}."""
    query = search_query(request.args, viewer())
    result = runtime().index.search(query)
    base = base_url()
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "items": [hit_json(hit, base) for hit in result.hits],
            "facets": {name: [{"value": v, "count": c} for v, c in values] for name, values in result.facets.items()},
        }
    )


def _visible_item(item_id: str) -> Any:
    item = get_item(session(), item_id)
    if visibility(viewer(), item) == Visibility.NONE:
        raise NotFound(f"item {item_id!r} does not exist")
    return item


@bp.get("/items/<item_id>")
def item(item_id: str) -> Any:
    """One item with its metadata, hierarchy and files."""
    return jsonify(item_json(_visible_item(item_id), viewer(), base_url()))


@bp.get("/items/<item_id>/record")
def original_record(item_id: str) -> Response:
    """The original metadata record, verbatim, as it came in."""
    record = _visible_item(item_id).primary_record
    if record is None or not record.original:
        raise NotFound(f"item {item_id!r} has no original record")
    mimetype = "text/csv" if record.standard == "csv" else "application/xml"
    return Response(record.original, mimetype=mimetype, headers={"Access-Control-Allow-Origin": "*"})


@bp.get("/collections")
def collections() -> Any:
    """Every collection with its IIIF collection URL."""
    return jsonify({"collections": collections_json(session(), base_url())})
