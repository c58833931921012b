"""The one way authority records change: create, update, rename, merge, and the lookups every surface shares.

Each change runs in the caller's transaction, validates everything before it changes anything, and
records one event (`authority_creation`, `authority_modification`, `authority_merge`) whose data keeps
every changed field before and after: the authority's history. What it returns names the items whose
search documents show the authority, for the caller to re-index after the commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session, selectinload

from heritage import events
from heritage.access import Viewer, visible_items_clause
from heritage.authorities.names import name_key, query_key, search_keys
from heritage.authorities.vocabulary import check_type
from heritage.db import insert_if_absent
from heritage.errors import BadRequest, NotFound, bad
from heritage.identifiers import is_valid_id, random_id
from heritage.models import Authority, AuthorityId, AuthorityKey, AuthorityLink, Event, Item, SearchRequest
from metadata_schemas.authorities import authority as parse_authority
from metadata_schemas.authorities import vocabularies
from metadata_schemas.said import Said, said

MAX_NAME = 500
MAX_VARIANTS = 50
MAX_DATES = 200
MAX_SUGGESTIONS = 50
_SCHEME_ID = re.compile(r"^(?P<scheme>[a-z][a-z0-9-]*):(?P<id>[^/].*)$", re.I)


@dataclass(frozen=True)
class Change:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Changed:
    """What a change did: the authority (the survivor of a merge), its changes, and the items to re-index."""

    authority_id: str
    changes: list[Change] = field(default_factory=list)
    reindex: list[str] = field(default_factory=list)


# ---- external ids ----------------------------------------------------------------------------------------


def canonical_uri(value: str) -> tuple[str, str] | None:
    """(URI, scheme) of an external id written as a URI, `scheme:id` or `(SOURCE)id`; None when its
    vocabulary is unknown. A URI takes the first prefix its vocabulary lists (http/https, /page/ forms meet)."""
    value = value.strip()
    m = _SCHEME_ID.match(value)
    if m and not value.lower().startswith(("http:", "https:")):
        uri, scheme = parse_authority(m["id"], m["scheme"])
    else:
        uri, scheme = parse_authority(value)
    if not uri or not scheme:
        return None
    for vocab in vocabularies():
        if vocab.scheme == scheme:
            for prefix in vocab.prefixes:
                if uri.startswith(prefix):
                    return vocab.prefixes[0] + uri[len(prefix) :], scheme
            return uri, scheme
    return None


def _checked_ids(values: Iterable[str], what: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for value in values:
        if not value.strip():
            continue
        canonical = canonical_uri(value)
        if canonical is None:
            raise BadRequest(
                f"{what}: {value!r} is not an id of a known vocabulary (a URI such as "
                "http://viaf.org/viaf/12345, or scheme:id such as viaf:12345, wikidata:Q42, gnd:118540238)"
            )
        if canonical not in found:
            found.append(canonical)
    return found


# ---- reading ---------------------------------------------------------------------------------------------


def get_authority(session: Session, authority_id: str) -> Authority:
    """The authority with this id, a merged one included (its `merged_into` names the survivor).

    Raises: NotFound: no authority has this id.
    """
    found = session.get(Authority, authority_id) if is_valid_id(authority_id) else None
    if found is None:
        raise NotFound(f"authority {authority_id!r} does not exist")
    return found


def resolve(session: Session, authority_id: str) -> Authority:
    """The authority that answers for this id: itself, or the survivor of the merges it went into."""
    found = get_authority(session, authority_id)
    seen = {found.id}
    while found.merged_into and found.merged_into not in seen:
        seen.add(found.merged_into)
        found = get_authority(session, found.merged_into)
    return found


def suggest(session: Session, text: str, type: str | None = None, limit: int = 20) -> list[Authority]:
    """Authorities one of whose names has a word starting with `text` (folded, see names.py), the names that
    start with it first; `type` narrows. One index range scan on the name keys."""
    if type is not None:
        check_type(type)
    key = query_key(text)
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    if not key:
        return browse(session, type, limit=limit)
    wanted = select(AuthorityKey.authority_id, AuthorityKey.exact, AuthorityKey.key).where(
        AuthorityKey.key >= key, AuthorityKey.key < key + "\U0010ffff"
    )
    if type:
        wanted = wanted.where(AuthorityKey.type == type)
    rows = session.execute(wanted.order_by(AuthorityKey.key).limit(limit * 8)).all()
    ranked = sorted(rows, key=lambda r: (not r.exact, r.key))  # a name that starts with it before a later word
    ids = list(dict.fromkeys(r.authority_id for r in ranked))[:limit]
    found = {
        a.id: a
        for a in session.scalars(select(Authority).where(Authority.id.in_(ids)).options(selectinload(Authority.ids)))
    }
    return [found[i] for i in ids if i in found and found[i].merged_into is None]


def browse(session: Session, type: str | None = None, *, offset: int = 0, limit: int = 50) -> list[Authority]:
    """Authorities (not merged ones) by preferred name, of one type or all."""
    query = select(Authority).where(Authority.merged_into.is_(None)).options(selectinload(Authority.ids))
    if type is not None:
        query = query.where(Authority.type == check_type(type))
    return list(session.scalars(query.order_by(func.lower(Authority.name), Authority.id).offset(offset).limit(limit)))


def visible_item_counts(
    session: Session, viewer: Viewer, ids: Sequence[str], today: date | None = None
) -> dict[str, int]:
    """How many items that `viewer` may see link to each of these authorities (closed ones never count)."""
    if not ids:
        return {}
    rows = session.execute(
        select(AuthorityLink.authority_id, func.count(func.distinct(AuthorityLink.item_id)))
        .join(Item, Item.id == AuthorityLink.item_id)
        .where(AuthorityLink.authority_id.in_(list(ids)), visible_items_clause(viewer, today))
        .group_by(AuthorityLink.authority_id)
    ).all()
    counts = dict.fromkeys(ids, 0)
    counts.update({authority_id: count for authority_id, count in rows})
    return counts


def visible_items(
    session: Session, viewer: Viewer, authority_id: str, *, offset: int = 0, limit: int = 50, today: date | None = None
) -> list[tuple[Item, list[str]]]:
    """The items `viewer` may see that link to this authority, with their roles, by title."""
    page = session.scalars(
        select(Item)
        .where(
            Item.id.in_(select(AuthorityLink.item_id).where(AuthorityLink.authority_id == authority_id)),
            visible_items_clause(viewer, today),
        )
        .order_by(func.lower(Item.title), Item.id)
        .offset(offset)
        .limit(limit)
    ).all()
    roles: dict[str, list[str]] = {}
    for item_id, role in session.execute(
        select(AuthorityLink.item_id, AuthorityLink.role)
        .where(AuthorityLink.authority_id == authority_id, AuthorityLink.item_id.in_([i.id for i in page]))
        .order_by(AuthorityLink.role)
    ):
        roles.setdefault(item_id, []).append(role)
    return [(item, roles.get(item.id, [])) for item in page]


def links_of(session: Session, item_id: str) -> list[tuple[Authority, list[str]]]:
    """The authorities an item links to, with its roles, by type and name (for its record page)."""
    found: dict[str, tuple[Authority, list[str]]] = {}
    rows = session.execute(
        select(Authority, AuthorityLink.role)
        .join(AuthorityLink, AuthorityLink.authority_id == Authority.id)
        .where(AuthorityLink.item_id == item_id)
        .order_by(Authority.type, func.lower(Authority.name), Authority.id, AuthorityLink.role)
    )
    for authority, role in rows:
        found.setdefault(authority.id, (authority, []))[1].append(role)
    return list(found.values())


def linked_item_ids(session: Session, authority_id: str) -> list[str]:
    return list(
        session.scalars(select(AuthorityLink.item_id).where(AuthorityLink.authority_id == authority_id).distinct())
    )


def history(session: Session, authority_id: str) -> list[Event]:
    """The authority's events, newest first (creation, each modification and merge, with before and after)."""
    named = or_(Event.data["authority"].as_string() == authority_id, Event.data["merged"].as_string() == authority_id)
    return list(session.scalars(select(Event).where(Event.type.in_(EVENT_TYPES), named).order_by(Event.id.desc())))


def histories(session: Session) -> dict[str, list[Event]]:
    """Every authority's events, oldest first, in one pass (for exports of them all)."""
    found: dict[str, list[Event]] = {}
    for event in session.scalars(select(Event).where(Event.type.in_(EVENT_TYPES)).order_by(Event.id)):
        for key in ("authority", "merged"):
            if event.data.get(key):
                found.setdefault(event.data[key], []).append(event)
    return found


EVENT_TYPES = ("authority_creation", "authority_modification", "authority_merge")


# ---- validation ------------------------------------------------------------------------------------------


def _clean_name(value: str | None, what: Said) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise bad("%(what)s: a name is required", what=what)
    if len(name) > MAX_NAME:
        raise bad("%(what)s: %(length)s characters, at most %(most)s", what=what, length=len(name), most=MAX_NAME)
    if "\x00" in name:
        raise bad("%(what)s: holds a NUL character", what=what)
    return name


def _clean_variants(values: Iterable[str], preferred: str) -> list[str]:
    variants = list(dict.fromkeys(_clean_name(v, said("variant name")) for v in values if v and v.strip()))
    variants = [v for v in variants if v != preferred]
    if len(variants) > MAX_VARIANTS:
        raise BadRequest(f"variant names: {len(variants)}, at most {MAX_VARIANTS}")
    return variants


def _clean_dates(value: str | None) -> str | None:
    dates = " ".join((value or "").split()) or None
    if dates and len(dates) > MAX_DATES:
        raise BadRequest(f"dates: {len(dates)} characters, at most {MAX_DATES}")
    return dates


def _check_ids_free(session: Session, ids: list[tuple[str, str]], authority_id: str | None) -> None:
    if not ids:
        return
    taken = session.execute(
        select(AuthorityId.uri, AuthorityId.authority_id).where(AuthorityId.uri.in_([uri for uri, _ in ids]))
    ).all()
    for uri, owner in taken:
        if owner != authority_id:
            raise BadRequest(f"external id {uri} belongs to authority {owner} already (merge the two instead)")


# ---- writing ---------------------------------------------------------------------------------------------


def write_keys(session: Session, authority_id: str, type: str, names: Sequence[str]) -> None:
    """Replace an authority's name keys with those of `names` (the preferred name first)."""
    session.execute(delete(AuthorityKey).where(AuthorityKey.authority_id == authority_id))
    rows: dict[str, dict[str, Any]] = {}
    for position, name in enumerate(names):
        exact = name_key(name, type)
        for key in search_keys(name, type):
            row = rows.setdefault(key, {"authority_id": authority_id, "type": type, "key": key,
                                        "exact": False, "preferred": False})  # fmt: skip
            row["exact"] = row["exact"] or key == exact
            row["preferred"] = row["preferred"] or (position == 0 and key == exact)
    for row in rows.values():
        insert_if_absent(session, AuthorityKey, row, ["authority_id", "key"])


def _write_keys(session: Session, authority: Authority) -> None:
    write_keys(session, authority.id, authority.type, [authority.name, *(authority.variants or [])])


def _write_ids(session: Session, authority: Authority, ids: list[tuple[str, str]]) -> None:
    session.execute(delete(AuthorityId).where(AuthorityId.authority_id == authority.id))
    for uri, scheme in ids:
        insert_if_absent(session, AuthorityId, {"authority_id": authority.id, "scheme": scheme, "uri": uri}, ["uri"])
    session.expire(authority, ["ids"])


def _state(authority: Authority) -> dict[str, Any]:
    return {
        "type": authority.type,
        "name": authority.name,
        "variants": list(authority.variants or []),
        "dates": authority.dates,
        "note": authority.note,
        "ids": sorted(i.uri for i in authority.ids),
    }


def create(
    session: Session,
    *,
    type: str,
    name: str,
    variants: Iterable[str] = (),
    dates: str | None = None,
    note: str | None = None,
    ids: Iterable[str] = (),
    agent: str,
) -> Authority:
    """A new authority record. Raises: BadRequest: a value is not acceptable, or an external id is taken."""
    check_type(type)
    name = _clean_name(name, said("name"))
    variants_ = _clean_variants(variants, name)
    dates_ = _clean_dates(dates)
    ids_ = _checked_ids(ids, "external id")
    _check_ids_free(session, ids_, None)
    authority = Authority(id=random_id(), type=type, name=name, variants=variants_, dates=dates_, note=note or None)
    session.add(authority)
    session.flush()
    _write_keys(session, authority)
    _write_ids(session, authority, ids_)
    events.record(
        session, "authority_creation", agent=agent, detail=f"{type} {name!r}", authority=authority.id,
        changes=[{"field": k, "before": None, "after": v} for k, v in _state(authority).items() if v],
    )  # fmt: skip
    return authority


UNSET: Any = object()


def update(
    session: Session,
    authority_id: str,
    *,
    agent: str,
    type: str = UNSET,
    name: str = UNSET,
    variants: Iterable[str] = UNSET,
    dates: str | None = UNSET,
    note: str | None = UNSET,
    ids: Iterable[str] = UNSET,
    reason: str | None = None,
) -> Changed:
    """Change the fields given (the others stay). A renamed authority keeps its former name as a variant, so
    that the next ingest of a record that still says the old name finds it.

    Raises: NotFound, BadRequest (a merged authority: change the one it went into).
    """
    authority = get_authority(session, authority_id)
    if authority.merged_into:
        raise bad(
            "authority %(id)s was merged into %(survivor)s: change that one",
            id=authority_id,
            survivor=authority.merged_into,
        )
    before = _state(authority)
    after = dict(before)
    if type is not UNSET:
        after["type"] = check_type(type)
    if name is not UNSET:
        after["name"] = _clean_name(name, said("name"))
    if variants is not UNSET:
        after["variants"] = list(variants)
    if after["name"] != before["name"] and before["name"] not in after["variants"]:
        after["variants"] = [*after["variants"], before["name"]]
    after["variants"] = _clean_variants(after["variants"], after["name"])
    if dates is not UNSET:
        after["dates"] = _clean_dates(dates)
    if note is not UNSET:
        after["note"] = (note or "").strip() or None
    new_ids: list[tuple[str, str]] | None = None
    if ids is not UNSET:
        new_ids = _checked_ids(ids, "external id")
        _check_ids_free(session, new_ids, authority.id)
        after["ids"] = sorted(uri for uri, _ in new_ids)
    changes = [Change(k, before[k], after[k]) for k in before if before[k] != after[k]]
    if not changes:
        return Changed(authority.id)
    authority.type, authority.name, authority.variants = after["type"], after["name"], after["variants"]
    authority.dates, authority.note = after["dates"], after["note"]
    session.flush()
    if new_ids is not None:
        _write_ids(session, authority, new_ids)
    _write_keys(session, authority)
    events.record(
        session, "authority_modification", agent=agent, detail=reason, authority=authority.id,
        changes=[{"field": c.field, "before": c.before, "after": c.after} for c in changes],
    )  # fmt: skip
    shown = {"type", "name", "variants"}  # what item search documents show of an authority
    reindex = linked_item_ids(session, authority.id) if any(c.field in shown for c in changes) else []
    _request_indexing(session, reindex)
    return Changed(authority.id, changes, reindex)


def _request_indexing(session: Session, item_ids: Sequence[str]) -> None:
    """Search-outbox rows in the change's transaction: a process killed before it re-indexes the items leaves
    them for the next command (heritage/search/outbox.py)."""
    session.add_all(SearchRequest(item_id=item_id, descendants=False) for item_id in item_ids)


def rename(session: Session, authority_id: str, name: str, *, agent: str, reason: str | None = None) -> Changed:
    """A new preferred name (the former one becomes a variant); the linked items are to be re-indexed."""
    return update(session, authority_id, name=name, agent=agent, reason=reason)


def merge(session: Session, merged_id: str, survivor_id: str, *, agent: str, reason: str | None = None) -> Changed:
    """Merge `merged_id` into `survivor_id`: every item linked to it links to the survivor, its names become
    the survivor's variants, its external ids the survivor's; it stays as a redirect to the survivor.

    Raises: NotFound, BadRequest (the same authority, one already merged, or of another type).
    """
    merged = get_authority(session, merged_id)
    survivor = get_authority(session, survivor_id)
    if merged.id == survivor.id:
        raise bad("authority %(id)s cannot be merged into itself", id=merged_id)
    for found in (merged, survivor):
        if found.merged_into:
            raise bad("authority %(id)s was merged into %(survivor)s already", id=found.id, survivor=found.merged_into)
    if merged.type != survivor.type:
        raise bad(
            "authority %(id)s and %(survivor)s are of two types (%(type)s, %(other)s): only authorities of one type "
            "merge",
            id=merged.id,
            survivor=survivor.id,
            type=merged.type,
            other=survivor.type,
        )
    before = _state(survivor)
    moved_ids = [(i.uri, i.scheme) for i in merged.ids]
    session.execute(delete(AuthorityId).where(AuthorityId.authority_id == merged.id))
    session.expire(merged, ["ids"])
    links = session.execute(
        select(AuthorityLink.item_id, AuthorityLink.role).where(AuthorityLink.authority_id == merged.id)
    ).all()
    for item_id, role in links:
        insert_if_absent(
            session, AuthorityLink, {"item_id": item_id, "authority_id": survivor.id, "role": role},
            ["item_id", "authority_id", "role"],
        )  # fmt: skip
    session.execute(delete(AuthorityLink).where(AuthorityLink.authority_id == merged.id))
    session.execute(delete(AuthorityKey).where(AuthorityKey.authority_id == merged.id))
    session.execute(sql_update(Authority).where(Authority.merged_into == merged.id).values(merged_into=survivor.id))
    survivor.variants = _clean_variants([*survivor.variants, merged.name, *merged.variants], survivor.name)
    survivor.dates = survivor.dates or merged.dates
    merged.merged_into = survivor.id
    session.flush()
    for uri, scheme in moved_ids:
        insert_if_absent(session, AuthorityId, {"authority_id": survivor.id, "scheme": scheme, "uri": uri}, ["uri"])
    session.expire(survivor, ["ids"])
    _write_keys(session, survivor)
    after = _state(survivor)
    changes = [Change(k, before[k], after[k]) for k in before if before[k] != after[k]]
    events.record(
        session, "authority_merge", agent=agent, detail=reason, authority=survivor.id, merged=merged.id,
        changes=[{"field": c.field, "before": c.before, "after": c.after} for c in changes],
    )  # fmt: skip
    reindex = sorted({item_id for item_id, _ in links} | set(linked_item_ids(session, survivor.id)))
    _request_indexing(session, reindex)
    return Changed(survivor.id, changes, reindex)


# ---- used by ingest (through heritage.authorities.linking) -----------------------------------------------


def find_by_name(session: Session, type: str, name: str) -> Authority | None:
    """The authority of this type one of whose names has the same key (preferred names first, then the oldest)."""
    key = name_key(name, type)
    if not key:
        return None
    return session.scalars(
        select(Authority)
        .join(AuthorityKey, AuthorityKey.authority_id == Authority.id)
        .where(AuthorityKey.type == type, AuthorityKey.key == key, AuthorityKey.exact.is_(True))
        .where(Authority.merged_into.is_(None))
        .order_by(AuthorityKey.preferred.desc(), Authority.created_at, Authority.id)
        .limit(1)
    ).first()


def find_by_uri(session: Session, uri: str) -> Authority | None:
    owner = session.scalar(select(AuthorityId.authority_id).where(AuthorityId.uri == uri))
    return resolve(session, owner) if owner else None
