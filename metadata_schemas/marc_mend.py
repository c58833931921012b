"""Mend a MARC record that breaks MARC 21 in one readable place, keeping every other byte as it came.

A leader with a stray character or missing positions, a data field tag written without its leading
zero, a subfield code that is no ASCII letter: each is put right on its own (a warning says how), so
a record converted to its own standard comes back field by field as it was. Binary records are read
without decoding (`to_unicode=False`), so MARC-8 text is written back byte for byte.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pymarc
from lxml import etree
from pymarc.record import normalize_subfield_code

from metadata_schemas.errors import Problem
from metadata_schemas.marc import _reason

ENTRY_MAP = "4500"
# the characters each leader position allows (MARCXML schema, leaderDataType)
_LENGTH, _CODE, _TYPE, _INDICATOR_COUNT = r"[\d ]", r"[\dA-Za-z ]", r"[\dA-Za-z]", r"[2 ]"
_POSITIONS = [_LENGTH] * 5 + [_CODE, _TYPE] + [_CODE] * 3 + [_INDICATOR_COUNT] * 2 + [_LENGTH] * 5 + [_CODE] * 3
_DEFAULT_TYPE = "a"  # leader/06 may not be blank: "language material", the MARC 21 default
_TAG = re.compile(r"(0([1-9A-Z][0-9A-Z])|0([1-9a-z][0-9a-z]))|(([1-9A-Z][0-9A-Z]{2})|([1-9a-z][0-9a-z]{2}))")


def leader(text: str) -> str:
    """A MARC 21 leader from a broken one: a short leader gets blanks before its entry map `4500`, a
    character a position does not allow becomes a blank (leader/06, which may not be blank, `a`)."""
    if len(text) < 24:
        text = text[:-4].ljust(20) + text[-4:] if text.endswith(ENTRY_MAP) else text.ljust(24)
    body = text[:20].ljust(20)
    mended = "".join(
        c if re.fullmatch(allowed, c) else (_DEFAULT_TYPE if allowed == _TYPE else " ")
        for c, allowed in zip(body, _POSITIONS, strict=True)
    )
    tail = text[20:24] if text[20:24] in (ENTRY_MAP, "    ") else ENTRY_MAP
    return mended + tail


def tag(text: str) -> str | None:
    """A data field tag written without its leading zeros (`42` for 042), or None when that is no tag."""
    padded = text.zfill(3) if text.isdigit() and len(text) < 3 else None
    return padded if padded and _TAG.fullmatch(padded) else None


def xml_mend(element: etree._Element, reason: str) -> str | None:
    """Mend a MARCXML leader or data field tag the schema refuses: what was done, "" when an earlier
    message about it mended it already, None when this is no such element."""
    name = etree.QName(element).localname
    if name == "record":  # the record-level check names the leader or the tag: mend that child
        told = re.search(r"leader '|data field tag '([^']*)'", reason)
        if told is None:
            return None
        wanted = "leader" if told.group(1) is None else "datafield"
        child = next(
            (
                c
                for c in element
                if isinstance(c.tag, str)
                and etree.QName(c).localname == wanted
                and (told.group(1) is None or c.get("tag") == told.group(1))
            ),
            None,
        )
        return xml_mend(child, "attribute 'tag'" if wanted == "datafield" else reason) if child is not None else None
    if name == "leader" and "attribute" not in reason:
        old = element.text or ""
        element.text = leader(old)
        return f"wrote the leader {old!r} as {element.text!r}" if element.text != old else ""
    if name == "datafield" and "attribute 'tag'" in reason:
        old = element.get("tag", "")
        if _TAG.fullmatch(old):
            return ""  # mended already, for another message about it
        new = tag(old)
        if new:
            element.set("tag", new)
            return f"wrote data field tag {old!r} as {new!r}"
    return None


def binary(path: Path) -> tuple[bytes, list[Problem]]:
    """The records of a binary MARC file with their broken parts mended, each repair a warning
    `FILE: record N:`; a record pymarc cannot read at all is left out with a warning."""
    out = bytearray()
    problems: list[Problem] = []
    with path.open("rb") as fh:
        reader = pymarc.MARCReader(fh, to_unicode=False, permissive=True)
        position = 0
        while True:
            offset = fh.tell()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    record = next(reader)
                except StopIteration:
                    break
            position += 1

            def warn(message: str, p: int = position, o: int = offset) -> None:
                problems.append(Problem(str(path), None, f"record {p} (byte {o}): {message}", p))

            if record is None:
                exc = reader.current_exception
                warn(f"left out, not readable: {_reason(exc) if exc else 'unreadable record'}")
                continue
            for w in caught:
                raw = getattr(w.message, "subf", None)
                if isinstance(raw, bytes):
                    code = normalize_subfield_code(raw)[0]
                    warn(f"subfield code {raw[:3]!r} is not ASCII: written as ${code} (the code pymarc reads)")
                else:
                    warn(str(w.message))
            old = str(record.leader)
            new = leader(old)
            if new != old:
                warn(f"wrote the leader {old!r} as {new!r}")
            if new[9] == "a" and not _is_utf8(record):
                new = new[:9] + " " + new[10:]
                warn("leader/09 says UTF-8 but the text is not UTF-8: leader/09 written blank (MARC-8)")
            if new != old:
                record.leader = pymarc.Leader(new)
            out += record.as_marc()
    return bytes(out), problems


def _is_utf8(record: pymarc.Record) -> bool:
    """Whether the undecoded bytes of every field are UTF-8."""
    for f in record.fields:
        parts = [f.data] if f.is_control_field() else [s.value for s in f.subfields]
        try:
            for part in parts:
                part.decode("utf-8") if isinstance(part, bytes) else None
        except UnicodeDecodeError:
            return False
    return True
