"""The IIIF Image API 3 service: which image an identifier names, its info.json, and rendering.

Tiles that `info.json` declares are stored files (made at ingest) and are answered as they are; any
other request is assembled from the tiles of the nearest pyramid level at or above the needed
resolution, so no request decodes the master and memory stays bounded by `maxArea`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from heritage.access import Viewer, Visibility, visibility
from heritage.identifiers import is_valid_id
from heritage.models import File
from heritage.pyramid import Pyramid
from heritage.storage import Storage
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


@dataclass(frozen=True)
class ResolvedImage:
    id: str
    item_id: str
    root: Path  # the derivative folder: pyramid.json and tiles/
    pyramid: Pyramid
    rights: str | None

    @property
    def width(self) -> int:
        return self.pyramid.width

    @property
    def height(self) -> int:
        return self.pyramid.height


@dataclass(frozen=True)
class Rendered:
    media_type: str
    canonical: str  # region/size/rotation/quality.format
    path: Path | None = None  # a stored tile, sent as is
    data: bytes | None = None


def resolve_image(session: Session, storage: Storage, image_id: str, viewer: Viewer) -> ResolvedImage:
    """The image named by `image_id`, if it exists, is ready and `viewer` may see its pixels.

    Raises:
        ImageNotFound: for every other case alike, so nothing leaks about closed items.
    """
    if not is_valid_id(image_id):
        raise ImageNotFound(f"no image {image_id!r}")
    file = session.get(File, image_id)
    if file is None or not file.is_image or not file.derivatives_ready:
        raise ImageNotFound(f"no image {image_id!r}")
    if visibility(viewer, file.item) < Visibility.FULL:
        raise ImageNotFound(f"no image {image_id!r}")
    root = storage.derivative_dir(file.sha256)
    pyramid = Pyramid.load(root)
    if pyramid is None:
        raise ImageNotFound(f"no image {image_id!r} (derivatives missing)")
    return ResolvedImage(file.id, file.item_id, root, pyramid, file.item.rights or file.item.collection.rights)


def info_json(image: ResolvedImage, base_id: str, *, max_area: int | None) -> dict[str, Any]:
    """The info.json document; `base_id` is the exact base URI the client asked for."""
    pyramid = image.pyramid
    info: dict[str, Any] = {
        "@context": CONTEXT,
        "id": base_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": pyramid.width,
        "height": pyramid.height,
        "sizes": [{"width": w, "height": h} for w, h in pyramid.sizes],
        "tiles": [{"width": pyramid.tile, "height": pyramid.tile, "scaleFactors": pyramid.scale_factors}],
        "extraFormats": [f for f in FORMATS if f not in ("jpg", "png")],
        "extraQualities": ["color", "gray", "bitonal"],
        "extraFeatures": EXTRA_FEATURES,
        "preferredFormats": ["jpg"],
    }
    if max_area:
        info["maxArea"] = max_area
    if image.rights:
        info["rights"] = image.rights
    return info


def _tile_matching(
    image: ResolvedImage, request: ImageRequest, x: int, y: int, w: int, h: int, ow: int, oh: int
) -> Path | None:
    """A stored tile that answers this request exactly (one pixel of rounding allowed on a free side)."""
    if request.rotation.degrees or request.rotation.mirror or request.quality not in ("default", "color"):
        return None
    if request.format != image.pyramid.format:
        return None
    pyramid = image.pyramid
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
        free_w = request.size.kind == "h"
        free_h = request.size.kind == "w"
        if (ow == ref.out_w or (free_w and abs(ow - ref.out_w) <= 1)) and (
            oh == ref.out_h or (free_h and abs(oh - ref.out_h) <= 1)
        ):
            path = Pyramid.tile_path(image.root, ref)
            return path if path.is_file() else None
    return None


def assemble(image: ResolvedImage, x: int, y: int, w: int, h: int, ow: int, oh: int) -> Image.Image:
    """The region (full-resolution pixels) at output size, built from the tiles of the best level."""
    pyramid = image.pyramid
    scale = pyramid.best_scale(w, h, ow, oh)
    span = pyramid.tile * scale
    lx0, ly0 = x / scale, y / scale
    lx1, ly1 = (x + w) / scale, (y + h) / scale
    c0, r0 = x // span, y // span
    c1, r1 = (x + w - 1) // span, (y + h - 1) // span
    origin_x, origin_y = c0 * pyramid.tile, r0 * pyramid.tile
    level_w, level_h = pyramid.level_size(scale)
    canvas_w = min((c1 + 1) * pyramid.tile, level_w) - origin_x
    canvas_h = min((r1 + 1) * pyramid.tile, level_h) - origin_y
    canvas = Image.new(pyramid.mode, (canvas_w, canvas_h))
    for row in range(r0, r1 + 1):
        for col in range(c0, c1 + 1):
            with Image.open(Pyramid.tile_path(image.root, (scale, col, row))) as tile:
                tile.draft(pyramid.mode, tile.size)
                canvas.paste(tile, ((col - c0) * pyramid.tile, (row - r0) * pyramid.tile))
    box = (lx0 - origin_x, ly0 - origin_y, lx1 - origin_x, ly1 - origin_y)
    if (ow, oh) == (round(box[2] - box[0]), round(box[3] - box[1])) and all(float(v).is_integer() for v in box):
        return canvas.crop(tuple(int(v) for v in box))
    return canvas.resize((ow, oh), Image.Resampling.LANCZOS, box=box)


def _encode(im: Image.Image, fmt: str, quality: int) -> bytes:
    out = io.BytesIO()
    if fmt == "jpg":
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
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


def render(image: ResolvedImage, request: ImageRequest, *, max_area: int | None, quality: int) -> Rendered:
    """Answer an image request.

    Raises:
        ParameterError: the request is impossible for this image (the parameters say why).
    """
    x, y, w, h = request.region.resolve(image.width, image.height)
    ow, oh = request.size.resolve(w, h, max_area=max_area)
    region_c = request.region.canonical(image.width, image.height)
    size_c = "max" if (ow, oh) == Size("max").resolve(w, h, max_area=max_area) else f"{ow},{oh}"
    canonical = f"{region_c}/{size_c}/{request.rotation.canonical()}/{request.quality}.{request.format}"
    media_type = FORMATS[request.format]
    tile = _tile_matching(image, request, x, y, w, h, ow, oh)
    if tile is not None:
        return Rendered(media_type, canonical, path=tile)
    im = assemble(image, x, y, w, h, ow, oh)
    if request.rotation.mirror:
        im = ImageOps.mirror(im)
    degrees = request.rotation.degrees
    if degrees:
        if degrees in (90, 180, 270):
            im = im.transpose(
                {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}[
                    int(degrees)
                ]
            )
        else:
            fill = None if request.format in ("png", "webp", "tif", "gif") else "white"
            if fill is None:
                im = im.convert("RGBA" if im.mode == "RGB" else "LA")
            im = im.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=fill)
    if request.quality == "gray":
        im = im.convert("LA" if im.mode in ("RGBA", "LA") else "L")
    elif request.quality == "bitonal":
        im = im.convert("L").point(lambda v: 255 if v >= 128 else 0).convert("1")
    return Rendered(media_type, canonical, data=_encode(im, request.format, quality))
