"""The demo's masterplan layer: policy facts on items (material, series, holds, significance, ...),
a few placements and movements (exhibited objects with a light history, misplaced film and spirit),
a year of logger readings for three rooms (imported through the real importer), then one evaluation.

Everything comes from `data/catalogue.json` (policy_facts, placements, movements, loggers) and is
idempotent: a second run finds the facts, moves and readings in place.
"""

from __future__ import annotations

import csv
import math
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from sqlalchemy import select

from heritage import catalogue
from heritage.locations.environment import import_readings
from heritage.locations.movements import move
from heritage.models import Item, Location, Movement
from heritage.policy.service import evaluate
from heritage.runtime import Runtime

AGENT = "heritage demo"


def _items(session: Any, collection: str, pattern: str) -> list[Item]:
    coll = catalogue.get_collection(session, collection)
    items = session.scalars(select(Item).where(Item.collection_id == coll.id)).all()
    return [i for i in items if i.local_id and fnmatchcase(i.local_id, pattern)]


def _apply_facts(session: Any, data: dict[str, Any], per_row: Iterable[tuple[str, dict[str, dict[str, Any]]]]) -> None:
    for rule in data.get("policy_facts", []):
        for item in _items(session, rule["collection"], rule["match"]):
            item.attributes = {**(item.attributes or {}), **rule["attributes"]}
    for slug, attributes in per_row:
        coll = catalogue.get_collection(session, slug)
        for local_id, attrs in attributes.items():
            item = session.scalar(select(Item).where(Item.collection_id == coll.id, Item.local_id == local_id))
            if item is not None:
                item.attributes = {**(item.attributes or {}), **attrs}


def _place(session: Any, data: dict[str, Any]) -> None:
    codes = {loc.code: loc.id for loc in session.scalars(select(Location))}
    for rule in data.get("placements", []):
        for item in _items(session, rule["collection"], rule["match"]):
            if not session.scalar(select(Movement.id).where(Movement.item_id == item.id).limit(1)):
                item.location_id = codes[rule["location"]]


def _moves(session: Any, data: dict[str, Any], now: datetime) -> None:
    codes = {loc.code: loc.id for loc in session.scalars(select(Location))}
    for rule in data.get("movements", []):
        for item in _items(session, rule["collection"], rule["match"]):
            if session.scalar(
                select(Movement.id).where(Movement.item_id == item.id, Movement.reason == rule["reason"])
            ):
                continue
            item.location_id = codes[rule["from"]]
            session.flush()
            move(
                session,
                item.id,
                rule["to"],
                agent=AGENT,
                reason=rule["reason"],
                at=now - timedelta(days=rule["days_ago"]),
            )


def _logger_file(folder: Path, spec: dict[str, Any], end: datetime) -> Path:
    """A year of 3-hourly readings whose seasonal range and daily swing follow the spec."""
    path = folder / f"{spec['location']}.csv"
    t_lo, t_hi = spec["t"]
    rh_lo, rh_hi = spec["rh"]
    swing = spec.get("daily_rh_swing", 4)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["timestamp", "temperature (°C)", "RH (%)"])
        start = end - timedelta(days=365)
        for step in range(365 * 8):
            at = start + timedelta(hours=3 * step)
            season = math.sin(2 * math.pi * step / (365 * 8) - math.pi / 2)
            day = math.sin(2 * math.pi * (step % 8) / 8)
            t = (t_lo + t_hi) / 2 + (t_hi - t_lo) / 2 * season
            rh = (rh_lo + rh_hi) / 2 + ((rh_hi - rh_lo) / 2 - swing / 2) * season + swing / 2 * day
            writer.writerow([at.strftime("%Y-%m-%d %H:%M"), f"{t:.1f}", f"{rh:.1f}"])
    return path


def apply_masterplan(
    runtime: Runtime,
    data: dict[str, Any],
    per_row: Iterable[tuple[str, dict[str, dict[str, Any]]]],
    log: Callable[[str], None] = print,
) -> None:
    """Facts, placements, moves and logger readings from the demo content, then one policy evaluation."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    month_start = now.replace(day=1, hour=0)
    with runtime.transaction() as session:
        _apply_facts(session, data, per_row)
        _place(session, data)
        session.flush()
        _moves(session, data, now)
    with tempfile.TemporaryDirectory(prefix="heritage-demo-loggers-") as tmp:
        for spec in data.get("loggers", []):
            with runtime.transaction() as session:
                import_readings(session, spec["location"], _logger_file(Path(tmp), spec, month_start), agent=AGENT)
    with runtime.transaction() as session:
        decisions = evaluate(session)
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.decision] = counts.get(d.decision, 0) + 1
    log("masterplan: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
