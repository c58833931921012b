"""Ways into the catalogue besides searching: the archive trees (`/browse`, and the home page's list of them)
and the favicon every page's browser asks for.

The trees are the top-level descriptions (fonds and collections) the viewer may find, asked of the
search index with the viewer's access, so that a closed fonds is never listed nor counted."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for

from heritage.search import SearchQuery
from web.context import base_url, runtime, viewer_search_scope
from web.search_params import MAX_PER_PAGE
from web.serialize import hit_json

bp = Blueprint("getting_around", __name__)
TREE_LEVELS = ("fonds", "collection")  # the tops of trees (a book's pages are not a tree to browse)
# Which section of the navigation a page belongs to (aria-current), by endpoint or blueprint.
SECTIONS = {
    "catalogue.home": "collections",
    "catalogue.search": "collections",
    "catalogue.browse": "trees",
    "getting_around.trees": "trees",
    "masterplan": "masterplan",
    "decisions": "masterplan",
    "api_docs": "api",
}


@bp.app_template_global("section_of")
def section_of(endpoint: str | None) -> str | None:
    """The navigation section of the page an endpoint draws, if any."""
    if not endpoint:
        return None
    return SECTIONS.get(endpoint) or SECTIONS.get(endpoint.split(".", 1)[0])


def archive_trees(limit: int = MAX_PER_PAGE) -> list[dict[str, Any]]:
    """The top-level fonds and collections that the viewer may find, by title."""
    access, units = viewer_search_scope()
    query = SearchQuery(filters={"level": list(TREE_LEVELS)}, access=access, units=units, per_page=limit, sort="title")
    result = runtime().index.search(query)
    return [hit_json(hit, base_url()) for hit in result.hits if not hit.get("path")]


@bp.get("/browse")
def trees() -> str:
    """Every archive tree, to browse from its top."""
    return render_template("browse_index.html", trees=archive_trees())


@bp.get("/favicon.ico")
def favicon() -> Any:
    """Browsers ask for /favicon.ico on their own: send them to the icon (an SVG, which they all draw)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
