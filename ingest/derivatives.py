"""Derivatives of a master image: the IIIF tile pyramid (every tile `info.json` declares, as a file)
and an access JPEG. Written to a temporary folder and moved into place, so a killed job leaves nothing
half-made; the master is only read."""

from __future__ import annotations

import io
import shutil
import tempfile
import warnings
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from heritage.pyramid import Pyramid

ACCESS_LONG_SIDE = 2000
SRGB = ImageCms.createProfile("sRGB")


def to_display_mode(im: Image.Image) -> Image.Image:
    """8-bit RGB or L in sRGB: what browsers and viewers show; 16-bit is scaled, CMYK converted."""
    icc = im.info.get("icc_profile")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif im.mode == "1":
        im = im.convert("L")
    elif im.mode in ("P", "PA"):
        im = im.convert("RGBA" if "transparency" in im.info or im.mode == "PA" else "RGB")
    if im.mode in ("RGBA", "LA"):
        background = Image.new("RGB" if im.mode == "RGBA" else "L", im.size, "white")
        background.paste(im, mask=im.getchannel("A"))
        im = background
    if icc and im.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            im = ImageCms.profileToProfile(im, source, SRGB, outputMode="RGB")
        except (OSError, ImageCms.PyCMSError):
            pass
    if im.mode not in ("RGB", "L"):
        im = im.convert("RGB")
    return im


def open_master(path: Path, page: int = 0) -> Image.Image:
    """Decode one page of a master fully (raises OSError when it is truncated or corrupt)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None  # the size was checked against our setting at ingest
        try:
            im = Image.open(path)
            if page:
                im.seek(page)
            im.load()
            im = ImageOps.exif_transpose(im)
            return to_display_mode(im)
        finally:
            Image.MAX_IMAGE_PIXELS = previous


def build_pyramid(master: Path, target: Path, *, tile: int, quality: int, page: int = 0) -> Pyramid:
    """Write the pyramid and the access copy of `master` into `target` (replaced atomically)."""
    im = open_master(master, page)
    pyramid = Pyramid(im.width, im.height, tile, im.mode)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        level = im
        source_for_access = im  # the smallest level still at least ACCESS_LONG_SIDE wide
        for scale in pyramid.scale_factors:
            if scale > 1:
                level = level.reduce(2)
            folder = work / "tiles" / str(scale)
            folder.mkdir(parents=True)
            for ref in pyramid.tiles(scale):
                x, y = ref.x // scale, ref.y // scale
                piece = level.crop((x, y, x + ref.out_w, y + ref.out_h))
                piece.save(folder / f"{ref.col}_{ref.row}.jpg", "JPEG", quality=quality)
            if max(level.size) >= ACCESS_LONG_SIDE:
                source_for_access = level
        access = source_for_access.copy()
        access.thumbnail((ACCESS_LONG_SIDE, ACCESS_LONG_SIDE), Image.Resampling.LANCZOS)
        access.save(work / "access.jpg", "JPEG", quality=quality)
        pyramid.save(work)
        if target.exists():
            shutil.rmtree(target)
        work.rename(target)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return pyramid
