"""The registry of standards: each one a module with the same small interface, found by content.

Built-in standards register exactly as an outside module would (`register(standard)`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import Problem, UnknownFormat

HEAD_BYTES = 4096


@dataclass
class ParsedRecord:
    """One record read from a source: its core record, its original text verbatim, and how it links up."""

    core: CoreRecord
    standard: str
    position: int  # 1-based position of the record in its source
    line: int | None = None
    original: str | None = None
    local_id: str | None = None
    parent_local_id: str | None = None
    files: list[str] = field(default_factory=list)  # file references, relative to the source
    fields: dict[str, Any] = field(default_factory=dict)  # extra columns (access, closed_until, ...)
    problems: list[Problem] = field(default_factory=list)  # what is wrong with this record alone


@runtime_checkable
class Standard(Protocol):
    """What every standard module offers."""

    name: str
    label: str

    def detect(self, path: Path, head: bytes) -> bool:
        """Whether the file's content (its first bytes in `head`) is in this standard."""
        ...

    def validate(self, path: Path) -> list[Problem]:
        """Every problem found; an empty list means valid."""
        ...

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """The records of the file, in order.

        Raises:
            InvalidMetadata: the file cannot be read at all.
        """
        ...

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        """Write records in this standard."""
        ...


REGISTRY: dict[str, Standard] = {}
# Detection order: the XML standards (METS before the standards it embeds), binary MARC, Darwin Core,
# then the CSV sheet, which accepts any table with a title column.
BUILTINS = ("mets", "ead", "ead3", "marcxml", "mods", "dc", "lido", "marc", "dwc", "dwc_csv", "csv_sheet")
_builtins_loaded = False


def register(standard: Standard) -> Standard:
    REGISTRY[standard.name] = standard
    return standard


def get(name: str) -> Standard:
    _load_builtins()
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise UnknownFormat(f"unknown metadata format {name!r} (known: {known})") from None


def detect(path: Path) -> Standard:
    """The standard of a file, by its content, not its name.

    Raises:
        UnknownFormat: no registered standard recognises it.
    """
    _load_builtins()
    if path.is_dir():  # a Darwin Core Archive unpacked in a folder
        head = b""
    else:
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    for standard in REGISTRY.values():
        if standard.detect(path, head):
            return standard
    raise UnknownFormat(f"{path}: not a metadata file in any known standard ({', '.join(sorted(REGISTRY))})")


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    import importlib

    for module in BUILTINS:
        try:
            standard = importlib.import_module(f"metadata_schemas.{module}").STANDARD
        except ModuleNotFoundError as exc:  # a standard still being written must not hide the others
            if exc.name != f"metadata_schemas.{module}":
                raise
            continue
        REGISTRY.setdefault(standard.name, standard)


def standards() -> list[Standard]:
    _load_builtins()
    return list(REGISTRY.values())
