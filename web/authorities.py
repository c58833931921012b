"""Authority pages (`/authorities`, `/authorities/<id>`) and what the JSON API says of an authority.

Every count and every item shown goes through `heritage.authorities.visible_*`, the access rule in SQL:
an authority linked only to closed items shows no item and a count of 0 to the public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from heritage import authorities
from heritage.authorities.vocabulary import types
from heritage.errors import BadRequest
from heritage.models import Authority
from web.context import base_url, session, viewer
from web.i18n import current_language

bp = Blueprint("authorities", __name__)
MAX_QUERY = 200
MAX_LIMIT = authorities.service.MAX_SUGGESTIONS
PER_PAGE = 50
MAX_PAGE = 10_000


@dataclass(frozen=True)
class AuthorityQuery:
    q: str
    type: str | None
    limit: int
    page: int


def _whole(args: MultiDict[str, str], name: str, default: int, maximum: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise BadRequest(f"{name}={raw!r} must be a whole number from 1 to {maximum}")
    return int(raw)


def authority_query(args: MultiDict[str, str], allowed: tuple[str, ...], *, strict: bool = False) -> AuthorityQuery:
    """Raises: BadRequest: a parameter is unknown, repeated or malformed (`strict`, for the API: also given
    empty, except `q`; a form sends `type=` for "all types"); the message names it."""
    for name in args:
        if name not in allowed:
            raise BadRequest(f"unknown parameter {name!r}: use {', '.join(allowed)}")
        if len(args.getlist(name)) > 1:
            raise BadRequest(f"{name} is given {len(args.getlist(name))} times; give it once")
        if strict and name != "q" and not args[name]:
            raise BadRequest(f"{name} is empty; leave it out or give a value")
    q = args.get("q", "")
    if len(q) > MAX_QUERY:
        raise BadRequest(f"q: {len(q)} characters, at most {MAX_QUERY}")
    if "\x00" in q:
        raise BadRequest("q holds a NUL character")
    kind = args.get("type") or None
    if kind is not None and kind not in types():
        raise BadRequest(f"type={kind!r}: one of {', '.join(types())}")
    if "lang" in args and args["lang"] not in ("nl", "en"):
        raise BadRequest(f"lang={args['lang']!r}: one of nl, en")
    return AuthorityQuery(
        q=q.strip(),
        type=kind,
        limit=_whole(args, "limit", 20, MAX_LIMIT),
        page=_whole(args, "page", 1, MAX_PAGE),
    )


def found(query: AuthorityQuery, limit: int, offset: int = 0) -> list[Authority]:
    """Authorities matching the query: a name prefix (suggestions), or all of a type by name."""
    if query.q:
        return authorities.suggest(session(), query.q, query.type, limit)
    return authorities.service.browse(session(), query.type, offset=offset, limit=limit)


def authority_json(authority: Authority, items: int, base: str) -> dict[str, Any]:
    return {
        "id": authority.id,
        "type": authority.type,
        "name": authority.name,
        "variants": list(authority.variants or []),
        "ids": [{"scheme": i.scheme, "uri": i.uri} for i in authority.ids],
        "items": items,
        "dates": authority.dates,
        "url": base + url_for("authorities.record", authority_id=authority.id),
    }


def type_label(kind: str) -> str:
    entry = types().get(kind)
    return entry.labels.get(current_language(), kind) if entry else kind


@bp.get("/authorities")
def listing() -> tuple[str, int] | str:
    """Authorities by name, of one type or all; a prefix of any of their names narrows."""
    try:
        query = authority_query(request.args, ("q", "type", "page", "lang"))
    except BadRequest as exc:
        return render_template("authorities/list.html", error=str(exc), query=None, rows=[], types=types()), 400
    offset = (query.page - 1) * PER_PAGE
    rows = found(query, PER_PAGE + 1, offset)
    more = len(rows) > PER_PAGE and not query.q
    rows = rows[:PER_PAGE]
    counts = authorities.visible_item_counts(session(), viewer(), [a.id for a in rows])
    return render_template(
        "authorities/list.html",
        error=None,
        query=query,
        rows=[(a, counts[a.id]) for a in rows],
        types=types(),
        type_label=type_label,
        more=more,
    )


@bp.get("/authorities/<authority_id>")
def record(authority_id: str) -> Response | str:
    """One authority: names, dates, external ids, and the items this viewer may see that name it."""
    args = request.args
    page = _whole(args, "page", 1, MAX_PAGE)
    authority = authorities.get_authority(session(), authority_id)
    if authority.merged_into:
        survivor = authorities.resolve(session(), authority.id)
        return redirect(url_for("authorities.record", authority_id=survivor.id, **args.to_dict()), 301)
    total = authorities.visible_item_counts(session(), viewer(), [authority.id])[authority.id]
    items = authorities.visible_items(session(), viewer(), authority.id, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render_template(
        "authorities/record.html",
        authority=authority,
        type_label=type_label,
        items=items,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        api=base_url() + url_for("api.authority", authority_id=authority.id),
    )
