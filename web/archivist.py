"""The archivist's pages: upload a batch, follow its unit's batches, read their reports, decide readers'
requests for restricted items.

For staff only (archivists and collection managers of a unit, for that unit's collections; administrators
for all): others are sent to sign in, or refused. An upload needs a signed-in session with its CSRF token,
or a bearer token with the `ingest` scope. It is saved under the data directory and then goes through
exactly the same pipeline as `heritage ingest` (inline in the request without `REDIS_URL`, as rq jobs with it).
"""

from __future__ import annotations

import secrets
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from heritage import access_changes
from heritage.access import Viewer, item_unit_id
from heritage.catalogue import DEFAULT_UNIT, get_item
from heritage.errors import BadRequest, Forbidden, HeritageError
from heritage.identifiers import is_valid_id
from heritage.models import AccessRequest, Batch, Collection, Domain, Item, Unit
from ingest.batches import progress, recent_batches, report
from ingest.pipeline import plan_batch, run_batch
from metadata_schemas.errors import MetadataError
from web.auth import require_staff
from web.context import runtime, session, viewer

bp = Blueprint("archivist", __name__, url_prefix="/archivist")
UPLOADS = "uploads"


@bp.before_request
def _staff_only() -> None:
    require_staff()


def _unit_id_of(collection: str, unit: str | None) -> int | None:
    """The unit an upload goes into: the existing collection's, else the given (or default) unit's."""
    found = session().scalar(select(Collection).where(Collection.slug == collection))
    if found is not None:
        return found.unit_id
    slug = unit or DEFAULT_UNIT[0]
    return session().scalar(select(Unit.id).where(Unit.slug == slug))


def _check_may_ingest(who: Viewer, collection: str, unit: str | None) -> None:
    """Raises: Forbidden: a token without the ingest scope, or a unit that is not the uploader's."""
    if not who.allows("ingest"):
        raise Forbidden("this token may not ingest: create one with --scope ingest")
    unit_id = _unit_id_of(collection, unit)
    if unit_id is None and not who.is_admin:
        raise Forbidden(f"unit {unit or DEFAULT_UNIT[0]!r} does not exist; an administrator can create it")
    if unit_id is not None and not who.is_staff_for(unit_id):
        raise Forbidden(f"collection {collection!r} belongs to another unit than yours")


def _safe_parts(filename: str) -> list[str] | None:
    """The relative path a browser sent (folder uploads send 'folder/sub/file'), made safe; None to refuse."""
    parts = [p for p in PurePosixPath(filename.replace("\\", "/")).parts if p not in ("", ".", "/")]
    if not parts or any(p == ".." for p in parts):
        return None
    safe = [secure_filename(p) for p in parts]
    return safe if all(safe) else None


def _save_upload(files: list[FileStorage]) -> tuple[Path, list[str]]:
    """Save the uploaded files under the data directory; returns the batch folder and refused names."""
    target = runtime().settings.data_dir / UPLOADS / secrets.token_hex(8)
    refused: list[str] = []
    saved: list[list[str]] = []
    for upload in files:
        if not upload or not upload.filename:
            continue
        parts = _safe_parts(upload.filename)
        if parts is None:
            refused.append(upload.filename)
            continue
        destination = target.joinpath(*parts)
        destination.parent.mkdir(parents=True, exist_ok=True)
        upload.save(destination)
        saved.append(parts)
    if not saved:
        raise BadRequest("no files were uploaded")
    tops = {parts[0] for parts in saved}
    if len(tops) == 1 and all(len(parts) > 1 for parts in saved):
        return target / tops.pop(), refused  # one folder chosen: that folder is the batch
    return target, refused


def _batch_or_404(batch_id: str) -> Batch:
    batch = session().get(Batch, batch_id) if is_valid_id(batch_id) else None
    if batch is None or not viewer().is_staff_for(batch.collection.unit_id):
        abort(404, f"batch {batch_id!r} does not exist")
    return batch


@bp.get("/")
def batches() -> str:
    """The recent batches of the viewer's units, with their progress."""
    who = viewer()
    mine = [b for b in recent_batches(session()) if who.is_staff_for(b.collection.unit_id)]
    rows = [(b, progress(runtime(), b.id)) for b in mine]
    return render_template("archivist/batches.html", rows=rows)


@bp.get("/upload")
def upload_form() -> str:
    """The upload form: a folder of scans with its sheet, or the files of a BagIt bag."""
    return render_template("archivist/upload.html", domains=[d.value for d in Domain], form={})


@bp.post("/upload")
def upload() -> Any:
    """Save the upload, plan the batch, run it (or enqueue it) and show its page."""
    form = request.form
    collection = (form.get("collection") or "").strip()
    try:
        if not collection:
            raise BadRequest("give the collection (its slug) the batch goes into")
        _check_may_ingest(viewer(), collection, form.get("unit") or None)
        folder, refused = _save_upload(request.files.getlist("files"))
        batch_id = plan_batch(
            runtime(),
            folder,
            collection,
            unit=form.get("unit") or None,
            domain=form.get("domain") or None,
            fmt=form.get("format") or "auto",
            agent=f"web upload by {viewer().username}",
        )
    except (HeritageError, MetadataError) as exc:
        return render_template(
            "archivist/upload.html", domains=[d.value for d in Domain], error=str(exc), form=form
        ), getattr(exc, "status", 400)
    for name in refused:
        flash(f"refused {name}: the name leaves the uploaded folder")
    run_batch(runtime(), batch_id, wait=False)
    return redirect(url_for("archivist.batch", batch_id=batch_id), code=303)


@bp.get("/batches/<batch_id>")
def batch(batch_id: str) -> str:
    """A batch's progress (the page refreshes itself while files remain) and its report, file by file."""
    _batch_or_404(batch_id)
    result = report(runtime(), batch_id)
    state = progress(runtime(), batch_id)
    return render_template("archivist/batch.html", report=result, progress=state)


@bp.get("/batches/<batch_id>.json")
def batch_json(batch_id: str) -> Any:
    """The report as JSON (the same shape as `heritage ingest --report`), with the progress."""
    _batch_or_404(batch_id)
    data = report(runtime(), batch_id).as_dict()
    data["progress"] = progress(runtime(), batch_id).as_dict()
    return jsonify(data)


@bp.get("/requests")
def requests() -> str:
    """Readers' requests for restricted items of the viewer's units, waiting for a decision."""
    who = viewer()
    rows = []
    for row, username in access_changes.pending_requests(session()):
        item = session().get(Item, row.item_id)
        if item is not None and who.is_staff_for(item_unit_id(item)):
            rows.append((row, username, item))
    return render_template("archivist/requests.html", rows=rows)


@bp.post("/requests/<int:request_id>")
def decide(request_id: int) -> Any:
    """Approve or refuse one request (an event); the reader sees the images at once when approved."""
    row = session().get(AccessRequest, request_id)
    item = get_item(session(), row.item_id) if row is not None else None
    if row is None or item is None or not viewer().is_staff_for(item_unit_id(item)):
        abort(404, f"request {request_id} does not exist")
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        raise BadRequest("decision must be approve or refuse")
    access_changes.decide(
        session(), row.user.username, row.item_id, decision == "approve", agent=viewer().username or ""
    )
    session().commit()
    flash(f"{row.user.username}: {'approved' if decision == 'approve' else 'refused'} for {row.item_id}")
    return redirect(url_for("archivist.requests"), code=303)
