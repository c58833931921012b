"""What every file of a batch goes through, in order, each step an event:

1. checksum (SHA-256, and MD5 for exchange) before anything else, computed while the file is read once
   into the store's incoming area; a duplicate is put aside (its copy dropped);
2. format identification by content, with its PRONOM id and format risk;
3. technical metadata (pixel size, bit depth, colour mode, ICC profile, ppi, compression, EXIF/XMP);
4. the copy is decoded completely into 5. its derivatives (tile pyramid, access copy, thumbnail), which
   also tells whether it is truncated, while it is made durable; only then is it stored as the master
   (content-addressed, read-only, once); the quality checks against the digitisation guideline follow
   (a failure marks the file);
6. the file records are written, the item re-indexed.

A bad file is reported with its reason and put aside (state `failed`); it never raises. The checksum is
committed before the master is stored, and the incoming copy is tagged with the batch file, so a rerun
after a kill finds whatever was left behind. A step that a killed run recorded and the rerun does again
keeps its one event (`events.record_once`): each step's event is written once per outcome.
"""

from __future__ import annotations

import logging
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from heritage import events
from heritage.catalogue import core_of
from heritage.identifiers import derived_id
from heritage.models import Batch, BatchFile, File, FileRole, FileState, Item, Outcome
from heritage.preservation import pronom
from heritage.preservation.risks import format_label
from heritage.runtime import Runtime
from heritage.search.indexer import index_items
from heritage.storage import Incoming
from ingest import identify
from ingest.batches import finish_if_complete, settle_items
from ingest.derivatives import Derived, build_derivatives, install
from ingest.discover import safe_relative
from ingest.quality import check_image, load_guideline, object_size_mm
from ingest.technical import ImageInfo, NotAnImage, TooLarge, read_image_info
from ingest.working import working_on

log = logging.getLogger(__name__)
DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


class Rejected(Exception):
    """This file is put aside; the message is the reason the report gives."""

    def __init__(self, reason: str, step: str, *, event: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.step = step
        self.event = event


@dataclass
class Claim:
    """What one run of the chain needs to know about its batch file (read once, then sessions close)."""

    id: int
    batch_id: str
    root: Path
    kind: str
    agent: str
    path: str
    item_id: str
    sequence: int
    label: str
    position: int
    object_text: str | None


def file_id_for(item_id: str, sha256: str, page: int = 0) -> str:
    """Stable ids: the first page keeps the id single-image files always had."""
    return derived_id(item_id, sha256) if page == 0 else derived_id(item_id, sha256, str(page))


def _claim(runtime: Runtime, batch_file_id: int) -> Claim | None:
    """Take a pending file (atomically: of two workers handed the same file, one gets it)."""
    with runtime.transaction() as session:
        taken = session.execute(
            update(BatchFile)
            .where(BatchFile.id == batch_file_id, BatchFile.state == FileState.PENDING.value)
            .values(state=FileState.WORKING.value, attempts=BatchFile.attempts + 1, step="claimed")
        ).rowcount
        if not taken:
            return None
        bf = session.get(BatchFile, batch_file_id)
        batch = session.get(Batch, bf.batch_id) if bf is not None else None
        item = session.get(Item, bf.item_id) if bf is not None and bf.item_id else None
        if bf is None or batch is None or item is None:
            return None
        core = core_of(item)
        return Claim(
            id=bf.id,
            batch_id=batch.id,
            root=Path(batch.root),
            kind=batch.kind,
            agent=batch.agent,
            path=bf.path,
            item_id=item.id,
            sequence=bf.sequence,
            label=bf.label or Path(bf.path).stem,
            position=bf.position,
            object_text=" ".join(t for t in (core.extent, core.description) if t) or None,
        )


def _set(session: Any, claim: Claim, **values: Any) -> None:
    bf = session.get(BatchFile, claim.id)
    if bf is not None:
        for key, value in values.items():
            setattr(bf, key, value)


def _update(runtime: Runtime, claim: Claim, **values: Any) -> None:
    with runtime.transaction() as session:
        _set(session, claim, **values)


def _reject(runtime: Runtime, claim: Claim, rejected: Rejected) -> None:
    """Fail the file and hold its item back from the public (with the failure in the same transaction)."""
    with runtime.transaction() as session:
        bf = session.get(BatchFile, claim.id)
        if bf is not None:
            bf.state, bf.outcome, bf.reason, bf.step = FileState.FAILED.value, "failed", rejected.reason, rejected.step
        session.flush()
        changed = settle_items(session, claim.batch_id, [claim.item_id])
        if rejected.event:
            events.record_once(
                session,
                "validation",
                item_id=claim.item_id,
                outcome=Outcome.FAILURE,
                detail=f"{claim.path}: {rejected.reason}",
                batch=claim.batch_id,
                step=rejected.step,
            )
    if changed:
        index_items(runtime, changed)


def _done(runtime: Runtime, claim: Claim, file_id: str) -> str:
    """The file was in already (this item's same file): done, and its item released when nothing else waits."""
    with runtime.transaction() as session:
        _set(session, claim, state=FileState.DONE.value, outcome="already_ingested", file_id=file_id, step="done")
        session.flush()
        changed = settle_items(session, claim.batch_id, [claim.item_id])
    if changed:
        index_items(runtime, changed)
    return FileState.DONE.value


def process_file(runtime: Runtime, batch_file_id: int) -> str:
    """Run the whole chain for one batch file; returns its final state (or the state it was found in).

    The file's working lock is held throughout, so a rerun of the batch meanwhile leaves it alone, and a
    second job for the same file waits, then finds it done.
    """
    with working_on(runtime, batch_file_id):
        claim = _claim(runtime, batch_file_id)
        if claim is None:
            with runtime.sessions() as session:
                bf = session.get(BatchFile, batch_file_id)
                return bf.state if bf is not None else "gone"
        state = _run_claimed(runtime, claim)
    finish_if_complete(runtime, claim.batch_id)
    return state


def _run_claimed(runtime: Runtime, claim: Claim) -> str:
    try:
        state = _chain_with_retry(runtime, claim)
    except Rejected as rejected:
        _reject(runtime, claim, rejected)
        state = FileState.FAILED.value
    except Exception as exc:  # a bug or a lost service must not leave the file `working` for ever
        log.exception("ingest of %s failed", claim.path)
        _reject(runtime, claim, Rejected(f"internal error: {type(exc).__name__}: {exc}", "internal"))
        state = FileState.FAILED.value
    return state


def incoming_tag(batch_file_id: int) -> str:
    """The tag of a batch file's copy in the store's incoming area (how a rerun finds what a kill left)."""
    return f"bf{batch_file_id}"


def _chain_with_retry(runtime: Runtime, claim: Claim, tries: int = 3) -> str:
    """Run the chain; start it again when a working file vanished under it.

    A rerun of the batch removes what it takes for leftovers of a killed process; when the process was
    in fact alive (a worker still busy), its copy or half-made pyramid disappears, and starting over is
    the right answer. A source file that vanished is then reported as such by the next try.
    """
    for attempt in range(1, tries + 1):
        try:
            return _chain(runtime, claim)
        except FileNotFoundError:
            if attempt == tries:
                raise
            log.warning("a working file of %s vanished (a rerun cleaned up?); starting over", claim.path)
    raise AssertionError("unreachable")


def source_file(root: Path, reference: str) -> Path:
    """The batch file to read: inside the batch folder, a regular file, not empty. Raises: Rejected."""
    path, reason = safe_relative(root, reference)
    if path is None:
        raise Rejected(reason or "not a file", "discovery", event=False)
    if path.stat().st_size == 0:
        raise Rejected("empty file (0 bytes)", "checksum", event=False)
    return path


def check_format(fmt: identify.FormatInfo, kind: str) -> None:
    """Raises: Rejected: a scan batch takes only formats we know (a bag keeps born-digital files of any kind)."""
    if fmt.key == "unknown" and kind != "bag":
        raise Rejected(
            "unsupported format: not an image or a known file format "
            "(born-digital files of any kind go in a BagIt bag)",
            "identification",
        )


def _receive(runtime: Runtime, claim: Claim) -> tuple[Path, Incoming]:
    """Step 1: read the file once, copying it into the store's incoming area while computing its checksums."""
    path = source_file(claim.root, claim.path)
    stat = path.stat()
    incoming = runtime.storage.receive(path, incoming_tag(claim.id))
    with runtime.transaction() as session:
        bf = session.get(BatchFile, claim.id)
        if bf is not None:
            bf.sha256, bf.md5, bf.size, bf.mtime_ns = incoming.sha256, incoming.md5, incoming.size, stat.st_mtime_ns
            bf.step = "checksum"
        events.record_once(
            session,
            "message_digest_calculation",
            item_id=claim.item_id,
            detail=claim.path,
            sha256=incoming.sha256,
            md5=incoming.md5,
            size=incoming.size,
            batch=claim.batch_id,
        )
    return path, incoming


def _duplicates(runtime: Runtime, claim: Claim, sha256: str) -> str | None:
    """None to go on; the id of this item's existing file when it is already in; raises for a duplicate."""
    with runtime.sessions() as session:
        earlier = session.scalar(
            select(BatchFile.path)
            .where(
                BatchFile.batch_id == claim.batch_id,
                BatchFile.sha256 == sha256,
                BatchFile.position < claim.position,
            )
            .limit(1)
        )
        if earlier is not None:
            raise Rejected(f"duplicate of {earlier} in this batch (same SHA-256)", "checksum", event=False)
        mine = session.get(File, file_id_for(claim.item_id, sha256))
        if mine is not None:
            return mine.id
        elsewhere = session.scalar(select(File).where(File.sha256 == sha256).limit(1))
        if elsewhere is not None:
            raise Rejected(
                f"duplicate: already stored as file {elsewhere.id} of item {elsewhere.item_id}", "checksum", event=False
            )
    return None


def read_pages(limit: int, path: Path, fmt: identify.FormatInfo) -> list[ImageInfo]:
    """Header of every page (multi-page TIFF: each page one image). Raises: Rejected: a bomb, an unreadable file."""
    if not fmt.is_image:
        return []
    try:
        first = read_image_info(path, limit)
        pages = [first]
        if first.pages > 1 and first.format == "TIFF":
            pages += [read_image_info(path, limit, page) for page in range(1, first.pages)]
    except TooLarge as exc:
        raise Rejected(f"decompression bomb or oversized image: {exc}", "technical") from None
    except NotAnImage as exc:
        raise Rejected(f"corrupt or unsupported image ({fmt.name}): {exc}", "technical") from None
    return pages


def _derive(runtime: Runtime, claim: Claim, master: Path, sha256: str, pages: list[ImageInfo]) -> list[Derived]:
    settings = runtime.settings
    made: list[Derived] = []
    try:
        for page in range(len(pages)):
            target = runtime.storage.derivative_dir(sha256, page)
            made.append(
                build_derivatives(
                    master,
                    target.parent,
                    target.name,
                    tile=settings.tile_size,
                    quality=settings.jpeg_quality,
                    page=page,
                )
            )
    except FileNotFoundError:
        raise  # our own working files went away: not the master's fault (see _chain_with_retry)
    except DECODE_ERRORS as exc:
        for derived in made:
            shutil.rmtree(derived.work, ignore_errors=True)
        raise Rejected(f"corrupt or truncated image: {exc}", "derivatives") from None
    return made


def _chain(runtime: Runtime, claim: Claim) -> str:
    path, incoming = _receive(runtime, claim)
    try:
        return _after_checksum(runtime, claim, path, incoming)
    finally:
        runtime.storage.discard(incoming)  # a no-op once committed: the copy has become the master


def _after_checksum(runtime: Runtime, claim: Claim, path: Path, incoming: Incoming) -> str:
    sha256, md5, size = incoming.sha256, incoming.md5, incoming.size
    existing = _duplicates(runtime, claim, sha256)
    if existing is not None:
        return _done(runtime, claim, existing)

    fmt = identify.identify(incoming.path)
    matched = pronom.identify(incoming.path)  # PRONOM signatures (FIDO), beside our own table's refinements
    with runtime.transaction() as session:
        _set(session, claim, format_name=fmt.name, puid=fmt.puid, step="identification")
        events.record_once(
            session,
            "format_identification",
            item_id=claim.item_id,
            detail=f"{claim.path}: {fmt.name}"
            + (f"; PRONOM {matched.puid} {matched.name} (FIDO)" if matched else "; no PRONOM signature matches"),
            puid=fmt.puid,
            mime=fmt.mime,
            preferred=fmt.preferred,
            risk=fmt.risk,
            pronom=matched.as_dict() if matched else None,
            batch=claim.batch_id,
        )
    check_format(fmt, claim.kind)

    pages = read_pages(runtime.settings.max_image_pixels, incoming.path, fmt)
    if pages:
        with runtime.transaction() as session:
            first = pages[0]
            _set(session, claim, pages=len(pages), step="technical")
            events.record_once(
                session,
                "metadata_extraction",
                item_id=claim.item_id,
                detail=f"{claim.path}: {first.width} x {first.height} {first.mode} {first.format}"
                + (f", {len(pages)} pages" if len(pages) > 1 else ""),
                bit_depth=first.bit_depth,
                dpi=list(first.dpi) if first.dpi else None,
                icc_profile=first.icc_profile,
                compression=first.compression,
                batch=claim.batch_id,
            )

    # the copy is made durable on another thread while it is decoded into its derivatives
    with ThreadPoolExecutor(1, thread_name_prefix="fsync") as pool:
        durable = pool.submit(runtime.storage.persist, incoming)
        derived = _derive(runtime, claim, incoming.path, sha256, pages) if pages else []
        durable.result()
    key = runtime.storage.commit(incoming)
    _update(runtime, claim, step="stored")

    guideline = load_guideline(runtime.settings.digitisation_guideline) if pages else None
    object_mm = object_size_mm(claim.object_text)
    qualities: list[dict[str, Any]] = []
    for info, made in zip(pages, derived, strict=True):
        assert guideline is not None
        quality = check_image(guideline, fmt.family, info.as_dict(), made.stats, object_mm)
        quality.update(format_label(fmt.puid, fmt.preferred, info.compression, quality.get("failed", ())))
        qualities.append(quality)
    for page, made in enumerate(derived):
        install(made, runtime.storage.derivative_dir(sha256, page))

    file_ids = [file_id_for(claim.item_id, sha256, page) for page in range(max(1, len(pages)))]
    try:
        with runtime.transaction() as session:
            _record_files(session, claim, key, sha256, md5, size, fmt, pages, derived, qualities, file_ids, matched)
    except IntegrityError:  # another process stored the same file for this item a moment ago
        return _done(runtime, claim, file_ids[0])
    index_items(runtime, [claim.item_id])
    return FileState.DONE.value


def _record_files(
    session: Any,
    claim: Claim,
    key: str,
    sha256: str,
    md5: str,
    size: int,
    fmt: identify.FormatInfo,
    pages: list[ImageInfo],
    derived: list[Derived],
    qualities: list[dict[str, Any]],
    file_ids: list[str],
    matched: pronom.PronomMatch | None = None,
) -> None:
    many = len(pages) > 1
    if qualities:
        passed = all(q["passed"] for q in qualities)
        failed = sorted({c for q in qualities for c in q["failed"]})
        events.record(
            session,
            "validation",
            item_id=claim.item_id,
            file_id=file_ids[0],
            outcome=Outcome.SUCCESS if passed else Outcome.FAILURE,
            detail=f"{claim.path}: {qualities[0]['label']}: "
            + ("every check passed" if passed else f"failed {', '.join(failed)}"),
            guideline=qualities[0]["guideline"],
            failed=failed,
            batch=claim.batch_id,
        )
    for page, file_id in enumerate(file_ids):
        info = pages[page] if pages else None
        made = derived[page] if derived else None
        quality = qualities[page] if qualities else format_label(fmt.puid, fmt.preferred, None)
        technical = info.as_dict() if info else {"format": fmt.name}
        if info is not None:
            technical["page"] = page
        technical["pronom"] = matched.as_dict() if matched else None
        session.add(
            File(
                id=file_id,
                item_id=claim.item_id,
                role=(FileRole.MASTER if info else FileRole.BORN_DIGITAL).value,
                sequence=claim.sequence * 1000 + page,
                page=page,
                label=f"{claim.label}, p. {page + 1}" if many else claim.label,
                original_name=claim.path,
                storage_key=key,
                sha256=sha256,
                md5=md5,
                size=size,
                mime=fmt.mime,
                format_name=fmt.name,
                puid=fmt.puid,
                width=info.width if info else None,
                height=info.height if info else None,
                technical=technical,
                quality=quality,
                derivatives_ready=made is not None,
            )
        )
    session.flush()
    for page, file_id in enumerate(file_ids):
        made = derived[page] if derived else None
        if made is not None:
            events.record(
                session,
                "creation",
                item_id=claim.item_id,
                file_id=file_id,
                detail="IIIF tile pyramid, access copy and thumbnail",
                tiles=made.tiles,
                levels=made.pyramid.scale_factors,
                sha256=sha256,
                page=page,
            )
        events.record(
            session,
            "ingestion",
            item_id=claim.item_id,
            file_id=file_id,
            agent=claim.agent,
            detail=f"stored {claim.path}" + (f" (page {page + 1})" if many else "") + f" as {key}",
            batch=claim.batch_id,
        )
    bf = session.get(BatchFile, claim.id)
    if bf is not None:
        bf.state, bf.outcome, bf.file_id, bf.step = FileState.DONE.value, "stored", file_ids[0], "done"
        bf.quality = ("passed" if all(q["passed"] for q in qualities) else "failed") if qualities else "not_checked"
    session.flush()
    settle_items(session, claim.batch_id, [claim.item_id])  # its item is re-indexed after the commit anyway
