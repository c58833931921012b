"""Read a master image as horizontal bands of display pixels (8-bit RGB or L in sRGB), in bounded memory.

Uncompressed strip TIFFs (the usual archival master) are read band by band straight from the file, so
a master of any height costs a few megabytes; every other format is decoded once by Pillow and cut into
bands, so its cost is one decoded page. Either way a file that is truncated or corrupt raises `OSError`
or `ValueError` here, before anything is derived from it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

from ingest.pixels import unbounded_pixels

SRGB = ImageCms.createProfile("sRGB")
SIXTEEN_BIT = ("I;16", "I;16B", "I;16L", "I;16N", "I")
ORIENTATION = 0x0112
# rows per band: enough to cut whole tile rows, small enough to stay a few MB
BAND_ROWS = 256


class DisplayConverter:
    """Turns pixels of a master's mode into 8-bit RGB or L in sRGB, band by band (one ICC transform)."""

    def __init__(self, mode: str, icc: bytes | None) -> None:
        self.mode = mode
        self.transform: ImageCms.ImageCmsTransform | None = None
        source_mode = "RGB" if mode in ("RGB", "RGBA", "P", "PA") else mode
        if icc and source_mode in ("RGB", "CMYK"):
            try:
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                self.transform = ImageCms.buildTransform(source, SRGB, source_mode, "RGB")
            except (OSError, ImageCms.PyCMSError):
                self.transform = None  # an unreadable profile: show the pixels as they are

    def __call__(self, im: Image.Image) -> Image.Image:
        if im.mode in SIXTEEN_BIT:
            im = im.convert("I").point(lambda v: v * (1 / 256)).convert("L")
        elif im.mode == "1":
            im = im.convert("L")
        elif im.mode in ("P", "PA"):
            im = im.convert("RGBA" if "transparency" in im.info or im.mode == "PA" else "RGB")
        if im.mode in ("RGBA", "LA"):
            background = Image.new("RGB" if im.mode == "RGBA" else "L", im.size, "white")
            background.paste(im, mask=im.getchannel("A"))
            im = background
        if self.transform is not None and im.mode in ("RGB", "CMYK"):
            with suppress(OSError, ImageCms.PyCMSError, ValueError):
                im = ImageCms.applyTransform(im, self.transform)
        if im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        return im


@dataclass(frozen=True)
class _RawStrips:
    """Where the rows of an uncompressed, strip-organised TIFF page are in the file."""

    strips: tuple[tuple[int, int, int], ...]  # (first row, last row + 1, file offset)
    row_bytes: int
    rawmode: str


def _raw_layout(im: Image.Image) -> _RawStrips | None:
    """The strip layout when rows can be read straight from the file; None for anything else."""
    if im.format != "TIFF" or not im.tile:
        return None
    tags = getattr(im, "tag_v2", {})
    if tags.get(ORIENTATION, 1) != 1 or tags.get(284, 1) != 1:  # rotated, or planar (one plane per channel)
        return None
    width = im.size[0]
    bits = tags.get(258, (8,))
    bits = bits if isinstance(bits, tuple) else (bits,)
    samples = int(tags.get(277, len(bits)))
    per_sample = bits[0] if len(set(bits)) == 1 else None
    if per_sample is None:
        return None
    row_bytes = math.ceil(width * per_sample * samples / 8)
    strips = []
    rawmode = None
    for tile in im.tile:
        x0, y0, x1, y1 = tile.extents
        args = tile.args if isinstance(tile.args, tuple) else (tile.args,)
        if tile.codec_name != "raw" or x0 != 0 or x1 != width or len(args) < 1:
            return None
        stride = args[1] if len(args) > 1 else 0
        ystep = args[2] if len(args) > 2 else 1
        if stride not in (0, row_bytes) or ystep != 1 or (rawmode is not None and args[0] != rawmode):
            return None
        rawmode = args[0]
        strips.append((y0, y1, tile.offset))
    if rawmode is None:
        return None
    return _RawStrips(tuple(sorted(strips)), row_bytes, rawmode)


@dataclass
class PageInfo:
    width: int
    height: int
    mode: str
    icc: bytes | None
    streamed: bool  # read band by band from the file (else decoded whole)


def page_bands(path: Path, page: int = 0, rows: int = BAND_ROWS) -> tuple[PageInfo, Iterator[Image.Image]]:
    """The page's size and an iterator over its bands (each `rows` high but the last), in display pixels.

    Raises:
        OSError, ValueError: the file cannot be decoded (truncated, corrupt); also while iterating.
    """
    with unbounded_pixels():
        im = Image.open(path)
        if page:
            im.seek(page)
    icc = im.info.get("icc_profile")
    convert = DisplayConverter(im.mode, icc)
    layout = _raw_layout(im)
    if layout is not None:
        info = PageInfo(im.size[0], im.size[1], im.mode, icc, True)
        return info, _raw_bands(path, im, layout, rows, convert)
    with unbounded_pixels():
        im.load()
    if im.getexif().get(ORIENTATION, 1) != 1:
        im = ImageOps.exif_transpose(im)
    info = PageInfo(im.size[0], im.size[1], im.mode, icc, False)
    return info, _decoded_bands(im, rows, convert)


def _raw_bands(
    path: Path, im: Image.Image, layout: _RawStrips, rows: int, convert: DisplayConverter
) -> Iterator[Image.Image]:
    width, height = im.size
    mode = im.mode
    im.close()
    with path.open("rb") as fh:
        y = 0
        while y < height:
            end = min(height, y + rows)
            pieces: list[bytes] = []
            for first, last, offset in layout.strips:
                lo, hi = max(first, y), min(last, end)
                if lo >= hi:
                    continue
                fh.seek(offset + (lo - first) * layout.row_bytes)
                want = (hi - lo) * layout.row_bytes
                chunk = fh.read(want)
                if len(chunk) != want:
                    raise OSError(f"image file is truncated (rows {lo}-{hi} of {height} missing)")
                pieces.append(chunk)
            data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
            if len(data) != (end - y) * layout.row_bytes:
                raise OSError(f"image file has no data for rows {y}-{end}")
            band = Image.frombytes(mode, (width, end - y), data, "raw", layout.rawmode, 0, 1)
            yield convert(band)
            y = end


def _decoded_bands(im: Image.Image, rows: int, convert: DisplayConverter) -> Iterator[Image.Image]:
    width, height = im.size
    for y in range(0, height, rows):
        yield convert(im.crop((0, y, width, min(height, y + rows))))
    im.close()
