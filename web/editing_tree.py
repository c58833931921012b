"""The staff's pages for the tree and the pages of a record: move it under another parent, order its parts,
label and order its pages and choose the representative image.

Without scripts and by keyboard alone: a new parent is chosen by its id or from a search on the page; the
order is arranged with up and down buttons (each re-shows the page with the focus on the moved row's button)
and saved at once as one revision. The changes go through the editing service, like every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from heritage import editing
from heritage.access import Visibility, may_edit, visibility
from heritage.catalogue import ancestors
from heritage.editing import StaleVersion
from heritage.errors import BadRequest, HeritageError
from heritage.models import Item
from heritage.search import SearchQuery
from web.context import base_url, runtime, session, viewer_search_scope
from web.editing import agent_name, editable_item, editor, flash_saved, in_words, reason_of, save, version_of
from web.i18n import current_language
from web.serialize import hit_json

bp = Blueprint("editing_tree", __name__)
CANDIDATES = 20
TOP = "top"  # the move form's choice of the top of the collection (no item id is this short)
QUERY_MAX = 500


def _title(item: Item) -> str:
    return item.title_en if current_language() == "en" and item.title_en else item.title


def _candidates(item: Item, q: str) -> list[dict[str, Any]]:
    """Records the editor may see and change that could take `item`: not itself, nor one of its own parts."""
    who = editor()
    access, units = viewer_search_scope(who)
    result = runtime().index.search(
        SearchQuery(q=q, access=access, units=units, per_page=CANDIDATES, lang=current_language())
    )
    found = []
    for hit in result.hits:
        if hit["id"] == item.id or any(a.get("id") == item.id for a in hit.get("path") or []):
            continue
        candidate = session().get(Item, hit["id"])
        if candidate is None or not may_edit(who, candidate):
            continue
        found.append(hit_json(hit, base_url()))
    return found


def _move_page(
    item: Item, *, status: int = 200, error: str | None = None, parent_id: str = "", reason: str = ""
) -> Any:
    q = (request.args.get("q") or "").strip()[:QUERY_MAX]
    candidates: list[dict[str, Any]] = []
    search_error = None
    if q:
        try:
            candidates = _candidates(item, q)
        except BadRequest as exc:
            search_error = in_words(exc)
    path = [a for a in ancestors(item) if visibility(editor(), a) > Visibility.NONE]
    return (
        render_template(
            "editing/move.html",
            item=item,
            title=_title(item),
            path=path,
            q=q,
            candidates=candidates,
            search_error=search_error,
            error=error,
            parent_id=parent_id,
            reason=reason,
        ),
        status,
    )


@bp.get("/items/<item_id>/move")
def move_form(item_id: str) -> Any:
    """Choose the new parent: by its id, or from a search (`?q=`)."""
    return _move_page(editable_item(item_id))


@bp.post("/items/<item_id>/move")
def move(item_id: str) -> Any:
    """Move the record (with all its parts) under the chosen parent, as its last part."""
    item = editable_item(item_id)
    who = editor()
    parent_id = (request.form.get("parent_id") or "").strip() or (request.form.get("parent") or "").strip()
    reason = reason_of(request.form)
    try:
        if not parent_id:
            raise BadRequest(_("Choose the new parent: give its id or pick it from the search."))
        base = version_of(request.form)
        target = None if parent_id == TOP else parent_id
        saved = save(
            lambda: editing.move_item(
                session(), item.id, target, viewer=who, agent=agent_name(who), base_version=base, reason=reason
            )
        )
    except StaleVersion:
        message = _(
            "Someone else changed the record since this page was loaded: check where it is now and move it again."
        )
        return _move_page(item, status=409, error=message, parent_id=parent_id, reason=reason or "")
    except HeritageError as exc:
        if exc.status not in (400, 403, 404):
            raise
        return _move_page(item, status=exc.status, error=in_words(exc), parent_id=parent_id, reason=reason or "")
    flash_saved(saved)
    return redirect(url_for("catalogue.record", item_id=item.id), code=303)


def arranged(current: Sequence[str], form_order: Sequence[str], up: str | None, down: str | None) -> list[str]:
    """The order the page showed (when it holds exactly the current ids), with one row moved up or down.

    Raises:
        BadRequest: the page's order names other ids than the record has now (changed meanwhile).
    """
    order = list(form_order) if form_order else list(current)
    if sorted(order) != sorted(current):
        raise BadRequest(_("The parts changed since this page was loaded: look at the order again."))
    for moved, step in ((up, -1), (down, 1)):
        if moved and moved in order:
            at = order.index(moved)
            to = at + step
            if 0 <= to < len(order):
                order[at], order[to] = order[to], order[at]
    return order


def focus_after(order: Sequence[str], up: str | None, down: str | None) -> str | None:
    """The id of the button that keeps the focus after a row moved: the one pressed, or the row's other button
    when the pressed one is now disabled (the row reached the top or the bottom)."""
    moved = up or down
    if not moved or moved not in order:
        return None
    at = order.index(moved)
    if up:
        return f"up-{moved}" if at > 0 or len(order) == 1 else f"down-{moved}"
    return f"down-{moved}" if at < len(order) - 1 or len(order) == 1 else f"up-{moved}"


def _order_page(
    item: Item,
    order: list[str],
    *,
    status: int = 200,
    error: str | None = None,
    focus: str | None = None,
    version: int | str | None = None,
) -> Any:
    children = {c.id: c for c in item.children}
    return (
        render_template(
            "editing/order.html",
            item=item,
            title=_title(item),
            rows=[children[i] for i in order if i in children],
            error=error,
            focus=focus,
            changed=order != [c.id for c in item.children],
            child_title=_title,
            version=item.version if version is None else version,
        ),
        status,
    )


@bp.get("/items/<item_id>/order")
def order_form(item_id: str) -> Any:
    """The record's parts in their order, each with up and down buttons."""
    item = editable_item(item_id)
    return _order_page(item, [c.id for c in item.children])


@bp.post("/items/<item_id>/order")
def order(item_id: str) -> Any:
    """Move one part up or down on the page, or save the order shown as one revision."""
    item = editable_item(item_id)
    who = editor()
    current = [c.id for c in item.children]
    up, down = request.form.get("up"), request.form.get("down")
    try:
        new = arranged(current, request.form.getlist("order"), up, down)
    except BadRequest as exc:
        return _order_page(item, current, status=409, error=in_words(exc))
    if up or down:
        keep = request.form.get("version", "")
        return _order_page(item, new, focus=focus_after(new, up, down), version=keep)
    try:
        base = version_of(request.form)
        saved = save(
            lambda: editing.reorder_children(
                session(),
                item.id,
                new,
                viewer=who,
                agent=agent_name(who),
                reason=reason_of(request.form),
                base_version=base,
            )
        )
    except StaleVersion:
        message = _("Someone else changed the record since this page was loaded: look at the order again.")
        return _order_page(item, current, status=409, error=message)
    except BadRequest as exc:
        return _order_page(item, current, status=400, error=in_words(exc))
    flash_saved(saved)
    return redirect(url_for("editing_tree.order_form", item_id=item.id), code=303)


def _pages_page(
    item: Item,
    order: list[str],
    labels: dict[str, str],
    representative: str | None,
    *,
    status: int = 200,
    error: str | None = None,
    focus: str | None = None,
    version: int | None = None,
) -> Any:
    files = {f.id: f for f in item.files}
    return (
        render_template(
            "editing/pages.html",
            item=item,
            title=_title(item),
            rows=[files[i] for i in order if i in files],
            labels=labels,
            representative=representative,
            error=error,
            focus=focus,
            version=item.version if version is None else version,
        ),
        status,
    )


@bp.get("/items/<item_id>/pages")
def pages_form(item_id: str) -> Any:
    """The record's pages: their labels, their order, and which image represents the record."""
    item = editable_item(item_id)
    pages = editing.pages_of(item)
    return _pages_page(
        item, [p["file"] for p in pages], {p["file"]: p["label"] or "" for p in pages}, item.representative_id
    )


@bp.post("/items/<item_id>/pages")
def pages(item_id: str) -> Any:
    """Move one page up or down on the page, or save labels, order and representative image as one revision."""
    item = editable_item(item_id)
    who = editor()
    pages = editing.pages_of(item)
    current = [p["file"] for p in pages]
    labels = {file_id: (request.form.get(f"label-{file_id}") or "").strip() for file_id in current}
    representative = request.form.get("representative") or None
    up, down = request.form.get("up"), request.form.get("down")
    form_version = request.form.get("version")
    try:
        new = arranged(current, request.form.getlist("order"), up, down)
    except BadRequest as exc:
        return _pages_page(item, current, labels, representative, status=409, error=in_words(exc))
    if up or down:
        focus = focus_after(new, up, down)
        keep = int(form_version) if (form_version or "").isdigit() else None
        return _pages_page(item, new, labels, representative, focus=focus, version=keep)
    try:
        base = version_of(request.form)
        saved = save(
            lambda: editing.set_pages(
                session(),
                item.id,
                [(file_id, labels.get(file_id) or None) for file_id in new],
                representative=representative,
                viewer=who,
                agent=agent_name(who),
                base_version=base,
                reason=reason_of(request.form),
            )
        )
    except StaleVersion:
        message = _("The record was changed by someone else since this page was loaded: look at its pages again.")
        return _pages_page(
            item,
            current,
            {p["file"]: p["label"] or "" for p in pages},
            item.representative_id,
            status=409,
            error=message,
        )
    except BadRequest as exc:
        return _pages_page(item, new, labels, representative, status=400, error=in_words(exc))
    flash_saved(saved)
    return redirect(url_for("editing_tree.pages_form", item_id=item.id), code=303)
