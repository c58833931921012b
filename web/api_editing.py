"""Editing over the JSON API: read an item's version (ETag), change it (PATCH with If-Match), add items,
read its history and revert. Every route calls the one editing service in `heritage.editing`."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import Unauthorized

from heritage import editing
from heritage.access import Viewer
from heritage.errors import BadRequest, HeritageError, StaleVersion
from web.context import acting_viewer, runtime, session, viewer


class PreconditionRequired(HeritageError):
    """A change without If-Match: the API will not overwrite what the client has not seen."""

    status = 428


def etag(version: int) -> str:
    return f'"{version}"'


def editor() -> Viewer:
    """Who is changing things: a signed-in user or a bearer token (401 without either)."""
    who = acting_viewer()
    if not who.signed_in:
        raise Unauthorized("send a bearer token of scope edit to change items")
    return who


def json_body(*, allowed: set[str] | None = None) -> dict[str, Any]:
    """The request's JSON object (400 for anything else, or for keys other than `allowed`)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object with Content-Type application/json")
    if allowed is not None:
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise BadRequest(f"unknown key(s) {', '.join(map(repr, unknown))}: use {', '.join(sorted(allowed))}")
    return body


def reason_of(body: dict[str, Any]) -> str | None:
    reason = body.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > 2000 or "\x00" in reason):
        raise BadRequest('"reason" is a text of at most 2000 characters', field="reason")
    return reason


def base_version(item_id: str, *, required: bool) -> int | None:
    """The version the client's If-Match names (None: none sent and none required, or `*`).

    Raises:
        PreconditionRequired: no If-Match where one is required. StaleVersion: it names no current version.
    """
    header = request.headers.get("If-Match")
    if header is None:
        if required:
            raise PreconditionRequired(
                f"send If-Match with the ETag of item {item_id} (GET /api/items/{item_id}) to change it"
            )
        return None
    if header.strip() == "*":
        return None
    item = editing.editable_item(session(), item_id, editor())
    versions = set()
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag.isdigit() and len(tag) < 10:
            versions.add(int(tag))
    if item.version in versions:
        return item.version
    raise StaleVersion(
        f"If-Match {header.strip()[:40]!r} does not name the current version of item {item_id} ({item.version})",
        current=item.version,
        theirs=editing.values_of(item),
    )


def saved_response(saved: editing.Saved, status: int = 200) -> Response:
    response = jsonify(
        {
            "id": saved.item_id,
            "version": saved.version,
            "revision": saved.revision,
            "changes": [c.as_dict() for c in saved.changes],
            "warnings": [str(w) for w in saved.warnings],
        }
    )
    response.status_code = status
    response.headers["ETag"] = etag(saved.version)
    response.headers["Cache-Control"] = "no-store"
    return response


def commit_and_reindex(saved: editing.Saved) -> None:
    """Commit the request's change, then re-index it so that search finds it at once."""
    session().commit()
    editing.reindex(runtime(), saved)


def stale_response(exc: StaleVersion) -> Response:
    response = jsonify({"error": {"status": 412, "message": str(exc)}, "version": exc.current, "fields": exc.theirs})
    response.status_code = 412
    response.headers["ETag"] = etag(exc.current)
    return response


def update(item_id: str) -> Response:
    """PATCH /api/items/<id>: JSON of the fields to change (and an optional "reason"); If-Match required."""
    who = editor()
    db = session()
    editing.editable_item(db, item_id, who)  # 404 or 403 before anything is said about versions
    base = base_version(item_id, required=True)
    body = json_body()
    reason = reason_of(body)
    values = {k: v for k, v in body.items() if k != "reason"}
    saved = editing.update_item(
        db, item_id, values, viewer=who, agent=who.username or "api", base_version=base, reason=reason
    )
    commit_and_reindex(saved)
    return saved_response(saved)


def create() -> Response:
    """POST /api/items: {"parent" or "collection", "fields", "reason"}; 201 with the new item's Location."""
    who = editor()
    body = json_body(allowed={"parent", "collection", "fields", "reason"})
    parent, collection = body.get("parent"), body.get("collection")
    for key, value in (("parent", parent), ("collection", collection)):
        if value is not None and (not isinstance(value, str) or len(value) > 64 or "\x00" in value):
            raise BadRequest(f'"{key}" is an id of at most 64 characters', field=key)
    fields = body.get("fields", {})
    if not isinstance(fields, dict):
        raise BadRequest('"fields" is an object of field name -> value', field="fields")
    saved = editing.create_item(
        session(),
        parent_id=parent,
        collection=collection,
        values=fields,
        viewer=who,
        agent=who.username or "api",
        reason=reason_of(body),
    )
    commit_and_reindex(saved)
    response = saved_response(saved, 201)
    response.headers["Location"] = f"/api/items/{saved.item_id}"
    return response


def revision_history(item_id: str) -> Response:
    """GET /api/items/<id>/history: {"revisions": [...]}, newest first, for the staff of its unit."""
    who = viewer()
    if not who.signed_in:
        raise Unauthorized("send a bearer token (read or edit) of the item's unit staff to read its history")
    revisions = editing.history(session(), item_id, viewer=who)
    response = jsonify({"revisions": [r.as_dict() for r in revisions]})
    response.headers["Cache-Control"] = "no-store"
    return response


def revert(item_id: str) -> Response:
    """POST /api/items/<id>/revert: {"revision": N, "reason"}; If-Match optional (412 when stale)."""
    who = editor()
    db = session()
    editing.editable_item(db, item_id, who)
    base = base_version(item_id, required=False)
    body = json_body(allowed={"revision", "reason"})
    number = body.get("revision")
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 2**31:
        raise BadRequest('"revision" is the number of one of the item\'s revisions', field="revision")
    saved = editing.revert(
        db, item_id, number, viewer=who, agent=who.username or "api", base_version=base, reason=reason_of(body)
    )
    commit_and_reindex(saved)
    return saved_response(saved)
