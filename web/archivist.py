"""The archivist's pages: upload a batch, follow every batch's progress, read its report.

Not yet protected: roles and login arrive with a later issue; until then anyone who reaches these
pages can ingest. The upload is saved under the data directory and then goes through exactly the same
pipeline as `heritage ingest` (inline in the request without `REDIS_URL`, as rq jobs with it).
"""

from __future__ import annotations

import secrets
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from heritage.errors import BadRequest, HeritageError
from heritage.identifiers import is_valid_id
from heritage.models import Batch, Domain
from ingest.batches import progress, recent_batches, report
from ingest.pipeline import plan_batch, run_batch
from metadata_schemas.errors import MetadataError
from web.context import runtime, session

bp = Blueprint("archivist", __name__, url_prefix="/archivist")
UPLOADS = "uploads"


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
    if batch is None:
        abort(404, f"batch {batch_id!r} does not exist")
    return batch


@bp.get("/")
def batches() -> str:
    """Every recent batch with its progress."""
    rows = [(b, progress(runtime(), b.id)) for b in recent_batches(session())]
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
        folder, refused = _save_upload(request.files.getlist("files"))
        batch_id = plan_batch(
            runtime(),
            folder,
            collection,
            unit=form.get("unit") or None,
            domain=form.get("domain") or None,
            fmt=form.get("format") or "auto",
            agent="web upload (not yet authenticated)",
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
