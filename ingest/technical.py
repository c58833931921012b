"""Technical metadata of image files: pixel size, bit depth, colour mode, ICC profile, resolution,
compression and capture data (EXIF), read from the header without decoding the pixels."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

BITS = {
    "1": 1,
    "L": 8,
    "P": 8,
    "RGB": 8,
    "RGBA": 8,
    "CMYK": 8,
    "YCbCr": 8,
    "LAB": 8,
    "LA": 8,
    "I;16": 16,
    "I;16B": 16,
    "I;16L": 16,
    "I;16N": 16,
    "I": 32,
    "F": 32,
}
CHANNELS = {
    "1": 1,
    "L": 1,
    "P": 1,
    "RGB": 3,
    "RGBA": 4,
    "CMYK": 4,
    "YCbCr": 3,
    "LAB": 3,
    "LA": 2,
    "I;16": 1,
    "I;16B": 1,
    "I;16L": 1,
    "I;16N": 1,
    "I": 1,
    "F": 1,
}
EXIF_KEEP = {
    "Make",
    "Model",
    "DateTime",
    "DateTimeOriginal",
    "Software",
    "Artist",
    "Copyright",
    "ImageDescription",
    "XResolution",
    "YResolution",
    "ResolutionUnit",
    "LensModel",
}


class NotAnImage(Exception):
    """Pillow cannot read the file as an image."""


class TooLarge(Exception):
    """The image has more pixels than the configured maximum (a decompression bomb, or simply too big)."""


@dataclass
class ImageInfo:
    width: int
    height: int
    pages: int
    format: str
    mode: str
    bit_depth: int
    channels: int
    dpi: tuple[float, float] | None
    compression: str | None
    icc_profile: str | None
    exif: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "pages": self.pages,
            "format": self.format,
            "mode": self.mode,
            "bit_depth": self.bit_depth,
            "channels": self.channels,
            "dpi": list(self.dpi) if self.dpi else None,
            "compression": self.compression,
            "icc_profile": self.icc_profile,
            "exif": self.exif,
        }


def _profile_name(icc: bytes | None) -> str | None:
    if not icc:
        return None
    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip()
    except (OSError, ImageCms.PyCMSError):
        return "embedded (unreadable)"


def read_image_info(path: Path, max_pixels: int) -> ImageInfo:
    """Read an image's header.

    Raises:
        NotAnImage: Pillow does not recognise the content.
        TooLarge: more than `max_pixels` pixels.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        previous = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, against our own setting
        try:
            with Image.open(path) as im:
                width, height = im.size
                if width * height > max_pixels:
                    raise TooLarge(
                        f"{width} x {height} = {width * height} pixels, more than the "
                        f"maximum of {max_pixels} (HERITAGE_MAX_IMAGE_PIXELS)"
                    )
                dpi = im.info.get("dpi")
                exif: dict[str, str] = {}
                try:
                    for tag, value in im.getexif().items():
                        name = ExifTags.TAGS.get(tag)
                        if name in EXIF_KEEP:
                            exif[name] = str(value)[:200]
                except Exception:
                    exif = {}
                return ImageInfo(
                    width=width,
                    height=height,
                    pages=getattr(im, "n_frames", 1),
                    format=im.format or "",
                    mode=im.mode,
                    bit_depth=BITS.get(im.mode, 8),
                    channels=CHANNELS.get(im.mode, 3),
                    dpi=(float(dpi[0]), float(dpi[1])) if dpi else None,
                    compression=str(im.info.get("compression")) if im.info.get("compression") else None,
                    icc_profile=_profile_name(im.info.get("icc_profile")),
                    exif=exif,
                )
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            raise NotAnImage(str(exc)) from None
        except OSError as exc:
            raise NotAnImage(f"cannot read image: {exc}") from None
        finally:
            Image.MAX_IMAGE_PIXELS = previous
