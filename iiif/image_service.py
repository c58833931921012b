"""The IIIF Image API 3 service: which image an identifier names, its info.json, and rendering.

Tiles that `info.json` declares are stored files (made at ingest) and are answered as they are; any
other request is assembled from the tiles of the nearest pyramid level at or above the needed
resolution (never from the master) and kept in a size-bounded disk cache. No image a request assembles
holds more than `Limits.work_pixels` pixels (4 x maxArea): a request whose region would need more at the
right level is assembled from a coarser one; the output itself, the image after rotation, is bounded by
maxArea and maxWidth.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from heritage.access import PUBLIC, AccessFacts, Viewer, Visibility, visibility
from heritage.identifiers import is_valid_id
from heritage.models import File
from heritage.pyramid import MANIFEST_NAME, Pyramid
from heritage.storage import Storage
from iiif.auth import CONTEXT as AUTH_CONTEXT
from iiif.errors import ImageNotFound
from iiif.parameters import FORMATS, ImageRequest, Size

CONTEXT = "http://iiif.io/api/image/3/context.json"
PROFILE_URI = "http://iiif.io/api/image/3/level2.json"
INFO_MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
EXTRA_FEATURES = [
    "baseUriRedirect",
    "canonicalLinkHeader",
    "cors",
    "jsonldMediaType",
    "mirroring",
    "profileLinkHeader",
    "regionByPct",
    "regionByPx",
    "regionSquare",
    "rotationArbitrary",
    "rotationBy90s",
    "sizeByConfinedWh",
    "sizeByH",
    "sizeByPct",
    "sizeByW",
    "sizeByWh",
    "sizeUpscaling",
]
WORK_AREA_FACTOR = 4  # a level between 1x and 2x the output's resolution holds at most 4x its pixels


@dataclass(frozen=True)
class Limits:
    """The server's limits on one request: output area and width, and so the pixels it may allocate."""

    max_area: int | None = None
    max_width: int | None = None

    @property
    def work_pixels(self) -> int | None:
        return WORK_AREA_FACTOR * self.max_area if self.max_area else None


@dataclass(frozen=True)
class ResolvedImage:
    id: str
    item_id: str
    root: Path  # the derivative folder: pyramid.json and tiles/
    pyramid: Pyramid
    rights: str | None
    access: AccessFacts
    stamp: str  # changes whenever the derivatives are rebuilt: part of every ETag and cache key

    @property
    def width(self) -> int:
        return self.pyramid.width

    @property
    def height(self) -> int:
        return self.pyramid.height

    @property
    def public(self) -> bool:
        """Anyone may see it, so shared HTTP caches may keep it."""
        return visibility(PUBLIC, self.access) >= Visibility.FULL


def _load(session: Session, storage: Storage, image_id: str) -> ResolvedImage | None:
    file = session.get(File, image_id)
    if file is None or not file.is_image or not file.derivatives_ready:
        return None
    root = storage.derivative_dir(file.sha256, file.page)
    pyramid = Pyramid.load(root)
    if pyramid is None:
        return None
    try:
        built = os.stat(root / MANIFEST_NAME).st_mtime_ns
    except OSError:
        return None
    return ResolvedImage(
        file.id,
        file.item_id,
        root,
        pyramid,
        file.item.rights or file.item.collection.rights,
        AccessFacts.of_file(file),
        f"{file.sha256}:{built}",
    )


class ImageResolver:
    """Resolves identifiers to images, keeping what it found for `ttl` seconds (per process).

    Tiles are requested by the hundred per page view; the database is asked once per image per `ttl`.
    `version` (the access stamp of `heritage.access_changes`) is read before anything kept is used: when
    it changed, everything kept is forgotten, so a change of access reaches the image service at once.
    """

    def __init__(
        self,
        storage: Storage,
        sessions: Callable[[], Session],
        ttl: float = 5.0,
        size: int = 4096,
        version: Callable[[], object] | None = None,
    ) -> None:
        self.storage = storage
        self.sessions = sessions
        self.ttl = ttl
        self.size = size
        self.version = version
        self._version: object = version() if version else None
        self._found: OrderedDict[str, tuple[float, ResolvedImage]] = OrderedDict()
        self._lock = threading.Lock()

    def _forget_if_access_changed(self) -> None:
        if self.version is None:
            return
        current = self.version()
        if current != self._version:
            with self._lock:
                self._found.clear()
                self._version = current

    def peek(self, image_id: str) -> ResolvedImage | None:
        """The image if it was resolved less than `ttl` seconds ago and access has not changed since
        (no database, no access decision)."""
        self._forget_if_access_changed()
        hit = self._found.get(image_id)
        return hit[1] if hit is not None and time.monotonic() - hit[0] < self.ttl else None

    def resolve(self, image_id: str, viewer: Viewer) -> ResolvedImage:
        """The image named by `image_id`, if it exists, is ready and `viewer` may see its pixels.

        Raises:
            ImageNotFound: for every other case alike, so nothing leaks about closed items.
        """
        image, seen = self.lookup(image_id, viewer)
        if seen < Visibility.FULL:
            raise ImageNotFound(f"no image {image_id!r}")
        return image

    def lookup(self, image_id: str, viewer: Viewer) -> tuple[ResolvedImage, Visibility]:
        """The image and what `viewer` may see of its item: METADATA means it exists for them (a restricted
        item's image, described with its IIIF Authorization Flow services) without its pixels.

        Raises:
            ImageNotFound: unknown, not ready, or its item does not exist for `viewer` (closed), alike.
        """
        if not is_valid_id(image_id):
            raise ImageNotFound(f"no image {image_id!r}")
        self._forget_if_access_changed()
        now = time.monotonic()
        with self._lock:
            hit = self._found.get(image_id)
        if hit is not None and now - hit[0] < self.ttl:
            image = hit[1]
        else:
            session = self.sessions()
            try:
                found = _load(session, self.storage, image_id)
            finally:
                session.close()
            if found is None:
                raise ImageNotFound(f"no image {image_id!r}")
            image = found
            with self._lock:
                self._found[image_id] = (now, image)
                self._found.move_to_end(image_id)
                while len(self._found) > self.size:
                    self._found.popitem(last=False)
        seen = visibility(viewer, image.access)
        if seen == Visibility.NONE:
            raise ImageNotFound(f"no image {image_id!r}")
        return image, seen


def resolve_image(session: Session, storage: Storage, image_id: str, viewer: Viewer) -> ResolvedImage:
    """Resolve one identifier without a resolver's memory (scripts, tests).

    Raises:
        ImageNotFound: as `ImageResolver.resolve`.
    """
    if not is_valid_id(image_id):
        raise ImageNotFound(f"no image {image_id!r}")
    image = _load(session, storage, image_id)
    if image is None or visibility(viewer, image.access) < Visibility.FULL:
        raise ImageNotFound(f"no image {image_id!r}")
    return image


def info_json(
    image: ResolvedImage, base_id: str, limits: Limits, auth_services: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The info.json document; `base_id` is the exact base URI the client asked for; `auth_services` (the
    IIIF Authorization Flow's probe service, `iiif.auth.services`) for an image whose item is not public."""
    pyramid = image.pyramid

    def allowed(w: int, h: int) -> bool:
        return (not limits.max_area or w * h <= limits.max_area) and (not limits.max_width or w <= limits.max_width)

    info: dict[str, Any] = {
        "@context": CONTEXT,
        "id": base_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": pyramid.width,
        "height": pyramid.height,
    }
    if limits.max_width:
        info["maxWidth"] = limits.max_width
    if limits.max_area:
        info["maxArea"] = limits.max_area
    info["sizes"] = [{"width": w, "height": h} for w, h in pyramid.sizes if allowed(w, h)]
    info["tiles"] = [{"width": pyramid.tile, "height": pyramid.tile, "scaleFactors": pyramid.scale_factors}]
    info["preferredFormats"] = [pyramid.format]
    info["extraFormats"] = [f for f in FORMATS if f not in ("jpg", "png")]
    info["extraQualities"] = ["color", "gray", "bitonal"]
    info["extraFeatures"] = EXTRA_FEATURES
    if image.rights:
        info["rights"] = image.rights
    if auth_services:
        info["@context"] = [AUTH_CONTEXT, CONTEXT]
        info["service"] = auth_services
    return info


def described_only(info: dict[str, Any]) -> dict[str, Any]:
    """The info.json an asker who may not see the pixels gets (401): what the image is and how to get access
    (its size and its auth services), none of its sizes, tiles or rights."""
    keep = ("@context", "id", "type", "protocol", "profile", "width", "height", "service")
    return {key: info[key] for key in keep if key in info}


@dataclass(frozen=True)
class Plan:
    """What one image request resolves to: the region, the output size, its canonical form and ETag."""

    request: ImageRequest
    box: tuple[int, int, int, int]  # x, y, w, h in full-resolution pixels
    out: tuple[int, int]
    canonical: str  # region/size/rotation/quality.format
    etag: str
    tile: Path | None  # a stored tile that answers it as it is

    @property
    def media_type(self) -> str:
        return FORMATS[self.request.format]


def _stored_tile(
    image: ResolvedImage, request: ImageRequest, box: tuple[int, int, int, int], out: tuple[int, int]
) -> tuple[Path, tuple[int, int]] | None:
    """A stored tile that answers this request (one pixel of rounding allowed on a side the client left free)."""
    if request.rotation.degrees or request.rotation.mirror or request.quality not in ("default", "color"):
        return None
    pyramid = image.pyramid
    if request.format != pyramid.format:
        return None
    x, y, w, h = box
    ow, oh = out
    free_w, free_h = request.size.kind == "h", request.size.kind == "w"
    for scale in pyramid.scale_factors:
        span = pyramid.tile * scale
        if x % span or y % span:
            continue
        cols, rows = pyramid.grid(scale)
        col, row = x // span, y // span
        if col >= cols or row >= rows:
            continue
        ref = pyramid.tile_ref(scale, col, row)
        if (ref.w, ref.h) != (w, h):
            continue
        if (ow == ref.out_w or (free_w and abs(ow - ref.out_w) <= 1)) and (
            oh == ref.out_h or (free_h and abs(oh - ref.out_h) <= 1)
        ):
            return Pyramid.tile_path(image.root, ref, pyramid.format), (ref.out_w, ref.out_h)
    return None


def plan(image: ResolvedImage, request: ImageRequest, limits: Limits, *, encoding: str = "") -> Plan:
    """Resolve a request against an image without touching a pixel.

    Raises:
        ParameterError: the request is impossible for this image (the message says why).
    """
    x, y, w, h = request.region.resolve(image.width, image.height)
    degrees = request.rotation.degrees
    ow, oh = request.size.resolve(w, h, max_width=limits.max_width, max_area=limits.max_area, degrees=degrees)
    tile = _stored_tile(image, request, (x, y, w, h), (ow, oh))
    if tile is not None:
        ow, oh = tile[1]
    region_c = "full" if (x, y, w, h) == (0, 0, image.width, image.height) else f"{x},{y},{w},{h}"
    # 3.0 canonical size: `max` for the whole image at its largest allowed size, else w,h (^w,h when upscaled),
    # the form static IIIF layouts (and vips --layout iiif3) use for tiles.
    if region_c == "full" and (ow, oh) == Size("max").resolve(
        w, h, max_width=limits.max_width, max_area=limits.max_area, degrees=degrees
    ):
        size_c = "max"
    else:
        size_c = f"{'^' if ow > w or oh > h else ''}{ow},{oh}"
    canonical = f"{region_c}/{size_c}/{request.rotation.canonical()}/{request.quality}.{request.format}"
    digest = hashlib.sha1(f"{image.stamp}/{canonical}/{encoding}".encode(), usedforsecurity=False).hexdigest()
    return Plan(request, (x, y, w, h), (ow, oh), canonical, digest, tile[0] if tile else None)


IMAGE_MAX_AGE = 86400


def image_headers(image: ResolvedImage, planned: Plan, service_url: str) -> list[tuple[str, str]]:
    """The headers of an image response: canonical and profile links, caching and its validator."""
    return [
        ("Link", f'<{service_url}/{planned.canonical}>;rel="canonical", <{PROFILE_URI}>;rel="profile"'),
        # Images of items that are not public may reach a granted viewer, never a shared cache.
        ("Cache-Control", f"{'public' if image.public else 'private'}, max-age={IMAGE_MAX_AGE}"),
        ("ETag", f'"{planned.etag}"'),
    ]


def choose_scale(pyramid: Pyramid, box: tuple[int, int, int, int], out: tuple[int, int], budget: int | None) -> int:
    """The coarsest level with at least the output's resolution, coarser still if it would exceed `budget`."""
    _x, _y, w, h = box
    scale = pyramid.best_scale(w, h, *out)
    coarsest = pyramid.scale_factors[-1]
    while budget and scale < coarsest and (math.ceil(w / scale) + 1) * (math.ceil(h / scale) + 1) > budget:
        scale *= 2
    return scale


def assemble(
    image: ResolvedImage, box: tuple[int, int, int, int], out: tuple[int, int], budget: int | None
) -> Image.Image:
    """The region (full-resolution pixels) at output size, built from the tiles of one level."""
    pyramid = image.pyramid
    x, y, w, h = box
    ow, oh = out
    scale = choose_scale(pyramid, box, out, budget)
    level_w, level_h = pyramid.level_size(scale)
    # The level's pixels that cover the region, and no more.
    lx0, ly0 = math.floor(x / scale), math.floor(y / scale)
    lx1, ly1 = min(math.ceil((x + w) / scale), level_w), min(math.ceil((y + h) / scale), level_h)
    canvas = Image.new(pyramid.mode, (lx1 - lx0, ly1 - ly0))
    t = pyramid.tile
    for row in range(ly0 // t, (ly1 - 1) // t + 1):
        for col in range(lx0 // t, (lx1 - 1) // t + 1):
            with Image.open(Pyramid.tile_path(image.root, (scale, col, row), pyramid.format)) as tile:
                tile.draft(pyramid.mode, tile.size)
                canvas.paste(tile, (col * t - lx0, row * t - ly0))
    crop = (x / scale - lx0, y / scale - ly0, (x + w) / scale - lx0, (y + h) / scale - ly0)
    if (ow, oh) == canvas.size and crop == (0, 0, *canvas.size):
        return canvas
    if all(float(v).is_integer() for v in crop) and (ow, oh) == (round(crop[2] - crop[0]), round(crop[3] - crop[1])):
        return canvas.crop(tuple(int(v) for v in crop))
    return canvas.resize((ow, oh), Image.Resampling.LANCZOS, box=crop)


def rotate(im: Image.Image, degrees: float, fmt: str) -> Image.Image:
    """The image turned clockwise with all of it kept (its size at most `rotated_bounds`); the corners are
    transparent where the format can say so, white elsewhere."""
    if degrees in (90, 180, 270):
        turns = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
        return im.transpose(turns[int(degrees)])
    if not degrees:
        return im
    fill: Any = "white"
    if fmt in ("png", "webp", "tif", "gif"):
        im, fill = im.convert("RGBA" if im.mode == "RGB" else "LA"), None
    return im.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


def _encode(im: Image.Image, fmt: str, quality: int) -> bytes:
    out = io.BytesIO()
    if fmt == "jpg":
        if im.mode not in ("RGB", "L"):
            im = im.convert("L" if im.mode in ("1", "LA") else "RGB")
        im.save(out, "JPEG", quality=quality)
    elif fmt == "png":
        im.save(out, "PNG", compress_level=6)
    elif fmt == "webp":
        im.save(out, "WEBP", quality=quality)
    elif fmt == "tif":
        im.save(out, "TIFF", compression="tiff_deflate")
    elif fmt == "gif":
        im.save(out, "GIF")
    return out.getvalue()


def render(image: ResolvedImage, planned: Plan, limits: Limits, *, quality: int) -> bytes:
    """Draw and encode a planned request that no stored tile answers.

    Raises:
        ImageNotFound: the derivatives on disk are missing or unreadable.
    """
    request = planned.request
    try:
        im = assemble(image, planned.box, planned.out, limits.work_pixels)
    except (OSError, ValueError) as exc:
        raise ImageNotFound(f"image {image.id!r}: its derivatives cannot be read ({exc})") from None
    if request.rotation.mirror:
        im = ImageOps.mirror(im)
    im = rotate(im, request.rotation.degrees, request.format)
    if request.quality == "gray":
        im = im.convert("LA" if im.mode in ("RGBA", "LA") else "L")
    elif request.quality == "bitonal":
        im = im.convert("L").point(lambda v: 255 if v >= 128 else 0).convert("1")
    return _encode(im, request.format, quality)
