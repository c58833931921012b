"""IIIF routes: the Image API 3 service, the Presentation API 3 manifests and collections, and the text of the
pages (ALTO, line annotations, Content Search 2.0 and 1.0).

The routes only route; parsing, access and rendering live in `iiif` and `heritage`. Every response
under /iiif/ (errors included) carries `Access-Control-Allow-Origin: *` (set in `web.app`).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request, send_file
from sqlalchemy import select

from heritage.access import PUBLIC, Visibility, item_access, visibility
from heritage.catalogue import core_of, get_collection, get_item
from heritage.errors import NotFound
from heritage.fulltext.store import alto_of
from heritage.models import Collection, Item
from heritage.settings import Settings
from iiif import auth, content_search, urls
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
    image_files,
    image_tree,
    record_language,
)
from iiif.render_cache import RenderCache
from iiif.text_annotations import annotation_page
from iiif.text_layer import TextPage, pages_with_text, text_page
from web.context import base_url, runtime, session, viewer

bp = Blueprint("iiif", __name__, url_prefix="/iiif")
PRESENTATION_MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
SEARCH_MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/search/2/context.json"'
SEARCH_V1_MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/search/1/context.json"'
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


def _item_with_images(item_id: str) -> Item:
    """The item if it has a manifest the asker may see (its images), else NotFound alike for every case."""
    try:
        item: Item | None = get_item(session(), item_id)
    except NotFound:
        item = None
    # A restricted item's manifest is there for everyone who may see its description: its image services
    # declare the IIIF Authorization Flow, by which a viewer anywhere opens them to an approved reader.
    if item is None or visibility(viewer(), item) == Visibility.NONE or not has_manifest(item):
        raise NotFound(f"no manifest for {item_id!r}")  # the same for an unknown and a closed item
    return item


def _item_with_text(item_id: str) -> Item:
    """An item whose text the asker may read: only who may see its images (a manifest alone is not enough)."""
    try:
        item = _item_with_images(item_id)
    except NotFound:
        item = None
    if item is None or visibility(viewer(), item) < Visibility.FULL:
        raise NotFound(f"no text for {item_id!r}")  # the same for an unknown, a closed and a restricted item
    return item


@bp.get("/presentation/3/<item_id>/manifest")
def manifest(item_id: str) -> Response:
    """The manifest of an item with images."""
    return _presentation(build_manifest(_item_with_images(item_id), base_url()))


def _text_pages(item: Item, only: int | None = None) -> list[TextPage]:
    """The item's canvases with text (only canvas `only` when given), words in canvas coordinates."""
    files = image_files(item)
    rows = pages_with_text(session(), item, files)
    language = record_language(core_of(item))
    pages = []
    for n, row in rows.items():
        if only is None or n == only:
            found = text_page(runtime(), item, files[n - 1], n, row, base_url(), language)
            if found is not None:
                pages.append(found)
    return pages


def _page_of_text(item_id: str, page: str) -> tuple[Item, TextPage]:
    item = _item_with_text(item_id)
    n = int(page) if page.isdigit() else 0
    found = _text_pages(item, only=n) if n else []
    if not found:
        raise NotFound(f"item {item_id!r} has no text on page {page!r}")
    return item, found[0]


def _text_response(response: Response, item: Item) -> Response:
    """Cached by anyone for a public item's text; a granted reader's, by the reader's browser only."""
    public = visibility(PUBLIC, item) >= Visibility.FULL
    response.headers["Cache-Control"] = f"{'public' if public else 'private'}, max-age=300"
    response.vary.add("Cookie")
    response.vary.add("Authorization")
    return response


@bp.get("/presentation/3/<item_id>/alto/p<page>")
def alto(item_id: str, page: str) -> Response:
    """The ALTO 4 of a page with text, its coordinates as stored (the pixels of the image that was read)."""
    item, found = _page_of_text(item_id, page)
    files = image_files(item)
    data = alto_of(runtime(), files[found.n - 1].id)
    if data is None:
        raise NotFound(f"item {item_id!r} has no text on page {page!r}")
    return _text_response(Response(data, mimetype="application/xml"), item)


@bp.get("/presentation/3/<item_id>/annotations/p<page>")
def annotations(item_id: str, page: str) -> Response:
    """The lines of a page with text as an AnnotationPage of `supplementing` annotations."""
    item, found = _page_of_text(item_id, page)
    return _text_response(_json_ld(annotation_page(base_url(), item.id, found), PRESENTATION_MEDIA_TYPE), item)


def _searchable(item_id: str) -> tuple[Item, list[TextPage]]:
    item = _item_with_text(item_id)
    pages = _text_pages(item)
    if not pages:
        raise NotFound(f"item {item_id!r} has no text to search")
    return item, pages


@bp.get("/presentation/3/<item_id>/search")
def search(item_id: str) -> Response:
    """IIIF Content Search 2.0: the hits of `q` in the item's text, an AnnotationPage (paged: `page`)."""
    item, pages = _searchable(item_id)
    query = content_search.parse_query(request.args)
    page = content_search.page_number(request.args.get("page"))
    document = content_search.search_page(urls.search(base_url(), item.id), pages, query, page)
    return _text_response(_json_ld(document, SEARCH_MEDIA_TYPE), item)


@bp.get("/presentation/3/<item_id>/autocomplete")
def autocomplete(item_id: str) -> Response:
    """IIIF Content Search 2.0 autocomplete: the words of the item's text that begin with `q`, a TermPage."""
    item, pages = _searchable(item_id)
    query = content_search.parse_query(request.args, prefix=True)
    base = base_url()
    document = content_search.term_page(urls.autocomplete(base, item.id), urls.search(base, item.id), pages, query)
    return _text_response(_json_ld(document, SEARCH_MEDIA_TYPE), item)


@bp.get("/presentation/3/<item_id>/search/v1")
def search_v1(item_id: str) -> Response:
    """The same search in Content Search 1.0 form, for Mirador 4 (it reads no other)."""
    item, pages = _searchable(item_id)
    query = content_search.parse_query(request.args)
    page = content_search.page_number(request.args.get("page"))
    document = content_search.search_v1(urls.search_v1(base_url(), item.id), pages, query, page)
    return _text_response(_json_ld(document, SEARCH_V1_MEDIA_TYPE), item)


@bp.get("/presentation/3/<item_id>/autocomplete/v1")
def autocomplete_v1(item_id: str) -> Response:
    """The same autocomplete in Content Search 1.0 form."""
    item, pages = _searchable(item_id)
    query = content_search.parse_query(request.args, prefix=True)
    base = base_url()
    document = content_search.terms_v1(urls.autocomplete_v1(base, item.id), urls.search_v1(base, item.id), pages, query)
    return _text_response(_json_ld(document, SEARCH_V1_MEDIA_TYPE), item)


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
