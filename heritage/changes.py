"""What a flush changes, as the session hooks see it (the preservation and search outboxes, the harvest ledger)."""

from __future__ import annotations

from sqlalchemy import inspect

from heritage.models import File, MetadataRecord


def item_of(obj: MetadataRecord | File) -> str | None:
    """The item a description or file belongs to (made with the item's id, as ingest adds files, or its object)."""
    return obj.item_id or (obj.item.id if obj.item is not None else None)


def has_changes(obj: object, ignored: frozenset[str] = frozenset()) -> bool:
    """Whether a loaded row has a changed attribute other than the `ignored` ones."""
    return any(attr.history.has_changes() for attr in inspect(obj).attrs if attr.key not in ignored)
