"""Whole-file operations for the surfaces above: check a file (detect + validate) and convert it.

`check` always answers with problems located `FILE:LINE`, also for a file no standard recognises
(not well-formed XML, an unknown encoding, a damaged zip); `convert` writes records in another
standard and validates what it wrote before handing it over, so the output is valid or refused.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from metadata_schemas import registry, same_standard, schemas
from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import InvalidMetadata, Problem, UnknownFormat
from metadata_schemas.registry import ParsedRecord, Standard
from metadata_schemas.xmlsafe import iterparse, sniff, syntax_problem

# --to names of the command line -> registered standards (json is not a standard: the core records)
TARGETS = {
    "dc": "dc",
    "ead": "ead",
    "ead3": "ead3",
    "marcxml": "marcxml",
    "mods": "mods",
    "lido": "lido",
    "dwc": "dwc",
    "mets": "mets",
    "marc": "marc",
    "json": "json",
}
SUFFIXES = {"dwc": ".zip", "marc": ".mrc", "json": ".json"}


@dataclass
class Report:
    """The outcome of checking one file."""

    path: Path
    standard: Standard | None
    problems: list[Problem] = field(default_factory=list)
    xsd: bool = False  # whether the XSD of the standard was applied

    @property
    def valid(self) -> bool:
        return self.standard is not None and not self.problems


def _looks_like_xml(path: Path, head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped.startswith(b"<") or path.suffix.lower() == ".xml"


def _unknown(path: Path) -> list[Problem]:
    known = ", ".join(sorted(s.name for s in registry.standards()))
    if path.is_dir():
        return [Problem(str(path), None, f"a folder without meta.xml, not a metadata file (known standards: {known})")]
    try:
        with path.open("rb") as fh:
            head = fh.read(registry.HEAD_BYTES)
    except OSError as exc:
        return [Problem(str(path), None, f"cannot be read: {exc.strerror or exc}")]
    if _looks_like_xml(path, head):
        root = None
        try:
            for _event, element in iterparse(path, ("start",)):
                root = root if root is not None else element
        except etree.XMLSyntaxError as exc:
            return [syntax_problem(path, exc)]
        tag = root.tag if root is not None else "(none)"
        return [Problem(str(path), 1, f"XML in no known standard: the document element is {tag} (known: {known})")]
    if head.startswith(b"PK"):
        return [Problem(str(path), None, "a zip archive without meta.xml: not a Darwin Core Archive")]
    return [Problem(str(path), 1, f"not a metadata file in any known standard ({known})")]


def resolve(path: Path, fmt: str = "auto") -> Standard:
    """The standard to read a file with: detected by content, or the one named.

    Raises:
        UnknownFormat: no standard recognises it, or `fmt` names none.
    """
    return registry.detect(path) if fmt == "auto" else registry.get(fmt)


def check(path: Path, fmt: str = "auto") -> Report:
    """Detect (or take `fmt`) and validate; every problem located."""
    if not path.exists():
        return Report(path, None, [Problem(str(path), None, "no such file or folder")])
    try:
        standard = resolve(path, fmt)
    except UnknownFormat as exc:
        if fmt != "auto":
            return Report(path, None, [Problem(str(path), None, str(exc))])
        return Report(path, None, _unknown(path))
    return Report(path, standard, standard.validate(path), xsd=_xsd_applies(standard, path))


def _xsd_applies(standard: Standard, path: Path) -> bool:
    """Whether validation used an XSD: the schemas folder has the standard's, and (for a standard that
    picks a schema per record, such as Dublin Core: oai_dc has one, OCLC qualified DC none) the file's
    first record is one the validator checks against an XSD."""
    active = schemas.active()
    keys: tuple[str, ...] = getattr(standard, "schema_keys", ())
    if active is None or not keys or not all(active.has(k) for k in keys):
        return False
    per_record = getattr(standard, "schema_key", None)
    if per_record is not None and hasattr(standard, "records") and path.is_file():
        try:
            for _position, element in standard.records(path):  # type: ignore[attr-defined]
                key = per_record(element)
                return key is not None and active.has(key)
        except etree.XMLSyntaxError:
            return False
        return False
    if path.is_file() and path.suffix.lower() != ".zip":
        shape = sniff(path, path.read_bytes()[: registry.HEAD_BYTES])
        if shape is not None and not shape.payload.startswith("{"):
            return False  # DTD-era EAD, MARCXML without a namespace: no XSD applies
    return True


def records(path: Path, fmt: str = "auto") -> Iterator[ParsedRecord]:
    """The parsed records of a file.

    Raises:
        UnknownFormat, InvalidMetadata: the file cannot be read at all.
    """
    try:
        standard = resolve(path, fmt)
    except UnknownFormat:
        if fmt == "auto" and path.exists():
            raise InvalidMetadata(_unknown(path)) from None
        raise
    yield from standard.parse(path)


def convert(
    cores: list[CoreRecord], to: str, out: BinaryIO, source: Path | None = None, standard: str | None = None
) -> list[Problem]:
    """Write core records in standard `to` (or as JSON), validated before a byte reaches `out`.

    When `to` is the standard of `source` (read as `standard`), the source document goes out as it came
    (same_standard): a conversion to its own standard must not lose what the core record cannot hold.
    Returns the warnings of that path (what had to be dropped to make a broken original valid).

    Raises:
        UnknownFormat: `to` is not a target; InvalidMetadata: the output does not validate.
    """
    if to not in TARGETS:
        raise UnknownFormat(f"cannot convert to {to!r} (targets: {', '.join(sorted(TARGETS))})")
    fallback: list[Problem] = []
    if source is not None and standard is not None and TARGETS[to] == same_standard.OWN.get(standard, standard):
        kept = same_standard.document(source, registry.get(standard))
        if kept is not None:
            data, warnings = kept
            out.write(data)
            return warnings
        fallback = [Problem(str(source), None, "breaks its schema beyond mending: written from its core records")]
    if to == "json":
        payload = {"records": [c.to_dict() for c in cores]}
        out.write(json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
        return []
    target = registry.get(TARGETS[to])
    with tempfile.TemporaryDirectory(prefix="heritage-convert-") as tmp:
        written = Path(tmp) / f"converted{SUFFIXES.get(to, '.xml')}"
        with written.open("wb") as fh:
            target.serialise(cores, fh)
        fallback += getattr(target, "written_warnings", [])  # what the writer changed to fit its format
        problems = target.validate(written)
        if problems:
            raise InvalidMetadata(
                [Problem("(converted output)", p.line, f"{target.label}: {p.message}", p.record) for p in problems]
            )
        with written.open("rb") as fh:
            shutil.copyfileobj(fh, out)
    return fallback
