"""Logger CSV files in, measured ranges out: the P5-P95 of temperature and RH over the last 12 months and
the largest daily RH swing become the location's `measured` range, which the hard rules use instead of
the setpoint (masterplan 2d: the band must sit within what is measured, not what is promised).

Accepted files: comma, semicolon or tab separated, a header row naming a time column (timestamp,
datetime, date, time, tijd) and temperature (t, temp, temperature, temperatuur) and/or RH (rh,
humidity, vochtigheid) columns, optionally lux; decimal commas are read. A file with a bad row is
refused whole (`FILE:LINE: message`), nothing stored.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import events
from heritage.errors import InvalidInput
from heritage.locations.tree import get_place, load_places
from heritage.models import EnvironmentReading

ALIASES = {
    "at": ("timestamp", "datetime", "date_time", "date", "time", "tijd", "datum"),
    "t": ("t", "temp", "temperature", "temperatuur"),
    "rh": ("rh", "humidity", "relative_humidity", "vochtigheid", "rv"),
    "lux": ("lux", "lx", "light", "illuminance"),
}
FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M")
MAX_PROBLEMS = 20


def _column(header: str) -> str | None:
    name = re.sub(r"\(.*?\)|\[.*?\]|°c|%|[^a-z_ ]", "", header.strip().lower()).strip().replace(" ", "_")
    for key, names in ALIASES.items():
        if name in names:
            return key
    return None


def _time(text: str) -> datetime | None:
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = None
        for fmt in FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _number(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    return float(text) if text else None


def read_logger_csv(path: Path) -> list[tuple[datetime, float | None, float | None, float | None]]:
    """Raises: InvalidInput: unreadable, no usable columns, or bad rows (each named FILE:LINE)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"{path}: cannot read the logger file: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}"
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        raise InvalidInput(f"{path}:1: the logger file is empty")
    columns = {_column(h): n for n, h in enumerate(rows[0]) if _column(h)}
    if "at" not in columns or not ({"t", "rh"} & set(columns)):
        raise InvalidInput(
            f"{path}:1: the header needs a time column and a temperature or RH column (found: {', '.join(rows[0])})"
        )
    out, problems = [], []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            at = _time(row[columns["at"]])
            if at is None:
                raise ValueError(f"time {row[columns['at']]!r} is not a date and time")
            values = []
            for key in ("t", "rh", "lux"):
                values.append(_number(row[columns[key]]) if key in columns else None)
            if values[1] is not None and not 0 <= values[1] <= 100:
                raise ValueError(f"RH {values[1]:g} is not a percentage")
            out.append((at, values[0], values[1], values[2]))
        except IndexError:
            problems.append(f"{path}:{line}: the row has {len(row)} fields, the header {len(rows[0])}")
        except ValueError as exc:
            msg = str(exc)
            if msg.startswith("could not convert"):
                msg = f"not a number: {msg.split(':', 1)[-1].strip()}"
            problems.append(f"{path}:{line}: {msg}")
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InvalidInput("\n".join(problems) + "\nnothing was imported")
    if not out:
        raise InvalidInput(f"{path}: no readings in the file")
    return out


def _p(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return round(cuts[0] if q == 5 else cuts[18], 1)


def summarise(readings: list[EnvironmentReading]) -> dict[str, Any]:
    """P5-P95 of T and RH, the largest daily swings, and the period covered."""
    ts = [r.t for r in readings if r.t is not None]
    rhs = [r.rh for r in readings if r.rh is not None]
    per_day: dict[Any, list[EnvironmentReading]] = defaultdict(list)
    for r in readings:
        per_day[r.at.date()].append(r)

    def swing(attr: str) -> float | None:
        spans = []
        for day in per_day.values():
            vals = [getattr(r, attr) for r in day if getattr(r, attr) is not None]
            if len(vals) > 1:
                spans.append(max(vals) - min(vals))
        return round(max(spans), 1) if spans else None

    return {
        "t_p5": _p(ts, 5) if ts else None,
        "t_p95": _p(ts, 95) if ts else None,
        "rh_p5": _p(rhs, 5) if rhs else None,
        "rh_p95": _p(rhs, 95) if rhs else None,
        "rh_daily_max_swing": swing("rh"),
        "t_daily_max_swing": swing("t"),
        "readings": len(readings),
        "from": min(r.at for r in readings).isoformat(),
        "to": max(r.at for r in readings).isoformat(),
    }


def import_readings(session: Session, code: str, path: Path, *, agent: str) -> dict[str, Any]:
    """Store a logger file's readings for a location and recompute its measured range.

    Raises:
        NotFound: no such location.
        InvalidInput: the file is not a usable logger file (nothing stored).
    """
    place = get_place(load_places(session), code)
    rows = read_logger_csv(path)
    loc = place.location
    known = set(session.scalars(select(EnvironmentReading.at).where(EnvironmentReading.location_id == loc.id)))
    known = {k if k.tzinfo else k.replace(tzinfo=UTC) for k in known}
    added = 0
    for at, t, rh, lux in rows:
        if at in known:
            continue
        known.add(at)
        session.add(EnvironmentReading(location_id=loc.id, at=at, t=t, rh=rh, lux=lux))
        added += 1
    session.flush()
    latest = max(known)
    window = session.scalars(
        select(EnvironmentReading).where(
            EnvironmentReading.location_id == loc.id, EnvironmentReading.at >= latest - timedelta(days=365)
        )
    ).all()
    measured = summarise(list(window))
    loc.attributes = {**(loc.attributes or {}), "measured": measured}
    events.record(
        session,
        "environment readings",
        agent=agent,
        detail=f"{code}: {added} new readings from {path.name}; P5-P95 T {measured['t_p5']}-{measured['t_p95']} °C, "
        f"RH {measured['rh_p5']}-{measured['rh_p95']} %",
        location=code,
        source=str(path),
        added=added,
        measured=measured,
    )
    return {"location": code, "added": added, "skipped": len(rows) - added, "measured": measured}
