"""Catalogue services shared by every surface: units, collections, items and their descriptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.authorities.linking import link_item
from heritage.db import insert_if_absent
from heritage.errors import BadRequest, NotFound
from heritage.identifiers import derived_id, is_valid_id, random_id
from heritage.models import Access, Collection, Domain, File, Item, Level, MetadataRecord, Unit, UnitKind
from metadata_schemas.core import CoreRecord

DEFAULT_UNIT = ("central-archive", "Universiteitsarchief", "University Archives", UnitKind.CENTRAL_ARCHIVE)


def get_unit(session: Session, slug: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.slug == slug))


def ensure_unit(
    session: Session,
    slug: str,
    name: str | None = None,
    *,
    name_en: str | None = None,
    kind: str = UnitKind.CENTRAL_ARCHIVE,
    central: bool | None = None,
) -> Unit:
    """The unit with this slug, created when it does not exist yet."""
    unit = get_unit(session, slug)
    if unit is None:
        kind = UnitKind(kind)
        values = {
            "slug": slug,
            "name": name or slug.replace("-", " ").title(),
            "name_en": name_en,
            "kind": kind.value,
            "central": kind in (UnitKind.CENTRAL_ARCHIVE, UnitKind.LIBRARY) if central is None else central,
        }
        insert_if_absent(session, Unit, values, ["slug"])  # two ingests may create it at once: one wins
        unit = get_unit(session, slug)
        assert unit is not None
    return unit


def get_collection(session: Session, slug: str) -> Collection:
    """Raises: NotFound: no collection has this slug."""
    collection = session.scalar(select(Collection).where(Collection.slug == slug))
    if collection is None:
        raise NotFound(f"collection {slug!r} does not exist")
    return collection


def check_collection_slug(slug: str) -> None:
    """Raises: BadRequest: the slug is not acceptable for a collection."""
    if not slug or not all(c.isalnum() or c in "-_" for c in slug) or len(slug) > 64:
        raise BadRequest(f"collection slug {slug!r}: use letters, digits, '-' and '_' (at most 64)")


def domain_of(domain: str | None) -> str:
    """The domain a new collection gets (archive by default). Raises: BadRequest: no such domain."""
    try:
        return Domain(domain or Domain.ARCHIVE).value
    except ValueError:
        raise BadRequest(f"domain {domain!r}: one of {', '.join(d.value for d in Domain)}") from None


def ensure_collection(
    session: Session,
    slug: str,
    *,
    title: str | None = None,
    title_en: str | None = None,
    domain: str | None = None,
    unit_slug: str | None = None,
    description: str | None = None,
    description_en: str | None = None,
    rights: str | None = None,
) -> Collection:
    """The collection with this slug, created (with its unit) when it does not exist yet.

    Raises:
        BadRequest: the slug or the domain is not acceptable.
    """
    check_collection_slug(slug)
    collection = session.scalar(select(Collection).where(Collection.slug == slug))
    if collection is not None:
        return collection
    domain_value = domain_of(domain)
    if unit_slug:
        unit = ensure_unit(session, unit_slug)
    else:
        slug0, name, name_en, kind = DEFAULT_UNIT
        unit = ensure_unit(session, slug0, name, name_en=name_en, kind=kind)
    values = {
        "slug": slug,
        "title": title or slug.replace("-", " ").capitalize(),
        "title_en": title_en,
        "domain": domain_value,
        "unit_id": unit.id,
        "description": description,
        "description_en": description_en,
        "rights": rights,
    }
    insert_if_absent(session, Collection, values, ["slug"])  # two ingests may create it at once: one wins
    collection = session.scalar(select(Collection).where(Collection.slug == slug))
    assert collection is not None
    return collection


def get_item(session: Session, item_id: str) -> Item:
    """Raises: NotFound: no item has this id (a string that cannot be an id is never sent to the database)."""
    item = session.get(Item, item_id) if is_valid_id(item_id) else None
    if item is None:
        raise NotFound(f"item {item_id!r} does not exist")
    return item


def ancestors(item: Item) -> list[Item]:
    """The item's ancestors, the root (fonds, volume) first."""
    chain: list[Item] = []
    seen = {item.id}
    node = item.parent
    while node is not None and node.id not in seen:
        chain.append(node)
        seen.add(node.id)
        node = node.parent
    return list(reversed(chain))


def item_id_for(collection: Collection | str, local_id: str | None, anchor: Sequence[str] = ()) -> str:
    """Stable id from the collection and the local identifier.

    A record without one is anchored by what its source says about it (the ingest passes its batch and the
    file it names, or its position), so that the same source read again finds the same item; random only
    when there is neither.
    """
    slug = collection if isinstance(collection, str) else collection.slug
    if local_id:
        return derived_id(slug, local_id)
    return derived_id(slug, "\x1eanchor", *anchor) if anchor else random_id()


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"closed_until {value!r} is not a date (YYYY-MM-DD)") from None


def apply_core(item: Item, core: CoreRecord, fields: dict[str, Any] | None = None) -> None:
    """Copy what the catalogue indexes and decides on from the core record onto the item."""
    fields = fields or {}
    item.title = core.title or core.titles.get("nl") or core.titles.get("en") or "(untitled)"
    item.title_en = core.titles.get("en")
    item.date_text = core.date_text
    item.date_from, item.date_to = core.date_span
    if item.date_from is not None and item.date_to is None:
        item.date_to = item.date_from
    if item.date_to is not None and item.date_from is None:
        item.date_from = item.date_to
    try:
        item.level = Level(core.level).value if core.level else (item.level or Level.ITEM.value)
    except ValueError:
        item.level = Level.OTHER.value
    if core.rights:
        item.rights = core.rights
    if fields.get("access"):
        item.access = Access(fields["access"].lower()).value
    if "closed_until" in fields:
        item.closed_until = _parse_day(fields["closed_until"])


def upsert_item(
    session: Session,
    collection: Collection,
    core: CoreRecord,
    *,
    local_id: str | None,
    parent: Item | None,
    position: int,
    standard: str,
    original: str | None,
    source: str | None,
    fields: dict[str, Any] | None = None,
    anchor: Sequence[str] = (),
) -> tuple[Item, bool]:
    """Create or update the item a record describes; returns (item, created).

    Re-running with the same record changes nothing but the description, so ingests are idempotent
    (`anchor`: see `item_id_for`).
    """
    item_id = item_id_for(collection, local_id, anchor)
    item = session.get(Item, item_id)
    created = item is None
    if item is None:
        item = Item(id=item_id, collection=collection, local_id=local_id, access=Access.PUBLIC.value)
        session.add(item)
    item.parent = parent
    item.position = position
    apply_core(item, core, fields)
    record = next((r for r in item.records if r.standard == standard and r.is_primary), None)
    if record is None:
        record = MetadataRecord(standard=standard, is_primary=True)
        item.records.append(record)
    record.core = core.to_dict()
    record.original = original
    record.source = source
    session.flush()
    link_item(session, item.id, core)  # the names it holds, linked to authority records
    return item, created


def core_of(item: Item) -> CoreRecord:
    record = item.primary_record
    if record is None:
        return CoreRecord(title=item.title, titles={"en": item.title_en} if item.title_en else {})
    return CoreRecord.from_dict(record.core)


def representative_image(item: Item, images: Sequence[File]) -> File | None:
    """The image that stands for the item (thumbnails): the one staff chose, else the first."""
    return next((f for f in images if f.id == item.representative_id), images[0] if images else None)
