"""Search: the `SearchIndex` interface, its query and result shapes, and the facets every backend offers.

The embedded backend is Whoosh (`whoosh_index.WhooshIndex`), with its facet counts, filters and sorts
computed on column arrays (`facet_store`); a backend on a distributed engine implements the same
Protocol. How search runs on several web nodes (index copies per node, or Apache Solr) is designed in
`SCALE_OUT.md` beside this file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Facet:
    """One facet: its name in URLs and the API, and whether only staff may see and use it."""

    name: str
    multi: bool = False  # an item may have several values
    staff_only: bool = False


FACET_TABLE: tuple[Facet, ...] = (
    Facet("domain"),
    Facet("collection"),
    Facet("unit"),
    Facet("custody"),  # central or decentral, from the custodial unit
    Facet("level"),
    Facet("century", multi=True),
    Facet("decade", multi=True),
    Facet("creator", multi=True),
    Facet("subject", multi=True),
    Facet("place", multi=True),
    Facet("taxon", multi=True),
    Facet("language", multi=True),
    Facet("has_images"),
    Facet("has_text"),  # the item has full text (OCR or delivered) on at least one page
    Facet("access", staff_only=True),
)
FACETS: tuple[str, ...] = tuple(f.name for f in FACET_TABLE)
MULTI_FACETS = frozenset(f.name for f in FACET_TABLE if f.multi)
STAFF_FACETS = frozenset(f.name for f in FACET_TABLE if f.staff_only)
HISTOGRAM_FACETS: tuple[str, ...] = ("century", "decade")  # counted for a date histogram, all values
SORTS: tuple[str, ...] = ("relevance", "date", "-date", "title", "-title")
MAX_QUERY_LENGTH = 1000
MAX_RESULT_WINDOW = 10_000  # results a search pages through; a page past them has no hits


def facets_for(staff: bool) -> tuple[str, ...]:
    """The facets a viewer may see and filter on."""
    return FACETS if staff else tuple(name for name in FACETS if name not in STAFF_FACETS)


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: the query text (Whoosh syntax), facet filters, a year range, access, page, sort."""

    q: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    access: Sequence[str] | None = None  # access statuses the viewer may find; None = all (staff)
    units: Sequence[str] = ()  # units (slugs) whose items the viewer finds whatever their access (their staff)
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"  # one of SORTS
    year_from: int | None = None  # the item's dates overlap [year_from, year_to]
    year_to: int | None = None
    facet_limit: int = 20  # values per facet (most frequent first); selected values are always included
    lang: str = "nl"  # the reader's language, for snippets
    # restricted items whose images the viewer was granted: their pages' text is searched too (`fulltext`)
    granted: Sequence[str] = ()

    @property
    def staff(self) -> bool:
        """Whether the viewer is staff somewhere (and may see and filter on the staff facets)."""
        return self.access is None or bool(self.units)


@dataclass
class SearchResult:
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int
    suggestion: str | None = None  # a corrected query when nothing (or little) was found
    beyond_window: bool = False  # the page lies past the results a search pages through: no hits, narrow it


@runtime_checkable
class SearchIndex(Protocol):
    def update(self, documents: Iterable[dict[str, Any]]) -> None:
        """Add or replace documents (by `id`)."""
        ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult:
        """Raises: BadRequest: the query cannot be read."""
        ...

    def count(self) -> int: ...

    def warm(self) -> None:
        """Load what the first search would (a server calls this before it forks its workers)."""
        ...

    def version(self) -> str:
        """A token that changes whenever what searches answer may change (any write, by any process)."""
        ...

    def clear(self) -> None: ...

    def rebuild(self, documents: Iterable[dict[str, Any]]) -> int:
        """Build a fresh index from `documents` beside the current one, then swap it in; returns the count.

        Searches keep being answered by the current index until the swap.
        """
        ...
