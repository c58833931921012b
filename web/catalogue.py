"""The researcher's catalogue pages: home, search results, record page, embed page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, make_response, render_template, request

from heritage.access import Visibility, visibility
from heritage.catalogue import ancestors, core_of, get_item
from heritage.errors import BadRequest, NotFound
from iiif import urls
from iiif.presentation import has_manifest, image_files
from web.context import base_url, runtime, session, viewer
from web.search_params import search_query
from web.serialize import collections_json, hit_json

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def home() -> str:
    """Entry points per domain and collection, and one search box."""
    collections = collections_json(session(), base_url())
    domains: dict[str, list[dict[str, Any]]] = {}
    for c in collections:
        domains.setdefault(c["domain"], []).append(c)
    return render_template("home.html", domains=domains)


@bp.get("/search")
def search() -> tuple[str, int] | str:
    """Search results with facets; a query that cannot be read gets a helpful page."""
    try:
        query = search_query(request.args, viewer())
        result = runtime().index.search(query)
    except BadRequest as exc:
        return render_template("search.html", error=str(exc), result=None, hits=[], args=request.args), 400
    base = base_url()

    def link(**changes: Any) -> str:
        params = [(k, v) for k, v in request.args.items(multi=True) if k not in changes and k != "page"]
        for key, value in changes.items():
            if value is not None:
                params.append((key, value))
        return "/search?" + urlencode(params)

    def toggle(name: str, value: str) -> str:
        current = request.args.getlist(name)
        params = [(k, v) for k, v in request.args.items(multi=True) if k != "page" and not (k == name and v == value)]
        if value not in current:
            params.append((name, value))
        return "/search?" + urlencode(params)

    pages = max(1, -(-result.total // query.per_page))
    return render_template(
        "search.html",
        result=result,
        hits=[hit_json(h, base) for h in result.hits],
        query=query,
        pages=pages,
        link=link,
        toggle=toggle,
        args=request.args,
        error=None,
    )


@bp.get("/items/<item_id>")
def record(item_id: str) -> str:
    """The record page: all metadata, the hierarchy, the images, the manifest link."""
    item = get_item(session(), item_id)
    seen = visibility(viewer(), item)
    if seen == Visibility.NONE:
        raise NotFound(f"item {item_id!r} does not exist")
    base = base_url()
    images = image_files(item) if seen >= Visibility.FULL else []
    return render_template(
        "record.html",
        item=item,
        core=core_of(item),
        path=ancestors(item),
        children=[c for c in item.children if visibility(viewer(), c) > Visibility.NONE],
        images=images,
        image_base=[urls.image_service(base, f.id) for f in images],
        manifest=urls.manifest(base, item.id) if images and has_manifest(item) else None,
        restricted=seen == Visibility.METADATA,
    )


@bp.get("/embed/<item_id>")
def embed(item_id: str) -> Response:
    """A page for an iframe on a partner's site: the item's first image, deep-zoomable."""
    item = get_item(session(), item_id)
    if visibility(viewer(), item) < Visibility.FULL or not has_manifest(item):
        raise NotFound(f"item {item_id!r} has no images to embed")
    base = base_url()
    response = make_response(
        render_template(
            "embed.html",
            item=item,
            manifest=urls.manifest(base, item.id),
            record=urls.item_page(base, item.id),
            image_base=[urls.image_service(base, f.id) for f in image_files(item)],
            viewer=request.args.get("viewer", "openseadragon"),
        )
    )
    # Made to be framed by partner sites: no X-Frame-Options, and say so to CSP-aware browsers.
    response.headers["Content-Security-Policy"] = "frame-ancestors *"
    return response
