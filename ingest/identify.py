"""Format identification by content (signatures), never by file name, with PRONOM ids where known.

The signatures are the data file `data/formats.csv`; images are confirmed by Pillow's own readers.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FORMATS = Path(__file__).parent / "data" / "formats.csv"


@dataclass(frozen=True)
class FormatInfo:
    key: str
    name: str
    mime: str
    puid: str | None
    preferred: bool  # a preferred preservation format (masterplan 3c)
    pillow: str | None = None


UNKNOWN = FormatInfo("unknown", "Unknown binary", "application/octet-stream", None, False)
TEXT = FormatInfo("text", "Plain text", "text/plain", "x-fmt/111", True)


@cache
def _table() -> list[tuple[bytes, int, FormatInfo]]:
    rows = []
    with FORMATS.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            info = FormatInfo(
                row["key"],
                row["name"],
                row["mime"],
                row["puid"] or None,
                row["preferred"] == "yes",
                row["pillow"] or None,
            )
            if row["magic_hex"]:
                rows.append((bytes.fromhex(row["magic_hex"]), int(row["offset"] or 0), info))
    return sorted(rows, key=lambda r: -len(r[0]))


def by_pillow_format(name: str) -> FormatInfo | None:
    for _, _, info in _table():
        if info.pillow == name:
            return info
    return None


def identify(path: Path) -> FormatInfo:
    """The format of a file from its first bytes."""
    with path.open("rb") as fh:
        head = fh.read(64)
    if not head:
        return UNKNOWN
    for magic, offset, info in _table():
        if head[offset : offset + len(magic)] == magic:
            if info.key in ("webp", "wav"):  # both RIFF: tell them apart by the form type
                form = head[8:12]
                if (info.key == "webp") != (form == b"WEBP"):
                    continue
            return info
    try:
        head.decode("utf-8")
        return TEXT
    except UnicodeDecodeError:
        return UNKNOWN
