"""Darwin Core occurrence tables as plain CSV (a GBIF or museum export with Darwin Core column names).

Column names are matched to Darwin Core terms case-insensitively, aliases included
(`crosswalks/dwc.csv`); UTF-8 or Windows-1252 text, comma, semicolon or tab separated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from metadata_schemas import dwc_terms
from metadata_schemas.core import CoreRecord
from metadata_schemas.csv_sheet import _decode, _sniff
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.registry import ParsedRecord

KEY_TERMS = {"scientificName", "catalogNumber", "occurrenceID", "basisOfRecord", "taxonID"}


def _headers(first_line: str) -> list[str]:
    dialect = _sniff(first_line)
    return next(csv.reader([first_line], dialect), [])


class DwcCsv:
    name = "dwc_csv"
    label = "Darwin Core occurrence CSV"

    def detect(self, path: Path, head: bytes) -> bool:
        if head.lstrip().startswith(b"<") or b"\x00" in head or head.startswith(b"PK"):
            return False
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
        lines = text.splitlines()
        if not lines:
            return False
        headers = _headers(lines[0])
        terms = {dwc_terms.canonical(h) for h in headers}
        sheet = {h.strip().lower() for h in headers} & {"title", "dc:title", "titel"}  # a CSV sheet of items
        return len(terms & KEY_TERMS) >= 1 and len(terms - {None}) >= 3 and not sheet

    def _table(self, path: Path) -> tuple[list[str | None], list[tuple[int, list[str]]], list[Problem]]:
        text = _decode(path)
        reader = csv.reader(io.StringIO(text, newline=""), _sniff(text))
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidMetadata([Problem(str(path), 1, "empty file: no header row")]) from None
        terms = [dwc_terms.canonical(h) or (h.strip() or None) for h in header]
        problems = []
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(Problem(str(path), reader.line_num, f"{len(cells)} cells but {len(header)} columns"))
            rows.append((reader.line_num, cells))
        return terms, rows, problems

    def validate(self, path: Path) -> list[Problem]:
        try:
            terms, rows, problems = self._table(path)
        except InvalidMetadata as exc:
            return exc.problems
        if "scientificName" not in terms and "catalogNumber" not in terms:
            problems.insert(0, Problem(str(path), 1, "no scientificName or catalogNumber column"))
        if not rows:
            problems.append(Problem(str(path), 2, "no data rows"))
        return problems

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        terms, rows, _problems = self._table(path)
        for position, (line, cells) in enumerate(rows, start=1):
            values = {t: c for t, c in zip(terms, cells, strict=False) if t and c.strip()}
            core, fields = dwc_terms.to_core(values)
            message = dwc_terms.coordinate_problem(fields)
            yield ParsedRecord(
                core=core,
                standard=self.name,
                position=position,
                line=line,
                original=",".join(cells),
                local_id=core.local_id,
                parent_local_id=core.parent,
                files=list(core.files),
                fields=fields,
                problems=[Problem(str(path), line, message, position)] if message else [],
            )

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        headers = [
            f"dcterms:{c}" if dwc_terms.TERM_URIS[c].startswith(dwc_terms.DCTERMS) else c for c in dwc_terms.COLUMNS
        ]
        writer.writerow(["occurrenceID", *headers])
        for n, core in enumerate(records, start=1):
            row = dwc_terms.from_core(core)
            writer.writerow([core.local_id or f"record-{n}", *(row[c] for c in dwc_terms.COLUMNS)])
        text.detach()


STANDARD = DwcCsv()
