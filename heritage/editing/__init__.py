"""Cataloguing: the one service that changes items (and records every change as a revision)."""

from heritage.editing.fields import Choice, FieldSpec, editable_fields, vocabulary
from heritage.editing.service import (
    Change,
    RevisionView,
    Saved,
    create_item,
    editable_item,
    history,
    latest_revision,
    move_item,
    pages_of,
    reindex,
    reorder_children,
    revert,
    set_pages,
    update_item,
    withdraw_item,
)
from heritage.editing.values import date_warnings, values_of, year_range
from heritage.errors import StaleVersion

__all__ = [
    "Change",
    "Choice",
    "FieldSpec",
    "RevisionView",
    "Saved",
    "StaleVersion",
    "create_item",
    "date_warnings",
    "editable_fields",
    "editable_item",
    "history",
    "latest_revision",
    "move_item",
    "pages_of",
    "reindex",
    "reorder_children",
    "revert",
    "set_pages",
    "update_item",
    "values_of",
    "vocabulary",
    "withdraw_item",
    "year_range",
]
