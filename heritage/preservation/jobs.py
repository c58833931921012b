"""Preservation jobs: they take ids and run the same inline and on an rq worker."""

from __future__ import annotations

from heritage.runtime import current_runtime


def preserve_item(item_id: str, message: str) -> dict[str, object]:
    """Write the item's next OCFL version when its state changed (and replicate it)."""
    from heritage.preservation.service import preserve_quietly

    preserve_quietly(current_runtime(), item_id, message=message)
    return {"item": item_id}
