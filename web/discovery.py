"""IIIF Change Discovery 1.0 at /iiif/discovery/activity/all-changes (documents built in `iiif.discovery`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from heritage.errors import NotFound
from iiif.discovery import collection_document, page_document
from web.context import base_url, session

bp = Blueprint("iiif_discovery", __name__, url_prefix="/iiif/discovery/activity")
MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/discovery/1/context.json"'


def _send(document: dict[str, Any]) -> Response:
    session().commit()  # the ledger may have noticed closures that lapsed
    response = jsonify(document)
    response.headers["Content-Type"] = MEDIA_TYPE
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.get("/all-changes")
def all_changes() -> Response:
    """The stream: how many changes, and where its first and last pages are."""
    return _send(collection_document(session(), base_url()))


@bp.get("/all-changes/page/<int:n>")
def page(n: int) -> Response:
    """One page of Create/Update/Delete activities, oldest first."""
    try:
        return _send(page_document(session(), base_url(), n))
    except LookupError as exc:
        raise NotFound(f"change discovery: {exc}") from None
