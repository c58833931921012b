"""The one place that decides what a viewer may see of an item. Every surface asks it.

Public: metadata and images. Restricted: metadata public, images on request. Closed: nothing, and
for the public a closed item does not exist. `closed_until` reopens an item on that date. An item held
back by its ingest (its files failed or have not arrived) is, whatever its access, closed until the
ingest releases it; a withdrawn item (a tombstone) is closed for good. Staff of the item's custodial
unit (and administrators) see everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import IntEnum

from sqlalchemy import ColumnElement, and_, func, or_, select, true

from heritage.models import Access, Collection, File, Item, Role

STAFF_ROLES = frozenset({Role.COLLECTION_MANAGER.value, Role.ARCHIVIST.value})


class Visibility(IntEnum):
    NONE = 0  # the item does not exist for this viewer
    METADATA = 1  # description only; no images, no downloads
    FULL = 2


@dataclass(frozen=True)
class Viewer:
    """Who is looking: anonymous public by default; roles are (role, unit_id or None for all units)."""

    username: str | None = None
    roles: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)
    granted_items: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] | None = None  # an API token's scopes; None for a signed-in person (no limit)

    @property
    def signed_in(self) -> bool:
        return self.username is not None

    def allows(self, scope: str) -> bool:
        """Whether this viewer may act in `scope` (`read`, `harvest`, `ingest`, `edit`): tokens only in theirs."""
        return self.signed_in and (self.scopes is None or scope in self.scopes)

    def for_reading(self) -> Viewer:
        """Who this viewer is when reading: a token without `read`, `harvest` or `edit` reads as the public
        (an editing token reads what its user may: the items it edits)."""
        if self.scopes is None or self.scopes & {"read", "harvest", "edit"}:
            return self
        return Viewer()

    @property
    def is_admin(self) -> bool:
        return any(role == Role.ADMINISTRATOR.value for role, _ in self.roles)

    def is_staff_for(self, unit_id: int | None) -> bool:
        if self.is_admin:
            return True
        return any(role in STAFF_ROLES and (unit is None or unit == unit_id) for role, unit in self.roles)

    @property
    def is_staff(self) -> bool:
        return self.is_admin or any(role in STAFF_ROLES for role, _ in self.roles)


PUBLIC = Viewer()


def ingest_unit_ids(viewer: Viewer) -> frozenset[int] | None:
    """The units into whose collections `viewer` may ingest (and make new ones); None for every unit."""
    if not viewer.allows("ingest"):
        return frozenset()
    if viewer.is_admin or any(role in STAFF_ROLES and unit is None for role, unit in viewer.roles):
        return None
    return frozenset(unit for role, unit in viewer.roles if role in STAFF_ROLES and unit is not None)


def may_ingest(viewer: Viewer, unit_id: int | None) -> bool:
    """Whether `viewer` may ingest into a collection of this unit, or make one there (`None`: a unit that
    does not exist yet, which only an administrator may bring into being)."""
    units = ingest_unit_ids(viewer)
    if unit_id is None:
        return units is None and viewer.is_admin
    return units is None or unit_id in units


def may_edit_in(viewer: Viewer, unit_id: int | None) -> bool:
    """Whether `viewer` may add items to the collections of this unit (the rule of `may_edit`, before there
    is an item: the new-record form asks it)."""
    return viewer.allows("edit") and viewer.is_staff_for(unit_id)


def may_edit_authorities(viewer: Viewer) -> bool:
    """Whether `viewer` may rename and merge authority records: they are shared by every unit's records, so
    administrators and the archivists and collection managers of any unit; a token needs `edit`."""
    return viewer.allows("edit") and viewer.is_staff


def may_edit(viewer: Viewer, item: Item) -> bool:
    """Whether `viewer` may change `item` (its description, place in the tree, pages, access): administrators
    everything, archivists and collection managers their own unit's items, nobody else; a token needs `edit`."""
    return viewer.allows("edit") and viewer.is_staff_for(item_unit_id(item))


def may_see_history(viewer: Viewer, item: Item) -> bool:
    """Whether `viewer` may read who changed what of `item`: its unit's staff (a token reading or editing)."""
    if viewer.scopes is not None and not viewer.scopes & {"read", "edit"}:
        return False
    return viewer.signed_in and viewer.is_staff_for(item_unit_id(item))


def effective_access(
    access: str, closed_until: date | None, today: date | None = None, *, held_back: bool = False
) -> Access:
    """The access status in force today: a closure with a date in the past has lapsed; a held-back item is
    closed whatever its own access says."""
    if held_back:
        return Access.CLOSED
    status = Access(access)
    if status is Access.CLOSED and closed_until is not None and closed_until <= (today or date.today()):
        return Access.PUBLIC
    return status


def item_unit_id(item: Item) -> int | None:
    return item.unit_id if item.unit_id is not None else item.collection.unit_id


@dataclass(frozen=True)
class AccessFacts:
    """What the access rules read of an item, detached from the database (hot paths such as IIIF tiles
    keep these for a few seconds instead of loading the item on every request)."""

    item_id: str
    unit_id: int | None
    access: str
    closed_until: date | None
    held_back: bool = False
    withdrawn: bool = False  # a tombstone (heritage.editing.withdraw_item): for the public as closed
    staff_only: bool = False  # a file that is a staff record (a condition photograph): its unit's staff only

    @classmethod
    def of(cls, item: Item) -> AccessFacts:
        return cls(
            item.id,
            item_unit_id(item),
            item.access,
            item.closed_until,
            item.held_back is not None,
            item.withdrawn_at is not None,
        )

    @classmethod
    def of_file(cls, file: File) -> AccessFacts:
        """What the rules read to decide who sees one file: its item's facts, and whether it is a staff record."""
        return replace(cls.of(file.item), staff_only=file.staff_only)


def item_access(item: Item | AccessFacts, today: date | None = None) -> Access:
    """The access status of `item` in force today, as search, exports and pages name it (held back: closed)."""
    facts = item if isinstance(item, AccessFacts) else AccessFacts.of(item)
    return effective_access(facts.access, facts.closed_until, today, held_back=facts.held_back or facts.withdrawn)


def visibility(viewer: Viewer, item: Item | AccessFacts, today: date | None = None) -> Visibility:
    """What `viewer` may see of `item`."""
    facts = item if isinstance(item, AccessFacts) else AccessFacts.of(item)
    if viewer.is_staff_for(facts.unit_id):
        return Visibility.FULL
    if facts.staff_only:
        return Visibility.NONE  # a staff record exists for nobody else, whatever the item's access
    status = item_access(facts, today)
    if status is Access.PUBLIC:
        return Visibility.FULL
    if status is Access.RESTRICTED:
        return Visibility.FULL if facts.item_id in viewer.granted_items else Visibility.METADATA
    return Visibility.NONE


def tombstone_is_public(item: Item) -> bool:
    """Whether the public may be told that a withdrawn item was withdrawn (a 410 with its tombstone): only when
    the public saw it before; a closed or held-back item withdrawn stays unknown (404)."""
    if item.withdrawn_at is None:
        return False
    return effective_access(item.access, item.closed_until, held_back=item.held_back is not None) is not Access.CLOSED


def public_search_statuses() -> tuple[str, ...]:
    """Access statuses whose items the public finds in search (closed items never show, not even counted)."""
    return (Access.PUBLIC.value, Access.RESTRICTED.value)


@dataclass(frozen=True)
class SearchScope:
    """What of the index a viewer may find: items of these statuses (None: all), and every item of these units."""

    access: tuple[str, ...] | None
    unit_ids: frozenset[int] = frozenset()


def search_scope(viewer: Viewer) -> SearchScope:
    """The search counterpart of `visibility`: the same rule, as filters the index applies to results and counts."""
    if viewer.is_admin or any(role in STAFF_ROLES and unit is None for role, unit in viewer.roles):
        return SearchScope(None)
    units = frozenset(unit for role, unit in viewer.roles if role in STAFF_ROLES and unit is not None)
    return SearchScope(public_search_statuses(), units)


def visible_items_clause(viewer: Viewer, today: date | None = None) -> ColumnElement[bool]:
    """The SQL counterpart of `visibility(viewer, item) > NONE`, for lists and counts built in the database
    (the items linked to an authority): the same rule as `visibility`, held to it by a test."""
    scope = search_scope(viewer)
    if scope.access is None:
        return true()
    day = today or date.today()
    lapsed = and_(Item.access == Access.CLOSED.value, Item.closed_until.is_not(None), Item.closed_until <= day)
    open_ = and_(Item.held_back.is_(None), or_(Item.access.in_(public_search_statuses()), lapsed))
    if not scope.unit_ids:
        return open_
    collection_unit = select(Collection.unit_id).where(Collection.id == Item.collection_id).scalar_subquery()
    return or_(open_, func.coalesce(Item.unit_id, collection_unit).in_(sorted(scope.unit_ids)))


def download_edge(
    viewer: Viewer,
    item: Item | AccessFacts,
    rights: str | None,
    limits: Sequence[tuple[str, int]],
    default: int,
) -> int:
    """The longest edge (pixels) of the image `viewer` may download: the rights statement decides, except
    for staff of the item's unit; 0 when nothing may be downloaded (the item's images are not visible)."""
    facts = item if isinstance(item, AccessFacts) else AccessFacts.of(item)
    if visibility(viewer, facts) < Visibility.FULL:
        return 0
    if viewer.is_staff_for(facts.unit_id) or not rights:
        return default
    return next((edge for part, edge in limits if part in rights), default)
