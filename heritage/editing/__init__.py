"""Cataloguing: the one service that changes items (and records every change as a revision)."""

from heritage.editing.fields import Choice, FieldSpec, editable_fields, vocabulary
from heritage.editing.service import (
    Change,
    RevisionView,
    Saved,
    editable_item,
    history,
    reindex,
    revert,
    update_item,
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
    "date_warnings",
    "editable_fields",
    "editable_item",
    "history",
    "reindex",
    "revert",
    "update_item",
    "values_of",
    "vocabulary",
    "year_range",
]
