"""The shared machinery of the XML standards: detection by content, streaming, validation, errors.

A standard names the elements that are its records; this module streams them one at a time with the
hardened parser (records inside OAI-PMH and SRU responses included), validates each against its XSD
when a schemas folder is active, runs the standard's structural checks, and turns every failure into
a `FILE:LINE: message` problem. A bad record is reported by its position; the others still load.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from lxml import etree

from metadata_schemas import access_terms, schemas
from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.xmlsafe import (
    Sniff,
    entity_declarations,
    iterparse,
    release,
    sniff,
    syntax_problem,
    tostring,
    undefined_entities,
)


class XmlStandard:
    """Base of the XML standards; subclasses set the class attributes and `read`/`serialise`."""

    name: ClassVar[str]
    label: ClassVar[str]
    record_tags: ClassVar[tuple[str, ...]]  # {ns}local of the record elements (no-namespace forms too)
    record_label: ClassVar[str] = "record"
    expected: ClassVar[str] = ""  # how a reader recognises the standard, for "wrong standard" messages
    checks_while_reading: ClassVar[bool] = False  # `read` fills the record's problems itself

    # --- detection -------------------------------------------------------------------------------

    def detect(self, path: Path, head: bytes) -> bool:
        shape = sniff(path, head)
        return shape is not None and self.matches(shape)

    def matches(self, shape: Sniff) -> bool:
        return shape.payload in self.record_tags or shape.root in self.record_tags

    # --- streaming -------------------------------------------------------------------------------

    def records(self, path: Path) -> Iterator[tuple[int, etree._Element]]:
        """Every record element in document order, released from memory once the caller moves on."""
        position = 0
        for _event, element in iterparse(path, ("end",), self.record_tags):
            if self.skip(element):
                release(element)
                continue
            position += 1
            yield position, element
            release(element)

    def skip(self, element: etree._Element) -> bool:
        """Whether a matching element is not a record of its own (nested inside another record)."""
        return False

    # --- the interface ---------------------------------------------------------------------------

    def schema_key(self, element: etree._Element) -> str | None:
        """The key (in data/schemas.csv) of the XSD a record validates against; None: none applies."""
        return None

    def check(self, element: etree._Element, source: str, position: int) -> list[Problem]:
        """Structural problems of one record (what the parser needs), without an XSD."""
        return []

    def validate(self, path: Path) -> list[Problem]:
        problems: list[Problem] = []
        schema_set = schemas.active()
        source = str(path)
        count = 0
        try:
            for position, element in self.records(path):
                count = position
                if position == 1:
                    problems += _entities(element, source)
                problems += undefined_entities(element, source, position)
                problems += self.check(element, source, position)
                key = self.schema_key(element)
                if schema_set is not None and key is not None and schema_set.has(key):
                    problems += schema_set.check(key, element, source, position)
        except etree.XMLSyntaxError as exc:
            problems.append(syntax_problem(path, exc))
            return problems
        except OSError as exc:
            return [Problem(source, None, f"cannot be read: {exc.strerror or exc}")]
        if count == 0:
            problems.append(self.nothing_found(path))
        if schema_set is None:
            schemas.skipped(self.name)
        return problems

    def nothing_found(self, path: Path) -> Problem:
        shape = sniff(path, path.read_bytes()[:4096])
        root = shape.root if shape else "(none)"
        return Problem(
            str(path),
            1,
            f"no {self.label} {self.record_label} found: the document element is {root}; expected {self.expected}"
            " (wrong standard or wrong namespace?)",
        )

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        source = str(path)
        count = 0
        try:
            for position, element in self.records(path):
                count = position
                record = self.read(element, position, path)
                if not self.checks_while_reading:
                    record.problems = self.check(element, source, position)
                access_terms.apply(record.fields)
                yield record
        except etree.XMLSyntaxError as exc:
            raise InvalidMetadata([syntax_problem(path, exc)]) from None
        except OSError as exc:
            raise InvalidMetadata([Problem(source, None, f"cannot be read: {exc.strerror or exc}")]) from None
        if count == 0:
            raise InvalidMetadata([self.nothing_found(path)])

    def read(self, element: etree._Element, position: int, path: Path) -> ParsedRecord:
        raise NotImplementedError

    def parsed(
        self,
        core: CoreRecord,
        element: etree._Element,
        position: int,
        fields: dict[str, str],
        problems: list[Problem] | None = None,
    ) -> ParsedRecord:
        """The parsed record of one record element: its core record, original XML, place and links."""
        return ParsedRecord(
            core=core,
            standard=self.name,
            position=position,
            line=element.sourceline,
            original=tostring(element),
            local_id=core.local_id,
            parent_local_id=core.parent,
            files=list(core.files),
            fields=fields,
            problems=problems or [],
        )


def _entities(element: etree._Element, source: str) -> list[Problem]:
    names = entity_declarations(element)
    if not names:
        return []
    return [
        Problem(
            source,
            1,
            f"the DOCTYPE declares entities ({', '.join(names[:5])}); they are never expanded or fetched "
            "(external entities and entity expansion are refused), so their text is missing",
            lost=True,
        )
    ]


def record_problem(source: str, element: etree._Element, position: int, message: str) -> Problem:
    return Problem(source, element.sourceline, f"record {position}: {message}", position)
