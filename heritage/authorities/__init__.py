"""Authority records: persons, corporate bodies, families, places, subjects and taxa, with their names,
external ids and the items that name them. `service` is the one way they change; `linking` is what
ingest calls; `names` says what counts as the same name."""

from heritage.authorities.linking import link_item
from heritage.authorities.service import (
    Change,
    Changed,
    create,
    get_authority,
    merge,
    rename,
    resolve,
    suggest,
    update,
    visible_item_counts,
    visible_items,
)

__all__ = [
    "Change",
    "Changed",
    "create",
    "get_authority",
    "link_item",
    "merge",
    "rename",
    "resolve",
    "suggest",
    "update",
    "visible_item_counts",
    "visible_items",
]
