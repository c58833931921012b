"""Exhibitions planned through the JSON API, as the staff forms plan them (`web/exhibitions_editing.py`):
`GET /api/exhibitions/<slug>` (the exhibition as a spec to edit, with its version), `POST /api/exhibitions`
(create), `PUT /api/exhibitions/<slug>` (replace), `POST /api/exhibitions/<slug>/install` and `/close`.

Every save goes through `heritage.museum.exhibitions.save`, which validates, reconciles and records the event. The
body is the spec the CLI's `heritage exhibitions save` reads; its shape is checked here first, so that a body of
the wrong shape is a 400 naming the key, never a 500. A replace carries the version it was based on (the `ETag`
of the GET, as `If-Match` or as `"version"` in the body): a save over a newer version is a 409, as in the form.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from heritage.access import Viewer
from heritage.errors import BadRequest, Forbidden, NotFound
from heritage.museum import exhibitions as service
from web.auth import require_staff
from web.context import acting_viewer, session
from web.exhibitions import may_plan
from web.exhibitions_editing import require_plannable

api_bp = Blueprint("exhibitions_api", __name__, url_prefix="/api/exhibitions")

SPEC_KEYS = {"slug", "title", "title_en", "summary", "summary_en", "from", "to", "objects", "pages"}
READ_ONLY = {"state", "version"}  # what the GET adds: sent back unchanged, it is taken as given
OBJECT_KEYS = {"item", "room", "label", "label_en"}
PAGE_KEYS = {"title", "title_en", "text", "text_en", "images"}
IMAGE_KEYS = {"item", "file", "page", "region", "caption", "caption_en"}


def _planner() -> Viewer:
    require_staff()  # 401 without credentials, 403 for a reader
    who = acting_viewer()
    if not may_plan(who):
        raise Forbidden("exhibitions are planned by collection managers and administrators (a token of scope edit)")
    return who


def _keys(value: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise BadRequest(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}: use {', '.join(sorted(allowed))}")
    for key, entry in value.items():
        if isinstance(entry, str) and "\x00" in entry:
            raise BadRequest(f'{where}: "{key}" holds a NUL character')
    return value


def _rows(value: Any, allowed: set[str], where: str, row: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"{where} must be a list")
    return [_keys(entry, allowed, f"{where}: {row} {n}") for n, entry in enumerate(value, start=1)]


def spec_from_body(slug: str | None = None) -> tuple[dict[str, Any], str | None]:
    """The spec in the request's body and the version it names (None: none); on a replace the path's slug is the
    exhibition's (a slug does not change: the body's, as the GET gave it, is not read).

    Raises: BadRequest: the body is not a spec (the key and the reason named).
    """
    body = _keys(request.get_json(silent=True), SPEC_KEYS | READ_ONLY, "the body")
    if slug is not None:  # the path names the exhibition: a slug does not change, the body's is not read
        body = {**body, "slug": slug}
    spec = {k: v for k, v in body.items() if k in SPEC_KEYS}
    spec["objects"] = _rows(body.get("objects"), OBJECT_KEYS, '"objects"', "object")
    pages = _rows(body.get("pages"), PAGE_KEYS, '"pages"', "page")
    spec["pages"] = [
        {**page, "images": _rows(page.get("images"), IMAGE_KEYS, f'"pages": page {n}: "images"', "image")}
        for n, page in enumerate(pages, start=1)
    ]
    version = request.headers.get("If-Match", "").strip().strip('"') or body.get("version")
    if version is not None and not isinstance(version, str):
        raise BadRequest('"version" is a text (the ETag of GET /api/exhibitions/<slug>)')
    return spec, version or None


def require_known(who: Viewer, spec: dict[str, Any]) -> None:
    """The objects and images named first, before any other field, as the loan routes do: an unknown one (or one
    `who` may not know of) is a 404 whatever else the body holds.

    Raises: NotFound: an item or image file named is not there for `who`.
    """
    db = session()
    refs = [o.get("item") for o in spec["objects"]]
    refs += [i.get("file") or i.get("item") for page in spec["pages"] for i in page["images"]]
    for ref in refs:
        if isinstance(ref, str) and ref.strip() and not service.names_something(db, ref, who):
            raise NotFound(f"item {ref.strip()!r} does not exist")


def _answer(exhibition: Any, status: int = 200) -> Response:
    db = session()
    version = service.version(exhibition)
    response = jsonify({**service.spec_of(exhibition, db), "version": version})
    response.status_code = status
    response.headers["ETag"] = f'"{version}"'
    if status == 201:
        response.headers["Location"] = f"/api/exhibitions/{exhibition.slug}"
    return response


def _save(who: Viewer, spec: dict[str, Any], *, new: bool, expected: str | None) -> Response:
    db = session()  # a refusal leaves it uncommitted: the request's session is closed and its changes dropped
    exhibition, _changed = service.save(db, spec, agent=who.username or "", new=new, expected=expected, viewer=who)
    require_plannable(who, exhibition)
    db.commit()
    return _answer(exhibition, 201 if new else 200)


@api_bp.get("/<slug>")
def api_show(slug: str) -> Response:
    """The exhibition as a spec to edit (rooms by location code), its state, and its version (also the ETag)."""
    who = _planner()
    exhibition = service.get(session(), slug)
    require_plannable(who, exhibition)
    return _answer(exhibition)


@api_bp.post("")
def api_create() -> Response:
    """Plan a new exhibition (a slug in use is a 400)."""
    who = _planner()
    spec, _version = spec_from_body()
    require_known(who, spec)
    return _save(who, spec, new=True, expected=None)


@api_bp.put("/<slug>")
def api_replace(slug: str) -> Response:
    """Replace an exhibition's titles, dates, objects and pages with the body's; a stale version is a 409."""
    who = _planner()
    exhibition = service.get(session(), slug)
    require_plannable(who, exhibition)
    spec, version = spec_from_body(slug)
    require_known(who, spec)
    return _save(who, spec, new=False, expected=version)


@api_bp.post("/<slug>/<action>")
def api_act(slug: str, action: str) -> Response:
    """Install (each object moves to its room or case) or close (each returns); the moves in the answer."""
    who = _planner()
    if action not in ("install", "close"):
        raise BadRequest(f"action {action!r}: one of install, close")
    db = session()
    require_plannable(who, service.get(db, slug))
    moves = (service.install if action == "install" else service.close)(db, slug, agent=who.username or "")
    db.commit()
    exhibition = service.get(db, slug)
    # a move's warnings are said (templates): the API gives their English, as the CLI and the events do
    moves = [{**m, "warnings": [str(w) for w in m["warnings"]]} for m in moves]
    return jsonify({"slug": slug, "state": exhibition.state, "moves": moves})
