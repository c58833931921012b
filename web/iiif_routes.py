"""IIIF routes: the Image API 3 service and the Presentation API 3 manifests and collections.

The routes only route; parsing, access and rendering live in `iiif` and `heritage`. Every response
under /iiif/ (errors included) carries `Access-Control-Allow-Origin: *` (set in `web.app`).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request, send_file
from sqlalchemy import select

from heritage.access import Visibility, item_access, visibility
from heritage.catalogue import get_collection, get_item
from heritage.errors import NotFound
from heritage.models import Collection, Item
from heritage.settings import Settings
from iiif import auth, urls
from iiif.image_service import (
    IMAGE_MAX_AGE,
    INFO_MEDIA_TYPE,
    PROFILE_URI,
    ImageResolver,
    Limits,
    described_only,
    image_headers,
    info_json,
    plan,
    render,
)
from iiif.parameters import ImageRequest
from iiif.presentation import (
    build_collection,
    build_collections,
    build_item_collection,
    build_manifest,
    has_manifest,
    image_tree,
)
from iiif.render_cache import RenderCache
from web.context import base_url, runtime, session, viewer

bp = Blueprint("iiif", __name__, url_prefix="/iiif")
PRESENTATION_MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
PROFILE_LINK = f'<{PROFILE_URI}>;rel="profile"'


def _json_ld(document: dict[str, Any], media_type: str) -> Response:
    response = jsonify(document)
    response.mimetype = "application/json"
    if "application/ld+json" in request.headers.get("Accept", ""):
        response.headers["Content-Type"] = media_type
    response.vary.add("Accept")
    return response


def image_resolver(app: Flask) -> ImageResolver:
    """The app's image resolver (one per process), shared with the stored-tile fast path."""
    found = app.extensions.get("iiif_resolver")
    if found is None:
        rt = app.extensions["heritage"]
        found = app.extensions["iiif_resolver"] = ImageResolver(
            rt.storage, rt.sessions, version=rt.access_stamp.current
        )
    return found


def _resolver() -> ImageResolver:
    return image_resolver(current_app._get_current_object())  # type: ignore[attr-defined]


def _cache() -> RenderCache:
    found = current_app.extensions.get("iiif_render_cache")
    if found is None:
        settings = runtime().settings
        found = RenderCache(settings.data_dir / "cache" / "iiif", settings.iiif_cache_mb * 1024 * 1024)
        current_app.extensions["iiif_render_cache"] = found
    return found


def limits_of(settings: Settings) -> Limits:
    return Limits(max_area=settings.iiif_max_area, max_width=settings.iiif_max_width)


def encoding_of(settings: Settings) -> str:
    """What besides the request changes a render's bytes: part of its ETag and cache key."""
    return f"q{settings.jpeg_quality}"


def _limits() -> Limits:
    return limits_of(runtime().settings)


def _cache_control(response: Response, public: bool, max_age: int = IMAGE_MAX_AGE) -> Response:
    # Images of items that are not public may reach a granted viewer, never a shared cache.
    response.headers["Cache-Control"] = f"{'public' if public else 'private'}, max-age={max_age}"
    return response


@bp.get("/image/3/<image_id>")
def image_base(image_id: str) -> Response:
    """The base URI redirects to info.json."""
    _resolver().resolve(image_id, viewer())
    return redirect(f"{request.base_url}/info.json", code=303)


@bp.get("/image/3/<image_id>/info.json")
def image_info(image_id: str) -> Response:
    """The image's info.json; its `id` is the base URI the client asked for."""
    image, seen = _resolver().lookup(image_id, viewer())
    base_id = urls.image_service(base_url(), image_id)
    limits = _limits()
    services = auth.services(base_url(), image_id) if auth.needs_auth(item_access(image.access)) else None
    info = info_json(image, base_id, limits, services)
    if seen < Visibility.FULL:  # a restricted item's image: how to get access (IIIF Authorization Flow 2.0)
        response = _json_ld(described_only(info), INFO_MEDIA_TYPE)
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="iiif"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    response = _json_ld(info, INFO_MEDIA_TYPE)
    response.headers["Link"] = PROFILE_LINK
    response.set_etag(hashlib.sha1(response.get_data(), usedforsecurity=False).hexdigest())
    return _cache_control(response, image.public).make_conditional(request)


@bp.get("/image/3/<image_id>/<region>/<size>/<rotation>/<quality_format>")
def image(image_id: str, region: str, size: str, rotation: str, quality_format: str) -> Response:
    """An image request: a stored tile as it is, or a render from the pyramid through the disk cache."""
    image_request = ImageRequest.parse(region, size, rotation, quality_format)
    resolved = _resolver().resolve(image_id, viewer())
    settings = runtime().settings
    limits = _limits()
    planned = plan(resolved, image_request, limits, encoding=encoding_of(settings))
    if planned.etag in request.if_none_match:
        response = Response(status=304)
    else:
        source: Any = planned.tile
        if source is None:
            cache = _cache()
            source = cache.open(planned.etag, image_request.format)
            if source is None:
                data = render(resolved, planned, limits, quality=settings.jpeg_quality)
                cache.put(planned.etag, image_request.format, data)
                source = io.BytesIO(data)
        response = send_file(source, mimetype=planned.media_type, etag=planned.etag, conditional=True)
    for name, value in image_headers(resolved, planned, urls.image_service(base_url(), image_id)):
        response.headers[name] = value
    return response


@bp.get("/presentation/3/<item_id>/manifest")
def manifest(item_id: str) -> Response:
    """The manifest of an item with images."""
    try:
        item: Item | None = get_item(session(), item_id)
    except NotFound:
        item = None
    # A restricted item's manifest is there for everyone who may see its description: its image services
    # declare the IIIF Authorization Flow, by which a viewer anywhere opens them to an approved reader.
    if item is None or visibility(viewer(), item) == Visibility.NONE or not has_manifest(item):
        raise NotFound(f"no manifest for {item_id!r}")  # the same for an unknown and a closed item
    return _presentation(build_manifest(item, base_url()))


def _presentation(document: dict[str, Any]) -> Response:
    response = _json_ld(document, PRESENTATION_MEDIA_TYPE)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.set_etag(hashlib.sha1(response.get_data(), usedforsecurity=False).hexdigest())
    return response.make_conditional(request)


@bp.get("/presentation/3/collections")
def collections() -> Response:
    """Every catalogue collection with images the viewer may see."""
    db = session()
    listed = [
        c for c in db.scalars(select(Collection).order_by(Collection.title)) if image_tree(db, c, viewer()).manifests
    ]
    return _presentation(build_collections(listed, base_url()))


@bp.get("/presentation/3/collection/<slug>")
@bp.get("/presentation/3/collection/<slug>/page/<int:page>")
def collection(slug: str, page: int | None = None) -> Response:
    """A catalogue collection, nested down its archival tree; paged when it is long."""
    db = session()
    coll = get_collection(db, slug)
    try:
        return _presentation(build_collection(coll, image_tree(db, coll, viewer()), base_url(), page=page))
    except LookupError as exc:
        raise NotFound(f"collection {slug!r}: {exc}") from None


@bp.get("/presentation/3/<item_id>/collection")
@bp.get("/presentation/3/<item_id>/collection/page/<int:page>")
def item_collection(item_id: str, page: int | None = None) -> Response:
    """One level of the archival tree (fonds, series, file with parts) as a IIIF Collection."""
    db = session()
    item = get_item(db, item_id)
    if visibility(viewer(), item) == Visibility.NONE:
        raise NotFound(f"item {item_id!r} does not exist")
    try:
        return _presentation(
            build_item_collection(item, image_tree(db, item.collection, viewer()), base_url(), page=page)
        )
    except LookupError as exc:
        raise NotFound(f"no IIIF collection for {item_id!r}: {exc}") from None


@bp.get("/presentation/3/exhibition/<slug>")
def exhibition_collection(slug: str) -> Response:
    """An exhibition as a IIIF Collection: one Manifest per page of its story."""
    from web.exhibitions import iiif_collection

    return _presentation(iiif_collection(slug))


@bp.get("/presentation/3/exhibition/<slug>/page/<int:n>/manifest")
def exhibition_page_manifest(slug: str, n: int) -> Response:
    """One page of an exhibition's story as a IIIF Manifest of its image regions."""
    from web.exhibitions import iiif_page_manifest

    return _presentation(iiif_page_manifest(slug, n))
