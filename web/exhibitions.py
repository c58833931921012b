"""Exhibitions on the web: the public index and stories (`/exhibitions`, `/exhibitions/<slug>`), the embed a partner
site can iframe, the JSON API (`/api/exhibitions`), the IIIF Collection and page Manifests, and the staff pages
(exhibitions by room with their light status). What an item shows is decided by `heritage.access` through
`heritage.museum.exhibitions` (visible objects, visible images): a closed item never appears.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, make_response, render_template
from werkzeug.wrappers import Response

from heritage.access import Viewer
from heritage.errors import NotFound
from heritage.models import Exhibition
from heritage.museum import exhibitions as service
from heritage.museum.exhibitions_light import exhibition_light
from iiif import urls
from iiif.exhibitions import build_exhibition_collection, build_page_manifest
from web.auth import require_staff
from web.context import acting_viewer, base_url, session, viewer
from web.i18n import current_language

bp = Blueprint("exhibitions", __name__)

PLANNERS = frozenset({"collection_manager", "administrator"})
THUMB_EDGE = 1000  # the longest edge (px) a story's image is shown at; the viewer links to the deep zoom


def may_plan(who: Viewer) -> bool:
    """Whether `who` may plan exhibitions (create, edit, install, close): collection managers and administrators,
    as for loans, since installing and closing move objects (web/exhibitions_editing.py has the forms)."""
    return who.allows("edit") and any(role in PLANNERS for role, _unit in who.roles)


def _in(lang: str, nl: str | None, en: str | None) -> str:
    return (en or nl or "") if lang == "en" else (nl or en or "")


def _image_url(image: dict[str, Any]) -> str:
    """The Image API URL of the region at story size (never upscaled)."""
    file = image["file"]
    if image["region"] == "full":
        w, h = file.width, file.height
    else:
        w, h = (int(v) for v in image["region"].split(",")[2:])
    size = "max" if max(w, h) <= THUMB_EDGE else f"!{THUMB_EDGE},{THUMB_EDGE}"
    return f"{urls.image_service(base_url(), file.id)}/{image['region']}/{size}/0/default.jpg"


def _story(exhibition: Exhibition, who: Viewer) -> dict[str, Any]:
    """What a page (or the embed) shows of the exhibition to `who`, in the reader's language."""
    db = session()
    lang = current_language()
    pages = []
    for n, page in enumerate(exhibition.pages, start=1):
        images = [
            {
                "src": _image_url(image),
                "caption": _in(lang, image["caption"], image["caption_en"]),
                "record": urls.item_page(base_url(), image["item"]),
                "item_title": _in(lang, image["item_row"].title, image["item_row"].title_en),
            }
            for image in service.visible_images(db, page, who)
        ]
        pages.append(
            {
                "n": n,
                "title": _in(lang, page.title, page.title_en),
                "text": _in(lang, page.text, page.text_en),
                "images": images,
                "manifest": urls.exhibition_page_manifest(base_url(), exhibition.slug, n) if images else None,
            }
        )
    objects = [
        {
            "record": urls.item_page(base_url(), item.id),
            "title": _in(lang, item.title, item.title_en),
            "label": _in(lang, obj.label, obj.label_en),
        }
        for obj, item in service.visible_objects(db, exhibition, who)
    ]
    return {
        "slug": exhibition.slug,
        "title": _in(lang, exhibition.title, exhibition.title_en),
        "summary": _in(lang, exhibition.summary, exhibition.summary_en),
        "from": exhibition.starts_on,
        "to": exhibition.ends_on,
        "pages": pages,
        "objects": objects,
        "iiif": urls.exhibition(base_url(), exhibition.slug),
        "page_url": urls.exhibition_page(base_url(), exhibition.slug),
    }


@bp.app_context_processor
def _search_helpers() -> dict[str, Any]:
    return {"matching_exhibitions": matching_exhibitions}


def matching_exhibitions(q: str | None) -> list[dict[str, str]]:
    """The exhibitions (their titles in the reader's language) whose titles or summaries hold every word of `q`."""
    words = [w for w in (q or "").casefold().split() if len(w) > 1]
    if not words:
        return []
    lang = current_language()
    found = []
    for e in service.list_all(session()):
        text = " ".join(filter(None, (e.title, e.title_en, e.summary, e.summary_en))).casefold()
        if all(w in text for w in words):
            found.append({"slug": e.slug, "title": _in(lang, e.title, e.title_en)})
    return found


def _exhibition(slug: str) -> Exhibition:
    return service.get(session(), slug)


@bp.get("/exhibitions")
def index() -> str:
    """Every exhibition, physical and online."""
    lang = current_language()
    rows = [
        {
            "slug": e.slug,
            "title": _in(lang, e.title, e.title_en),
            "summary": _in(lang, e.summary, e.summary_en),
            "from": e.starts_on,
            "to": e.ends_on,
        }
        for e in service.list_all(session())
    ]
    return render_template("exhibitions/index.html", exhibitions=rows)


@bp.get("/exhibitions/<slug>")
def story(slug: str) -> str:
    """The exhibition's story: its pages in order, each image linked to its record, and its objects."""
    return render_template("exhibitions/story.html", story=_story(_exhibition(slug), viewer()))


@bp.get("/exhibitions/<slug>/embed")
def embed(slug: str) -> Response:
    """The story for an iframe on a partner's site (links open in a page of their own)."""
    exhibition = _exhibition(slug)
    return make_response(render_template("exhibitions/embed.html", story=_story(exhibition, viewer())))
    # framed by partner sites: web/security.py lists this endpoint in FRAMABLE_ENDPOINTS


@bp.get("/api/exhibitions")
def api_list() -> Response:
    """The exhibitions, each with the objects the asker may see."""
    db = session()
    who = viewer()
    return jsonify(
        {
            "exhibitions": [
                {
                    "slug": e.slug,
                    "title": {"nl": e.title, "en": e.title_en},
                    "from": e.starts_on.isoformat() if e.starts_on else None,
                    "to": e.ends_on.isoformat() if e.ends_on else None,
                    "objects": [item.id for _obj, item in service.visible_objects(db, e, who)],
                    "iiif": urls.exhibition(base_url(), e.slug),
                }
                for e in service.list_all(db)
            ]
        }
    )


def iiif_collection(slug: str) -> dict[str, Any]:
    """The exhibition's IIIF Collection for the viewer: the pages with images they may see."""
    db = session()
    exhibition = _exhibition(slug)
    pages = [
        (n, page) for n, page in enumerate(exhibition.pages, start=1) if service.visible_images(db, page, viewer())
    ]
    return build_exhibition_collection(exhibition, pages, base_url())


def iiif_page_manifest(slug: str, n: int) -> dict[str, Any]:
    """Page `n`'s Manifest of the regions the viewer may see; 404 when it has none for them."""
    db = session()
    exhibition = _exhibition(slug)
    if not 1 <= n <= len(exhibition.pages):
        raise NotFound(f"exhibition {slug!r} has no page {n}")
    page = exhibition.pages[n - 1]
    images = service.visible_images(db, page, viewer())
    if not images:
        raise NotFound(f"exhibition {slug!r}: page {n} has no images to show")
    return build_page_manifest(exhibition, n, page, images, base_url())


@bp.get("/museum/exhibitions")
def staff_rooms() -> str:
    """Staff: the exhibitions by room or case, each object's light over the run."""
    require_staff()
    db = session()
    lang = current_language()
    rooms: dict[str, list[dict[str, Any]]] = {}
    online = []
    for exhibition in service.list_all(db):
        light = exhibition_light(db, exhibition)
        title = _in(lang, exhibition.title, exhibition.title_en)
        if not light:
            online.append({"slug": exhibition.slug, "title": title, "state": exhibition.state})
        for room in sorted({o.location or "" for o in light}):
            lit = [o for o in light if (o.location or "") == room]
            worst = "rotate" if any(o.status == "rotate" for o in lit) else "fits"
            rooms.setdefault(room, []).append(
                {
                    "slug": exhibition.slug,
                    "title": title,
                    "state": exhibition.state,
                    "from": exhibition.starts_on,
                    "to": exhibition.ends_on,
                    "objects": len(lit),
                    "status": worst,
                }
            )
    return render_template(
        "exhibitions/staff_rooms.html",
        rooms=sorted(rooms.items()),
        online=online,
        may_plan=may_plan(acting_viewer()),
    )


@bp.get("/museum/exhibitions/<slug>")
def staff_exhibition(slug: str) -> str:
    """Staff: one exhibition's objects, rooms, labels and light (fits, or the day to rotate)."""
    require_staff()
    return staff_page(slug)


def staff_page(slug: str, error: str | None = None) -> str:
    """The staff page of one exhibition, with the buttons its planners may press (`error`: why one was refused)."""
    db = session()
    exhibition = _exhibition(slug)
    lang = current_language()
    light = {o.item: o for o in exhibition_light(db, exhibition)}
    rows = [
        {
            "item": item.id,
            "title": _in(lang, item.title, item.title_en),
            "label": _in(lang, obj.label, obj.label_en),
            "light": light.get(item.id),
        }
        for obj, item in service.visible_objects(db, exhibition, viewer())
    ]
    return render_template(
        "exhibitions/staff_exhibition.html",
        exhibition=exhibition,
        title=_in(lang, exhibition.title, exhibition.title_en),
        rows=rows,
        may_plan=may_plan(acting_viewer()),
        error=error,
    )
