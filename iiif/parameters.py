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


# Pixels that rounding the turned image's edges outwards may add to each side of its exact bounding box.
ROTATION_SLACK = 2


def rotated_bounds(w: int, h: int, degrees: float) -> tuple[int, int]:
    """The largest image a w x h one turned by `degrees` can make with its whole content kept (as the Image
    API asks): the bounding box, with `ROTATION_SLACK` for the renderer's rounding. Right angles swap or keep
    the sides exactly."""
    c, s = _turn(degrees)
    if degrees % 90 == 0:
        return (w, h) if c else (h, w)
    return math.floor(w * c + h * s + 1e-6) + ROTATION_SLACK, math.floor(w * s + h * c + 1e-6) + ROTATION_SLACK


def _turn(degrees: float) -> tuple[float, float]:
    """|cos| and |sin| of an angle, exact for right angles (where floating point leaves 6e-17 for 0)."""
    turn = degrees % 180
    if turn == 0:
        return 1.0, 0.0
    if turn == 90:
        return 0.0, 1.0
    return abs(math.cos(math.radians(turn))), abs(math.sin(math.radians(turn)))


@dataclass(frozen=True)
class Bounds:
    """The server's bounds on the image one request sends, which is the image after rotation; None: no bound."""

    max_width: int | None = None
    max_height: int | None = None
    max_area: int | None = None
    degrees: float = 0

    def fits(self, w: int, h: int) -> bool:
        """Whether a w x h image, turned by `degrees`, stays within every bound."""
        tw, th = rotated_bounds(w, h, self.degrees)
        return not (
            (self.max_width and tw > self.max_width)
            or (self.max_height and th > self.max_height)
            or (self.max_area and tw * th > self.max_area)
        )

    def largest(self, rw: int, rh: int) -> tuple[int, int]:
        """The largest size of a rw x rh region's aspect, at most the region itself, that fits once turned.

        Raises:
            ParameterError: not even one pixel fits (absurd limits).
        """
        if self.fits(rw, rh):
            return rw, rh
        c, s = _turn(self.degrees)
        slack = 0 if self.degrees % 90 == 0 else ROTATION_SLACK
        bw, bh = rw * c + rh * s, rw * s + rh * c  # the turned region's box per unit of scale
        scale = 1.0
        if self.max_width:
            scale = min(scale, (self.max_width - slack) / bw)
        if self.max_height:
            scale = min(scale, (self.max_height - slack) / bh)
        if self.max_area and not slack:
            scale = min(scale, math.sqrt(self.max_area / (bw * bh)))
        elif self.max_area:  # the largest scale with (scale * bw + slack) * (scale * bh + slack) <= max_area
            a, b, k = bw * bh, slack * (bw + bh), slack * slack - self.max_area
            scale = min(scale, (-b + math.sqrt(max(b * b - 4 * a * k, 0.0))) / (2 * a))
        w, h = max(1, int(rw * scale)), max(1, int(rh * scale))
        while not self.fits(w, h) and (w > 1 or h > 1):  # floating point's last pixel: one step at a time
            if w >= h:
                w = w - 1
                h = max(1, round(rh * w / rw))
            else:
                h = h - 1
                w = max(1, round(rw * h / rh))
        if not self.fits(w, h):
            raise ParameterError(f"no image fits this server's limits ({self.described()})")
        return w, h

    def described(self) -> str:
        named = {"maxWidth": self.max_width, "maxHeight": self.max_height, "maxArea": self.max_area}
        return ", ".join(f"{name} {value}" for name, value in named.items() if value)


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
        degrees: float = 0,
    ) -> tuple[int, int]:
        """Output size (before rotation) for a region of rw x rh pixels, so that the image sent, turned by
        `degrees`, honours the server's limits: `max` is drawn as large as fits (the Image API's "constrained
        by maxWidth, maxHeight or maxArea"); any other size that would not fit is refused.

        Raises:
            ParameterError: upscaling without ^, or an output beyond the limits.
        """
        bounds = Bounds(max_width, max_height, max_area, degrees)
        if self.kind == "max":
            return bounds.largest(rw, rh)
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
        if bounds.fits(w, h):
            return w, h
        turned = rotated_bounds(w, h, degrees)
        sent = (
            f"{w} x {h}"
            if turned == (w, h)
            else f"{w} x {h} turned {_fmt(degrees)} degrees (up to {turned[0]} x {turned[1]})"
        )
        raise ParameterError(f"size {sent} is larger than this server allows ({bounds.described()})")

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
