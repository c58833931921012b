"""The names of uploaded files: kept as the browser sent them (folder uploads send `folder/sub/file`), in
Unicode NFC, so that a sheet names them as it would on disk; refused, by name, only when unsafe (leaving
the upload's folder, control characters, longer than the file system or the batch's records hold) or when
two would be stored under one name. No Flask here: the rules are tested on their own.
"""

from __future__ import annotations

import os
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DATABASE_PATH_CHARS = 1000  # batch_files.path holds a file's path in its batch
SHORTENED = 60  # characters of a long name that a message repeats


@dataclass(frozen=True)
class Limits:
    """What the data directory's file system allows, read from it once per upload."""

    name_bytes: int = 255
    path_bytes: int = 4096
    path_chars: int = DATABASE_PATH_CHARS
    case_insensitive: bool = False

    @classmethod
    def of(cls, folder: Path) -> Limits:
        """The limits of the file system `folder` (an existing directory) lives on."""
        probe = folder / f"case-{uuid.uuid4().hex}"
        probe.touch()
        try:
            case_insensitive = probe.with_name(probe.name.upper()).exists()
        finally:
            probe.unlink()
        return cls(
            name_bytes=os.pathconf(folder, "PC_NAME_MAX"),
            path_bytes=os.pathconf(folder, "PC_PATH_MAX"),
            case_insensitive=case_insensitive,
        )


class RefusedName(Exception):
    """An uploaded name that cannot be stored; `reason` says why (a key of the web's messages); a collision
    names the `other` name and `why` the two are one (`twice`, `nfc`, `case`, `spelling`, `file_and_folder`)."""

    def __init__(
        self, name: str, reason: str, *, other: str | None = None, why: str | None = None, limit: int | None = None
    ) -> None:
        super().__init__(f"{shown(name)}: {reason}")
        self.name = name
        self.reason = reason
        self.other = other
        self.why = why
        self.limit = limit


def shown(name: str) -> str:
    """The name as a message may repeat it: control characters escaped, a very long one shortened."""
    text = "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in name)
    if len(text) <= SHORTENED:
        return text
    half = SHORTENED // 2
    return f"{text[:half]}…{text[-half:]} ({len(name)} characters)"


def stored_parts(name: str) -> tuple[str, ...]:
    """The relative path an uploaded name is stored under, in NFC.

    Raises:
        RefusedName: the name leaves the upload's folder, is absolute, or holds a control character.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise RefusedName(name, "encoding") from None
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise RefusedName(name, "control")
    text = unicodedata.normalize("NFC", name).replace("\\", "/")  # a Windows path is a path too
    if text.startswith("/") or (len(text) > 2 and text[1] == ":" and text[2] == "/"):
        raise RefusedName(name, "absolute")
    parts = tuple(p for p in text.split("/") if p not in ("", "."))
    if any(p == ".." for p in parts):
        raise RefusedName(name, "traversal")
    if not parts:
        raise RefusedName(name, "empty")
    return parts


def _check_length(name: str, parts: tuple[str, ...], folder: Path, limits: Limits) -> None:
    if any(len(p.encode("utf-8")) > limits.name_bytes for p in parts):
        raise RefusedName(name, "name_too_long", limit=limits.name_bytes)
    if len(os.fsencode(folder.joinpath(*parts))) >= limits.path_bytes:
        raise RefusedName(name, "path_too_long", limit=limits.path_bytes)
    if len("/".join(parts)) > limits.path_chars:
        raise RefusedName(name, "path_too_many_chars", limit=limits.path_chars)


def plan_names(names: Iterable[str], folder: Path, limits: Limits) -> list[tuple[str, ...]]:
    """The stored path of each uploaded name (in order), all checked before anything is written.

    Raises:
        RefusedName: a name is unsafe or too long, or two names would be stored as one file (the same name,
        the same once in NFC, the same but for capitals on a file system that ignores them, or a file and a
        folder of one name).
    """
    planned: list[tuple[str, ...]] = []
    files: dict[tuple[str, ...], str] = {}
    folders: dict[tuple[str, ...], str] = {}
    for name in names:
        parts = stored_parts(name)
        _check_length(name, parts, folder, limits)
        key = tuple(p.casefold() for p in parts) if limits.case_insensitive else parts
        if key in files:
            raise RefusedName(files[key], "collision", other=name, why=_why_one(files[key], name))
        if key in folders:
            raise RefusedName(folders[key], "collision", other=name, why="file_and_folder")
        for depth in range(1, len(key)):
            if key[:depth] in files:
                raise RefusedName(files[key[:depth]], "collision", other=name, why="file_and_folder")
            folders.setdefault(key[:depth], name)
        files[key] = name
        planned.append(parts)
    return planned


def _why_one(first: str, second: str) -> str:
    """Why two names of files are stored as one."""
    if first == second:
        return "twice"
    if unicodedata.normalize("NFC", first) == unicodedata.normalize("NFC", second):
        return "nfc"
    if stored_parts(first) == stored_parts(second):
        return "spelling"  # the folders written otherwise: `\\` for `/`, empty or `.` folders
    return "case"
