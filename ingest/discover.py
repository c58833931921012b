"""Find what a batch folder holds: its metadata file (if any) and its files, safely.

Folder conventions work without a sheet: one sub-folder per item with its files sorted by name as
pages; files at the top become one item each. A sheet row of level `page` with a parent adds its files
to the parent as pages (labelled with the row's title) instead of making an item of its own. Files in the
folder that no record of the metadata file names are reported as unlisted (and, when asked, taken in as
items of their own); dates the records give that cannot be right are warnings located FILE:LINE. A BagIt
bag (a folder with `bagit.txt`) is validated first (manifests, payload oxum) and its payload then
planned like a folder; without a metadata file in the payload the whole bag is one item whose files
are kept as they are. Nothing outside the batch folder is ever read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heritage.errors import InvalidInput
from metadata_schemas import registry
from metadata_schemas.core import CoreRecord
from metadata_schemas.dates import date_problem
from metadata_schemas.errors import UnknownFormat
from metadata_schemas.registry import ParsedRecord, Standard

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
METADATA_SUFFIXES = {".csv", ".tsv", ".xml", ".mrc", ".marc", ".json", ".zip"}  # .zip: a Darwin Core Archive
# Files at the top of a batch folder that keep a metadata file company (a Darwin Core Archive's data files and
# eml.xml, an earlier copy of the sheet): not scans, so never reported as missing from the metadata.
COMPANION_SUFFIXES = METADATA_SUFFIXES | {".txt"}


@dataclass
class PlannedItem:
    record: ParsedRecord
    files: list[str] = field(default_factory=list)  # paths relative to the batch root, page order
    labels: dict[str, str] = field(default_factory=dict)  # page labels by path, from page rows
    lines: dict[str, int | None] = field(default_factory=dict)  # line of the page row naming a path

    def line_of(self, path: str) -> int | None:
        """The metadata file's line of the record that names `path`."""
        return self.lines.get(path, self.record.line)


@dataclass(frozen=True)
class Finding:
    """Something doubtful a record of the metadata file says, located by file, line and identifier."""

    file: str  # the metadata file, relative to the batch folder
    line: int | None
    identifier: str | None
    message: str

    def __str__(self) -> str:
        who = f"identifier {self.identifier!r}" if self.identifier else "no identifier"
        return f"{self.file}:{self.line if self.line is not None else '-'}: {who}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "identifier": self.identifier, "message": self.message}


@dataclass
class Batch:
    root: Path
    items: list[PlannedItem]
    metadata_file: Path | None = None
    standard: str | None = None
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    kind: str = "folder"  # sheet, standard, folder, bag
    problems: list[str] = field(default_factory=list)  # batch-level findings (an invalid bag)
    warnings: list[Finding] = field(default_factory=list)  # doubtful statements of the records (dates)
    unlisted: list[str] = field(default_factory=list)  # files in the folder that no record names
    unlisted_included: bool = False  # whether they were made items of their own


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
    """The batch's metadata file: a file of a known standard at the top (a Darwin Core Archive as its .zip
    or unpacked, by its `meta.xml`)."""
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


def _attach_pages(items: list[PlannedItem]) -> list[PlannedItem]:
    """Rows of level `page` with a parent in the sheet become pages of that parent, not items."""
    by_local = {i.record.local_id: i for i in items if i.record.local_id}
    kept: list[PlannedItem] = []
    for planned in items:
        record = planned.record
        parent = by_local.get(record.parent_local_id or "")
        if (record.core.level or "").lower() == "page" and parent is not None and planned.files:
            for path in planned.files:
                parent.files.append(path)
                parent.lines[path] = planned.line_of(path)
                if record.core.title:
                    parent.labels[path] = record.core.title
            continue
        kept.append(planned)
    return kept


def discover(path: Path, fmt: str = "auto", *, include_unlisted: bool = False) -> Batch:
    """Plan a batch from a folder, a BagIt bag, or a single metadata file.

    With `include_unlisted`, files that the metadata file does not name become items of their own (titled
    by their name); either way they are listed in `Batch.unlisted`.

    Raises:
        InvalidInput: the path does not exist, is a file in no known standard, or is a broken bag.
    """
    if not path.exists():
        raise InvalidInput(f"{path}: no such file or folder")
    if fmt in ("auto", "bagit") and path.is_dir() and (path / "bagit.txt").is_file():
        from ingest.bag import discover_bag

        return discover_bag(path, lambda root: _plan_folder(root, "auto", include_unlisted))
    if fmt == "bagit":
        raise InvalidInput(f"{path}: not a BagIt bag (no bagit.txt)")
    return _plan_folder(path, fmt, include_unlisted)


def _date_warnings(root: Path, meta_path: Path, records: list[ParsedRecord]) -> list[Finding]:
    """Every date of the records that cannot be right (31 February, words, a year to come), located."""
    name = meta_path.relative_to(root).as_posix() if meta_path.is_relative_to(root) else meta_path.name
    return [
        Finding(name, record.line, record.local_id, problem)
        for record in records
        for when in record.core.dates
        if (problem := date_problem(when.text))
    ]


def _unlisted(root: Path, meta_path: Path, named: set[str]) -> list[str]:
    """Files in the batch folder that no record names (the metadata file and its companions aside)."""
    found: list[str] = []
    for candidate in sorted(root.rglob("*")):
        rel = candidate.relative_to(root)
        if any(not _visible(Path(part)) for part in rel.parts) or not candidate.is_file():
            continue
        top_companion = len(rel.parts) == 1 and candidate.suffix.lower() in COMPANION_SUFFIXES
        if os.path.normpath(rel) not in named and candidate != meta_path and not top_companion:
            found.append(rel.as_posix())
    return found


def _zip_warnings(root: Path, meta_path: Path | None, named: set[str]) -> list[Finding]:
    """A zip at the top of the batch that is not its metadata file is never opened: say so, so that a
    Darwin Core Archive the reader did not recognise is not taken in silently as one opaque file."""
    found: list[Finding] = []
    for path in sorted(root.iterdir()):
        if not (path.is_file() and _visible(path) and path.suffix.lower() == ".zip") or path == meta_path:
            continue
        if path.name in named:
            continue
        if meta_path is None:
            message = "a zip archive without meta.xml, not a Darwin Core Archive: stored as one item, not unpacked"
        else:
            message = f"a zip archive beside {meta_path.name} that no record names: not read, not stored"
        found.append(Finding(path.name, None, None, message))
    return found


def _unlisted_item(path: str, position: int) -> PlannedItem:
    record = ParsedRecord(CoreRecord(title=Path(path).stem, identifiers=[path]), "folder", position)
    return PlannedItem(record, [path])


def _plan_folder(path: Path, fmt: str, include_unlisted: bool = False) -> Batch:
    if path.is_file():
        root, metadata = path.parent, (path, registry.detect(path) if fmt == "auto" else registry.get(fmt))
    else:
        root, metadata = path, _find_metadata(path, fmt)
        if metadata is None and fmt not in ("auto", "folder"):
            raise InvalidInput(f"{path}: no metadata file in format {fmt!r} found")
    if metadata is None:
        batch = _folder_items(root)
        batch.warnings += _zip_warnings(root, None, set())
        return batch
    meta_path, standard = metadata
    records = list(standard.parse(meta_path))
    items = _attach_pages([PlannedItem(record, list(record.files)) for record in records])
    unlisted = _unlisted(root, meta_path, {os.path.normpath(f) for item in items for f in item.files})
    if include_unlisted:
        last = max((item.record.position for item in items), default=0)
        items += [_unlisted_item(rel, last + n) for n, rel in enumerate(unlisted, start=1)]
    kind = "sheet" if standard.name == "csv" else "standard"
    named = {os.path.normpath(f) for item in items for f in item.files}
    return Batch(
        root,
        items,
        metadata_file=meta_path,
        standard=standard.name,
        kind=kind,
        warnings=_date_warnings(root, meta_path, records) + _zip_warnings(root, meta_path, named),
        unlisted=unlisted,
        unlisted_included=include_unlisted,
    )
