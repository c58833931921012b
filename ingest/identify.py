"""Format identification by content (signatures), never by file name, with PRONOM ids where known.

The signatures and format facts are the data file `data/formats.csv`; `preferred` marks the preferred
preservation formats of masterplan 3c, everything else carries a format risk. A signature match is then
refined by looking inside: the JFIF version of a JPEG, the version and PDF/A conformance of a PDF, the
document inside a ZIP container (OOXML, OpenDocument, EPUB), the kind of a text file (XML, HTML, JSON,
e-mail, mbox).
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FORMATS = Path(__file__).parent / "data" / "formats.csv"
HEAD = 4096
PDF_SCAN = 4 * 1024 * 1024  # PDF/A identification reads at most this much from each end


@dataclass(frozen=True)
class FormatInfo:
    key: str
    name: str
    mime: str
    puid: str | None
    preferred: bool  # a preferred preservation format (masterplan 3c)
    pillow: str | None = None
    family: str = ""  # the format whatever its version (jpeg for every JFIF version, pdf for PDF/A)

    @property
    def risk(self) -> str:
        """`low` for a preferred preservation format, `high` for anything else."""
        return "low" if self.preferred else "high"

    @property
    def is_image(self) -> bool:
        return self.pillow is not None


UNKNOWN = FormatInfo("unknown", "Unknown binary", "application/octet-stream", None, False, None, "unknown")


@cache
def _rows() -> dict[str, tuple[FormatInfo, bytes | None, int]]:
    rows: dict[str, tuple[FormatInfo, bytes | None, int]] = {}
    with FORMATS.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            info = FormatInfo(
                row["key"],
                row["name"],
                row["mime"],
                row["puid"] or None,
                row["preferred"] == "yes",
                row["pillow"] or None,
                row["family"] or row["key"],
            )
            magic = bytes.fromhex(row["magic_hex"]) if row["magic_hex"] else None
            rows[info.key] = (info, magic, int(row["offset"] or 0))
    return rows


def by_key(key: str) -> FormatInfo:
    return _rows()[key][0]


@cache
def _signatures() -> list[tuple[bytes, int, FormatInfo]]:
    found = [(magic, offset, info) for info, magic, offset in _rows().values() if magic]
    return sorted(found, key=lambda r: -len(r[0]))


def by_pillow_format(name: str) -> FormatInfo | None:
    for _, _, info in _signatures():
        if info.pillow == name:
            return info
    return None


def _refine_jpeg(head: bytes) -> FormatInfo:
    if head[6:11] == b"JFIF\x00":
        version = {(1, 0): "jfif_100", (1, 1): "jfif_101", (1, 2): "jfif_102"}.get((head[11], head[12]))
        if version:
            return by_key(version)
    return by_key("jpeg")


_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']|>)\s*([123])")
_PDFA_CONF = re.compile(rb"pdfaid:conformance\s*(?:=\s*[\"']|>)\s*([ABUabu])")


def _refine_pdf(path: Path, head: bytes) -> FormatInfo:
    size = path.stat().st_size
    with path.open("rb") as fh:
        text = fh.read(PDF_SCAN)
        if size > PDF_SCAN:
            fh.seek(max(PDF_SCAN, size - PDF_SCAN))
            text += fh.read()
    part, conformance = _PDFA_PART.search(text), _PDFA_CONF.search(text)
    if part:
        key = f"pdfa_{part.group(1).decode()}{conformance.group(1).decode().lower() if conformance else 'b'}"
        return by_key(key) if key in _rows() else by_key("pdfa")
    version = re.match(rb"%PDF-(\d\.\d)", head)
    if version and f"pdf_{version.group(1).decode()}" in _rows():
        return by_key(f"pdf_{version.group(1).decode()}")
    return by_key("pdf")


def _refine_zip(path: Path) -> FormatInfo:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mimetype = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                for key in ("odt", "ods", "odp", "epub"):
                    if by_key(key).mime == mimetype:
                        return by_key(key)
            if "[Content_Types].xml" in names:
                for prefix, key in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
                    if any(n.startswith(prefix) for n in names):
                        return by_key(key)
    except (zipfile.BadZipFile, OSError, ValueError):
        pass
    return by_key("zip")


_MAIL_HEADER = re.compile(rb"^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To):", re.I)


def _text_kind(path: Path, head: bytes) -> FormatInfo | None:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut off at the end of the sample
            return None
        text = head[: exc.start].decode("utf-8")
    if "\x00" in text:
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    lower = stripped[:200].lower()
    if lower.startswith("<?xml"):
        return by_key("xml")
    if lower.startswith(("<!doctype html", "<html")):
        return by_key("html")
    if stripped.startswith("From ") and re.match(r"From \S+ ", stripped):
        return by_key("mbox")
    lines = head.splitlines()[:8]
    if lines and _MAIL_HEADER.match(lines[0]) and sum(1 for line in lines if _MAIL_HEADER.match(line)) >= 2:
        return by_key("eml")
    if stripped[:1] in ("{", "[") and path.stat().st_size <= 16 * 1024 * 1024:
        try:
            json.loads(path.read_text(encoding="utf-8"))
            return by_key("json")
        except (ValueError, UnicodeDecodeError):
            pass
    return by_key("text")


def identify(path: Path) -> FormatInfo:
    """The format of a file from its content."""
    with path.open("rb") as fh:
        head = fh.read(HEAD)
    if not head:
        return UNKNOWN
    for magic, offset, info in _signatures():
        if head[offset : offset + len(magic)] != magic:
            continue
        # WebP and WAV are both RIFF: tell them apart by the form type
        if info.key in ("webp", "wav") and (info.key == "webp") != (head[8:12] == b"WEBP"):
            continue
        if info.key == "jpeg":
            return _refine_jpeg(head)
        if info.key == "pdf":
            return _refine_pdf(path, head)
        if info.key == "zip":
            return _refine_zip(path)
        if info.key in ("xml", "utf8_xml"):
            return by_key("xml")
        return info
    return _text_kind(path, head) or UNKNOWN
