"""Files added to an existing item outside a batch (a condition photograph uploaded with its check), through the
steps every batch file goes through (`ingest.process`): checksums while the upload is copied into the store's
incoming area, format identification by content (with PRONOM), technical metadata, derivatives made while the
copy is made durable, the master stored once; the file rows and each step's event go into the caller's session,
so the files exist exactly when the caller's record of them (the check) is committed.

Every upload is read, identified and decoded before the first is stored: a refused upload leaves nothing.
Each adder holds an OS lock (released by the kernel when its process dies) on a journal of the checksums it
works on, until it is closed after the caller's commit; closing, and the next adder of any process meeting a
journal whose lock is free, removes what no file refers to: incoming copies, half-made or unreferenced
derivatives, a master stored for a check that was never committed. A kill at any moment therefore leaves
either the files with their check or, once anything adds again, nothing.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from types import TracebackType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage import events
from heritage.errors import bad
from heritage.file_adder import Upload
from heritage.models import BatchFile, File, FileState
from heritage.preservation import pronom
from heritage.preservation.risks import format_label
from heritage.runtime import Runtime
from heritage.storage import Incoming
from ingest import identify
from ingest.derivatives import Derived, build_derivatives, discard_partial, install, remove_derivatives
from ingest.process import DECODE_ERRORS, Rejected, file_id_for, read_pages
from ingest.technical import ImageInfo

MAX_NAME = 200


@dataclass
class _Ready:
    """One upload read, identified and decoded, not yet stored."""

    name: str
    incoming: Incoming
    fmt: identify.FormatInfo
    matched: pronom.PronomMatch | None
    pages: list[ImageInfo]
    derived: list[Derived]


def upload_name(name: str) -> str:
    """The file name an upload is known by: its last path part (browsers may send a path), trimmed."""
    last = PureWindowsPath(PurePosixPath(name or "").name).name.strip()
    return last[:MAX_NAME]


def _journals(runtime: Runtime) -> Path:
    folder = runtime.settings.data_dir / "locks" / "added"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class FileAdder:
    """The ingest's `heritage.file_adder.FileAdder` on a runtime's store and settings; close it (or leave its
    `with` block) after the caller's transaction has ended."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.max_bytes = runtime.settings.condition_photo_mb * 1024 * 1024
        self.token = secrets.token_hex(8)
        self._journal: Path | None = None
        self._fd: int | None = None

    def __enter__(self) -> FileAdder:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Remove what this adder made that no committed file refers to, and let go of its journal."""
        if self._fd is None or self._journal is None:
            return
        try:
            settle(self.runtime, self._journal)
        finally:
            os.close(self._fd)
            self._fd = None

    def _note(self, sha256: str | None = None) -> None:
        """Open and lock the journal (first call), then write the checksum about to be worked on into it."""
        if self._fd is None:
            for journal in sorted(_journals(self.runtime).glob("*.lock")):
                settle_if_abandoned(self.runtime, journal)
            self._journal = _journals(self.runtime) / f"{self.token}.lock"
            self._fd = _locked_journal(self._journal)
        if sha256 is not None:
            os.write(self._fd, f"{sha256}\n".encode())
            os.fsync(self._fd)

    def add(
        self,
        session: Session,
        item_id: str,
        uploads: Sequence[Upload],
        *,
        role: str,
        agent: str,
        families: frozenset[str],
    ) -> list[File]:
        """See `heritage.file_adder.FileAdder.add`."""
        self._note()
        ready: list[_Ready] = []
        try:
            for upload in uploads:
                ready.append(self._prepare(session, item_id, upload, families, ready))
            return [file for one in ready for file in self._store(session, item_id, one, role, agent)]
        finally:
            for one in ready:
                self.runtime.storage.discard(one.incoming)  # a no-op once committed: the copy became the master
                for made in one.derived:
                    shutil.rmtree(made.work, ignore_errors=True)  # gone once installed; else never to be used

    def _prepare(
        self, session: Session, item_id: str, upload: Upload, families: frozenset[str], earlier: list[_Ready]
    ) -> _Ready:
        name = upload_name(upload.name)
        if not name:
            raise bad("an uploaded file has no name")
        if not upload.data:
            raise bad("%(name)s is empty (0 bytes)", name=name)
        if len(upload.data) > self.max_bytes:
            raise bad(
                "%(name)s is %(size)s MB, more than the %(limit)s MB a file may be here",
                name=name,
                size=f"{len(upload.data) / 1024 / 1024:.1f}",
                limit=self.max_bytes // (1024 * 1024),
            )
        incoming = self._receive(upload.data)
        try:
            self._note(incoming.sha256)
            same = next((one.name for one in earlier if one.incoming.sha256 == incoming.sha256), None)
            if same is not None:
                raise bad("%(name)s is the same file as %(other)s", name=name, other=same)
            mine = session.scalar(select(File.id).where(File.item_id == item_id, File.sha256 == incoming.sha256))
            if mine is not None:
                raise bad("%(name)s is already file %(file)s of item %(item)s", name=name, file=mine, item=item_id)
            fmt = identify.identify(incoming.path)
            if fmt.family not in families:
                raise bad(
                    "%(name)s is %(format)s, not one of the formats taken here (%(formats)s)",
                    name=name,
                    format=fmt.name,
                    formats=", ".join(sorted(f.upper() for f in families)),
                )
            try:
                pages = read_pages(self.runtime.settings.max_image_pixels, incoming.path, fmt)
            except Rejected as rejected:
                raise bad("%(name)s cannot be read: %(reason)s", name=name, reason=rejected.reason) from None
            derived = self._derive(name, incoming, pages)
        except BaseException:
            self.runtime.storage.discard(incoming)
            raise
        return _Ready(name, incoming, fmt, pronom.identify(incoming.path), pages, derived)

    def _receive(self, data: bytes) -> Incoming:
        """Copy the bytes into the store's incoming area, with their checksums (the upload's own file goes)."""
        uploads = self.runtime.settings.data_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=uploads, prefix=f"added-{self.token}-") as tmp:
            tmp.write(data)
            tmp.flush()
            return self.runtime.storage.receive(Path(tmp.name), f"added-{self.token}")

    def _derive(self, name: str, incoming: Incoming, pages: list[ImageInfo]) -> list[Derived]:
        settings = self.runtime.settings
        made: list[Derived] = []
        try:
            for page in range(len(pages)):
                target = self.runtime.storage.derivative_dir(incoming.sha256, page)
                made.append(
                    build_derivatives(
                        incoming.path,
                        target.parent,
                        target.name,
                        tile=settings.tile_size,
                        quality=settings.jpeg_quality,
                        page=page,
                    )
                )
        except DECODE_ERRORS as exc:
            for derived in made:
                shutil.rmtree(derived.work, ignore_errors=True)
            raise bad("%(name)s is a corrupt or truncated image: %(reason)s", name=name, reason=str(exc)) from None
        return made

    def _store(self, session: Session, item_id: str, one: _Ready, role: str, agent: str) -> list[File]:
        """Store the master, put its derivatives in place and add its rows and events to the session."""
        storage = self.runtime.storage
        key = storage.commit(one.incoming)
        for page, made in enumerate(one.derived):
            install(made, storage.derivative_dir(one.incoming.sha256, page))
        sha256 = one.incoming.sha256
        original = f"{role}/{one.name}"
        files: list[File] = []
        count = max(1, len(one.pages))
        for page in range(count):
            info = one.pages[page] if one.pages else None
            technical = info.as_dict() if info else {"format": one.fmt.name}
            technical["page"] = page
            technical["pronom"] = one.matched.as_dict() if one.matched else None
            file = File(
                id=file_id_for(item_id, sha256, page),
                item_id=item_id,
                role=role,
                sequence=_next_sequence(session, item_id) + page,
                page=page,
                label=f"{one.name}, p. {page + 1}" if count > 1 else one.name,
                original_name=original,
                storage_key=key,
                sha256=sha256,
                md5=one.incoming.md5,
                size=one.incoming.size,
                mime=one.fmt.mime,
                format_name=one.fmt.name,
                puid=one.fmt.puid,
                width=info.width if info else None,
                height=info.height if info else None,
                technical=technical,
                quality=format_label(one.fmt.puid, one.fmt.preferred, info.compression if info else None),
                derivatives_ready=page < len(one.derived),
            )
            session.add(file)
            files.append(file)
        session.flush()
        first = files[0].id
        events.record(
            session,
            "message_digest_calculation",
            item_id=item_id,
            file_id=first,
            detail=original,
            sha256=sha256,
            md5=one.incoming.md5,
            size=one.incoming.size,
        )
        events.record(
            session,
            "format_identification",
            item_id=item_id,
            file_id=first,
            detail=f"{original}: {one.fmt.name}"
            + (f"; PRONOM {one.matched.puid} {one.matched.name} (FIDO)" if one.matched else ""),
            puid=one.fmt.puid,
            mime=one.fmt.mime,
            preferred=one.fmt.preferred,
            risk=one.fmt.risk,
            pronom=one.matched.as_dict() if one.matched else None,
        )
        if one.pages:
            info = one.pages[0]
            events.record(
                session,
                "metadata_extraction",
                item_id=item_id,
                file_id=first,
                detail=f"{original}: {info.width} x {info.height} {info.mode} {info.format}"
                + (f", {len(one.pages)} pages" if len(one.pages) > 1 else ""),
                bit_depth=info.bit_depth,
                dpi=list(info.dpi) if info.dpi else None,
                icc_profile=info.icc_profile,
                compression=info.compression,
            )
        for file, made in zip(files, one.derived, strict=False):
            events.record(
                session,
                "creation",
                item_id=item_id,
                file_id=file.id,
                detail="IIIF tile pyramid, access copy and thumbnail",
                tiles=made.tiles,
                levels=made.pyramid.scale_factors,
                sha256=sha256,
                page=file.page,
            )
        for file in files:
            events.record(
                session,
                "ingestion",
                item_id=item_id,
                file_id=file.id,
                agent=agent,
                detail=f"stored {original} as {key} ({role})",
            )
        return files


def _next_sequence(session: Session, item_id: str) -> int:
    """After every file of the item: an added file never takes a page's place."""
    found = session.scalars(select(File.sequence).where(File.item_id == item_id)).all()
    return max(found, default=0) + 1000 - max(found, default=0) % 1000


def _locked_journal(path: Path) -> int:
    """Create the journal and lock it; again when another process's sweep took the empty file meanwhile (it
    found it unlocked between the two steps and removed it)."""
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def settle_if_abandoned(runtime: Runtime, journal: Path) -> bool:
    """Settle a journal whose adder's process died (its lock is free); True if it did."""
    try:
        fd = os.open(journal, os.O_RDWR)
    except FileNotFoundError:
        return False  # settled by another process a moment ago
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its adder is alive
        settle(runtime, journal)
        return True
    finally:
        os.close(fd)


def settle(runtime: Runtime, journal: Path) -> None:
    """Remove what the journal's adder left that no file refers to, then the journal (its lock is held)."""
    token = journal.stem
    storage = runtime.storage
    storage.discard_incoming(f"added-{token}")
    for leftover in (runtime.settings.data_dir / "uploads").glob(f"added-{token}-*"):
        leftover.unlink(missing_ok=True)
    shas = {line.strip() for line in journal.read_text().splitlines() if line.strip()}
    with runtime.sessions() as session:
        for sha256 in sorted(shas):
            discard_partial(storage.derivative_dir(sha256))  # `.<sha>-*`: every page's half-made folder
            referenced = session.scalar(select(func.count()).select_from(File).where(File.sha256 == sha256))
            in_flight = session.scalar(
                select(func.count())
                .select_from(BatchFile)
                .where(
                    BatchFile.sha256 == sha256, BatchFile.state.in_([FileState.PENDING.value, FileState.WORKING.value])
                )
            )
            if not referenced and not in_flight:
                storage.discard_orphan(sha256)
                remove_derivatives(runtime, sha256)
    journal.unlink(missing_ok=True)
