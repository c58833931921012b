"""The tile pyramid of an image: the contract between ingest (which writes it) and the IIIF server.

Level `s` (a scale factor 1, 2, 4, ...) is the image reduced s times; each level is cut into square
tiles of `tile` pixels, stored as `tiles/<s>/<col>_<row>.jpg`. Every tile that `info.json` declares is
a file; any other request is assembled from the tiles of the nearest level at or above the needed
resolution, so no request ever decodes the master.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST_NAME = "pyramid.json"


@dataclass(frozen=True)
class TileRef:
    scale: int
    col: int
    row: int
    x: int  # region in full-resolution pixels
    y: int
    w: int
    h: int

    @property
    def out_w(self) -> int:
        return math.ceil(self.w / self.scale)

    @property
    def out_h(self) -> int:
        return math.ceil(self.h / self.scale)


@dataclass(frozen=True)
class Pyramid:
    width: int
    height: int
    tile: int
    mode: str = "RGB"  # RGB or L (grayscale masters keep one channel)
    format: str = "jpg"

    @property
    def scale_factors(self) -> list[int]:
        """1, 2, 4, ... up to the first level that fits in one tile."""
        factors, s = [1], 1
        while math.ceil(self.width / s) > self.tile or math.ceil(self.height / s) > self.tile:
            s *= 2
            factors.append(s)
        return factors

    def level_size(self, scale: int) -> tuple[int, int]:
        return math.ceil(self.width / scale), math.ceil(self.height / scale)

    def grid(self, scale: int) -> tuple[int, int]:
        w, h = self.level_size(scale)
        return math.ceil(w / self.tile), math.ceil(h / self.tile)

    def tile_ref(self, scale: int, col: int, row: int) -> TileRef:
        span = self.tile * scale
        x, y = col * span, row * span
        return TileRef(scale, col, row, x, y, min(span, self.width - x), min(span, self.height - y))

    def tiles(self, scale: int) -> Iterator[TileRef]:
        cols, rows = self.grid(scale)
        for row in range(rows):
            for col in range(cols):
                yield self.tile_ref(scale, col, row)

    def match_tile(self, x: int, y: int, w: int, h: int, out_w: int, out_h: int) -> TileRef | None:
        """The stored tile that is exactly this region at exactly this size, if there is one."""
        for scale in self.scale_factors:
            span = self.tile * scale
            if x % span or y % span:
                continue
            col, row = x // span, y // span
            cols, rows = self.grid(scale)
            if col >= cols or row >= rows:
                continue
            ref = self.tile_ref(scale, col, row)
            if (ref.w, ref.h, ref.out_w, ref.out_h) == (w, h, out_w, out_h):
                return ref
        return None

    def best_scale(self, w: int, h: int, out_w: int, out_h: int) -> int:
        """The coarsest level that still has at least the output's resolution."""
        ratio = min(w / max(out_w, 1), h / max(out_h, 1))
        best = 1
        for scale in self.scale_factors:
            if scale <= ratio:
                best = scale
        return best

    @property
    def sizes(self) -> list[tuple[int, int]]:
        """Full-image sizes cheap to serve (one per level, smallest first)."""
        return [self.level_size(s) for s in reversed(self.scale_factors)]

    @staticmethod
    def tile_path(root: Path, ref: TileRef | tuple[int, int, int], fmt: str = "jpg") -> Path:
        scale, col, row = (ref.scale, ref.col, ref.row) if isinstance(ref, TileRef) else ref
        return root / "tiles" / str(scale) / f"{col}_{row}.{fmt}"

    def save(self, root: Path) -> None:
        (root / MANIFEST_NAME).write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def load(cls, root: Path) -> Pyramid | None:
        try:
            return cls(**json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
