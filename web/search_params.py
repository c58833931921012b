"""Reading search parameters from a request, the same way for pages and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from heritage.access import Viewer, public_search_statuses
from heritage.errors import BadRequest
from heritage.search import FACETS, SearchQuery

MAX_PER_PAGE = 100
SORTS = ("relevance", "title", "date", "-date")


def _positive(args: Mapping[str, str], name: str, default: int, maximum: int | None = None) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name}={raw!r} is not a whole number") from None
    if value < 1 or (maximum is not None and value > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise BadRequest(f"{name}={value} must be at least 1{bound}")
    return value


def search_query(args: MultiDict[str, str], viewer: Viewer) -> SearchQuery:
    """Raises: BadRequest: a parameter is malformed."""
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadRequest(f"sort={sort!r}: one of {', '.join(SORTS)}")
    filters = {name: [v for v in args.getlist(name) if v] for name in FACETS if args.getlist(name)}
    return SearchQuery(
        q=args.get("q", ""),
        filters=filters,
        access=None if viewer.is_staff else public_search_statuses(),
        page=_positive(args, "page", 1, 100000),
        per_page=_positive(args, "per_page", 20, MAX_PER_PAGE),
        sort=sort,
    )
