"""Derivatives of a master image page: the IIIF tile pyramid (every tile `info.json` declares, as a file),
an access JPEG and a thumbnail.

The page is read as bands (`ingest.bands`) and pushed through the pyramid one tile row at a time: each
level keeps at most one tile row, hands its rows halved (`Image.reduce(2)`, a 2x2 box filter, what
`vips dzsave` does) to the next level, and JPEG-encodes its tiles on a thread pool (Pillow releases the
GIL while encoding). Memory stays at a few tile rows per level whatever the size of the master.

Everything is written to a temporary folder and moved into place, so a killed job leaves nothing
half-made where the IIIF server looks; the master is only read.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageStat

from heritage.pyramid import Pyramid
from heritage.runtime import Runtime
from ingest.bands import page_bands

ACCESS_LONG_SIDE = 2000
THUMBNAIL_LONG_SIDE = 400
ACCESS_NAME = "access.jpg"
THUMBNAIL_NAME = "thumbnail.jpg"


def default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@dataclass
class Derived:
    """A finished derivative folder, not yet in place, and what was learnt while making it."""

    pyramid: Pyramid
    work: Path
    tiles: int
    streamed: bool
    stats: dict[str, Any] = field(default_factory=dict)  # luminance of the whole page (from a small level)


class _Encoder:
    """JPEG tiles written on a thread pool, with a bounded number in flight (bounded memory)."""

    def __init__(self, threads: int, quality: int) -> None:
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="tiles") if threads > 1 else None
        self.quality = quality
        self.in_flight: deque[Future[None]] = deque()
        self.limit = 4 * threads
        self.count = 0

    def _save(self, piece: Image.Image, path: Path) -> None:
        piece.save(path, "JPEG", quality=self.quality)

    def submit(self, piece: Image.Image, path: Path) -> None:
        self.count += 1
        if self.pool is None:
            self._save(piece, path)
            return
        while len(self.in_flight) >= self.limit:
            self.in_flight.popleft().result()
        self.in_flight.append(self.pool.submit(self._save, piece, path))

    def close(self) -> None:
        try:
            while self.in_flight:
                self.in_flight.popleft().result()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)


class _Level:
    """One level of the pyramid being cut: collects rows, writes tile rows, feeds the next level."""

    def __init__(self, pyramid: Pyramid, index: int, root: Path, encoder: _Encoder, keep: bool) -> None:
        self.pyramid = pyramid
        self.scale = pyramid.scale_factors[index]
        self.width = pyramid.level_size(self.scale)[0]
        self.folder = root / "tiles" / str(self.scale)
        self.folder.mkdir(parents=True)
        self.encoder = encoder
        self.pending: list[Image.Image] = []
        self.rows = 0
        self.tile_row = 0
        self.next: _Level | None = None
        self.kept: list[Image.Image] | None = [] if keep else None

    def push(self, band: Image.Image) -> None:
        self.pending.append(band)
        self.rows += band.height
        while self.rows >= self.pyramid.tile:
            self._emit(self._take(self.pyramid.tile))

    def flush(self) -> None:
        if self.rows:
            self._emit(self._take(self.rows))
        if self.next is not None:
            self.next.flush()

    def _take(self, rows: int) -> Image.Image:
        first = self.pending[0]
        if first.height == rows:
            self.pending.pop(0)
            self.rows -= rows
            return first
        chunk = Image.new(first.mode, (first.width, rows))
        y = 0
        while y < rows:
            band = self.pending[0]
            need = rows - y
            if band.height <= need:
                chunk.paste(band, (0, y))
                y += band.height
                self.pending.pop(0)
            else:
                chunk.paste(band.crop((0, 0, band.width, need)), (0, y))
                self.pending[0] = band.crop((0, need, band.width, band.height))
                y += need
        self.rows -= rows
        return chunk

    def _emit(self, chunk: Image.Image) -> None:
        tile = self.pyramid.tile
        for col, x in enumerate(range(0, self.width, tile)):
            piece = chunk.crop((x, 0, min(self.width, x + tile), chunk.height))
            self.encoder.submit(piece, self.folder / f"{col}_{self.tile_row}.jpg")
        self.tile_row += 1
        if self.kept is not None:
            self.kept.append(chunk)
        if self.next is not None:
            self.next.push(chunk.reduce(2) if chunk.height > 1 or chunk.width > 1 else chunk)

    def kept_image(self) -> Image.Image | None:
        if not self.kept:
            return None
        height = sum(c.height for c in self.kept)
        image = Image.new(self.kept[0].mode, (self.kept[0].width, height))
        y = 0
        for chunk in self.kept:
            image.paste(chunk, (0, y))
            y += chunk.height
        return image


def _luminance_stats(image: Image.Image) -> dict[str, Any]:
    grey = image.convert("L")
    stat = ImageStat.Stat(grey)
    low, high = grey.getextrema()
    return {
        "mean": round(stat.mean[0], 2),
        "stddev": round(stat.stddev[0], 2),
        "min": low,
        "max": high,
        "measured_on": list(grey.size),
    }


def build_derivatives(
    master: Path,
    parent: Path,
    name: str,
    *,
    tile: int,
    quality: int,
    page: int = 0,
    threads: int | None = None,
) -> Derived:
    """Make the pyramid, access copy and thumbnail of one page into a new folder under `parent`.

    Raises:
        OSError, ValueError: the master cannot be decoded (truncated, corrupt); nothing is left behind.
    """
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}-"))
    encoder = _Encoder(threads or default_threads(), quality)
    try:
        info, bands = page_bands(master, page, rows=tile)
        first = next(bands, None)
        if first is None:
            raise ValueError("image has no rows")
        pyramid = Pyramid(info.width, info.height, tile, first.mode)
        factors = pyramid.scale_factors
        keep_index = next(
            (i for i, s in enumerate(factors) if max(pyramid.level_size(s)) < 2 * ACCESS_LONG_SIDE), len(factors) - 1
        )
        levels = [_Level(pyramid, i, work, encoder, keep=i == keep_index) for i in range(len(factors))]
        for upper, lower in itertools.pairwise(levels):
            upper.next = lower
        levels[0].push(first)
        for band in bands:
            levels[0].push(band)
        levels[0].flush()
        encoder.close()
        small = levels[keep_index].kept_image()
        if small is None:
            raise ValueError("image produced no pixels")
        stats = _luminance_stats(small)
        access = small.copy()
        access.thumbnail((ACCESS_LONG_SIDE, ACCESS_LONG_SIDE), Image.Resampling.LANCZOS)
        access.save(work / ACCESS_NAME, "JPEG", quality=quality)
        access.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE), Image.Resampling.LANCZOS)
        access.save(work / THUMBNAIL_NAME, "JPEG", quality=quality)
        pyramid.save(work)
        return Derived(pyramid, work, encoder.count, info.streamed, stats)
    except BaseException:
        with contextlib.suppress(Exception):  # the first error is the one to report
            encoder.close()
        shutil.rmtree(work, ignore_errors=True)
        raise


def install(derived: Derived, target: Path) -> None:
    """Move a finished derivative folder into place (replacing an older one, whose page text is kept)."""
    from heritage.fulltext.store import ALTO_NAME

    if target.exists():
        if (target / ALTO_NAME).is_file():  # the text is not remade with the tiles: copied, so a kill loses nothing
            shutil.copy2(target / ALTO_NAME, derived.work / ALTO_NAME)
        shutil.rmtree(target)
    derived.work.rename(target)


def clear(target: Path) -> None:
    """Remove a master's derivatives so that they are made again; its page text (not a derivative of the
    tiles, and costly to read again) stays."""
    from heritage.fulltext.store import ALTO_NAME

    if not target.is_dir():
        return
    for child in target.iterdir():
        if child.name == ALTO_NAME:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def discard_partial(target: Path) -> int:
    """Remove half-made derivative folders of `target` left by a killed process; returns how many."""
    removed = 0
    if target.parent.is_dir():
        for stale in target.parent.glob(f".{target.name}-*"):
            shutil.rmtree(stale, ignore_errors=True)
            removed += 1
    return removed


def remove_derivatives(runtime: Runtime, sha256: str, pages: int | None = None) -> None:
    """Remove every derivative folder (and half-made one) of a master that is no longer stored."""
    page = 0
    while pages is None or page < pages:
        target = runtime.storage.derivative_dir(sha256, page)
        discard_partial(target)
        if not target.exists() and page and pages is None:
            break
        shutil.rmtree(target, ignore_errors=True)
        page += 1


def build_pyramid(master: Path, target: Path, *, tile: int, quality: int, page: int = 0) -> Pyramid:
    """Write the pyramid, access copy and thumbnail of `master` into `target` (replaced atomically)."""
    derived = build_derivatives(master, target.parent, target.name, tile=tile, quality=quality, page=page)
    install(derived, target)
    return derived.pyramid
