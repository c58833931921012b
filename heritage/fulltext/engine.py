"""Tesseract 5 through pytesseract (a thin, well-kept wrapper of the `tesseract` command: no build against
libtesseract-dev, and the Debian binary and models are the ones the README names)."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

import pytesseract
from PIL import Image

from heritage.fulltext.alto import to_alto4

# One thread per page: pages run side by side on workers (one per core), and Tesseract's OpenMP threads on a
# busy machine cost more than they give. OMP_THREAD_LIMIT set in the environment wins.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


class OcrFailed(Exception):
    """Tesseract could not read the page (missing model, unreadable image, crash)."""


@functools.cache
def engine_name() -> str:
    """`tesseract 5.3.0`: the engine and version recorded with every page."""
    try:
        return f"tesseract {pytesseract.get_tesseract_version()}"
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise OcrFailed(f"tesseract is not installed: {exc}") from None


@functools.cache
def installed_models() -> frozenset[str]:
    """The models `tesseract --list-langs` names (pytesseract's own list drops capitalised ones: `Fraktur`)."""
    try:
        listed = subprocess.run(
            [pytesseract.pytesseract.tesseract_cmd, "--list-langs"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise OcrFailed(f"tesseract is not installed: {exc}") from None
    return frozenset(line.strip() for line in listed.splitlines()[1:] if line.strip())


def page_image(master: Path, page: int) -> Image.Image:
    """The page of the master in greyscale (Tesseract binarises greyscale itself; colour adds nothing)."""
    with Image.open(master) as image:
        if page:
            image.seek(page)
        if image.mode == "1":
            return image.convert("L")
        if image.mode.startswith("I;16") or image.mode == "I":
            return image.point(lambda v: v / 256).convert("L")
        return image.convert("L")


def read(master: Path, page: int, languages: str, file_name: str) -> bytes:
    """The page's text as ALTO 4, with word boxes in the master's pixels and word confidences.

    Raises:
        OcrFailed: a model is not installed, the image cannot be read, or Tesseract failed.
    """
    missing = [m for m in languages.split("+") if m not in installed_models()]
    if missing:
        raise OcrFailed(f"Tesseract model(s) {', '.join(missing)} not installed (tesseract --list-langs)")
    try:
        image = page_image(master, page)
        alto = pytesseract.image_to_alto_xml(image, lang=languages)
    except (OSError, ValueError, EOFError) as exc:
        raise OcrFailed(f"the image could not be read: {exc}") from None
    except pytesseract.TesseractError as exc:
        raise OcrFailed(f"tesseract failed: {exc}") from None
    return to_alto4(alto if isinstance(alto, bytes) else alto.encode("utf-8"), file_name)
