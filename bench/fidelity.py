"""Metadata fidelity (issue 17): how much of each real record survives `heritage metadata convert`.

Two figures per file of `../shared/fixtures/real`:

- same-standard retention: the share of the input's element texts (whitespace normalised) and attribute
  values (no xsi:schemaLocation, no namespace declarations) found again, as a multiset, in the output of
  `heritage metadata convert FILE --to <its own standard>` (MARC: control fields, indicators and subfield
  values; Darwin Core: the cells of the data files). OAI-PMH and SRU wrapper elements are not counted:
  the issue lets a conversion drop them.
- cross-standard retention: for each other target, the share of the source core records' values (only of
  the core fields the target's crosswalk table maps) found again in the core records read back from the
  converted output. Values are the element texts and ids (names, labels, texts, identifiers); how the core
  record qualifies them (a name's kind, a date's type, a note's type, a role) is counted apart, as the
  "qualifiers" figure, since a target such as Dublin Core has no place for most of them.

The conversions run through the real command (click's runner, in this process), so the figures measure
what a user gets. Each standard's crosswalk table is read here, not through the package, so this script
runs unchanged on any commit.

    .venv/bin/python bench/fidelity.py [--standard ead] [--json] [--no-cross]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from lxml import etree

ROOT = Path.cwd()
REAL = (ROOT / ".." / "shared" / "fixtures" / "real").resolve()
if not REAL.is_dir():
    REAL = Path("/work/shared/fixtures/real")
SKIP_DIRS = {"xsd", "images"}
WRAPPER_NS = {
    "http://www.openarchives.org/OAI/2.0/",
    "http://www.loc.gov/zing/srw/",
    "http://docs.oasis-open.org/ns/search-ws/sruResponse",
}
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
# the command's --to name of each registered standard, and its crosswalk table
SAME_TARGET = {"dwc_csv": "dwc", "csv_sheet": "json"}
TABLES = {
    "dc": "dc.csv",
    "ead": "ead2002.csv",
    "ead3": "ead3.csv",
    "marcxml": "marc21.csv",
    "marc": "marc21.csv",
    "mods": "mods.csv",
    "lido": "lido.csv",
    "mets": "mods.csv",  # METS describes through its embedded MODS (dmdSec)
    "dwc": "dwc.csv",
}
TARGETS = ("dc", "ead", "ead3", "marcxml", "mods", "lido", "mets", "marc", "dwc")
SUFFIX = {"dwc": ".zip", "marc": ".mrc"}


def norm(text: str | None) -> str:
    return " ".join((text or "").split())


# --- the values of a file ---------------------------------------------------------------------------


def xml_values(path: Path) -> Counter[str]:
    """Element texts and attribute values of an XML document, wrapper elements left out."""
    values: Counter[str] = Counter()
    parser = etree.XMLParser(recover=True, huge_tree=True, resolve_entities=False, no_network=True)
    root = etree.parse(str(path), parser).getroot()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        namespace = element.tag[1:].split("}")[0] if element.tag.startswith("{") else ""
        if namespace in WRAPPER_NS:
            continue
        text = norm(element.text)
        if text:
            values[text] += 1
        for name, value in element.attrib.items():
            if name.startswith(XSI) and name.endswith("schemaLocation"):
                continue
            value = norm(value)
            if value:
                values[f"@{value}"] += 1
    return values


def marc_values(path: Path) -> Counter[str]:
    import pymarc

    values: Counter[str] = Counter()
    with path.open("rb") as fh:
        for record in pymarc.MARCReader(fh, to_unicode=True, force_utf8=True, utf8_handling="replace"):
            if record is None:
                continue
            for fld in record.fields:
                if fld.is_control_field():
                    values[f"{fld.tag}:{norm(fld.data)}"] += 1
                    continue
                values[f"{fld.tag}:ind:{''.join(fld.indicators)}"] += 1
                for sub in fld.subfields:
                    values[f"{fld.tag}${sub.code}:{norm(sub.value)}"] += 1
    return values


def table_values(name: str, text: str, delimiter: str | None = None) -> Counter[str]:
    lines = text.splitlines()
    if not lines:
        return Counter()
    delimiter = delimiter or ("\t" if "\t" in lines[0] or name.endswith((".txt", ".tab")) else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return Counter(norm(cell) for row in rows[1:] for cell in row if norm(cell))


def dwc_values(path: Path) -> Counter[str]:
    """The cells of a Darwin Core table, archive or folder (meta.xml and eml.xml are not records)."""
    values: Counter[str] = Counter()
    members: Iterator[tuple[str, bytes]]
    if path.is_dir():
        members = ((p.name, p.read_bytes()) for p in sorted(path.rglob("*")) if p.is_file())
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            members = iter([(n, zf.read(n)) for n in zf.namelist() if not n.endswith("/")])
    else:
        members = iter([(path.name, path.read_bytes())])
    files = list(members)
    delimiters: dict[str, str] = {}  # data file -> the delimiter meta.xml declares for it
    for name, data in files:
        if name.rsplit("/", 1)[-1].lower() == "meta.xml":
            try:
                meta = etree.fromstring(data)
            except etree.XMLSyntaxError:
                continue
            for part in meta:
                for location in part.iter("{*}location"):
                    given = part.get("fieldsTerminatedBy", "\\t").replace("\\t", "\t")
                    delimiters[(location.text or "").strip().lower()] = given
    for name, data in files:
        base = name.rsplit("/", 1)[-1].lower()
        if base in {"meta.xml", "eml.xml"} or not base.endswith((".txt", ".csv", ".tab", ".tsv")):
            continue
        values += table_values(base, data.decode("utf-8", errors="replace"), delimiters.get(base))
    return values


def file_values(path: Path, standard: str) -> Counter[str]:
    if standard == "marc":
        return marc_values(path)
    if standard in {"dwc", "dwc_csv", "csv_sheet"}:
        return dwc_values(path)
    return xml_values(path)


def retained(source: Counter[str], output: Counter[str]) -> tuple[int, int]:
    return sum((source & output).values()), sum(source.values())


# --- core records -----------------------------------------------------------------------------------


def held_fields(target: str) -> set[str]:
    """The core fields a target's crosswalk table has rows for (its `core` column): `typed_notes` holds
    every note, `typed_notes.acqinfo` only notes of that type (kept as `typed_notes.acqinfo`)."""
    import metadata_schemas

    table = Path(metadata_schemas.__file__).parent / "crosswalks" / TABLES[target]
    with table.open(encoding="utf-8") as fh:
        cores = {row["core"].strip() for row in csv.DictReader(fh) if row.get("core")}
    return {c if c.startswith("typed_notes.") else c.split(".")[0] for c in cores}


# What a value is, as opposed to how the core record qualifies it: a name's kind, a date's type, a note's
# type and label, a term's kind and scheme, the years derived from a date's text. Element values are the
# headline figure; the qualifiers are counted apart (a target like Dublin Core has no place for most).
QUALIFIERS = {"kind", "type", "role", "scheme", "certainty", "lang", "label", "start", "end", "script", "romanised"}


def leaves(value: Any, qualifiers: bool = False, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from leaves(item, qualifiers, name)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, qualifiers, key)
    elif value is not None and value != "" and not isinstance(value, bool) and (key in QUALIFIERS) == qualifiers:
        yield f"{key}={norm(str(value))}" if qualifiers else norm(str(value))


def core_values(cores: list[dict[str, Any]], fields: set[str], qualifiers: bool = False) -> Counter[str]:
    values: Counter[str] = Counter()
    for core in cores:
        for name, value in core.items():
            if name == "typed_notes" and name not in fields:  # only the note types the target names
                for note in value:
                    held = f"typed_notes.{note.get('type')}"
                    if held in fields:
                        values.update(f"{held}:{v}" for v in leaves(note, qualifiers) if v)
            elif name in fields:
                values.update(f"{name}:{v}" for v in leaves(value, qualifiers) if v)
    return values


def read_cores(path: Path, standard: str) -> list[dict[str, Any]]:
    from metadata_schemas import checking

    return [r.core.to_dict() for r in checking.records(path, standard)]


# --- running --------------------------------------------------------------------------------------


@dataclass
class Row:
    standard: str
    file: str
    invalid: bool
    same: float | None = None
    same_note: str = ""
    cross: dict[str, float | None] = field(default_factory=dict)
    cross_notes: dict[str, str] = field(default_factory=dict)
    qualifiers: dict[str, float] = field(default_factory=dict)  # retention of kinds, types, roles per target


def convert(runner: CliRunner, path: Path, to: str, out: Path) -> str | None:
    """Run `heritage metadata convert`; None when it wrote the output, else its last error line."""
    from heritage.metadata_cli import metadata

    result = runner.invoke(metadata, ["convert", str(path), "--to", to, "-o", str(out)])
    if result.exit_code == 0 and out.exists():
        return None
    lines = [ln for ln in (result.stderr or result.output or str(result.exception)).splitlines() if ln.strip()]
    return (lines[-1] if lines else f"exit {result.exit_code}")[:160]


def sources(only: str | None) -> Iterator[tuple[str, Path, bool]]:
    for folder in sorted(p for p in REAL.iterdir() if p.is_dir() and p.name not in SKIP_DIRS):
        if only and folder.name != only:
            continue
        for invalid, base in ((False, folder), (True, folder / "invalid")):
            if not base.is_dir():
                continue
            for path in sorted(base.iterdir()):
                if path.name == "invalid" or path.name.startswith("."):
                    continue
                yield folder.name, path, invalid


def measure(path: Path, folder: str, invalid: bool, runner: CliRunner, tmp: Path, cross: bool) -> Row:
    from metadata_schemas import registry
    from metadata_schemas.errors import InvalidMetadata, UnknownFormat

    row = Row(folder, str(path.relative_to(REAL)), invalid)
    try:
        standard = registry.detect(path).name
    except (UnknownFormat, OSError) as exc:
        row.same_note = f"not readable: {str(exc)[:80]}"
        return row
    same = SAME_TARGET.get(standard, standard)
    out = tmp / f"same-{path.name}{SUFFIX.get(same, '.xml')}"
    error = convert(runner, path, same, out)
    if error:
        row.same_note = error
    elif same != "json":
        kept, total = retained(file_values(path, standard), file_values(out, same))
        row.same = kept / total if total else 1.0
    if not cross:
        return row
    try:
        source = read_cores(path, standard)
    except (InvalidMetadata, UnknownFormat, ValueError) as exc:
        row.cross_notes["*"] = str(exc)[:80]
        return row
    for target in TARGETS:
        if target == same:
            continue
        out = tmp / f"{target}-{path.name}{SUFFIX.get(target, '.xml')}"
        error = convert(runner, path, target, out)
        if error:
            row.cross[target], row.cross_notes[target] = None, error
            continue
        fields = held_fields(target)
        try:
            back = read_cores(out, target)
        except Exception as exc:  # a reader failing on our own output is a finding
            row.cross[target], row.cross_notes[target] = None, f"read back: {str(exc)[:80]}"
            continue
        kept, total = retained(core_values(source, fields), core_values(back, fields))
        row.cross[target] = kept / total if total else 1.0
        kept, total = retained(core_values(source, fields, True), core_values(back, fields, True))
        row.qualifiers[target] = kept / total if total else 1.0
    return row


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def markdown(rows: list[Row], cross: bool) -> str:
    out = ["| standard | file | same | " + (" | ".join(TARGETS) + " | " if cross else "") + "note |"]
    out.append("| --- " * (3 + (len(TARGETS) if cross else 0) + 1) + "|")
    for row in rows:
        cells = [row.standard, row.file + (" (invalid)" if row.invalid else ""), pct(row.same)]
        if cross:
            cells += [
                "=" if t not in row.cross and not row.cross_notes.get("*") else pct(row.cross.get(t)) for t in TARGETS
            ]
        note = "; ".join(filter(None, [row.same_note, *(f"{k}: {v}" for k, v in row.cross_notes.items())]))
        out.append("| " + " | ".join([*cells, note.replace("|", "/")[:300]]) + " |")
    out += [
        "",
        "| standard | files | same min | same mean | cross min | cross mean | qualifiers mean |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for invalid in (False, True):
        for standard in sorted({r.standard for r in rows}):
            group = [r for r in rows if r.standard == standard and r.invalid == invalid]
            if not group:
                continue
            same = [r.same if r.same is not None else 0.0 for r in group if r.same is not None or r.same_note]
            crossed = [v if v is not None else 0.0 for r in group for v in r.cross.values()]
            quals = [v for r in group for v in r.qualifiers.values()]
            label = standard + (" (invalid)" if invalid else "")
            out.append(
                f"| {label} | {len(group)} | {pct(min(same)) if same else '-'} | "
                f"{pct(statistics.mean(same)) if same else '-'} | {pct(min(crossed)) if crossed else '-'} | "
                f"{pct(statistics.mean(crossed)) if crossed else '-'} | "
                f"{pct(statistics.mean(quals)) if quals else '-'} |"
            )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--standard", help="only the folder of this standard (dc, ead, marc, ...)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--no-cross", action="store_true", help="only the same-standard figures")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="fidelity-") as tmpdir:
        tmp = Path(tmpdir)
        env = {"HERITAGE_DATA": str(tmp / "data"), "HERITAGE_SCHEMAS": str(REAL / "xsd")}
        os.environ.update(env)
        runner = CliRunner(env=env)
        for folder, path, invalid in sources(args.standard):
            rows.append(measure(path, folder, invalid, runner, tmp, not args.no_cross))
            print(f"{rows[-1].file}: same {pct(rows[-1].same)}", file=sys.stderr)
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], indent=2, ensure_ascii=False))
    else:
        print(markdown(rows, not args.no_cross))


if __name__ == "__main__":
    main()
