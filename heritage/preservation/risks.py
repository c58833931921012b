"""The format-risk report: which stored files are not in a preferred preservation format, by collection and unit.

The preferred and accepted formats of masterplan 3c are the data file `data/preferred_formats.csv`, matched
on the PRONOM id that FIDO found at ingest (else the ingest's own identification), and where the masterplan
asks for it on the compression (TIFF uncompressed, JP2 lossless). A file's risk: `low` (preferred),
`medium` (accepted), `high` (any other format), `unknown` (no PRONOM id).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.models import Collection, File, Item, Unit

PREFERRED = Path(__file__).parent / "data" / "preferred_formats.csv"
RISK = {"preferred": "low", "accepted": "medium", "not preferred": "high", "unidentified": "unknown"}


@dataclass(frozen=True)
class Rule:
    match: str
    name: str
    status: str
    compression: frozenset[str]
    source: str


@cache
def rules() -> dict[str, list[Rule]]:
    found: dict[str, list[Rule]] = defaultdict(list)
    with PREFERRED.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            compression = frozenset(c.strip() for c in row["compression"].split(",") if c.strip())
            found[row["match"]].append(Rule(row["match"], row["name"], row["status"], compression, row["source"]))
    return dict(found)


def status_of(puid: str | None, format_name: str | None, compression: str | None) -> tuple[str, str]:
    """(status, the rule's source) of a file: preferred, accepted, not preferred or unidentified."""
    candidates = rules().get(puid or "", []) + rules().get(f"name:{format_name}", [])
    for rule in candidates:
        if not rule.compression or (compression or "none") in rule.compression:
            return rule.status, rule.source
    if candidates:
        return "not preferred", f"{candidates[0].name} only as {', '.join(sorted(candidates[0].compression))}"
    return ("not preferred", "not in the masterplan's list") if puid else ("unidentified", "no PRONOM id")


def format_label(
    puid: str | None, preferred: bool, compression: str | None, failed_checks: Iterable[str] = ()
) -> dict[str, Any]:
    """What a master's quality record says of its format: `preferred_format`, `format_status`, `format_risk`
    and `format_why`.

    `preferred` is the identified format's own standing (ingest's format table); where the masterplan's table
    rules on the compression (TIFF uncompressed, JP2 lossless) that table decides, so a JPEG-compressed TIFF
    is not the preferred uncompressed TIFF. A master whose guideline check of its format or compression
    failed is not called preferred either: at best accepted.
    """
    status, why = ("preferred", "identified format") if preferred else ("not preferred", "identified format")
    if any(rule.compression for rule in rules().get(puid or "", [])):
        status, why = status_of(puid, None, compression)
    failed = sorted({"format", "compression"} & set(failed_checks))
    if failed and status == "preferred":
        status, why = "accepted", f"{why}; but the digitisation guideline's {' and '.join(failed)} check failed"
    return {
        "preferred_format": status == "preferred",
        "format_status": status,
        "format_risk": RISK[status],
        "format_why": why,
    }


def report(session: Session) -> dict[str, Any]:
    """Every stored file's status, grouped by collection and custodial unit, with the files at risk listed."""
    rows = session.execute(
        select(File, Item.id, Collection.slug, Unit.slug)
        .join(Item, File.item_id == Item.id)
        .join(Collection, Item.collection_id == Collection.id)
        .outerjoin(Unit, Unit.id == Item.unit_id)
        .order_by(Collection.slug, Item.id, File.sequence)
    ).all()
    units = dict(session.execute(select(Collection.slug, Unit.slug).join(Unit, Collection.unit_id == Unit.id)).all())
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    at_risk = []
    seen: set[tuple[str, str]] = set()
    for file, item_id, collection, unit in rows:
        if (item_id, file.sha256) in seen:  # the pages of one multi-page master are one file
            continue
        seen.add((item_id, file.sha256))
        unit = unit or units.get(collection) or ""
        pronom = (file.technical or {}).get("pronom") or {}
        puid = pronom.get("puid") or file.puid
        status, why = status_of(puid, file.format_name, (file.technical or {}).get("compression"))
        group = groups.setdefault(
            (collection, unit), {"collection": collection, "unit": unit, "files": 0, "at_risk": 0, "formats": {}}
        )
        group["files"] += 1
        name = pronom.get("name") or file.format_name or "unknown"
        entry = group["formats"].setdefault(
            (puid, name, status), {"puid": puid, "format": name, "status": status, "risk": RISK[status], "files": 0}
        )
        entry["files"] += 1
        if status not in ("preferred", "accepted"):
            group["at_risk"] += 1
            at_risk.append(
                {
                    "item": item_id,
                    "file": file.id,
                    "path": file.original_name,
                    "puid": puid,
                    "format": name,
                    "status": status,
                    "risk": RISK[status],
                    "why": why,
                    "collection": collection,
                    "unit": unit,
                }
            )
    listed = []
    for group in groups.values():
        formats = sorted(group.pop("formats").values(), key=lambda f: (f["status"] != "not preferred", -f["files"]))
        listed.append({**group, "formats": formats})
    return {
        "files": sum(g["files"] for g in listed),
        "at_risk": len(at_risk),
        "groups": listed,
        "files_at_risk": at_risk,
    }
