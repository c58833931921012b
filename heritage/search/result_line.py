"""What a result line shows, as stored per index document: only what the segment's columns cannot give back.

The `display` mapping of an index document (`documents.item_document`) repeats values the index holds as
columns anyway (collection, domain, level, access, unit, parent, the image and text flags, the dates) and
names each of its keys in every record. It is stored as a tuple in a fixed key order, without the values
that the columns give back as they were (issue 22: a smaller index); a value the columns would give back
differently (a facet with several values, say) stays stored. A stored mapping (an index written before)
reads as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from heritage.search.analyzers import MULTI_SEPARATOR
from heritage.search.fields import NO_DATE

PACKED = 2  # the first item of a packed line (an older index stores the mapping itself)
# display keys in the order `documents.item_document` writes them
KEYS = (
    "title",
    "titles",
    "date_text",
    "date_from",
    "date_to",
    "collection",
    "domain",
    "level",
    "access",
    "has_images",
    "has_text",
    "unit",
    "thumbnail",
    "path",
    "parent",
    "creators",
    "local_id",
    "description",
    "descriptions",
)
FROM_KEYWORDS = ("collection", "domain", "level", "access", "unit", "parent")  # the field's first value, or ""
FROM_FLAGS = ("has_images", "has_text")  # the facet's "yes"
FROM_NUMBERS = ("date_from", "date_to")  # the column's number, None for NO_DATE

Values = Callable[[str], list[str]]  # a keyword field's values of the document, sorted
Number = Callable[[str], int]  # a number column's value of the document


def _rebuilt(key: str, values: Values, number: Number) -> Any:
    if key in FROM_KEYWORDS:
        found = values(key)
        return found[0] if found else ""
    if key in FROM_FLAGS:
        found = values(key)
        return bool(found) and found[0] == "yes"
    value = number(key)
    return None if value == NO_DATE else value


def pack(display: Mapping[str, Any], fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """The stored value of `display` for a document of these Whoosh fields (`whoosh_index.to_fields`)."""

    def values(name: str) -> list[str]:
        return sorted(v for v in str(fields.get(name) or "").split(MULTI_SEPARATOR) if v)

    def number(name: str) -> int:
        return int(fields.get(name, NO_DATE))

    present = rebuilt = 0
    kept: list[Any] = []
    for bit, key in enumerate(KEYS):
        if key not in display:
            continue
        present |= 1 << bit
        value = display[key]
        if key in (*FROM_KEYWORDS, *FROM_FLAGS, *FROM_NUMBERS) and _same(_rebuilt(key, values, number), value):
            rebuilt |= 1 << bit
        else:
            kept.append(value)
    extra = {k: v for k, v in display.items() if k not in KEYS}
    return (PACKED, present, rebuilt, tuple(kept), extra) if extra else (PACKED, present, rebuilt, tuple(kept))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def unpack(stored: Any, values: Values, number: Number) -> dict[str, Any]:
    """The display mapping of a stored value, the values left out given back by the document's columns."""
    if not isinstance(stored, tuple):
        return dict(stored or {})
    _mark, present, rebuilt, kept, *rest = stored
    out: dict[str, Any] = {}
    taken = iter(kept)
    for bit, key in enumerate(KEYS):
        if present >> bit & 1:
            out[key] = _rebuilt(key, values, number) if rebuilt >> bit & 1 else next(taken)
    if rest:
        out.update(rest[0])
    return out
