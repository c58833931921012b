"""Technical metadata of image files: pixel size, bit depth, colour mode, ICC profile, resolution,
compression and capture data (EXIF), read from the header without decoding the pixels."""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from PIL import ExifTags, Image, ImageCms, UnidentifiedImageError

from ingest.pixels import unbounded_pixels

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
    "ExposureTime",
    "FNumber",
    "ISOSpeedRatings",
    "FocalLength",
    "BodySerialNumber",
}
# Pillow's names for TIFF compression, mapped to what the digitisation guidelines speak of
COMPRESSION = {
    "raw": "none",
    "tiff_lzw": "lzw",
    "tiff_adobe_deflate": "deflate",
    "tiff_deflate": "deflate",
    "packbits": "packbits",
    "jpeg": "jpeg",
    "tiff_jpeg": "jpeg",
    "group3": "ccitt",
    "group4": "ccitt",
    "tiff_ccitt": "ccitt",
    "webp": "webp",
}
XMP_FIELDS = 40


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
    xmp: dict[str, str] = field(default_factory=dict)
    resolution_unit: str | None = None
    jp2: dict[str, Any] = field(default_factory=dict)  # reversible (lossless) transform, quality layers

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
            "xmp": self.xmp,
            "resolution_unit": self.resolution_unit,
            **({"jp2": self.jp2} if self.jp2 else {}),
        }


def _profile_name(icc: bytes | None) -> str | None:
    if not icc:
        return None
    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip()
    except (OSError, ImageCms.PyCMSError):
        return "embedded (unreadable)"


def _bits_per_channel(im: Image.Image, path: Path) -> int:
    """Bits per channel as stored in the file (Pillow reduces 16-bit RGB to 8 bits when decoding)."""
    tags = getattr(im, "tag_v2", None)
    if tags is not None and 258 in tags:
        bits = tags[258]
        return int(bits[0] if isinstance(bits, tuple) else bits)
    if im.format == "PNG":
        with path.open("rb") as fh:
            head = fh.read(26)
        if len(head) == 26:
            return head[24]
    if im.format == "JPEG2000":
        siz = _jp2_marker(path, b"\xff\x51", 42)  # Ssiz of the first component is byte 40
        if siz is not None and len(siz) >= 41:
            return (siz[40] & 0x7F) + 1
    return BITS.get(im.mode, 8)


def _jp2_marker(path: Path, marker: bytes, length: int) -> bytes | None:
    """The bytes after a codestream marker in the first 64 KB of a JPEG 2000 file."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    at = head.find(marker)
    return head[at : at + length] if at >= 0 else None


def _jp2_coding(path: Path) -> dict[str, Any]:
    """Reversible (5-3, lossless) or irreversible (9-7) transform and quality layers, from the COD marker."""
    cod = _jp2_marker(path, b"\xff\x52", 14)
    if cod is None or len(cod) < 14:
        return {}
    return {"reversible": cod[13] == 1, "layers": int.from_bytes(cod[6:8], "big")}


def _compression(im: Image.Image) -> str | None:
    if im.format == "TIFF":
        name = str(im.info.get("compression") or "raw")
        return COMPRESSION.get(name, name)
    return {"JPEG": "jpeg", "PNG": "deflate", "GIF": "lzw", "WEBP": "webp", "BMP": "none"}.get(im.format or "")


def _xmp(im: Image.Image) -> dict[str, str]:
    """Simple properties of the embedded XMP packet (creator tool, dates, camera), by their qualified names."""
    raw = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    tags = getattr(im, "tag_v2", None)
    if raw is None and tags is not None:
        raw = tags.get(700)
    if not raw:
        return {}
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    data = re.sub(rb"^.*?(<x:xmpmeta|<rdf:RDF)", rb"\1", data, count=1, flags=re.S)
    data = re.sub(rb"<\?xpacket end.*$", b"", data, flags=re.S)
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    except etree.XMLSyntaxError:
        return {}
    if root is None:
        return {}
    out: dict[str, str] = {}

    def qname(tag: str) -> str:
        ns, _, local = tag.rpartition("}")
        prefix = next((p for p, uri in root.nsmap.items() if uri == ns.lstrip("{")), None) if ns else None
        return f"{prefix}:{local}" if prefix else local

    for desc in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        for key, value in desc.attrib.items():
            if not key.startswith("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"):
                out.setdefault(qname(key), value[:200])
        for child in desc:
            if not isinstance(child.tag, str):
                continue
            text = " ".join(t.strip() for t in child.itertext() if t.strip())
            if text:
                out.setdefault(qname(child.tag), text[:200])
        if len(out) >= XMP_FIELDS:
            break
    return dict(list(out.items())[:XMP_FIELDS])


def _exif(im: Image.Image) -> dict[str, str]:
    exif: dict[str, str] = {}
    try:
        data = im.getexif()
        entries = list(data.items())
        with contextlib.suppress(KeyError, ValueError, TypeError):
            entries += list(data.get_ifd(ExifTags.IFD.Exif).items())
        for tag, value in entries:
            name = ExifTags.TAGS.get(tag)
            if name in EXIF_KEEP:
                exif[name] = str(value)[:200]
    except Exception:  # a broken EXIF block is not a broken image: keep what the pixels say
        return {}
    return exif


def read_image_info(path: Path, max_pixels: int, page: int = 0) -> ImageInfo:
    """Read an image's header (of one page of a multi-page file).

    Raises:
        NotAnImage: Pillow does not recognise the content.
        TooLarge: more than `max_pixels` pixels.
    """
    with unbounded_pixels():  # we check the size ourselves, against our own setting
        try:
            with Image.open(path) as im:
                pages = getattr(im, "n_frames", 1)
                if page:
                    im.seek(page)
                width, height = im.size
                if width * height > max_pixels:
                    raise TooLarge(
                        f"{width} x {height} = {width * height} pixels, more than the "
                        f"maximum of {max_pixels} (HERITAGE_MAX_IMAGE_PIXELS)"
                    )
                dpi = im.info.get("dpi")
                tags = getattr(im, "tag_v2", None)
                unit = {1: "none", 2: "inch", 3: "cm"}.get(int(tags.get(296, 2))) if tags is not None else None
                if im.format in ("JPEG", "PNG") and dpi:
                    unit = "inch"
                jp2 = _jp2_coding(path) if im.format == "JPEG2000" else {}
                compression = _compression(im)
                if jp2:
                    compression = "jpeg2000-lossless" if jp2["reversible"] else "jpeg2000-lossy"
                return ImageInfo(
                    width=width,
                    height=height,
                    pages=pages,
                    format=im.format or "",
                    mode=im.mode,
                    bit_depth=_bits_per_channel(im, path),
                    channels=CHANNELS.get(im.mode, 3),
                    dpi=(round(float(dpi[0]), 2), round(float(dpi[1]), 2)) if dpi else None,
                    compression=compression,
                    icc_profile=_profile_name(im.info.get("icc_profile")),
                    exif=_exif(im),
                    xmp=_xmp(im),
                    resolution_unit=unit,
                    jp2=jp2,
                )
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            raise NotAnImage(str(exc)) from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise NotAnImage(f"cannot read image: {exc}") from None
