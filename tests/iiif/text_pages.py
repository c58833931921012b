"""A register of two scanned pages whose text came with the batch (ALTO beside each scan): what the tests of
the IIIF text surfaces ingest. No Tesseract runs: the archive domain's shipped rule (`auto`) takes the
delivered text. Page 2's ALTO describes a scan of half the master's size, as delivered text may."""

from __future__ import annotations

from pathlib import Path

from heritage.fulltext.delivered import Box, build_alto
from tests.helpers import make_image, write_sheet

SIZE = (1200, 900)
PAGE_1 = [["Notulen", "van", "de", "academische", "senaat"], ["Leuven", "1860"]]
PAGE_2 = [["Register", "van", "de", "pedel"], ["Amsterdam", "1811", "Jansen"], ["registers", "der", "Universiteit"]]


def _lines(lines: list[list[str]], scale: float) -> list[list[Box]]:
    """Words 100 px wide (master pixels) with 20 px between them, lines 80 px apart from (60, 50)."""
    out = []
    for i, line in enumerate(lines):
        out.append(
            [
                Box(word, round((60 + 120 * j) * scale), round((50 + 80 * i) * scale), round(100 * scale),
                    round(40 * scale), 0.9)
                for j, word in enumerate(line)
            ]
        )  # fmt: skip
    return out


def word_box(page_lines: list[list[str]], word: str) -> tuple[int, int, int, int]:
    """Where `word` lies on its page, in master pixels (the canvas's coordinates)."""
    for i, line in enumerate(page_lines):
        if word in line:
            return 60 + 120 * line.index(word), 50 + 80 * i, 100, 40
    raise KeyError(word)


def text_batch(folder: Path, *, access: str = "public", identifier: str = "REG.1") -> Path:
    """The batch folder: a sheet with one file-level register of two pages, each with its ALTO beside it."""
    scans = folder / identifier
    for n, (lines, scale) in enumerate(((PAGE_1, 1.0), (PAGE_2, 0.5)), start=1):
        make_image(scans / f"p{n}.png", SIZE, seed=n)
        width, height = round(SIZE[0] * scale), round(SIZE[1] * scale)
        alto = build_alto(_lines(lines, scale), width, height, f"p{n}.png", "test")
        (scans / f"p{n}.alto.xml").write_bytes(alto)
    row = {
        "identifier": identifier,
        "level": "file",
        "title": "Register van de pedel",
        "language": "nl",
        "access": access,
        "date": "1811",
        "files": f"{identifier}/p1.png|{identifier}/p2.png",
    }
    return write_sheet(folder / "sheet.csv", [row]).parent


def deliver_text(scan: Path, lines: list[list[str]] = PAGE_2) -> Path:
    """ALTO beside a scan (same stem), as a batch delivers it: the text taken instead of OCR."""
    from PIL import Image

    with Image.open(scan) as image:
        width, height = image.size
    alto = scan.with_name(scan.stem + ".alto.xml")
    alto.write_bytes(build_alto(_lines(lines, 1.0), width, height, scan.name, "test"))
    return alto
