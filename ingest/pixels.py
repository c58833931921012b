"""Pillow's decompression-bomb guard, off while ingest reads images whose size it checked itself against
HERITAGE_MAX_IMAGE_PIXELS (`ingest.technical`), so that a large scan within that limit is read whole.

The guard is one global of Pillow's, and the ingest threads of one process (`--parallel`, an upload's
background run) enter and leave in any order: it is switched off while any of them needs it off and put
back when the last one leaves. Each thread saving and restoring the value by itself switched the guard
back on under another thread's read (a bomb was then reported as a corrupt image) or left it off for good.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image

_lock = threading.Lock()
_inside = 0
_saved: int | None = None


@contextmanager
def unbounded_pixels() -> Iterator[None]:
    """Pillow's own bomb guard off for the block (and so no DecompressionBombWarning either)."""
    global _inside, _saved
    with _lock:
        if _inside == 0:
            _saved = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = None
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                Image.MAX_IMAGE_PIXELS = _saved
