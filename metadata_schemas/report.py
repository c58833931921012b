"""What a conversion lost, said instead of dropped silently (`heritage metadata convert --report`).

The honest measure is the output itself: the converted file is read back with the target's own reader
and each value of each source record's core is looked for in the core read back. What is missing is
listed per record and field, with the reason from data: the target's crosswalk table has no row for
the field ("has no place for it"), or it has one and the writer still did not keep the value.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from metadata_schemas import registry
from metadata_schemas.crosswalk import FOLDER
from metadata_schemas.errors import Problem
from metadata_schemas.registry import ParsedRecord

# the crosswalk table each target reads with (METS describes through its embedded MODS)
TABLES = {
    "dc": "dc",
    "ead": "ead2002",
    "ead3": "ead3",
    "marcxml": "marc21",
    "marc": "marc21",
    "mods": "mods",
    "lido": "lido",
    "mets": "mods",
    "dwc": "dwc",
}
SUFFIXES = {"dwc": ".zip", "marc": ".mrc"}
# kept beside the record, not in it: no target is expected to write them
NOT_VALUES = {"parent", "local_id", "level"}


@cache
def held(target: str) -> frozenset[str]:
    """The core fields the target's crosswalk table has rows for."""
    with (FOLDER / f"{TABLES[target]}.csv").open(encoding="utf-8", newline="") as fh:
        fields = {row["core"].split(".")[0] for row in csv.DictReader(fh) if row.get("core")}
    if "title" in fields:
        fields.add("titles")
    if "description" in fields:
        fields.add("descriptions")
    return frozenset(fields)


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif value is not None and value != "" and not isinstance(value, bool):
        yield " ".join(str(value).split())


def _values(core: dict[str, Any]) -> dict[str, set[str]]:
    return {name: set(_leaves(value)) for name, value in core.items()}


def losses(path: Path, records: list[ParsedRecord], output: bytes, target: str) -> list[Problem]:
    """Every source value the converted output does not give back, as `FILE:LINE: record N: ...`."""
    standard = registry.get(target)
    with tempfile.TemporaryDirectory(prefix="heritage-report-") as tmp:
        written = Path(tmp) / f"converted{SUFFIXES.get(target, '.xml')}"
        written.write_bytes(output)
        back = [_values(r.core.to_dict()) for r in standard.parse(written)]
    pooled: dict[str, set[str]] = {}
    for values in back:
        for name, found in values.items():
            pooled.setdefault(name, set()).update(found)
    aligned = len(back) == len(records)
    problems: list[Problem] = []
    for index, record in enumerate(records):
        found_in = back[index] if aligned else pooled
        for name, values in _values(record.core.to_dict()).items():
            if name in NOT_VALUES:
                continue
            for value in sorted(values - found_in.get(name, set())):
                why = "has no place for it" if name not in held(target) else "did not keep it"
                shown = value if len(value) <= 80 else value[:77] + "..."
                problems.append(
                    Problem(
                        str(path), record.line, f"record {record.position}: {name} ({shown}): {standard.label} {why}"
                    )
                )
    return problems
