"""Find what a batch folder holds: its metadata file (if any) and its files, safely.

Folder conventions work without a sheet: one sub-folder per item with its files sorted by name as
pages; files at the top become one item each. Nothing outside the batch folder is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from heritage.errors import InvalidInput
from metadata_schemas import registry
from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import UnknownFormat
from metadata_schemas.registry import ParsedRecord, Standard

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
METADATA_SUFFIXES = {".csv", ".tsv", ".xml", ".mrc", ".marc", ".json"}


@dataclass
class PlannedItem:
    record: ParsedRecord
    files: list[str] = field(default_factory=list)  # paths relative to the batch root, page order


@dataclass
class Batch:
    root: Path
    items: list[PlannedItem]
    metadata_file: Path | None = None
    standard: str | None = None
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)


def safe_relative(root: Path, reference: str) -> tuple[Path | None, str | None]:
    """Resolve a file reference inside `root`; (None, reason) when it escapes or is not a regular file."""
    if "\x00" in reference:
        return None, "file name contains a NUL byte"
    candidate = root / reference
    if any(part == ".." for part in Path(reference).parts) or Path(reference).is_absolute():
        return None, "path leaves the batch folder ('..' or absolute)"
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        return None, "file does not exist"
    if not resolved.is_relative_to(root.resolve()):
        return None, "symbolic link points outside the batch folder"
    if not resolved.is_file():
        return None, "not a regular file"
    return resolved, None


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and path.name not in IGNORED_NAMES


def _find_metadata(root: Path, fmt: str) -> tuple[Path, Standard] | None:
    candidates = sorted(
        p for p in root.iterdir() if p.is_file() and _visible(p) and p.suffix.lower() in METADATA_SUFFIXES
    )
    for path in candidates:
        try:
            standard = registry.get(fmt) if fmt != "auto" else registry.detect(path)
        except UnknownFormat:
            continue
        if fmt == "auto" or standard.detect(path, path.read_bytes()[: registry.HEAD_BYTES]):
            return path, standard
    return None


def _folder_items(root: Path) -> Batch:
    items: list[PlannedItem] = []
    rejected: list[tuple[str, str]] = []
    position = 0
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if not _visible(entry):
            continue
        rel = entry.relative_to(root).as_posix()
        if entry.is_symlink() and not entry.resolve().is_relative_to(root.resolve()):
            rejected.append((rel, "symbolic link points outside the batch folder"))
            continue
        position += 1
        if entry.is_dir():
            files = sorted(
                (p for p in entry.rglob("*") if (p.is_file() or p.is_symlink()) and _visible(p)),
                key=lambda p: p.relative_to(entry).as_posix(),
            )
            record = ParsedRecord(
                CoreRecord(title=entry.name, identifiers=[entry.name]), "folder", position, local_id=entry.name
            )
            items.append(PlannedItem(record, [p.relative_to(root).as_posix() for p in files]))
        elif entry.is_file() or entry.is_symlink():
            record = ParsedRecord(
                CoreRecord(title=entry.stem, identifiers=[entry.name]), "folder", position, local_id=entry.name
            )
            items.append(PlannedItem(record, [rel]))
    return Batch(root, items, rejected=rejected)


def discover(path: Path, fmt: str = "auto") -> Batch:
    """Plan a batch from a folder (or a single metadata file).

    Raises:
        InvalidInput: the path does not exist, or is a file in no known standard.
    """
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder")
    if path.is_file():
        root, metadata = path.parent, (path, registry.detect(path) if fmt == "auto" else registry.get(fmt))
    else:
        root, metadata = path, _find_metadata(path, fmt)
        if metadata is None and fmt not in ("auto", "folder"):
            raise InvalidInput(f"{path}: no metadata file in format {fmt!r} found")
    if metadata is None:
        return _folder_items(root)
    meta_path, standard = metadata
    items = [PlannedItem(record, list(record.files)) for record in standard.parse(meta_path)]
    return Batch(root, items, metadata_file=meta_path, standard=standard.name)
