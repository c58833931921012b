"""Background jobs of the ingest: they take ids, read what they need from the runtime, and are idempotent."""

from __future__ import annotations

from heritage import events
from heritage.jobs import current_job_id
from heritage.models import File, Outcome
from heritage.pyramid import Pyramid
from heritage.runtime import current_runtime
from heritage.search.indexer import index_items
from ingest.derivatives import build_pyramid
from ingest.process import process_file
from ingest.working import running_job


def ingest_file(batch_file_id: int) -> dict[str, object]:
    """Take one file of a batch through the whole chain (checksum to index); a no-op once it is done."""
    runtime = current_runtime()
    with running_job(runtime, current_job_id()):  # a waiting ingest sees at once when this process dies
        state = process_file(runtime, batch_file_id)
    return {"batch_file": batch_file_id, "state": state}


def hand_on(handoff_id: int) -> dict[str, object]:
    """One item's handoff at the end of its batch (policy evaluation or OCFL version); records how it went."""
    from ingest import handoffs

    runtime = current_runtime()
    with running_job(runtime, current_job_id()):
        return handoffs.run(runtime, handoff_id)


def derive_file(file_id: str) -> dict[str, object]:
    """Make (again) the tile pyramid, access copy and thumbnail of one stored master, then re-index its item."""
    runtime = current_runtime()
    with runtime.sessions() as session:
        file = session.get(File, file_id)
        if file is None:
            return {"file": file_id, "status": "gone"}
        master = runtime.storage.master_path(file.storage_key)
        target = runtime.storage.derivative_dir(file.sha256, file.page)
        item_id, sha256, page = file.item_id, file.sha256, file.page
    existing = Pyramid.load(target)
    try:
        if existing is None or existing.tile != runtime.settings.tile_size:
            pyramid = build_pyramid(
                master, target, tile=runtime.settings.tile_size, quality=runtime.settings.jpeg_quality, page=page
            )
        else:
            pyramid = existing
    except (OSError, ValueError) as exc:
        with runtime.transaction() as session:
            file = session.get(File, file_id)
            if file is not None:
                file.quality = {**(file.quality or {}), "decodes": False, "decode_error": str(exc)}
            events.record(
                session,
                "creation",
                item_id=item_id,
                file_id=file_id,
                outcome=Outcome.FAILURE,
                detail=f"derivatives could not be made: {exc}",
            )
        return {"file": file_id, "status": "failed", "reason": str(exc)}
    with runtime.transaction() as session:
        file = session.get(File, file_id)
        if file is not None:
            file.derivatives_ready = True
            events.record(
                session,
                "creation",
                item_id=item_id,
                file_id=file_id,
                detail="IIIF tile pyramid, access copy and thumbnail",
                tiles=sum(1 for s in pyramid.scale_factors for _ in pyramid.tiles(s)),
                levels=pyramid.scale_factors,
                sha256=sha256,
            )
    index_items(runtime, [item_id])
    return {"file": file_id, "status": "done"}
