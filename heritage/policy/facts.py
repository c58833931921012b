"""From the catalogue to the facts the rules read: an item's `attributes` (documented in README.md
beside this file), what it inherits from its ancestors (series code, legal hold), its dates, its
location's flags, its rights and whether a good surrogate exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.models import Collection, File, FileRole, Item, Location, Unit
from heritage.models.vocab import UnitKind
from heritage.policy.engine import Facts
from heritage.policy.model import Policy

# Flags an item inherits from its fonds or series: a hold on the whole stays on every part.
INHERITED_FLAGS = frozenset({"legal_hold", "litigation", "open_request", "donor_restriction", "restitution_claim"})
FLAG_NAMES = frozenset(
    {
        "legal_hold",
        "litigation",
        "open_request",
        "topstuk_listed",
        "topstuk_candidate",
        "human_remains",
        "restitution_claim",
        "donor_restriction",
        "duplicate",
        "out_of_scope",
        "beyond_use",
        "unmanageable_hazard",
    }
)


def rights_class(uri: str | None) -> str:
    """The reuse class of a rights statement URI (RightsStatements.org, Creative Commons)."""
    if not uri:
        return "unknown"
    u = uri.lower()
    if "publicdomain" in u or "/noc-" in u:
        return "public_domain"
    if "creativecommons.org/licenses/" in u:
        return "university_owned"
    if "/inc-edu/" in u or "/inc-ow-eu/" in u or "/inc-nc/" in u:
        return "licensed"
    if "/inc/" in u:
        return "in_copyright_third_party"
    return "unknown"


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def trigger_dates(item: Item, attrs: dict[str, Any]) -> dict[str, date]:
    """Trigger dates: recorded ones in attributes.dates win; closing-like triggers fall back on the item's date."""
    dates: dict[str, date] = {}
    if item.date_to:
        end = date(item.date_to, 12, 31)
        for name in ("closing", "end_of_year", "deregistration", "last_publication", "project_end", "end_of_study"):
            dates[name] = end
        dates["end_of_academic_year"] = date(item.date_to, 9, 30)
        dates["end_of_internship"] = end
    for name, value in (attrs.get("dates") or {}).items():
        day = _day(value)
        if day is not None:
            dates[name] = day
    return dates


@dataclass
class ItemContext:
    """An item with what the rules need from around it."""

    item: Item
    unit: str | None
    collection: str
    domain: str
    location: Location | None
    has_surrogate: bool
    failed_scans: bool = False  # a master exists, none passed the quality guideline
    central: bool = False  # the item's custodial unit is a central (historical) archive (kind central_archive)


def effective_attributes(item: Item, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """The item's attributes over its ancestors' inherited ones (series, holds) over the policy defaults."""
    merged: dict[str, Any] = dict(defaults or {})
    chain: list[Item] = []
    node: Item | None = item
    seen: set[str] = set()
    while node is not None and node.id not in seen:
        chain.append(node)
        seen.add(node.id)
        node = node.parent
    flags: set[str] = set()
    for ancestor in reversed(chain[1:]):
        attrs = ancestor.attributes or {}
        if attrs.get("series"):
            merged["series"] = attrs["series"]
        flags |= INHERITED_FLAGS & set(attrs.get("flags") or [])
    own = item.attributes or {}
    merged.update(own)
    merged["flags"] = sorted(flags | set(own.get("flags") or []) | set((defaults or {}).get("flags") or []))
    return merged


def location_of(item: Item, locations: dict[int, Location]) -> Location | None:
    """Where the item is: its own location, or the nearest ancestor's (a box holds its files)."""
    node: Item | None = item
    seen: set[str] = set()
    while node is not None and node.id not in seen:
        if node.location_id is not None:
            return locations.get(node.location_id)
        seen.add(node.id)
        node = node.parent
    return None


def location_flags(location: Location | None, locations: dict[int, Location]) -> set[str]:
    """A location's flags with its ancestors' (a room in a fire compartment is in it)."""
    flags: set[str] = set()
    node = location
    while node is not None:
        flags |= set((node.attributes or {}).get("flags") or [])
        node = locations.get(node.parent_id) if node.parent_id else None
    return flags


def facts_for(ctx: ItemContext, policy: Policy, locations: dict[int, Location]) -> Facts:
    attrs = effective_attributes(ctx.item, policy.defaults)
    material = attrs.get("material")
    hazards = list(policy.materials[material].hazards) if material in policy.materials else []
    hazards += [h for h in attrs.get("hazards") or [] if h not in hazards]
    unsafe: list[str] = []
    if hazards:
        have = location_flags(ctx.location, locations)
        unsafe = [h for h in hazards if policy.hazard_flags.get(h) and not policy.hazard_flags[h] <= have]
    significance = attrs.get("significance")
    unique = attrs.get("unique")
    if unique is None:
        unique = ctx.domain in ("archive", "museum", "science")
    return Facts(
        item=ctx.item.id,
        material=material,
        series=attrs.get("series"),
        flags=frozenset(f for f in attrs.get("flags") or [] if f in FLAG_NAMES)
        | frozenset(f for f in FLAG_NAMES if attrs.get(f) is True),
        significance={k: int(v) for k, v in significance.items()} if isinstance(significance, dict) else None,
        modifiers=dict(attrs.get("modifiers") or {}),
        dates=trigger_dates(ctx.item, attrs),
        appraised_on=_day(attrs.get("appraised_on")),
        unsafe_hazards=tuple(unsafe),
        location=ctx.location.code if ctx.location else None,
        condition=attrs.get("condition"),
        deterioration=attrs.get("deterioration"),
        requests_per_year=float(attrs.get("requests_per_year") or 0),
        teaching_use=bool(attrs.get("teaching_use")),
        exhibition_planned=bool(attrs.get("exhibition_planned")),
        fragile=bool(attrs.get("fragile")),
        unique=bool(unique),
        rights_class=attrs.get("rights_class") or rights_class(ctx.item.rights or ctx.item.collection.rights),
        has_surrogate=ctx.has_surrogate,
        failed_scans=ctx.failed_scans,
        level=ctx.item.level,
        transferred=transferred(attrs, ctx, policy),
    )


def transferred(attrs: dict[str, Any], ctx: ItemContext, policy: Policy) -> bool:
    """In the historical archive: `attributes.custody` says so (transferred / creator), else the item's
    custodial unit is a central archive or the policy's central unit (which receives transfers)."""
    custody = attrs.get("custody")
    if custody in ("transferred", "creator"):
        return custody == "transferred"
    return ctx.central or (ctx.unit is not None and ctx.unit == policy.central_unit)


def surrogate_items(session: Session, item_ids: list[str] | None = None) -> set[str]:
    """Items with a master image that decoded and passed its quality check (an adequate surrogate)."""
    return scan_states(session, item_ids)[0]


def scan_states(session: Session, item_ids: list[str] | None = None) -> tuple[set[str], set[str]]:
    """(items with an adequate surrogate, items whose masters all failed the guideline: to rescan).

    A master failed when its quality check says `passed: false` (the guideline's check, stored on the
    file by ingest) or it did not decode; an item with one good master has its surrogate.
    """
    query = select(File.item_id, File.quality, File.derivatives_ready).where(File.role == FileRole.MASTER.value)
    if item_ids is not None:
        query = query.where(File.item_id.in_(item_ids))
    good: set[str] = set()
    failed: set[str] = set()
    for item_id, quality, ready in session.execute(query):
        q = quality or {}
        if q.get("passed", True) is False or q.get("decodes", True) is False:
            failed.add(item_id)
        elif ready:
            good.add(item_id)
    return good, failed - good


def all_locations(session: Session) -> dict[int, Location]:
    return {loc.id: loc for loc in session.scalars(select(Location))}


def contexts(
    session: Session,
    locations: dict[int, Location],
    *,
    collection: str | None = None,
    item_id: str | None = None,
    batch: int = 500,
) -> Iterator[ItemContext]:
    """The items of the whole catalogue, one collection or one item, with their surroundings."""
    query = select(Item).join(Collection).order_by(Collection.slug, Item.id)
    if collection:
        query = query.where(Collection.slug == collection)
    if item_id:
        query = query.where(Item.id == item_id)
    units = {u.id: u.slug for u in session.scalars(select(Unit))}
    central = {u.id for u in session.scalars(select(Unit).where(Unit.kind == UnitKind.CENTRAL_ARCHIVE.value))}
    surrogates, failed = scan_states(session, [item_id] if item_id else None)
    for item in session.scalars(query.execution_options(yield_per=batch)):
        unit_id = item.unit_id if item.unit_id is not None else item.collection.unit_id
        yield ItemContext(
            item=item,
            unit=units.get(unit_id),
            collection=item.collection.slug,
            domain=item.collection.domain,
            location=location_of(item, locations),
            has_surrogate=item.id in surrogates,
            failed_scans=item.id in failed,
            central=unit_id in central,
        )
