"""The masterplan figures (aggregates only, safe to publish) and the report per custodial unit.

Each figure is a small table: a name, a title, column names and rows; the dashboard plots it, and the
same table is served as CSV and JSON.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage import catalogue
from heritage.errors import NotFound
from heritage.models import Collection, File, FileRole, Item, PolicyDecision, Unit


@dataclass
class Figure:
    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "columns": self.columns, "rows": self.rows, "note": self.note}


def _with_images(session: Session) -> set[str]:
    return set(session.scalars(select(File.item_id).where(File.role == FileRole.MASTER.value).distinct()))


def holdings(session: Session) -> Figure:
    rows = session.execute(
        select(Unit.slug, Collection.domain, func.count(Item.id))
        .select_from(Item)
        .join(Collection, Item.collection_id == Collection.id)
        .join(Unit, Unit.id == func.coalesce(Item.unit_id, Collection.unit_id))
        .group_by(Unit.slug, Collection.domain)
        .order_by(Unit.slug, Collection.domain)
    )
    return Figure("holdings", "Holdings by unit and domain", ["unit", "domain", "items"], [list(r) for r in rows])


def decisions(session: Session) -> Figure:
    rows = session.execute(
        select(PolicyDecision.decision, func.count()).group_by(PolicyDecision.decision).order_by(func.count().desc())
    )
    return Figure("decisions", "Decisions by type", ["decision", "items"], [list(r) for r in rows])


def retention_due(session: Session, today: date | None = None) -> Figure:
    """Decisions falling due per year: overdue, each of the next ten years, and later."""
    this_year = (today or date.today()).year
    counts: Counter[tuple[str, str]] = Counter()
    for decision, due in session.execute(
        select(PolicyDecision.decision, PolicyDecision.due).where(PolicyDecision.due.is_not(None))
    ):
        if due.year < this_year:
            bucket = f"before {this_year}"
        elif due.year >= this_year + 10:
            bucket = f"{this_year + 10} and later"
        else:
            bucket = str(due.year)
        counts[(bucket, decision)] += 1
    order = [f"before {this_year}", *(str(y) for y in range(this_year, this_year + 10)), f"{this_year + 10} and later"]
    rows = [[b, d, counts[(b, d)]] for b in order for d in sorted({d for (bb, d) in counts if bb == b})]
    return Figure(
        "retention_due",
        "Retention and review due per year",
        ["year", "decision", "items"],
        rows,
        f"'before {this_year}' is overdue",
    )


def digitisation(session: Session) -> Figure:
    imaged = _with_images(session)
    queued = set(session.scalars(select(PolicyDecision.item_id).where(PolicyDecision.priority.is_not(None))))
    per: dict[str, list[int]] = {}
    for slug, item_id in session.execute(select(Collection.slug, Item.id).join(Item)):
        row = per.setdefault(slug, [0, 0, 0])
        row[0] += 1
        row[1] += item_id in imaged
        row[2] += item_id in queued and item_id not in imaged
    rows = [[slug, n, img, q] for slug, (n, img, q) in sorted(per.items())]
    return Figure(
        "digitisation", "Digitisation progress and queue", ["collection", "items", "with_images", "queued"], rows
    )


def priority_bands(session: Session) -> Figure:
    bands = Counter()
    for (score,) in session.execute(select(PolicyDecision.priority).where(PolicyDecision.priority.is_not(None))):
        bands[min(4, int(score // 20))] += 1
    gated = dict(
        session.execute(
            select(PolicyDecision.priority_gate, func.count())
            .where(PolicyDecision.priority_gate.is_not(None))
            .group_by(PolicyDecision.priority_gate)
        ).all()
    )
    rows = [[f"{b * 20}-{b * 20 + 20}", bands.get(b, 0)] for b in range(5)]
    rows += [[f"gate: {g}", n] for g, n in sorted(gated.items())]
    return Figure("priority", "Digitisation queue by priority score", ["band", "items"], rows)


def capacity(session: Session) -> Figure:
    from heritage.locations.tree import load_places

    rows = []
    for place in sorted(load_places(session).values(), key=lambda p: p.code):
        for measure, cap in place.capacity.items():
            used = place.used.get(measure, 0.0)
            rows.append([place.code, measure, cap, used, round(100 * used / cap, 1) if cap else None])
    return Figure(
        "capacity", "Location capacity and use", ["location", "measure", "capacity", "used", "percent_used"], rows
    )


def environment(session: Session) -> Figure:
    from heritage.locations.matching import placement_violations
    from heritage.locations.tree import load_places

    places = load_places(session)
    bad = Counter(v["location"] for v in placement_violations(session))
    placed = Counter()
    for loc_id, n in session.execute(
        select(Item.location_id, func.count()).where(Item.location_id.is_not(None)).group_by(Item.location_id)
    ):
        if loc_id in places:
            placed[places[loc_id].code] += n
    rows = []
    for code in sorted(set(placed) | set(bad)):
        place = next(p for p in places.values() if p.code == code)
        m = place.measured or {}
        rows.append(
            [
                code,
                placed[code],
                placed[code] - bad[code],
                bad[code],
                f"{m['rh_p5']}-{m['rh_p95']}" if m.get("rh_p5") is not None else "",
            ]
        )
    return Figure(
        "environment",
        "Environment compliance of placements",
        ["location", "placed", "compliant", "breaking_a_rule", "measured_rh_p5_p95"],
        rows,
        "placements are counted where items are placed directly; their parts inherit the place",
    )


FIGURES = {
    "holdings": holdings,
    "decisions": decisions,
    "retention_due": retention_due,
    "digitisation": digitisation,
    "priority": priority_bands,
    "capacity": capacity,
    "environment": environment,
}


def figure(session: Session, name: str) -> Figure:
    """Raises: NotFound: no figure has this name."""
    if name not in FIGURES:
        raise NotFound(f"figure {name!r} does not exist (one of {', '.join(FIGURES)})")
    return FIGURES[name](session)


def all_figures(session: Session) -> list[Figure]:
    return [build(session) for build in FIGURES.values()]


def unit_report(session: Session, slug: str) -> dict[str, Any]:
    """Holdings, due transfers, capacity and digitisation progress of one unit.

    Raises:
        NotFound: no unit has this slug.
    """
    from heritage.locations.tree import load_places
    from heritage.policy.custody import due_transfers

    unit = catalogue.get_unit(session, slug)
    if unit is None:
        raise NotFound(f"unit {slug!r} does not exist")
    items = session.execute(
        select(Item.id, Collection.slug, Collection.domain)
        .join(Collection)
        .where(func.coalesce(Item.unit_id, Collection.unit_id) == unit.id)
    ).all()
    per: Counter[tuple[str, str]] = Counter((c, d) for _, c, d in items)
    imaged = _with_images(session)
    ids = {i for i, _, _ in items}
    queued = set(session.scalars(select(PolicyDecision.item_id).where(PolicyDecision.priority.is_not(None)))) & ids
    cap = [
        {"location": p.code, "measure": m, "capacity": c, "used": p.used.get(m, 0.0)}
        for p in sorted(load_places(session).values(), key=lambda p: p.code)
        if p.unit_id == unit.id
        for m, c in p.capacity.items()
    ]
    with_images = len(ids & imaged)
    return {
        "unit": unit.slug,
        "name": unit.name_en or unit.name,
        "central": unit.central,
        "holdings": {
            "items": len(ids),
            "collections": [{"collection": c, "domain": d, "items": n} for (c, d), n in sorted(per.items())],
        },
        "due_transfers": [t for t in due_transfers(session) if t["unit"] == unit.slug],
        "capacity": cap,
        "digitisation": {
            "items": len(ids),
            "with_images": with_images,
            "percent": round(100 * with_images / len(ids), 1) if ids else 0.0,
            "queued": len(queued - imaged),
        },
    }
