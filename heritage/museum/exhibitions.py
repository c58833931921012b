"""The exhibitions service: every surface (CLI, web, API, demo) creates, fills, installs and closes an exhibition
through these functions, which validate once and record an event (who, when, what changed).

An exhibition is described by a spec (a mapping, as read from a TOML file or built by the CLI): slug, titles,
dates (none: online only), objects (item, room or case, labels) and pages (text and IIIF image regions).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import events
from heritage.access import Viewer, Visibility, visibility
from heritage.errors import BadRequest, HeritageError, Input, NotFound, bad, conflict
from heritage.identifiers import is_valid_id
from heritage.locations.movements import move
from heritage.locations.reasons import Coded
from heritage.locations.tree import get_place, load_places
from heritage.models import Exhibition, ExhibitionObject, ExhibitionPage, File, FileRole, Item, Location
from metadata_schemas.said import Said, said

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
RESERVED_SLUGS = frozenset({"collection", "collections", "new"})  # "new": the staff form
# Where in a spec a message points ("exhibition fabrica: page 2: image 1"): said, so that a page says it in its
# reader's language and the CLI and API in English as they always have.
Place = Said | str
REGION = re.compile(r"^([0-9]+),([0-9]+),([0-9]+),([0-9]+)$")


class StaleExhibition(HeritageError):
    """A save based on an older version of the exhibition than the current one: refused, nothing overwritten."""

    status = 409


def image_pages(item: Item) -> list[File]:
    """The item's page images in order (the canvases of its manifest): ready master images."""
    return [f for f in item.files if f.role == FileRole.MASTER.value and f.is_image and f.derivatives_ready]


def read_spec(path: Path) -> dict[str, Any]:
    """Read an exhibition spec from a TOML file.

    Raises:
        BadRequest: the file is missing or not valid TOML.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadRequest(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise BadRequest(f"{path}: not valid TOML: {exc}") from None


def get(session: Session, slug: str) -> Exhibition:
    """Raises: NotFound: no exhibition has this slug."""
    found = session.scalar(select(Exhibition).where(Exhibition.slug == slug))
    if found is None:
        raise NotFound(f"exhibition {slug!r} does not exist")
    return found


def _key(key: str) -> Input:
    """A key of the spec as a message names it: quoted in English (the CLI's and the API's text), by its form's
    label on a page."""
    return Input(key, repr(key))


def _text(spec: dict[str, Any], key: str, where: Place, *, required: bool = True) -> str | None:
    value = spec.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad("%(where)s: %(key)s is required", where=where, key=_key(key))
        return None
    if not isinstance(value, str):
        raise bad("%(where)s: %(key)s must be text, not %(value)s", where=where, key=_key(key), value=repr(value))
    return value.strip()


def _day(value: Any, where: Place) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise bad("%(where)s: %(value)s is not a date (YYYY-MM-DD)", where=where, value=repr(value)) from None


def _known(viewer: Viewer | None, item: Item | None) -> bool:
    """Whether the item exists for `viewer` (None: a command line, which sees everything)."""
    return item is not None and (viewer is None or visibility(viewer, item) > Visibility.NONE)


def find_item(session: Session, ref: str, where: Place, viewer: Viewer | None = None) -> Item:
    """An item by its id or its local identifier (which must then name one item only), among the items `viewer`
    may know of: an item they may not know of is answered as no item at all.

    Raises:
        BadRequest: no item, or several, answer to `ref`.
    """
    ref = str(ref).strip()
    item = session.get(Item, ref) if is_valid_id(ref) else None
    if item is not None and _known(viewer, item):
        return item
    found = [i for i in session.scalars(select(Item).where(Item.local_id == ref).limit(20)) if _known(viewer, i)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise bad("%(where)s: no item has the id or identifier %(ref)s", where=where, ref=repr(ref))
    raise bad("%(where)s: several items have the identifier %(ref)s; give the item id", where=where, ref=repr(ref))


def names_something(session: Session, ref: str, viewer: Viewer | None = None) -> bool:
    """Whether `ref` names an item (by id or identifier) or a master image file that `viewer` may know of: a spec's
    references are resolved first by the API, so that an unknown one is a 404 as for loans, before its other
    fields are judged."""
    ref = ref.strip()
    if is_valid_id(ref):
        if _known(viewer, session.get(Item, ref)):
            return True
        file = session.get(File, ref)
        if file is not None and _known(viewer, file.item):
            return True
    return any(_known(viewer, i) for i in session.scalars(select(Item).where(Item.local_id == ref).limit(20)))


def _region(value: Any, file: File, where: Place) -> str:
    region = str(value or "full").strip()
    if region == "full":
        return region
    match = REGION.match(region)
    if not match:
        raise bad("%(where)s: region %(region)s is not 'full' nor x,y,w,h in pixels", where=where, region=repr(region))
    x, y, w, h = (int(g) for g in match.groups())
    if w == 0 or h == 0:
        raise bad("%(where)s: region %(region)s is empty", where=where, region=repr(region))
    if file.width and file.height and (x + w > file.width or y + h > file.height):
        raise bad(
            "%(where)s: region %(region)s lies outside the image (%(width)s x %(height)s px)",
            where=where,
            region=repr(region),
            width=file.width,
            height=file.height,
        )
    return region


def _image_source(session: Session, image: dict[str, Any], where: Place, viewer: Viewer | None) -> tuple[Item, Any]:
    """The item and image page an image shows: from `file` (a master image's id, as the IIIF URLs name it), or
    from `item` with `page` (1 unless given); an `item` that names no item but a file is taken as that file."""
    ref = str(image.get("file") or "").strip()
    if not ref:
        ref = _text(image, "item", where) or ""
        file = session.get(File, ref) if is_valid_id(ref) and session.get(Item, ref) is None else None
        if file is None:
            return find_item(session, ref, where, viewer), image.get("page", 1)
    else:
        file = session.get(File, ref) if is_valid_id(ref) else None
    files = image_pages(file.item) if file is not None and _known(viewer, file.item) else []
    if file is None or file not in files:
        raise bad("%(where)s: no image of the catalogue has the file id %(ref)s", where=where, ref=repr(ref))
    return file.item, files.index(file) + 1


@dataclass
class _Checked:
    """A spec once validated: what will be written."""

    fields: dict[str, Any]
    objects: list[dict[str, Any]]
    pages: list[dict[str, Any]]


def check_spec(session: Session, spec: dict[str, Any], viewer: Viewer | None = None) -> _Checked:
    """Validate a whole spec without writing anything; every problem names its place in the spec. Items are
    looked up among those `viewer` may know of (None: all).

    Raises:
        BadRequest: the first problem found.
    """
    slug = _text(spec, "slug", said("exhibition")) or ""
    if not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise bad("exhibition: slug %(slug)s must be 3-64 lower-case letters, digits and hyphens", slug=repr(slug))
    where = said("exhibition %(slug)s", slug=slug)
    fields = {
        "slug": slug,
        "title": _text(spec, "title", where),
        "title_en": _text(spec, "title_en", where),
        "summary": _text(spec, "summary", where, required=False),
        "summary_en": _text(spec, "summary_en", where, required=False),
        "starts_on": _day(spec.get("from"), said("%(where)s: %(key)s", where=where, key=Input("from", "from"))),
        "ends_on": _day(spec.get("to"), said("%(where)s: %(key)s", where=where, key=Input("to", "to"))),
    }
    if (fields["starts_on"] is None) != (fields["ends_on"] is None):
        raise bad(
            "%(where)s: give both %(from)s and %(to)s (or neither, for an exhibition online only)",
            where=where,
            **{"from": _key("from"), "to": _key("to")},
        )
    if fields["starts_on"] and fields["ends_on"] < fields["starts_on"]:
        raise bad(
            "%(where)s: %(to)s (%(end)s) is before %(from)s (%(start)s)",
            where=where,
            end=fields["ends_on"],
            start=fields["starts_on"],
            **{"from": _key("from"), "to": _key("to")},
        )
    places = load_places(session)
    objects: list[dict[str, Any]] = []
    for n, obj in enumerate(spec.get("objects") or [], start=1):
        at = said("%(where)s: object %(n)s", where=where, n=n)
        item = find_item(session, _text(obj, "item", at) or "", at, viewer)
        if any(o["item_id"] == item.id for o in objects):
            raise bad("%(where)s: item %(item)s is already in this exhibition", where=at, item=item.id)
        room = _text(obj, "room", at, required=False)
        if room and fields["starts_on"] is None:
            raise bad(
                "%(where)s: an exhibition online only has no rooms (give %(from)s and %(to)s)",
                where=at,
                **{"from": _key("from"), "to": _key("to")},
            )
        location_id = None
        if room:
            try:
                location_id = get_place(places, room).location.id
            except NotFound:
                raise bad("%(where)s: location %(room)s does not exist", where=at, room=repr(room)) from None
        objects.append(
            {
                "item_id": item.id,
                "location_id": location_id,
                "label": _text(obj, "label", at, required=False),
                "label_en": _text(obj, "label_en", at, required=False),
            }
        )
    pages: list[dict[str, Any]] = []
    for n, page in enumerate(spec.get("pages") or [], start=1):
        at = said("%(where)s: page %(n)s", where=where, n=n)
        images = []
        for k, image in enumerate(page.get("images") or [], start=1):
            img_at = said("%(where)s: image %(n)s", where=at, n=k)
            item, number = _image_source(session, image, img_at, viewer)
            files = image_pages(item)
            if not isinstance(number, int) or not 1 <= number <= len(files):
                raise bad(
                    "%(where)s: item %(item)s has no image page %(number)s (%(pages)s pages)",
                    where=img_at,
                    item=item.id,
                    number=repr(number),
                    pages=len(files),
                )
            images.append(
                {
                    "item": item.id,
                    "page": number,
                    "region": _region(image.get("region"), files[number - 1], img_at),
                    "caption": _text(image, "caption", img_at),
                    "caption_en": _text(image, "caption_en", img_at),
                }
            )
        pages.append(
            {
                "title": _text(page, "title", at),
                "title_en": _text(page, "title_en", at),
                "text": _text(page, "text", at, required=False),
                "text_en": _text(page, "text_en", at, required=False),
                "images": images,
            }
        )
    return _Checked(fields, objects, pages)


def as_spec(exhibition: Exhibition) -> dict[str, Any]:
    """The exhibition as a spec (what `save` takes): for `show --json` and to compare before and after."""
    return {
        "slug": exhibition.slug,
        "title": exhibition.title,
        "title_en": exhibition.title_en,
        "summary": exhibition.summary,
        "summary_en": exhibition.summary_en,
        "from": exhibition.starts_on.isoformat() if exhibition.starts_on else None,
        "to": exhibition.ends_on.isoformat() if exhibition.ends_on else None,
        "state": exhibition.state,
        "objects": [
            {"item": o.item_id, "location_id": o.location_id, "label": o.label, "label_en": o.label_en}
            for o in exhibition.objects
        ],
        "pages": [
            {"title": p.title, "title_en": p.title_en, "text": p.text, "text_en": p.text_en, "images": p.images}
            for p in exhibition.pages
        ],
    }


def version(exhibition: Exhibition) -> str:
    """A digest of everything `save` may change (and the state): a form carries it to refuse a stale save."""
    text = json.dumps(as_spec(exhibition), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _reconcile(session: Session, exhibition: Exhibition, checked: _Checked) -> None:
    """Bring the objects and pages in line with the spec, in place (rows kept keep their home location)."""
    existing = {o.item_id: o for o in exhibition.objects}
    wanted = {o["item_id"] for o in checked.objects}
    exhibition.objects = [o for o in exhibition.objects if o.item_id in wanted]
    pages = list(exhibition.pages)
    exhibition.pages = pages[: len(checked.pages)]
    session.flush()  # the dropped rows go before any new one takes their place
    objects = []
    for n, spec in enumerate(checked.objects, start=1):
        row = existing.get(spec["item_id"]) or ExhibitionObject(item_id=spec["item_id"])
        row.position = n
        for key, value in spec.items():
            setattr(row, key, value)
        objects.append(row)
    exhibition.objects = objects
    for n, spec in enumerate(checked.pages, start=1):
        page = pages[n - 1] if n <= len(pages) else ExhibitionPage(position=n)
        for key, value in spec.items():
            setattr(page, key, value)
        if n > len(pages):
            exhibition.pages.append(page)
    session.flush()


def save(
    session: Session,
    spec: dict[str, Any],
    *,
    agent: str,
    new: bool = False,
    expected: str | None = None,
    viewer: Viewer | None = None,
) -> tuple[Exhibition, bool]:
    """Create the exhibition of `spec`, or bring the existing one (same slug) in line with it; returns it and
    whether anything changed. Objects of an installed exhibition stay until it is closed. `new` refuses an
    existing slug; `expected` is the `version` the change was made on (a form's), refused once it is stale;
    `viewer` (a web or API editor) finds only the items they may know of.

    Raises:
        BadRequest: the spec is invalid. Conflict: it drops objects of an installed exhibition, or (`new`) the slug
            is taken.
        StaleExhibition: the exhibition changed since version `expected`.
    """
    checked = check_spec(session, spec, viewer)
    slug = checked.fields["slug"]
    exhibition = session.scalar(select(Exhibition).where(Exhibition.slug == slug))
    if exhibition is not None and new:
        raise conflict("exhibition %(slug)s exists already", slug=repr(slug))
    if exhibition is not None and expected is not None and version(exhibition) != expected:
        raise StaleExhibition(
            f"exhibition {slug}: someone changed it since it was loaded (version {expected}); "
            "nothing was saved (reload it)"
        )
    before = as_spec(exhibition) if exhibition is not None else None
    if exhibition is None:
        exhibition = Exhibition(state="planned", updated_by=agent, **checked.fields)
        session.add(exhibition)
    else:
        kept = {o["item_id"] for o in checked.objects}
        if exhibition.state == "installed" and any(o.item_id not in kept for o in exhibition.objects):
            raise conflict("exhibition %(slug)s: it is installed; close it before taking objects out", slug=slug)
        for key, value in checked.fields.items():
            setattr(exhibition, key, value)
    _reconcile(session, exhibition, checked)
    after = as_spec(exhibition)
    changed = before != after
    if changed:
        exhibition.updated_by = agent
        events.record(
            session,
            "exhibition created" if before is None else "exhibition changed",
            agent=agent,
            detail=f"exhibition {slug}: {len(checked.objects)} objects, {len(checked.pages)} pages",
            exhibition=slug,
            changes=[
                {"field": k, "before": (before or {}).get(k), "after": after[k]}
                for k in after
                if (before or {}).get(k) != after[k]
            ],
        )
        session.flush()
    return exhibition, changed


def create(
    session: Session,
    slug: str,
    *,
    title: str,
    title_en: str,
    starts_on: date | None,
    ends_on: date | None,
    agent: str,
) -> Exhibition:
    """Create an empty exhibition.

    Raises:
        BadRequest: invalid fields, or the slug is taken.
    """
    if session.scalar(select(Exhibition.id).where(Exhibition.slug == slug)) is not None:
        raise conflict("exhibition %(slug)s exists already", slug=repr(slug))
    spec = {"slug": slug, "title": title, "title_en": title_en, "from": starts_on, "to": ends_on}
    return save(session, spec, agent=agent)[0]


def spec_of(exhibition: Exhibition, session: Session) -> dict[str, Any]:
    """The exhibition as a spec to edit and save again: rooms by location code."""
    spec = as_spec(exhibition)
    codes = {loc.id: loc.code for loc in session.scalars(select(Location))}
    spec["objects"] = [
        {**{k: v for k, v in o.items() if k != "location_id"}, "room": codes.get(o["location_id"])}
        for o in spec["objects"]
    ]
    return spec


def add_object(
    session: Session, slug: str, item: str, *, room: str | None, label: str | None, label_en: str | None, agent: str
) -> Exhibition:
    """Add an object (in a room or case) with its labels.

    Raises:
        NotFound: no such exhibition. BadRequest: the object or room is invalid, or already in it.
    """
    exhibition = get(session, slug)
    spec = spec_of(exhibition, session)
    spec["objects"].append({"item": item, "room": room, "label": label, "label_en": label_en})
    return save(session, spec, agent=agent)[0]


def add_page(session: Session, slug: str, page: dict[str, Any], *, agent: str) -> Exhibition:
    """Add a page at the end of the story.

    Raises:
        NotFound: no such exhibition. BadRequest: the page is invalid.
    """
    exhibition = get(session, slug)
    spec = spec_of(exhibition, session)
    spec["pages"].append(page)
    return save(session, spec, agent=agent)[0]


def install(session: Session, slug: str, *, agent: str) -> list[dict[str, Any]]:
    """Move each object to its room or case (a movement each, its home remembered); returns the moves made.

    Raises:
        NotFound: no such exhibition. Conflict: online only, not planned, or no object has a room.
    """
    exhibition = get(session, slug)
    if exhibition.online_only:
        raise conflict("exhibition %(slug)s is online only: nothing to install", slug=slug)
    if exhibition.state != "planned":
        raise conflict(
            "exhibition %(slug)s is %(state)s, not planned",
            slug=slug,
            state=Coded("exhibition_state", exhibition.state),
        )
    placed = [o for o in exhibition.objects if o.location_id is not None]
    if not placed:
        raise conflict("exhibition %(slug)s has no object in a room or case", slug=slug)
    codes = {loc.id: loc.code for loc in session.scalars(select(Location))}
    moves = []
    for obj in placed:
        item = session.get(Item, obj.item_id)
        assert item is not None  # a foreign key
        obj.home_location_id = item.location_id
        if item.location_id == obj.location_id:
            moves.append({"item": item.id, "to": codes[obj.location_id], "moved": False, "warnings": []})
            continue
        _movement, warnings = move(
            session, item.id, codes[obj.location_id], agent=agent, reason=f"exhibition {slug}: installed"
        )
        moves.append({"item": item.id, "to": codes[obj.location_id], "moved": True, "warnings": warnings})
    exhibition.state = "installed"
    exhibition.updated_by = agent
    events.record(session, "exhibition installed", agent=agent, detail=f"exhibition {slug} installed", exhibition=slug)
    session.flush()
    return moves


def close(session: Session, slug: str, *, agent: str) -> list[dict[str, Any]]:
    """Return each installed object to where it came from (a movement each); returns the moves made.

    Raises:
        NotFound: no such exhibition. Conflict: it is not installed.
    """
    exhibition = get(session, slug)
    if exhibition.state != "installed":
        raise conflict(
            "exhibition %(slug)s is %(state)s, not installed: nothing to return",
            slug=slug,
            state=Coded("exhibition_state", exhibition.state),
        )
    codes = {loc.id: loc.code for loc in session.scalars(select(Location))}
    moves = []
    for obj in exhibition.objects:
        item = session.get(Item, obj.item_id)
        assert item is not None
        home = obj.home_location_id
        if obj.location_id is None or home is None or item.location_id == home:
            continue
        _movement, warnings = move(session, item.id, codes[home], agent=agent, reason=f"exhibition {slug}: returned")
        moves.append({"item": item.id, "to": codes[home], "moved": True, "warnings": warnings})
    exhibition.state = "closed"
    exhibition.updated_by = agent
    events.record(session, "exhibition closed", agent=agent, detail=f"exhibition {slug} closed", exhibition=slug)
    session.flush()
    return moves


def list_all(session: Session) -> list[Exhibition]:
    """Every exhibition, the latest first, online-only ones last."""
    rows = list(session.scalars(select(Exhibition)))
    return sorted(rows, key=lambda e: (e.starts_on is None, -(e.starts_on.toordinal() if e.starts_on else 0), e.slug))


def visible_objects(session: Session, exhibition: Exhibition, viewer: Viewer) -> list[tuple[ExhibitionObject, Item]]:
    """The objects `viewer` may know of (a closed item does not exist for the public)."""
    out = []
    for obj in exhibition.objects:
        item = session.get(Item, obj.item_id)
        if item is not None and visibility(viewer, item) > Visibility.NONE:
            out.append((obj, item))
    return out


def visible_images(session: Session, page: ExhibitionPage, viewer: Viewer) -> list[dict[str, Any]]:
    """The page's image regions `viewer` may see (full access to the item), each with its file and item."""
    out = []
    for image in page.images:
        item = session.get(Item, image["item"])
        if item is None or visibility(viewer, item) < Visibility.FULL:
            continue
        files = image_pages(item)
        if not 1 <= image["page"] <= len(files):
            continue  # the item lost its page since: leave the image out rather than fail the page
        out.append({**image, "file": files[image["page"] - 1], "item_row": item})
    return out
