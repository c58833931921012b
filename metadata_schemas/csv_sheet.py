"""A CSV sheet of Dublin Core-named columns, one row per item (or per page), as archivists keep them.

The accepted columns and their aliases are the crosswalk `crosswalks/csv_sheet.csv`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import BinaryIO

from metadata_schemas.core import Agent, CoreRecord, Taxon, Term
from metadata_schemas.dates import parse_date
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.tables import CORE_LEVELS

CROSSWALK = Path(__file__).parent / "crosswalks" / "csv_sheet.csv"
SEPARATOR = "|"
LEVELS = set(CORE_LEVELS)
ACCESS = {"public", "restricted", "closed"}
_AUTHORITY = re.compile(r"^(?P<label>.*?)\s*<(?P<uri>https?://[^>]+)>\s*$")
ROLE = re.compile(r"^(?P<name>.*?)\s*\((?P<role>[^()]+)\)\s*$")  # "Name (role)"


@dataclass(frozen=True)
class Column:
    name: str
    core: str
    repeatable: bool


@cache
def columns() -> dict[str, Column]:
    """Every accepted header (lower case, aliases included) mapped to its canonical column."""
    out: dict[str, Column] = {}
    with CROSSWALK.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            column = Column(row["field"], row["core"], row["repeatable"] == "yes")
            for header in [row["field"], *row["aliases"].split("|")]:
                out[header.strip().lower()] = column
    return out


def decode_text(data: bytes) -> str | None:
    """A sheet's text: UTF-8 (a BOM or not), else Windows-1252 (what Excel writes); None when it is neither."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _decode(path: Path) -> str:
    text = decode_text(path.read_bytes())
    if text is None:
        raise InvalidMetadata([Problem(str(path), None, "not UTF-8 or Windows-1252 text")])
    return text


def _sniff(text: str) -> csv.Dialect | type[csv.Dialect]:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(SEPARATOR) if v.strip()]


def _term(value: str) -> Term:
    m = _AUTHORITY.match(value)
    return Term(m["label"], m["uri"]) if m else Term(value)


def _agent(value: str, default_role: str) -> Agent:
    uri = None
    m = _AUTHORITY.match(value)
    if m:
        value, uri = m["label"], m["uri"]
    m = ROLE.match(value)
    if m:
        return Agent(m["name"], m["role"], uri)
    return Agent(value, default_role, uri)


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


class CsvSheet:
    name = "csv"
    label = "CSV sheet (Dublin Core columns)"

    def detect(self, path: Path, head: bytes) -> bool:
        if head.lstrip().startswith(b"<") or b"\x00" in head:
            return False
        try:
            first = head.decode("utf-8-sig", errors="strict").splitlines()[0]
        except (UnicodeDecodeError, IndexError):
            return False
        headers = [h.strip().strip('"').lower() for h in re.split(r"[,;\t]", first)]
        known = columns()
        return "title" in {known[h].name for h in headers if h in known}

    def _rows(self, path: Path) -> tuple[list[str], list[tuple[int, dict[str, str], str]], list[Problem]]:
        text = _decode(path)
        reader = csv.reader(io.StringIO(text, newline=""), _sniff(text))
        problems: list[Problem] = []
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidMetadata([Problem(str(path), 1, "empty sheet: no header row")]) from None
        known = columns()
        names: list[str] = []
        for h in header:
            col = known.get(h.strip().lower())
            if col is None:
                problems.append(Problem(str(path), 1, f"unknown column {h.strip()!r} (ignored)"))
            names.append(col.name if col else "")
        if "title" not in names:
            raise InvalidMetadata([Problem(str(path), 1, "no title column (title or dc:title)")])
        rows: list[tuple[int, dict[str, str], str]] = []
        lines = text.splitlines()
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(names):
                problems.append(Problem(str(path), line, f"{len(values)} cells but {len(names)} columns"))
            row: dict[str, str] = {}
            for name, value in zip(names, values, strict=False):
                if name and value.strip():
                    row[name] = (row[name] + SEPARATOR + value.strip()) if name in row else value.strip()
            rows.append((line, row, lines[line - 1] if line - 1 < len(lines) else ""))
        return names, rows, problems

    def validate(self, path: Path) -> list[Problem]:
        try:
            _, rows, problems = self._rows(path)
        except InvalidMetadata as exc:
            return exc.problems
        problems = [p for p in problems if "ignored" not in p.message]
        seen: dict[str, int] = {}
        for line, row, _ in rows:
            if not row.get("title"):
                problems.append(Problem(str(path), line, "row has no title"))
            ident = row.get("identifier")
            if ident:
                if ident in seen:
                    problems.append(Problem(str(path), line, f"identifier {ident!r} repeats line {seen[ident]}"))
                seen.setdefault(ident, line)
            if row.get("level") and row["level"].lower() not in LEVELS:
                problems.append(Problem(str(path), line, f"unknown level {row['level']!r}"))
            if row.get("access") and row["access"].lower() not in ACCESS:
                problems.append(
                    Problem(str(path), line, f"unknown access {row['access']!r} (public, restricted or closed)")
                )
            if row.get("closed_until") and not _is_day(row["closed_until"]):
                problems.append(
                    Problem(str(path), line, f"closed_until {row['closed_until']!r} is not a date (YYYY-MM-DD)")
                )
        for line, row, _ in rows:
            parent = row.get("parent")
            if parent and parent not in seen:
                problems.append(Problem(str(path), line, f"parent {parent!r} is not an identifier in this sheet"))
        return problems

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        _, rows, _ = self._rows(path)
        for position, (line, row, original) in enumerate(rows, start=1):
            yield self._record(row, position, line, original)

    def _record(self, row: dict[str, str], position: int, line: int, original: str) -> ParsedRecord:
        core = CoreRecord(title=row.get("title", ""))
        for lang in ("en", "nl"):
            if row.get(f"title_{lang}"):
                core.titles[lang] = row[f"title_{lang}"]
            if row.get(f"description_{lang}"):
                core.descriptions[lang] = row[f"description_{lang}"]
        if row.get("identifier"):
            core.identifiers = [row["identifier"]]
        for column, role in (("creator", "creator"), ("contributor", "contributor"), ("publisher", "publisher")):
            core.agents += [_agent(v, role) for v in _split(row.get(column, ""))]
        core.dates = [parse_date(v) for v in _split(row.get("date", ""))]
        core.description = row.get("description")
        core.subjects = [_term(v) for v in _split(row.get("subject", ""))]
        core.places = [_term(v) for v in _split(row.get("place", ""))]
        core.languages = _split(row.get("language", ""))
        if row.get("script"):
            core.details["script"] = row["script"]  # ISO 15924: the OCR's model (Latf: Fraktur)
        core.rights = row.get("rights")
        core.type = row.get("type")
        core.extent = row.get("extent") or row.get("format")
        core.level = row["level"].lower() if row.get("level") else None
        core.parent = row.get("parent")
        if row.get("taxon"):
            core.taxon = Taxon(row["taxon"])
        core.files = _split(row.get("files", ""))  # so that a conversion keeps them (856 $u, dao, linkResource...)
        fields = {k: row[k] for k in ("access", "closed_until") if row.get(k)}
        return ParsedRecord(
            core=core,
            standard=self.name,
            position=position,
            line=line,
            original=original,
            local_id=row.get("identifier"),
            parent_local_id=row.get("parent"),
            files=list(core.files),
            fields=fields,
        )

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        header = [
            "identifier",
            "parent",
            "level",
            "title",
            "title_en",
            "creator",
            "date",
            "description",
            "subject",
            "place",
            "language",
            "script",
            "rights",
            "type",
            "extent",
            "taxon",
            "files",
        ]
        writer = csv.writer(text)
        writer.writerow(header)
        for r in records:
            writer.writerow(
                [
                    r.identifiers[0] if r.identifiers else "",
                    r.parent or "",
                    r.level or "",
                    r.title,
                    r.titles.get("en", ""),
                    SEPARATOR.join(f"{a.name} ({a.role})" if a.role else a.name for a in r.agents),
                    SEPARATOR.join(d.text for d in r.dates),
                    r.description or "",
                    SEPARATOR.join(f"{t.label} <{t.id}>" if t.id else t.label for t in r.subjects),
                    SEPARATOR.join(f"{t.label} <{t.id}>" if t.id else t.label for t in r.places),
                    SEPARATOR.join(r.languages),
                    str(r.details.get("script") or ""),
                    r.rights or "",
                    r.type or "",
                    r.extent or "",
                    r.taxon.scientific_name if r.taxon else "",
                    SEPARATOR.join(r.files),
                ]
            )
        text.detach()


STANDARD = CsvSheet()
