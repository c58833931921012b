"""Background jobs of the ingest: they take ids, read what they need from the runtime, and are idempotent."""

from __future__ import annotations

from heritage import events
from heritage.models import File, Outcome
from heritage.pyramid import Pyramid
from heritage.runtime import current_runtime
from heritage.search.indexer import index_items
from ingest.derivatives import build_pyramid


def derive_file(file_id: str) -> dict[str, object]:
    """Make the tile pyramid and access copy of one stored master, then re-index its item."""
    runtime = current_runtime()
    with runtime.sessions() as session:
        file = session.get(File, file_id)
        if file is None:
            return {"file": file_id, "status": "gone"}
        master = runtime.storage.master_path(file.storage_key)
        target = runtime.storage.derivative_dir(file.sha256)
        item_id, sha256 = file.item_id, file.sha256
    existing = Pyramid.load(target)
    try:
        if existing is None or existing.tile != runtime.settings.tile_size:
            pyramid = build_pyramid(
                master, target, tile=runtime.settings.tile_size, quality=runtime.settings.jpeg_quality
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
                detail="IIIF tile pyramid and access copy",
                tiles=sum(1 for s in pyramid.scale_factors for _ in pyramid.tiles(s)),
                levels=pyramid.scale_factors,
                sha256=sha256,
            )
    index_items(runtime, [item_id])
    return {"file": file_id, "status": "done"}
