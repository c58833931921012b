"""Binary MARC 21 (ISO 2709, `.mrc`), read with pymarc (MARC-8 and UTF-8), written as ISO 2709.

Records stream one at a time; a record pymarc cannot read is reported by position and byte offset
and the records around it still load. Binary files have no lines, so problems say `FILE:-:`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pymarc

from metadata_schemas import access_terms, marc21, marc_limits
from metadata_schemas.core import CoreRecord
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.marcxml import structure_problems
from metadata_schemas.registry import ParsedRecord

_HEAD = re.compile(rb"^\d{5}[\x20-\x7e]{5}[\d ]{2}\d{5}[\x20-\x7e]{3}\d{4}")
_REASONS = {
    "BaseAddressInvalid": "the base address in the leader points past the end of the record",
    "BaseAddressNotFound": "the base address in the leader is missing",
    "RecordDirectoryInvalid": "the directory of fields is damaged",
    "NoFieldsFound": "the record has no fields",
    "TruncatedRecord": "the record is shorter than its leader says (truncated or wrong length)",
    "EndOfRecordNotFound": "no end-of-record mark where the leader says the record ends",
    "RecordLengthInvalid": "the record length in the leader is not a number",
    "FieldNotFound": "a field the directory lists is missing",
}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        if exc.encoding.lower().replace("-", "") == "utf8":
            return f"leader/09 says UTF-8 but the text is not UTF-8 (byte {exc.object[exc.start]:#04x}); MARC-8?"
        return f"bytes that are not text in its directory or fields ({exc.reason})"
    name = type(exc).__name__
    return _REASONS.get(name, f"{name}: {exc}")


def _as_marc8(chunk: bytes | None, exc: BaseException | None) -> pymarc.Record | None:
    """A record whose leader/09 says UTF-8 over MARC-8 bytes, read as the MARC-8 it is (None otherwise)."""
    if not chunk or not isinstance(exc, UnicodeDecodeError) or chunk[9:10] != b"a":
        return None
    try:
        return pymarc.Record(data=chunk[:9] + b" " + chunk[10:], to_unicode=True, force_utf8=False)
    except Exception:  # pymarc raises many kinds; the record then stays unreadable, as reported
        return None


def from_pymarc(record: pymarc.Record) -> marc21.MarcRecord:
    out = marc21.MarcRecord(leader=str(record.leader))
    for f in record.fields:
        if f.is_control_field():
            out.control.append((f.tag, f.data or ""))
        else:
            out.fields.append(
                marc21.DataField(
                    f.tag,
                    (f.indicator1 or " ")[:1] or " ",
                    (f.indicator2 or " ")[:1] or " ",
                    [(s.code, s.value) for s in f.subfields],
                )
            )
    return out


def to_pymarc(record: marc21.MarcRecord) -> pymarc.Record:
    out = pymarc.Record(leader=record.leader, force_utf8=True)
    for tag, value in record.control:
        out.add_field(pymarc.Field(tag=tag, data=value))
    for f in sorted(record.fields, key=lambda f: f.tag):
        out.add_field(
            pymarc.Field(
                tag=f.tag,
                indicators=pymarc.Indicators(f.ind1, f.ind2),
                subfields=[pymarc.Subfield(code, value) for code, value in f.subfields],
            )
        )
    return out


class BinaryMarc:
    name = "marc"
    label = "MARC 21 (ISO 2709 binary)"

    def detect(self, path: Path, head: bytes) -> bool:
        return bool(_HEAD.match(head)) and b"\x1e" in head

    def _stream(self, path: Path) -> Iterator[tuple[int, int, marc21.MarcRecord | None, list[str]]]:
        """(position, byte offset, record or None, problems) for every record in the file."""
        with path.open("rb") as fh:
            reader = pymarc.MARCReader(fh, to_unicode=True, force_utf8=False, permissive=True, utf8_handling="strict")
            position = 0
            while True:
                offset = fh.tell()
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        record = next(reader)
                    except StopIteration:
                        return
                position += 1
                messages = [str(w.message) for w in caught]
                if record is None:
                    exc = reader.current_exception
                    record = _as_marc8(reader.current_chunk, exc)
                    if record is not None:
                        yield position, offset, from_pymarc(record), [f"{_reason(exc)}: read as MARC-8", *messages]
                        continue
                    yield position, offset, None, [_reason(exc) if exc else "unreadable record", *messages]
                else:
                    yield position, offset, from_pymarc(record), messages

    def _problems(self, path: Path, position: int, offset: int, messages: list[str]) -> list[Problem]:
        return [
            Problem(str(path), None, f"record {position} (byte {offset}): {message}", position) for message in messages
        ]

    def validate(self, path: Path) -> list[Problem]:
        problems: list[Problem] = []
        count = 0
        for position, offset, record, messages in self._stream(path):
            count = position
            problems += self._problems(path, position, offset, messages)
            if record is not None:
                problems += structure_problems(
                    record, lambda m, p=position, o=offset: Problem(str(path), None, f"record {p} (byte {o}): {m}", p)
                )
        if count == 0:
            problems.append(Problem(str(path), None, "no MARC records in this file"))
        return problems

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        count = 0
        for position, offset, record, messages in self._stream(path):
            count = position
            problems = self._problems(path, position, offset, messages)
            if record is None:
                core = CoreRecord(title="")
                yield ParsedRecord(core, self.name, position, problems=problems)
                continue
            core, files, fields = marc21.to_core(record)
            problems += self._problems(path, position, offset, [m for _n, m in marc21.date_problems(record)])
            access_terms.apply(fields)
            yield ParsedRecord(
                core=core,
                standard=self.name,
                position=position,
                original=to_pymarc(record).as_marc().decode("utf-8", errors="replace"),
                local_id=core.local_id,
                parent_local_id=core.parent,
                files=files,
                fields=fields,
                problems=problems,
            )
        if count == 0:
            raise InvalidMetadata([Problem(str(path), None, "no MARC records in this file")])

    def __init__(self) -> None:
        self.written_warnings: list[Problem] = []  # what the last `serialise` had to change to fit ISO 2709

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        writer = pymarc.MARCWriter(out)
        self.written_warnings = []
        for number, core in enumerate(records, start=1):
            record = marc21.from_core(core)
            record.leader = record.leader[:9] + "a" + record.leader[10:]
            name = f"record {number}" + (f" ({core.local_id})" if core.local_id else "")
            try:
                record, said = marc_limits.fit(record)
            except ValueError as exc:
                raise InvalidMetadata([Problem("(converted output)", None, f"{self.label}: {name}: {exc}")]) from None
            self.written_warnings += [Problem("(converted output)", None, f"{name}: {s}") for s in said]
            writer.write(to_pymarc(record))


STANDARD = BinaryMarc()
