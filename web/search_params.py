"""Reading search parameters from a request, the same way for pages and the JSON API.

Every parameter is named in `PARAMETERS` or is a facet the viewer may use; anything else is refused
with a message that names it, so a misspelt facet never silently returns everything.
"""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from heritage.access import Viewer
from heritage.errors import BadRequest
from heritage.search import SORTS, SearchQuery, facets_for
from web.i18n import LANGUAGES

MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_FACET_VALUES = 20  # values of one facet in one request
MAX_VALUE_LENGTH = 300
YEAR_BOUND = 9999
PARAMETERS = ("q", "page", "per_page", "sort", "from", "to", "lang")


def _positive(args: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise BadRequest(f"{name}={raw!r} is not a whole number") from None
    if value < 1 or value > maximum:
        raise BadRequest(f"{name}={value} must be at least 1 and at most {maximum}")
    return value


def _year(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name}={raw!r} is not a year (a whole number such as 1834)") from None
    if abs(value) > YEAR_BOUND:
        raise BadRequest(f"{name}={value} is not a year between -{YEAR_BOUND} and {YEAR_BOUND}")
    return value


def search_query(args: MultiDict[str, str], viewer: Viewer, lang: str = "nl") -> SearchQuery:
    """Raises: BadRequest: a parameter is unknown or malformed; the message names it."""
    from web.context import viewer_search_scope

    access, units = viewer_search_scope(viewer)
    allowed = facets_for(access is None or bool(units))
    for name in args:
        if name not in PARAMETERS and name not in allowed:
            facets = ", ".join(allowed)
            raise BadRequest(
                f"unknown parameter {name!r}: use q, page, per_page, sort, from, to, lang or a facet ({facets})"
            )
    for name in PARAMETERS:
        given = args.getlist(name)
        if len(given) > 1:
            raise BadRequest(f"{name} is given {len(given)} times; give it once")
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadRequest(f"sort={sort!r}: one of {', '.join(SORTS)}")
    filters: dict[str, list[str]] = {}
    for name in allowed:
        given = args.getlist(name)
        if len(given) > MAX_FACET_VALUES:  # as sent, repeated and empty ones too: what the document bounds
            raise BadRequest(f"{name}: at most {MAX_FACET_VALUES} values at once")
        values = list(dict.fromkeys(v for v in given if v))
        if any(len(v) > MAX_VALUE_LENGTH for v in values):
            raise BadRequest(f"{name}: a value is longer than {MAX_VALUE_LENGTH} characters")
        if values:
            filters[name] = values
    for chosen in args.getlist("lang"):
        if chosen and chosen not in LANGUAGES:
            raise BadRequest(f"lang={chosen!r}: one of {', '.join(LANGUAGES)}")
    year_from, year_to = _year(args, "from"), _year(args, "to")
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from  # the same years, named from the other end
    return SearchQuery(
        q=args.get("q", ""),
        filters=filters,
        access=access,
        units=units,
        page=_positive(args, "page", 1, MAX_PAGE),
        per_page=_positive(args, "per_page", 20, MAX_PER_PAGE),
        sort=sort,
        year_from=year_from,
        year_to=year_to,
        lang=lang,
        granted=tuple(sorted(viewer.granted_items)) if access is not None else (),
    )
