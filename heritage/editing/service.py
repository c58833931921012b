"""The one way staff change an item: validate everything first, then write the change, one revision and one
event, bump the item's version and mark it edited. Every surface (web form, JSON API, CSV update, CLI) calls
these functions inside its own transaction; the runtime's session hooks then write the OCFL version, the
harvest ledger and the search outbox, and the caller re-indexes after the commit (`reindex`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from heritage import events
from heritage.access import Viewer, Visibility, may_edit, may_see_history, visibility
from heritage.access_changes import set_access
from heritage.authorities.linking import link_item
from heritage.catalogue import apply_core
from heritage.editing.fields import FieldSpec, editable_fields, field_named, masterplan_fields
from heritage.editing.masterplan_facts import clean_facts, is_fact, reevaluate, write_facts
from heritage.editing.values import (
    check_access,
    check_title,
    clean,
    core_record,
    date_warnings,
    storable,
    values_of,
    write,
)
from heritage.errors import BadRequest, Forbidden, NotFound, StaleVersion, bad
from heritage.identifiers import is_valid_id
from heritage.models import Item, MetadataRecord, Revision, utcnow
from metadata_schemas.said import Said

if TYPE_CHECKING:
    from heritage.runtime import Runtime

EDIT_STANDARD = "core"  # the standard of a record made by cataloguing rather than read from a source
# Fields whose change shows in the search documents of the items below (hierarchy path, inherited access).
SHOWN_BELOW = frozenset({"title", "titles.nl", "titles.en", "access", "closed_until", "level"})
ACCESS_FIELDS = ("access", "closed_until")
# Fields beside the masterplan's facts whose change the policy's rules read (trigger dates from the item's dates):
# a save that changes them evaluates the item again at once.
REEVALUATE = frozenset({"dates"})


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Saved:
    """What a save did: the item's version now, its revision (None: nothing changed, nothing written)."""

    item_id: str
    version: int
    revision: int | None
    changes: list[Change]
    warnings: list[Said]  # English by str(); a web page translates them
    reindex: list[str]
    descendants: bool


@dataclass(frozen=True)
class RevisionView:
    number: int
    kind: str
    by: str
    at: datetime
    reason: str | None
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "by": self.by,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "changes": [c.as_dict() for c in self.changes],
        }


# -- finding the item and checking who asks ------------------------------------------------------


def _item(session: Session, item_id: str, *, lock: bool = False) -> Item:
    """Raises: NotFound: no such item."""
    item = (
        session.get(Item, item_id, with_for_update=lock or None, populate_existing=lock)
        if isinstance(item_id, str) and is_valid_id(item_id)
        else None
    )
    if item is None:
        raise NotFound(f"item {item_id!r} does not exist")
    return item


def editable_item(session: Session, item_id: str, viewer: Viewer, *, lock: bool = False) -> Item:
    """The item, when `viewer` may change it (locked against concurrent saves when `lock`).

    Raises:
        NotFound: no such item, or one the viewer may not see. Forbidden: it may see it but not change it.
    """
    item = _item(session, item_id, lock=lock)
    if not may_edit(viewer, item):
        if visibility(viewer, item) == Visibility.NONE:
            raise NotFound(f"item {item_id!r} does not exist")
        raise Forbidden(f"you may not edit item {item_id!r}: staff of its unit may")
    return item


def _claim_version(session: Session, item: Item) -> None:
    """Take the item's next version in the database, before writing anything: the one guard that holds when
    two saves of the same version race (SQLite reads without a lock; the second writer waits for the first,
    then finds the version taken and is refused with the first one's values, never writing over them).

    Raises:
        StaleVersion: another save took the version since this one read the item.
    """
    expected = item.version
    claimed = session.execute(
        update(Item)
        .where(Item.id == item.id, Item.version == expected)
        .values(version=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.refresh(item)
        raise StaleVersion(
            f"item {item.id} was changed while you saved it (your version {expected}, now {item.version})",
            current=item.version,
            theirs=values_of(item),
        )
    set_committed_value(item, "version", expected + 1)


def _check_version(item: Item, base_version: int | None) -> None:
    if base_version is not None and base_version != item.version:
        raise StaleVersion(
            f"item {item.id} was changed since you opened it (your version {base_version}, now {item.version})",
            current=item.version,
            theirs=values_of(item),
        )


def check_reason(reason: object) -> None:
    """Raises: BadRequest: a reason that is not a storable text of at most 2000 characters."""
    if reason is None:
        return
    if not isinstance(reason, str) or len(reason) > 2000 or not storable(reason):
        raise bad("%(field)s: a text of at most 2000 characters", field="reason")


def _not_withdrawn(item: Item) -> None:
    if item.withdrawn_at is not None:
        raise bad("item %(item)s is withdrawn: a tombstone is not edited", item=item.id)


# -- recording ------------------------------------------------------------------------------------


def _record(
    session: Session,
    item: Item,
    kind: str,
    changes: Sequence[Change],
    *,
    agent: str,
    reason: str | None,
    event: str = "metadata_modification",
) -> int:
    """Write the revision and its event; bump the item's version and mark it edited. Returns the number."""
    number = (session.scalar(select(func.max(Revision.number)).where(Revision.item_id == item.id)) or 0) + 1
    reason = reason.strip() if reason and reason.strip() else None
    session.add(
        Revision(
            item_id=item.id,
            number=number,
            kind=kind,
            by=agent,
            at=utcnow(),
            reason=reason,
            changes=[_jsonable(c.as_dict()) for c in changes],
        )
    )
    fields = [c.field for c in changes]
    events.record(
        session,
        event,
        item_id=item.id,
        agent=agent,
        detail=f"{kind} (revision {number}): {', '.join(fields)}" + (f": {reason}" if reason else ""),
        revision=number,
        kind=kind,
        fields=fields,
    )
    if item.version == 0:  # a new item: its creation is version 1 (an existing one claimed its version first)
        item.version = 1
    item.edited_at = utcnow()
    session.flush()
    return number


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# -- changing the description ---------------------------------------------------------------------


def _allowed(item: Item) -> dict[str, FieldSpec]:
    """The fields of the item's domain and the masterplan's facts, by name."""
    return {spec.name: spec for spec in (*editable_fields(item), *masterplan_fields())}


def _cleaned(session: Session, item: Item, values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Every given value checked (the masterplan's facts against the policy in force for the item); unknown
    fields and fields of another domain refused by name."""
    if not isinstance(values, Mapping):
        raise BadRequest("give the fields to change as an object of field name -> value")
    allowed = _allowed(item)
    cleaned: dict[str, Any] = {}
    facts = {name: raw for name, raw in values.items() if name in allowed and is_fact(name)}
    for name, raw in values.items():
        if name in facts:
            continue
        spec = allowed.get(name)
        if spec is None:
            other = field_named(name)
            if other:
                raise bad(
                    "%(name)s is a field of another domain (fields: %(fields)s)",
                    field=name,
                    name=repr(name),
                    fields=", ".join(allowed),
                )
            raise bad(
                "%(name)s is not a field (fields: %(fields)s)", field=name, name=repr(name), fields=", ".join(allowed)
            )
        cleaned[name] = clean(spec, raw, current.get(name))
    cleaned.update(clean_facts(session, item, facts, current))
    merged = {**current, **cleaned}
    if set(cleaned) & set(ACCESS_FIELDS):
        check_access(merged)
    check_title(merged)
    return cleaned


def _write(session: Session, item: Item, changes: Sequence[Change], *, agent: str, reason: str | None) -> None:
    """Put the changed values where ingest puts them: the primary record's core (never the original), the item
    columns derived from it, and access through `set_access` (its own event)."""
    facts = {c.field: c.after for c in changes if is_fact(c.field)}
    if facts:
        write_facts(item, facts)
    described = [c for c in changes if c.field not in ACCESS_FIELDS and not is_fact(c.field)]
    if described:
        core = core_record(item)
        for change in described:
            write(core, change.field, change.after)
        record = item.primary_record
        if record is None:
            record = MetadataRecord(standard=EDIT_STANDARD, is_primary=True, original=None)
            item.records.append(record)
        record.core = core.to_dict()
        apply_core(item, core)
        link_item(session, item.id, core, agent=agent)  # the names it now holds, linked to authority records
        if any(c.field == "rights" for c in described):
            item.rights = core.rights
    after = {c.field: c.after for c in changes}
    if set(after) & set(ACCESS_FIELDS):
        access = after.get("access", item.access)
        until = after.get("closed_until", item.closed_until.isoformat() if item.closed_until else None)
        set_access(
            session,
            item.id,
            access,
            until=date.fromisoformat(until) if until and access == "closed" else None,
            reason=reason,
            agent=agent,
        )


def _saved(item: Item, number: int | None, changes: list[Change], warnings: list[Said], below: bool) -> Saved:
    return Saved(item.id, item.version, number, changes, warnings, [item.id] if number else [], below)


def preview_update(session: Session, item: Item, values: Mapping[str, Any]) -> tuple[list[Change], list[Said]]:
    """What `update_item` would change and warn about, changing nothing (a sheet's preview).

    Raises:
        BadRequest: as `update_item`.
    """
    _not_withdrawn(item)
    current = values_of(item)
    cleaned = _cleaned(session, item, values, current)
    changes = [Change(name, current[name], value) for name, value in cleaned.items() if value != current[name]]
    warnings = date_warnings(cleaned["dates"]) if "dates" in cleaned else []
    return changes, warnings


def update_item(
    session: Session,
    item_id: str,
    values: Mapping[str, Any],
    *,
    viewer: Viewer,
    agent: str,
    base_version: int | None,
    reason: str | None = None,
    kind: str = "update",
) -> Saved:
    """Change the given fields of an item (by field name); one revision with each changed field.

    `base_version` is the version the editor started from (None: the caller applies to whatever is current,
    as a CSV update does). Dates that cannot be read are kept and warned about, not refused.

    Raises:
        NotFound, Forbidden: see `editable_item`. StaleVersion: the item changed since `base_version`.
        BadRequest: a field is unknown or its value unacceptable (`.field` names it); nothing was changed.
    """
    check_reason(reason)
    item = editable_item(session, item_id, viewer, lock=True)
    _check_version(item, base_version)
    changes, warnings = preview_update(session, item, values)
    if not changes:
        return _saved(item, None, [], warnings, False)
    _claim_version(session, item)
    _write(session, item, changes, agent=agent, reason=reason)
    number = _record(session, item, kind, changes, agent=agent, reason=reason)
    if any(c.field in REEVALUATE for c in changes) or any(is_fact(c.field) for c in changes):
        reevaluate(session, item, [c.field for c in changes])
    return _saved(item, number, changes, warnings, any(c.field in SHOWN_BELOW for c in changes))


# -- history and revert ---------------------------------------------------------------------------


def history(
    session: Session,
    item_id: str,
    *,
    viewer: Viewer | None = None,
    before: int | None = None,
    limit: int | None = None,
) -> list[RevisionView]:
    """The item's revisions, newest first (with `viewer`: only when it may read them); `before` and `limit` give
    a page of them: the `limit` newest numbered below `before` (a record edited by a batch of thousands of saves
    is read a page at a time, by number, so a page stays right while saves are added).

    Raises:
        NotFound: no such item (or, with `viewer`, one it may not see). Forbidden: it may see the item but
        not who changed it.
    """
    item = _item(session, item_id)
    if viewer is not None and not may_see_history(viewer, item):
        if visibility(viewer, item) == Visibility.NONE:
            raise NotFound(f"item {item_id!r} does not exist")
        raise Forbidden(f"the history of item {item_id!r} is for the staff of its unit")
    query = select(Revision).where(Revision.item_id == item.id)
    if before is not None:
        query = query.where(Revision.number < before)
    rows = session.scalars(query.order_by(Revision.number.desc()).limit(limit))
    return [
        RevisionView(
            r.number, r.kind, r.by, r.at, r.reason, [Change(c["field"], c["before"], c["after"]) for c in r.changes]
        )
        for r in rows
    ]


def latest_revision(session: Session, item_id: str) -> int | None:
    """The number of the item's newest revision (None: never changed since it was imported)."""
    return session.scalar(select(func.max(Revision.number)).where(Revision.item_id == item_id))


def values_at(session: Session, item: Item, number: int) -> dict[str, Any]:
    """The values of the fields changed after revision `number`, as they were just after it.

    Raises:
        NotFound: the item has no revision with this number.
    """
    rows = session.scalars(
        select(Revision).where(Revision.item_id == item.id, Revision.number >= number).order_by(Revision.number)
    ).all()
    if not rows or rows[0].number != number:
        raise NotFound(f"item {item.id} has no revision {number}")
    restored: dict[str, Any] = {}
    for row in rows[1:]:
        for change in row.changes:
            if field_named(change["field"]) is not None:
                restored.setdefault(change["field"], change["before"])
    return restored


def revert(
    session: Session,
    item_id: str,
    number: int,
    *,
    viewer: Viewer,
    agent: str,
    base_version: int | None = None,
    reason: str | None = None,
) -> Saved:
    """Bring the item's fields back to what they were just after revision `number`: itself a new revision.

    What later revisions did to the tree (moves, order, pages) stays as it is: a revert restores descriptions.

    Raises:
        as `update_item`; NotFound also for a revision number the item does not have.
    """
    check_reason(reason)
    if isinstance(number, bool) or not isinstance(number, int):
        raise bad("%(field)s: give a revision number, not %(number)s", field="revision", number=repr(number))
    item = editable_item(session, item_id, viewer, lock=True)
    restored = values_at(session, item, number)
    allowed = set(_allowed(item))
    restored = {name: value for name, value in restored.items() if name in allowed}
    return update_item(
        session,
        item.id,
        restored,
        viewer=viewer,
        agent=agent,
        base_version=base_version,
        reason=reason or f"revert to revision {number}",
        kind="revert",
    )


# -- new records ----------------------------------------------------------------------------------


def _next_position(session: Session, collection_id: int, parent_id: str | None) -> int:
    siblings = select(func.max(Item.position)).where(Item.collection_id == collection_id)
    siblings = siblings.where(Item.parent_id == parent_id if parent_id else Item.parent_id.is_(None))
    last = session.scalar(siblings)
    return 0 if last is None else last + 1


def create_item(
    session: Session,
    *,
    parent_id: str | None = None,
    collection: str | None = None,
    values: Mapping[str, Any],
    viewer: Viewer,
    agent: str,
    reason: str | None = None,
) -> Saved:
    """A new item, last under `parent_id` (or at the top of `collection`), described by `values`.

    Its record is a core record of its own (standard "core", no original); revision 1 lists every field given.

    Raises:
        BadRequest: neither or both of parent and collection, or a value as in `update_item`. NotFound: no such
        parent or collection (or one the viewer may not see). Forbidden: the viewer may not edit there.
    """
    check_reason(reason)
    from heritage.catalogue import get_collection
    from heritage.identifiers import random_id
    from heritage.models import Access, Collection, Level

    if bool(parent_id) == bool(collection):
        raise bad("give either the parent item or the collection the new item goes into", field="parent")
    parent: Item | None = None
    if parent_id:
        parent = editable_item(session, parent_id, viewer)
        _not_withdrawn(parent)
        target: Collection = parent.collection
    else:
        assert collection is not None
        target = get_collection(session, collection)
        if not (viewer.allows("edit") and viewer.is_staff_for(target.unit_id)):
            raise Forbidden(f"you may not add items to collection {collection!r}: staff of its unit may")
    if not isinstance(values, Mapping):
        raise BadRequest("give the fields of the new item as an object of field name -> value")
    item = Item(
        id=random_id(),
        version=0,  # its creation is its first saved change: version 1
        collection=target,
        parent=parent,
        position=_next_position(session, target.id, parent.id if parent else None),
        access=Access.PUBLIC.value,
        level=Level.ITEM.value,
        title="",
    )
    allowed = _allowed(item)
    blank: dict[str, Any] = {name: None for name in allowed}
    blank.update({"access": Access.PUBLIC.value, "level": Level.ITEM.value})
    for name in allowed:
        spec = allowed[name]
        if spec.kind in ("lines", "date_lines", "agents", "terms", "set"):
            blank[name] = []
        elif spec.kind in ("scores", "levels", "trigger_dates", "size"):
            blank[name] = {}
    cleaned = _cleaned(session, item, values, blank)
    after = {**blank, **cleaned}
    core = core_record(item)
    for name, value in after.items():
        if name not in ACCESS_FIELDS and not is_fact(name):
            write(core, name, value)
    write_facts(item, {name: value for name, value in after.items() if is_fact(name)})
    apply_core(item, core)
    item.rights = core.rights or target.rights
    item.access = after["access"]
    item.closed_until = date.fromisoformat(after["closed_until"]) if after["closed_until"] else None
    item.records.append(MetadataRecord(standard=EDIT_STANDARD, is_primary=True, core=core.to_dict(), original=None))
    session.add(item)
    session.flush()
    link_item(session, item.id, core, agent=agent)  # after the row exists: the links refer to it
    changes = [Change(name, None, value) for name, value in after.items() if value not in (None, [], "", {})]
    warnings = date_warnings(after["dates"]) if after.get("dates") else []
    number = _record(session, item, "create", changes, agent=agent, reason=reason)
    if any(is_fact(c.field) for c in changes):
        reevaluate(session, item, [c.field for c in changes])
    return _saved(item, number, changes, warnings, False)


# -- the tree -------------------------------------------------------------------------------------


def _renumber(items: Sequence[Item]) -> None:
    for position, child in enumerate(items):
        if child.position != position:
            child.position = position


def _children(session: Session, parent: Item) -> list[Item]:
    return list(session.scalars(select(Item).where(Item.parent_id == parent.id).order_by(Item.position, Item.id)))


def move_item(
    session: Session,
    item_id: str,
    parent_id: str | None,
    *,
    position: int | None = None,
    viewer: Viewer,
    agent: str,
    base_version: int | None,
    reason: str | None = None,
) -> Saved:
    """Put the item (and with it its whole subtree) under another parent of the same collection, at `position`
    among its new siblings (last when None); `parent_id` None puts it at the top of its collection.

    Raises:
        BadRequest: a move into its own subtree, into another collection or under a withdrawn item; a position
        that is not a number. NotFound, Forbidden, StaleVersion: as `update_item` (for the item and the parent).
    """
    check_reason(reason)
    item = editable_item(session, item_id, viewer, lock=True)
    _check_version(item, base_version)
    _not_withdrawn(item)
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
        raise bad("%(field)s: give a number from 0, not %(position)s", field="position", position=repr(position))
    parent: Item | None = None
    if parent_id is not None:
        parent = editable_item(session, parent_id, viewer)
        _not_withdrawn(parent)
        if parent.collection_id != item.collection_id:
            raise bad(
                "item %(item)s cannot move to %(parent)s: an item moves within its collection",
                field="parent",
                item=item.id,
                parent=parent.id,
            )
        chain = [parent.id] + [a.id for a in _ancestors(parent)]
        if item.id in chain:
            raise bad(
                "item %(item)s cannot move into its own subtree (%(parent)s)",
                field="parent",
                item=item.id,
                parent=parent.id,
            )
    before_parent, before_position = item.parent_id, item.position
    old_siblings = [c for c in _siblings(session, item) if c.id != item.id]
    new_siblings = [c for c in (_children(session, parent) if parent else _top(session, item)) if c.id != item.id]
    at = len(new_siblings) if position is None else min(position, len(new_siblings))
    new_siblings.insert(at, item)
    here = [c.id for c in _siblings(session, item)]
    if before_parent == (parent.id if parent else None) and here.index(item.id) == at:
        return _saved(item, None, [], [], False)  # where it is already
    _claim_version(session, item)
    item.parent = parent
    item.parent_id = parent.id if parent else None
    if before_parent != item.parent_id:
        _renumber(old_siblings)
    _renumber(new_siblings)
    changes = []
    if before_parent != item.parent_id:
        changes.append(Change("parent", before_parent, item.parent_id))
    if before_position != item.position or before_parent == item.parent_id:
        changes.append(Change("position", before_position, item.position))
    number = _record(session, item, "move", changes, agent=agent, reason=reason)
    return _saved(item, number, changes, [], True)


def _ancestors(item: Item) -> list[Item]:
    from heritage.catalogue import ancestors

    return ancestors(item)


def _top(session: Session, item: Item) -> list[Item]:
    return list(
        session.scalars(
            select(Item)
            .where(Item.collection_id == item.collection_id, Item.parent_id.is_(None))
            .order_by(Item.position, Item.id)
        )
    )


def _siblings(session: Session, item: Item) -> list[Item]:
    return _children(session, item.parent) if item.parent is not None else _top(session, item)


def reorder_children(
    session: Session,
    parent_id: str,
    child_ids: Sequence[str],
    *,
    viewer: Viewer,
    agent: str,
    reason: str | None = None,
    base_version: int | None = None,
) -> Saved:
    """Put the parent's children in this order (every child once); a revision of the parent.

    Raises:
        BadRequest: the list leaves out a child, names one twice or names an item that is not a child.
        NotFound, Forbidden, StaleVersion: as `update_item`, for the parent.
    """
    check_reason(reason)
    parent = editable_item(session, parent_id, viewer, lock=True)
    _check_version(parent, base_version)
    _not_withdrawn(parent)
    if isinstance(child_ids, str) or not all(isinstance(c, str) for c in child_ids):
        raise bad("%(field)s: give the list of the children's ids in their new order", field="children")
    children = {c.id: c for c in _children(session, parent)}
    wanted = list(child_ids)
    twice = sorted({c for c in wanted if wanted.count(c) > 1})
    strangers = [c for c in wanted if c not in children]
    missing = [c for c in children if c not in wanted]
    if twice or strangers or missing:
        raise bad(
            "%(field)s: named twice: %(twice)s; not children of %(parent)s: %(strangers)s; left out: %(missing)s",
            field="children",
            twice=", ".join(twice) or "-",
            parent=parent.id,
            strangers=", ".join(strangers) or "-",
            missing=", ".join(missing) or "-",
        )
    before = [c.id for c in sorted(children.values(), key=lambda c: (c.position, c.id))]
    if before == wanted:
        return _saved(parent, None, [], [], False)
    _claim_version(session, parent)
    _renumber([children[c] for c in wanted])
    changes = [Change("children", before, wanted)]
    number = _record(session, parent, "reorder", changes, agent=agent, reason=reason)
    return Saved(parent.id, parent.version, number, changes, [], [parent.id, *wanted], False)


# -- pages and files ------------------------------------------------------------------------------


def pages_of(item: Item) -> list[dict[str, Any]]:
    """The item's own files (masters and born-digital, not derivatives nor the staff's condition photographs) in
    their order, with their labels."""
    from heritage.models import FileRole

    kept = [f for f in item.files if f.role != FileRole.DERIVATIVE.value and not f.staff_only]
    return [{"file": f.id, "label": f.label, "name": f.original_name} for f in sorted(kept, key=lambda f: f.sequence)]


def set_pages(
    session: Session,
    item_id: str,
    pages: Sequence[tuple[str, str | None]],
    *,
    representative: str | None,
    viewer: Viewer,
    agent: str,
    base_version: int | None,
    reason: str | None = None,
) -> Saved:
    """Put the item's files in this order with these labels ((file id, label) each, every file once) and
    choose the one that stands for the item (None: the first image). Masters are never changed.

    Raises:
        BadRequest: a file left out, named twice or not the item's; a label too long; a representative that
        is not one of its files. NotFound, Forbidden, StaleVersion: as `update_item`.
    """
    check_reason(reason)
    from heritage.models import File

    item = editable_item(session, item_id, viewer, lock=True)
    _check_version(item, base_version)
    _not_withdrawn(item)
    current = pages_of(item)
    files = {f.id: f for f in item.files if f.id in {p["file"] for p in current}}
    try:
        wanted = [(str(file_id), label) for file_id, label in pages]
    except (TypeError, ValueError):
        raise bad("%(field)s: give a list of (file id, label) in the new order", field="pages") from None
    ids = [file_id for file_id, _ in wanted]
    if sorted(ids) != sorted(files) or len(set(ids)) != len(ids):
        raise bad(
            "%(field)s: name every file of item %(item)s once (%(files)s)",
            field="pages",
            item=item.id,
            files=", ".join(p["file"] for p in current),
        )
    cleaned: list[tuple[str, str | None]] = []
    for file_id, label in wanted:
        if label is not None and not isinstance(label, str):
            raise bad("%(field)s: the label of %(file)s is a text", field="pages", file=file_id)
        label = (label or "").strip() or None
        if label is not None and (len(label) > 300 or "\n" in label or "\x00" in label):
            raise bad(
                "%(field)s: the label of %(file)s is one line of at most 300 characters", field="pages", file=file_id
            )
        cleaned.append((file_id, label))
    if representative is not None and representative not in files:
        raise bad(
            "%(field)s: %(file)s is not a file of item %(item)s",
            field="representative",
            file=repr(representative),
            item=item.id,
        )
    if representative is not None and not files[representative].is_image:
        raise bad(
            "%(field)s: %(file)s is not an image", field="representative", file=files[representative].original_name
        )
    changes = []
    after = [{"file": file_id, "label": label, "name": files[file_id].original_name} for file_id, label in cleaned]
    if after != current:
        changes.append(Change("pages", current, after))
    if representative != item.representative_id:
        changes.append(Change("representative", item.representative_id, representative))
    if not changes:
        return _saved(item, None, [], [], False)
    _claim_version(session, item)
    file: File
    for sequence, (file_id, label) in enumerate(cleaned, 1):
        file = files[file_id]
        if file.sequence != sequence:
            file.sequence = sequence
        if file.label != label:
            file.label = label
    item.representative_id = representative
    number = _record(session, item, "pages", changes, agent=agent, reason=reason)
    return _saved(item, number, changes, [], False)


# -- withdrawing ----------------------------------------------------------------------------------


def withdraw_item(
    session: Session, item_id: str, *, viewer: Viewer, agent: str, base_version: int | None, reason: str
) -> Saved:
    """Withdraw the item: a tombstone the public no longer sees (harvesters learn it is deleted), its
    description, revisions and masters kept. An item with children that are not withdrawn is refused.

    Raises:
        BadRequest: no reason, already withdrawn, or children still there. NotFound, Forbidden, StaleVersion:
        as `update_item`.
    """
    check_reason(reason)
    item = editable_item(session, item_id, viewer, lock=True)
    _check_version(item, base_version)
    _not_withdrawn(item)
    if not isinstance(reason, str) or not reason.strip():
        raise bad("%(field)s: say why item %(item)s is withdrawn", field="reason", item=item.id)
    if len(reason) > 2000:
        raise bad("%(field)s: at most 2000 characters", field="reason")
    standing = [c.id for c in _children(session, item) if c.withdrawn_at is None]
    if standing:
        raise bad(
            "item %(item)s has %(count)s children (%(children)s): move or withdraw them first",
            field="children",
            item=item.id,
            count=len(standing),
            children=", ".join(standing[:5]),
        )
    _claim_version(session, item)
    item.withdrawn_at = utcnow()
    item.withdrawn_reason = reason.strip()
    changes = [
        Change("withdrawn_at", None, item.withdrawn_at.isoformat()),
        Change("withdrawn_reason", None, item.withdrawn_reason),
    ]
    number = _record(session, item, "withdraw", changes, agent=agent, reason=reason, event="deaccession")
    return _saved(item, number, changes, [], True)


def reindex(runtime: Runtime, saved: Saved | Sequence[Saved]) -> int:
    """Re-index what one or more saves changed (after the commit), so search finds it at once."""
    from heritage.search.indexer import index_items

    saves = [saved] if isinstance(saved, Saved) else list(saved)
    written = 0
    below = [i for s in saves if s.descendants for i in s.reindex]
    alone = [i for s in saves if not s.descendants for i in s.reindex if i not in below]
    if below:
        written += index_items(runtime, below, descendants=True)
    if alone:
        written += index_items(runtime, alone)
    return written


def field_spec(name: str) -> FieldSpec:
    """Raises: BadRequest: no field has this name."""
    spec = field_named(name)
    if spec is None:
        raise bad("%(name)s is not a field", field=name, name=repr(name))
    return spec
