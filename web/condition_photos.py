"""Photographs on the condition-check forms: the uploads a form sent, the ingest's adder that stores them, and
the photographs of recorded checks that a viewer may see (its unit's staff: they are staff records)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import request
from sqlalchemy import select

from heritage.access import AccessFacts, Viewer, Visibility, visibility
from heritage.file_adder import Upload
from heritage.models import ConditionCheck, File
from ingest.adding import FileAdder
from web.context import base_url, runtime, session
from web.serialize import thumbnail_url
from web.uploads import chosen_files

FIELD = "photos"
ACCEPT = "image/jpeg,image/png,image/tiff,.jpg,.jpeg,.png,.tif,.tiff"


def uploaded() -> list[Upload]:
    """The photographs the form sent (an empty file input sends none)."""
    return [Upload(f.filename or "", f.read()) for f in chosen_files(request.files.getlist(FIELD))]


@contextmanager
def adder_for(photos: list[Upload]) -> Iterator[FileAdder | None]:
    """The ingest's adder for these photographs (None for none), closed after the block: commit in it."""
    if not photos:
        yield None
        return
    with FileAdder(runtime()) as adder:
        yield adder


def limit_mb() -> int:
    return runtime().settings.condition_photo_mb


def photos_of(checks: Iterable[ConditionCheck], viewer: Viewer) -> dict[int, list[dict[str, Any]]]:
    """Check id -> the images among its files that `viewer` may see, each with its thumbnail and full view."""
    wanted = {file_id for c in checks for file_id in c.file_ids or []}
    if not wanted:
        return {}
    found = {f.id: f for f in session().scalars(select(File).where(File.id.in_(sorted(wanted))))}
    base = base_url()
    out: dict[int, list[dict[str, Any]]] = {}
    for check in checks:
        shown = []
        for file_id in check.file_ids or []:
            file = found.get(file_id)
            if file is None or not (file.is_image and file.derivatives_ready):
                continue
            if visibility(viewer, AccessFacts.of_file(file)) < Visibility.FULL:
                continue
            shown.append(
                {
                    "id": file.id,
                    "label": file.label or file.id,
                    "thumbnail": thumbnail_url(base, file.id, "!160,160"),
                    "full": thumbnail_url(base, file.id, "!2000,2000"),
                }
            )
        if shown:
            out[check.id] = shown
    return out
