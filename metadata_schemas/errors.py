"""Errors of the standards library; the layers above map them to their own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a metadata file, located by line (and record position) where known."""

    source: str
    line: int | None
    message: str
    record: int | None = None
    # Text of the record is missing (an entity the parser may not expand): no leniency takes such a file in,
    # unlike a broken schema rule, whose values are all still there.
    lost: bool = False

    def __str__(self) -> str:
        return f"{self.source}:{self.line if self.line is not None else '-'}: {self.message}"


class MetadataError(Exception):
    """Base of the errors of this package."""


class UnknownFormat(MetadataError):
    """No registered standard recognises the file's content."""


class InvalidMetadata(MetadataError):
    """The file cannot be read as its standard; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))
