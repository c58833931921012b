"""IIIF routes: the Image API 3 service and the Presentation API 3 manifests and collections.

The routes only route; parsing, access and rendering live in `iiif` and `heritage`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, request, send_file
from sqlalchemy import select

from heritage.access import Visibility, visibility
from heritage.catalogue import get_collection, get_item
from heritage.errors import NotFound
from heritage.models import Item
from iiif import urls
from iiif.image_service import INFO_MEDIA_TYPE, PROFILE_URI, info_json, render, resolve_image
from iiif.parameters import ImageRequest
from iiif.presentation import build_collection, build_manifest, has_manifest
from web.context import base_url, runtime, session, viewer

bp = Blueprint("iiif", __name__, url_prefix="/iiif")
PRESENTATION_MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
CACHE_PUBLIC = "public, max-age=86400"


def _json_ld(document: dict[str, Any], media_type: str) -> Response:
    response = jsonify(document)
    accept = request.headers.get("Accept", "")
    response.mimetype = "application/json"
    if "application/ld+json" in accept:
        response.headers["Content-Type"] = media_type
    return response


@bp.get("/image/3/<image_id>")
def image_base(image_id: str) -> Response:
    """The base URI redirects to info.json."""
    return redirect(f"{request.base_url}/info.json", code=303)


@bp.get("/image/3/<image_id>/info.json")
def image_info(image_id: str) -> Response:
    rt = runtime()
    image = resolve_image(session(), rt.storage, image_id, viewer())
    base_id = urls.image_service(base_url(), image_id)
    response = _json_ld(info_json(image, base_id, max_area=rt.settings.iiif_max_area), INFO_MEDIA_TYPE)
    response.headers["Link"] = f'<{PROFILE_URI}>;rel="profile"'
    response.headers["Cache-Control"] = CACHE_PUBLIC
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/image/3/<image_id>/<region>/<size>/<rotation>/<quality_format>")
def image(image_id: str, region: str, size: str, rotation: str, quality_format: str) -> Response:
    rt = runtime()
    image_request = ImageRequest.parse(region, size, rotation, quality_format)
    resolved = resolve_image(session(), rt.storage, image_id, viewer())
    rendered = render(resolved, image_request, max_area=rt.settings.iiif_max_area, quality=rt.settings.jpeg_quality)
    if rendered.path is not None:
        response = send_file(rendered.path, mimetype=rendered.media_type, conditional=True, etag=True, max_age=86400)
    else:
        response = Response(rendered.data, mimetype=rendered.media_type)
        response.set_etag(hashlib.sha1(rendered.data or b"", usedforsecurity=False).hexdigest())
        response.make_conditional(request)
    response.headers["Cache-Control"] = CACHE_PUBLIC
    canonical = f"{urls.image_service(base_url(), image_id)}/{rendered.canonical}"
    response.headers["Link"] = f'<{canonical}>;rel="canonical", <{PROFILE_URI}>;rel="profile"'
    return response


@bp.get("/presentation/3/<item_id>/manifest")
def manifest(item_id: str) -> Response:
    item = get_item(session(), item_id)
    if visibility(viewer(), item) < Visibility.FULL or not has_manifest(item):
        raise NotFound(f"no manifest for {item_id!r}")
    response = _json_ld(build_manifest(item, base_url()), PRESENTATION_MEDIA_TYPE)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/presentation/3/collection/<slug>")
def collection(slug: str) -> Response:
    db = session()
    coll = get_collection(db, slug)
    items = [
        i
        for i in db.scalars(select(Item).where(Item.collection_id == coll.id).order_by(Item.position))
        if has_manifest(i) and visibility(viewer(), i) >= Visibility.FULL
    ]
    return _json_ld(build_collection(coll, items, base_url()), PRESENTATION_MEDIA_TYPE)
