"""Search: the `SearchIndex` interface, its query and result shapes, and the documents items become.

The embedded backend is Whoosh (`whoosh_index.WhooshIndex`); a backend on a distributed engine
implements the same Protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

FACETS: tuple[str, ...] = ("domain", "collection", "level", "century", "has_images", "unit")


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    access: Sequence[str] | None = None  # access statuses the viewer may find; None = all (staff)
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"  # relevance, title, date


@dataclass
class SearchResult:
    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, list[tuple[str, int]]]
    page: int
    per_page: int


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

    def clear(self) -> None: ...
