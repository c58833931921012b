"""Tesseract 5 through pytesseract (a thin, well-kept wrapper of the `tesseract` command: no build against
libtesseract-dev, and the Debian binary and models are the ones the README names)."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

import numpy as np
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
    """The page of the master in greyscale (colour adds nothing to the reading)."""
    with Image.open(master) as image:
        if page:
            image.seek(page)
        if image.mode.startswith("I;16") or image.mode == "I":
            return image.point(lambda v: v / 256).convert("L")
        return image.convert("L")


def binarise(grey: Image.Image) -> Image.Image:
    """Black and white at Otsu's threshold of the greyscale page.

    Measured on the historical pages of bench/ocr.py: 1 to 3 points of CER better than Tesseract's own
    thresholding of the colour scan on 4 of 5 pages at 300 ppi; worse on a low-resolution page, hence
    `binarise_min_short_edge` in the OCR rules.
    """
    histogram = np.bincount(np.asarray(grey).ravel(), minlength=256).astype(float)
    levels = np.arange(256)
    below = np.cumsum(histogram)
    mass = np.cumsum(histogram * levels)
    total = below[-1]
    between = (mass[-1] * below / total - mass) ** 2 / (below * (total - below) + 1e-9)
    threshold = int(np.argmax(between))
    return grey.point(lambda v: 255 if v > threshold else 0)


def read(master: Path, page: int, languages: str, file_name: str, *, binarise_from: int | None = None) -> bytes:
    """The page's text as ALTO 4, with word boxes in the master's pixels and word confidences; the page is
    binarised first when its short edge has at least `binarise_from` pixels.

    Raises:
        OcrFailed: a model is not installed, the image cannot be read, or Tesseract failed.
    """
    missing = [m for m in languages.split("+") if m not in installed_models()]
    if missing:
        raise OcrFailed(f"Tesseract model(s) {', '.join(missing)} not installed (tesseract --list-langs)")
    try:
        image = page_image(master, page)
        if binarise_from is not None and min(image.size) >= binarise_from:
            image = binarise(image)
        alto = pytesseract.image_to_alto_xml(image, lang=languages)
    except (OSError, ValueError, EOFError) as exc:
        raise OcrFailed(f"the image could not be read: {exc}") from None
    except pytesseract.TesseractError as exc:
        raise OcrFailed(f"tesseract failed: {exc}") from None
    return to_alto4(alto if isinstance(alto, bytes) else alto.encode("utf-8"), file_name)
