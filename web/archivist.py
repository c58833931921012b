"""The archivist's pages: upload a batch, follow its unit's batches, read their reports, decide readers'
requests for restricted items.

For staff only (archivists and collection managers of a unit, for that unit's collections; administrators
for all): others are sent to sign in, or refused. An upload needs a signed-in session with its CSRF token,
or a bearer token with the `ingest` scope. Its files keep the names they were uploaded with (see
`web.upload_names`); it is saved under the data directory, checked and planned in the request (a bad sheet
is a 400 and nothing is kept), and then runs in the background through exactly the same pipeline as
`heritage ingest` (`ingest.background`), while the batch page shows its progress.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from heritage import access_changes
from heritage.access import Viewer, ingest_unit_ids, item_unit_id, may_ingest
from heritage.catalogue import DEFAULT_UNIT, get_item
from heritage.errors import BadRequest, Forbidden, HeritageError
from heritage.fulltext.status import batch_text
from heritage.identifiers import is_valid_id
from heritage.models import AccessRequest, Batch, BatchStatus, Collection, Domain, Item, Unit
from ingest import background
from ingest.batches import IngestReport, progress, recent_batches, report, working_paths
from ingest.pipeline import plan_batch
from metadata_schemas.errors import MetadataError
from web.auth import require_staff
from web.context import runtime, session, viewer
from web.i18n import current_language
from web.upload_names import RefusedName, shown
from web.uploads import SavedUpload, chosen_files, save_upload, shown_source, upload_folder_of, without_server_paths

bp = Blueprint("archivist", __name__, url_prefix="/archivist")
FORMATS = ("auto", "folder", "bagit", "csv", "ead", "marcxml", "mods", "lido", "dwc", "mets")


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
        raise Forbidden(_("This token may not ingest: create one with --scope ingest."))
    unit_id = _unit_id_of(collection, unit)
    if may_ingest(who, unit_id):
        return
    if unit_id is None:
        raise Forbidden(
            _("Unit %(unit)s does not exist; an administrator can create it.", unit=unit or DEFAULT_UNIT[0])
        )
    raise Forbidden(_("Collection %(collection)s belongs to another unit than yours.", collection=collection))


def _collection_slug(form: Any) -> str:
    """The collection chosen from the list, or the slug of a new one (scripts send any slug as `collection`).

    Raises:
        BadRequest: neither, or both.
    """
    chosen = (form.get("collection") or "").strip()
    new = (form.get("new_collection") or "").strip()
    if chosen and new and chosen != new:
        message = _("Choose a collection from the list or name a new one, not both (%(chosen)s, %(new)s).")
        raise BadRequest(message % {"chosen": chosen, "new": new})
    if not (chosen or new):
        raise BadRequest(_("Choose the collection the batch goes into, or give the slug of a new one."))
    return chosen or new


def _refusal(exc: RefusedName) -> str:
    """What the upload page says about a refused file name, naming it."""
    name = shown(exc.name)
    if exc.reason == "collision":
        why = {
            "twice": _("the name occurs twice"),
            "nfc": _("the same letters, written in two ways in Unicode"),
            "case": _("the file system does not tell capitals from small letters"),
            "spelling": _("the names differ only in how their folders are written"),
            "file_and_folder": _("a file and a folder cannot have one name"),
        }[exc.why or "twice"]
        return _(
            '"%(name)s" and "%(other)s" would be stored under the same name (%(why)s): rename one and upload again.',
            name=name,
            other=shown(exc.other or ""),
            why=why,
        )
    messages = {
        "encoding": _("%(name)s: the name is not valid Unicode."),
        "control": _("%(name)s: the name holds a control character (such as NUL or a line break)."),
        "absolute": _("%(name)s: an absolute path; uploaded names are relative to the chosen folder."),
        "traversal": _("%(name)s: the name leaves the uploaded folder ('..')."),
        "empty": _("%(name)s: the name is empty."),
        "name_too_long": _("%(name)s: a name in this path is too long for the file system (at most %(limit)s bytes)."),
        "path_too_long": _("%(name)s: the path is too long for the file system (at most %(limit)s bytes)."),
        "path_too_many_chars": _("%(name)s: the path is too long (at most %(limit)s characters)."),
    }
    return messages[exc.reason] % {"name": name, "limit": exc.limit}


def _form_choices() -> dict[str, Any]:
    """The collections and units the viewer may upload into, for the form's lists."""
    units = ingest_unit_ids(viewer())
    collections = select(Collection).join(Unit).order_by(Unit.name, Collection.title)
    unit_rows = select(Unit).order_by(Unit.name)
    if units is not None:
        collections = collections.where(Collection.unit_id.in_(sorted(units)))
        unit_rows = unit_rows.where(Unit.id.in_(sorted(units)))
    return {
        "collections": session().scalars(collections).all(),
        "units": session().scalars(unit_rows).all(),
        "domains": [d.value for d in Domain],
        "formats": FORMATS,
        "may_create": units is None or bool(units),
    }


def _form_page(form: Any, error: str | None = None, status: int = 200) -> Any:
    return render_template("archivist/upload.html", form=form, error=error, **_form_choices()), status


def _batch_or_404(batch_id: str) -> Batch:
    batch = session().get(Batch, batch_id) if is_valid_id(batch_id) else None
    if batch is None or not viewer().is_staff_for(batch.collection.unit_id):
        abort(404, f"batch {batch_id!r} does not exist")
    return batch


def _for_pages(result: IngestReport) -> IngestReport:
    """The report as pages and their JSON show it: no path of the server's, an upload by its own names."""
    data_dir = runtime().settings.data_dir
    batch = session().get(Batch, result.batch)
    root = Path(batch.root) if batch is not None else None
    result.source = shown_source(result.source, data_dir, loose=".")
    upload = upload_folder_of(batch.source, data_dir) if batch is not None else None
    root_name = (upload[1] or ".") if upload else "."

    def clean(text: str) -> str:
        return without_server_paths(text, data_dir, root, root_name)

    result.metadata_file = clean(result.metadata_file) if result.metadata_file else None
    result.problems = [clean(p) for p in result.problems]
    for row in result.files:
        row.reason = clean(row.reason) if row.reason else None
    return result


def _live_state(batch_id: str, status: str) -> dict[str, Any]:
    """Progress with what is being worked on, and whether a run that died left the batch unfinished."""
    state: dict[str, Any] = progress(runtime(), batch_id).as_dict()
    running = status == BatchStatus.RUNNING.value
    state["current"] = working_paths(runtime(), batch_id) if running else []
    state["stalled"] = running and not background.has_live_run(runtime(), batch_id)
    return state


def _ocr_state(batch_id: str) -> dict[str, Any]:
    """The OCR of the batch's pages (`heritage.fulltext.status.batch_text`) with its sentence."""
    ocr = batch_text(runtime(), batch_id).as_dict()
    ocr["text"] = _ocr_sentence(ocr)
    return ocr


def _decimal(value: float, pattern: str = "0.##") -> str:
    """A number as the reader's language writes it (70,5 in Dutch, 70.5 in English)."""
    return format_decimal(value, format=pattern, locale=current_language())


def _ocr_sentence(ocr: dict[str, Any]) -> str:
    """The OCR of the batch's pages in words: it goes on after the files are in, so the page keeps following it."""
    if not ocr["pages"]:
        return _("No page of this batch is ready for OCR yet.")
    text = _(
        "Full text of %(pages)s pages: %(done)s read, %(waiting)s waiting, %(failed)s failed, %(skipped)s skipped.",
        done=ocr["done"],
        waiting=ocr["waiting"],
        failed=ocr["failed"],
        skipped=ocr["skipped"],
        pages=ocr["pages"],
    )
    if ocr["done"]:
        text = " ".join(
            (
                text,
                _(
                    "%(low)s below the confidence threshold of %(threshold)s (mean confidence %(mean)s).",
                    low=ocr["low"],
                    threshold=_decimal(ocr["threshold"]),
                    mean=_decimal(ocr["mean_confidence"], "0.0"),
                )
                if ocr["mean_confidence"] is not None
                # text delivered with the batch may carry no word confidences
                else _(
                    "%(low)s below the confidence threshold of %(threshold)s.",
                    low=ocr["low"],
                    threshold=_decimal(ocr["threshold"]),
                ),
            )
        )
    return text


def _sentence(state: dict[str, Any]) -> str:
    """The progress in words, for the page's live region."""
    text = _(
        "%(done)s done, %(failed)s failed, %(remaining)s remaining (of %(total)s files).",
        done=state["done"],
        failed=state["failed"],
        remaining=state["remaining"],
        total=state["total"],
    )
    if state["stalled"]:
        return " ".join((text, _("The run stopped.")))
    if state["current"]:
        return " ".join((text, _("Now: %(files)s", files=", ".join(state["current"]))))
    return text


def _shown_status(status: str, state: dict[str, Any]) -> str:
    return "stalled" if state["stalled"] else status


@bp.get("/")
def batches() -> str:
    """The recent batches of the viewer's units, with their progress."""
    who = viewer()
    data_dir = runtime().settings.data_dir
    mine = [b for b in recent_batches(session()) if who.is_staff_for(b.collection.unit_id)]
    rows = [(b, shown_source(b.source, data_dir, loose=_("uploaded files")), progress(runtime(), b.id)) for b in mine]
    return render_template("archivist/batches.html", rows=rows)


@bp.get("/upload")
def upload_form() -> Any:
    """The upload form: a folder of scans with its sheet, or the files of a BagIt bag, into a collection."""
    return _form_page({})


@bp.post("/upload")
def upload() -> Any:
    """Save the upload, plan the batch, start its run in the background and show its page."""
    form = request.form
    saved: SavedUpload | None = None
    try:
        collection = _collection_slug(form)
        _check_may_ingest(viewer(), collection, form.get("unit") or None)
        files = chosen_files(request.files.getlist("files"))
        if not files:
            raise BadRequest(_("No files were uploaded: choose a folder or files."))
        saved = save_upload(files, runtime().settings.data_dir)
        batch_id = plan_batch(
            runtime(),
            saved.root,
            collection,
            unit=form.get("unit") or None,
            domain=form.get("domain") or None,
            fmt=form.get("format") or "auto",
            agent=f"web upload by {viewer().username}",
        )
    except RefusedName as exc:
        return _form_page(form, _refusal(exc), 400)
    except (HeritageError, MetadataError) as exc:
        if saved is not None:
            saved.discard()
            name = saved.root.name if saved.root != saved.folder else "."
            message = without_server_paths(str(exc), runtime().settings.data_dir, saved.root, name)
        else:
            message = str(exc)
        return _form_page(form, message, getattr(exc, "status", 400))
    background.start(runtime(), batch_id)
    return redirect(url_for("archivist.batch", batch_id=batch_id), code=303)


@bp.get("/batches/<batch_id>")
def batch(batch_id: str) -> str:
    """A batch's progress (followed live while it runs) and its report, file by file."""
    found = _batch_or_404(batch_id)
    result = _for_pages(report(runtime(), batch_id))
    state = _live_state(batch_id, result.status or "")
    status = _shown_status(result.status or "", state)
    title = found.collection.title_en if current_language() == "en" and found.collection.title_en else None
    return render_template(
        "archivist/batch.html",
        report=result,
        progress=state,
        status=status,
        running=status == BatchStatus.RUNNING.value,
        sentence=_sentence(state),
        ocr=_ocr_state(batch_id),
        collection_title=title or found.collection.title,
        loose=_("uploaded files"),
        decimal=_decimal,
    )


@bp.get("/batches/<batch_id>.json")
def batch_json(batch_id: str) -> Any:
    """The report as JSON (the same shape as `heritage ingest --report`), with the progress."""
    _batch_or_404(batch_id)
    result = _for_pages(report(runtime(), batch_id))
    data = result.as_dict()
    data["progress"] = _live_state(batch_id, result.status or "")
    data["ocr"] = _ocr_state(batch_id)
    return jsonify(data)


@bp.get("/batches/<batch_id>/progress.json")
def batch_progress(batch_id: str) -> Any:
    """Only the progress, cheaply, for the batch page's script: counts, the files being worked on, a sentence,
    and the OCR of its pages (which goes on after the files are in)."""
    found = _batch_or_404(batch_id)
    state = _live_state(batch_id, found.status)
    state["status"] = _shown_status(found.status, state)
    state["text"] = _sentence(state)
    state["ocr"] = _ocr_state(batch_id)
    return jsonify(state)


@bp.post("/batches/<batch_id>/resume")
def resume(batch_id: str) -> Any:
    """Start a new run of a batch whose run died, as running the same `heritage ingest` again would."""
    found = _batch_or_404(batch_id)
    if found.status != BatchStatus.RUNNING.value:
        abort(409, _("Batch %(batch)s is finished: there is nothing to resume.", batch=batch_id))
    _check_may_ingest(viewer(), found.collection.slug, None)
    try:
        started = background.resume(runtime(), batch_id, agent=f"web upload by {viewer().username}")
    except (HeritageError, MetadataError) as exc:
        data_dir = runtime().settings.data_dir
        reason = without_server_paths(str(exc), data_dir)
        abort(409, _("Batch %(batch)s cannot be resumed: %(reason)s", batch=batch_id, reason=reason))
    if not started:
        flash(_("Batch %(batch)s is already being run.", batch=batch_id))
    return redirect(url_for("archivist.batch", batch_id=batch_id), code=303)


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
