"""IIIF Image API 3.0 request parameters: parsed into frozen values with a canonical form.

Flask-free, so the same parsing serves the web routes, the tests and the benchmarks. Every parser
returns a value or raises `ParameterError` (400) or `NotImplementedFeature` (501), nothing else.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from iiif.errors import NotImplementedFeature, ParameterError

QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "tif": "image/tiff", "gif": "image/gif"}
KNOWN_UNOFFERED_FORMATS = {"jp2", "pdf"}
# Numbers are bounded in length, so no request can ask for arithmetic on a thousand-digit value.
_NUMBER = r"\d{1,10}(?:\.\d{1,10})?"
_INT = re.compile(r"\d{1,10}")


def _fmt(value: float) -> str:
    """Canonical decimal: no trailing zeros, no exponent."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class Region:
    kind: str  # full, square, pixels, percent
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    @classmethod
    def parse(cls, text: str) -> Region:
        if text == "full":
            return cls("full")
        if text == "square":
            return cls("square")
        percent = text.startswith("pct:")
        body = text[4:] if percent else text
        parts = body.split(",")
        if len(parts) != 4 or not all(re.fullmatch(_NUMBER if percent else _INT, p) for p in parts):
            raise ParameterError(f"region {text!r}: expected full, square, x,y,w,h or pct:x,y,w,h")
        x, y, w, h = (float(p) for p in parts)
        if w <= 0 or h <= 0:
            raise ParameterError(f"region {text!r}: width and height must be greater than zero")
        if percent and (x > 100 or y > 100):
            raise ParameterError(f"region {text!r}: starts outside the image")
        return cls("percent" if percent else "pixels", x, y, w, h)

    def resolve(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The region in pixels, cropped to the image.

        Raises:
            ParameterError: the region lies wholly outside the image.
        """
        if self.kind == "full":
            return 0, 0, width, height
        if self.kind == "square":
            side = min(width, height)
            return (width - side) // 2, (height - side) // 2, side, side
        if self.kind == "percent":
            x, y = round(self.x * width / 100), round(self.y * height / 100)
            w, h = round(self.w * width / 100), round(self.h * height / 100)
        else:
            x, y, w, h = int(self.x), int(self.y), int(self.w), int(self.h)
        if x >= width or y >= height:
            raise ParameterError(f"region {self.canonical()} lies outside the {width} x {height} image")
        w, h = min(w, width - x), min(h, height - y)
        if w <= 0 or h <= 0:
            raise ParameterError(f"region {self.canonical()} is empty")
        return x, y, w, h

    def canonical(self, width: int | None = None, height: int | None = None) -> str:
        """Canonical form: `full` when it covers the image, else pixels."""
        if width is not None and height is not None:
            x, y, w, h = self.resolve(width, height)
            return "full" if (x, y, w, h) == (0, 0, width, height) else f"{x},{y},{w},{h}"
        if self.kind in ("full", "square"):
            return self.kind
        if self.kind == "percent":
            return "pct:" + ",".join(_fmt(v) for v in (self.x, self.y, self.w, self.h))
        return ",".join(str(int(v)) for v in (self.x, self.y, self.w, self.h))


@dataclass(frozen=True)
class Size:
    kind: str  # max, w, h, pct, wh, confined
    upscale: bool = False
    w: int | None = None
    h: int | None = None
    pct: float | None = None

    @classmethod
    def parse(cls, text: str) -> Size:
        upscale = text.startswith("^")
        body = text[1:] if upscale else text
        if body == "full":
            raise ParameterError("size 'full' is not allowed in Image API 3.0; use 'max'")
        if body == "max":
            return cls("max", upscale)
        if body.startswith("pct:"):
            value = body[4:]
            if not re.fullmatch(_NUMBER, value):
                raise ParameterError(f"size {text!r}: pct:n needs a number")
            pct = float(value)
            if pct <= 0:
                raise ParameterError(f"size {text!r}: percentage must be greater than zero")
            if pct > 100 and not upscale:
                raise ParameterError(f"size {text!r}: more than 100% needs the ^ prefix")
            return cls("pct", upscale, pct=pct)
        confined = body.startswith("!")
        if confined:
            body = body[1:]
        parts = body.split(",")
        if len(parts) != 2 or not all(p == "" or _INT.fullmatch(p) for p in parts) or parts == ["", ""]:
            raise ParameterError(f"size {text!r}: expected max, w,, ,h, pct:n, w,h or !w,h (optionally ^)")
        w = int(parts[0]) if parts[0] else None
        h = int(parts[1]) if parts[1] else None
        if (w is not None and w <= 0) or (h is not None and h <= 0):
            raise ParameterError(f"size {text!r}: width and height must be greater than zero")
        if confined:
            if w is None or h is None:
                raise ParameterError(f"size {text!r}: !w,h needs both width and height")
            return cls("confined", upscale, w, h)
        if w is not None and h is not None:
            return cls("wh", upscale, w, h)
        return cls("w" if w is not None else "h", upscale, w, h)

    def resolve(
        self,
        rw: int,
        rh: int,
        *,
        max_width: int | None = None,
        max_height: int | None = None,
        max_area: int | None = None,
    ) -> tuple[int, int]:
        """Output size for a region of rw x rh pixels, honouring the server's limits.

        Raises:
            ParameterError: upscaling without ^, or an output beyond the limits.
        """
        if self.kind == "max":
            w, h = rw, rh
            scale = 1.0
            if max_width and w > max_width:
                scale = min(scale, max_width / w)
            if max_height and h > max_height:
                scale = min(scale, max_height / h)
            if max_area and w * h > max_area:
                scale = min(scale, math.sqrt(max_area / (w * h)))
            if scale < 1:
                w, h = max(1, int(w * scale)), max(1, int(h * scale))
            return w, h
        if self.kind == "pct":
            assert self.pct is not None
            w, h = round(rw * self.pct / 100), round(rh * self.pct / 100)
        elif self.kind == "w":
            assert self.w is not None
            w, h = self.w, round(rh * self.w / rw)
        elif self.kind == "h":
            assert self.h is not None
            w, h = round(rw * self.h / rh), self.h
        elif self.kind == "wh":
            assert self.w is not None and self.h is not None
            w, h = self.w, self.h
        else:  # confined: the largest size that fits in w x h and keeps the aspect ratio
            assert self.w is not None and self.h is not None
            scale = min(self.w / rw, self.h / rh)
            w, h = max(1, round(rw * scale)), max(1, round(rh * scale))
            if w > self.w:
                w = self.w
            if h > self.h:
                h = self.h
        if w <= 0 or h <= 0:
            raise ParameterError(f"size {self.canonical()} gives an empty image for a {rw} x {rh} region")
        if not self.upscale and (w > rw or h > rh):
            raise ParameterError(f"size {self.canonical()} is larger than the {rw} x {rh} region; use ^ to upscale")
        if (max_width and w > max_width) or (max_height and h > max_height) or (max_area and w * h > max_area):
            raise ParameterError(
                f"size {w} x {h} is larger than this server allows (maxWidth {max_width}, maxArea {max_area})"
            )
        return w, h

    def canonical(self) -> str:
        prefix = "^" if self.upscale else ""
        if self.kind == "max":
            return prefix + "max"
        if self.kind == "pct":
            return f"{prefix}pct:{_fmt(self.pct or 0)}"
        if self.kind == "confined":
            return f"{prefix}!{self.w},{self.h}"
        return f"{prefix}{self.w if self.w is not None else ''},{self.h if self.h is not None else ''}"


@dataclass(frozen=True)
class Rotation:
    degrees: float = 0
    mirror: bool = False

    @classmethod
    def parse(cls, text: str) -> Rotation:
        mirror = text.startswith("!")
        body = text[1:] if mirror else text
        if not re.fullmatch(_NUMBER, body):
            raise ParameterError(f"rotation {text!r}: expected a number of degrees from 0 to 360, optionally !")
        degrees = float(body)
        if degrees > 360:
            raise ParameterError(f"rotation {text!r}: more than 360 degrees")
        return cls(0 if degrees == 360 else degrees, mirror)

    def canonical(self) -> str:
        return ("!" if self.mirror else "") + _fmt(self.degrees)


@dataclass(frozen=True)
class ImageRequest:
    """One parsed image request: /{region}/{size}/{rotation}/{quality}.{format}."""

    region: Region
    size: Size
    rotation: Rotation
    quality: str
    format: str

    @classmethod
    def parse(cls, region: str, size: str, rotation: str, quality_format: str) -> ImageRequest:
        quality, dot, fmt = quality_format.rpartition(".")
        if not dot or not quality:
            raise ParameterError(f"{quality_format!r}: expected quality.format, such as default.jpg")
        if quality not in QUALITIES:
            raise ParameterError(f"quality {quality!r}: one of {', '.join(QUALITIES)}")
        if fmt not in FORMATS:
            if fmt in KNOWN_UNOFFERED_FORMATS:
                raise NotImplementedFeature(f"format {fmt!r} is not offered by this server")
            raise ParameterError(f"format {fmt!r}: one of {', '.join(FORMATS)}")
        return cls(Region.parse(region), Size.parse(size), Rotation.parse(rotation), quality, fmt)

    @property
    def media_type(self) -> str:
        return FORMATS[self.format]
