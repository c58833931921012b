"""Authority pages (`/authorities`, `/authorities/<id>`) and what the JSON API says of an authority.

Every count and every item shown goes through `heritage.authorities.visible_*`, the access rule in SQL:
an authority linked only to closed items shows no item and a count of 0 to the public.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from heritage import authorities
from heritage.access import may_edit_authorities
from heritage.authorities.vocabulary import types
from heritage.errors import BadRequest, Forbidden, NotFound
from heritage.models import Authority
from web.context import acting_viewer, base_url, runtime, session, viewer
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
    return _record_page(authority_id)


def _record_page(authority_id: str, *, error: str | None = None, typed: dict[str, str] | None = None) -> Any:
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
        may_change=may_edit_authorities(acting_viewer()),
        error=error,
        typed=typed or {},
    )


def _changer() -> str:
    """The signed-in staff member who may change authorities; the public is sent to sign in first."""
    who = acting_viewer()
    if not who.signed_in:
        abort(redirect(url_for("auth.login_form", next=request.referrer or request.path)))
    if not may_edit_authorities(who):
        raise Forbidden(_("Only staff (archivists, collection managers, administrators) change authority records."))
    return who.username or ""


def _change(authority_id: str, change: Any) -> Any:
    """Run a service call, commit, re-index the linked items; a refusal re-shows the page (400), nothing kept."""
    db = session()
    try:
        changed = change()
        db.commit()
    except (BadRequest, NotFound) as exc:  # NotFound: the authority to merge into
        db.rollback()
        said = getattr(exc, "said", None)
        message = said.translated(_) if said is not None else str(exc)
        return _record_page(authority_id, error=message, typed=request.form.to_dict()), 400
    except BaseException:
        db.rollback()
        raise
    from heritage.search.indexer import index_items

    index_items(runtime(), changed.reindex)
    return changed


@bp.post("/authorities/<authority_id>/rename")
def rename(authority_id: str) -> Any:
    """Staff give an authority a new preferred name (the former one stays as a variant); its items follow."""
    agent = _changer()
    authorities.get_authority(session(), authority_id)
    name = request.form.get("name", "")
    reason = request.form.get("reason", "").strip() or None
    done = _change(
        authority_id, lambda: authorities.service.rename(session(), authority_id, name, agent=agent, reason=reason)
    )
    if isinstance(done, tuple):
        return done
    flash(_("The authority was renamed."), "status")
    return redirect(url_for("authorities.record", authority_id=authority_id), 303)


@bp.post("/authorities/<authority_id>/merge")
def merge(authority_id: str) -> Any:
    """Staff merge this authority into another: its items, names and ids go there, its id redirects."""
    agent = _changer()
    authorities.get_authority(session(), authority_id)
    survivor = request.form.get("survivor", "").strip()
    reason = request.form.get("reason", "").strip() or None
    if request.form.get("confirm") != "yes":
        return _record_page(
            authority_id, error=_("Tick the box to confirm the merge."), typed=request.form.to_dict()
        ), 400
    if not survivor:
        return _record_page(
            authority_id, error=_("Give the identifier of the authority it goes into."), typed=request.form.to_dict()
        ), 400
    done = _change(
        authority_id, lambda: authorities.service.merge(session(), authority_id, survivor, agent=agent, reason=reason)
    )
    if isinstance(done, tuple):
        return done
    flash(_("The authority was merged; its identifier now leads here."), "status")
    return redirect(url_for("authorities.record", authority_id=done.authority_id), 303)
