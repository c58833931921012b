"""Pillow's decompression-bomb guard is one global of the process; the ingest threads of one batch
(`--parallel`) switch it off while they read images whose size they checked themselves. One thread
leaving must not switch it back on under another's read (a bomb was then reported as a corrupt image
instead of by HERITAGE_MAX_IMAGE_PIXELS), nor leave it off for good when the last one leaves."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

from PIL import Image

from ingest.bands import page_bands
from ingest.technical import NotAnImage, TooLarge, read_image_info
from tests.security.test_decompression_bomb import bomb_png


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_thread_leaving_does_not_switch_the_guard_on_under_another(tmp_path: Path) -> None:
    """Named pipes hold each read inside Pillow's open, so the two threads interleave the same way every time."""
    original = Image.MAX_IMAGE_PIXELS
    deriving, measuring = tmp_path / "page.png", tmp_path / "bomb.png"
    os.mkfifo(deriving)
    os.mkfifo(measuring)
    outcome: dict[str, object] = {}

    def derive() -> None:  # a thread making derivatives: opens its page with the guard off
        try:
            page_bands(deriving)
        except Exception as exc:  # what it read does not matter here, only when it left
            outcome["derive"] = exc

    def measure() -> None:  # another thread reading a bomb's header, to refuse it by our own limit
        try:
            read_image_info(measuring, max_pixels=10_000)
        except (TooLarge, NotAnImage) as exc:
            outcome["measure"] = exc

    first = threading.Thread(target=derive)
    first.start()
    with deriving.open("wb") as to_first:  # returns once the first thread is inside Pillow's open
        second = threading.Thread(target=measure)
        second.start()
        with measuring.open("wb") as to_second:  # the second is inside too, the guard off for both
            to_first.write(_png())
            to_first.close()
            first.join(30)  # the first has left
            to_second.write(bomb_png())
        second.join(30)
    assert isinstance(outcome.get("measure"), TooLarge), outcome  # refused by our limit, not "corrupt"
    assert original == Image.MAX_IMAGE_PIXELS  # and Pillow's guard is back once both have left
