"""BagIt export (RFC 8493): a collection as a bag of its masters, its metadata and its event log.

    data/masters/<item id>/<n>-<name>       the masters in page order, checked against their SHA-256
    data/metadata/finding-aid.xml           the collection as an EAD 2002 finding aid
    data/metadata/records.csv               one row per item (the batch sheet's columns; `files` points into the bag)
    data/metadata/originals/<item id>.*     each item's original record, verbatim
    data/events.jsonl                       the audit trail of every item, one event a line

Every file is hashed as it is written, so the manifests cost no second read; a master whose bytes no
longer match its recorded checksum stops the export with its name.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from heritage import __version__
from heritage.access import Visibility
from heritage.errors import InvalidInput
from heritage.export.source import ExportSource, exported_events
from heritage.export.tabular import write_csv
from heritage.export.xml_writers import write_finding_aid
from heritage.models import Event, File, FileRole, Item
from heritage.storage import Storage

CHUNK = 1 << 20
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
ORIGINAL_SUFFIX = {"csv": ".csv", "dwc_csv": ".csv", "dwc": ".txt", "marc": ".mrc"}


class _Hashing:
    """A binary file that hashes what passes through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return self.raw.closed

    def close(self) -> None:
        pass


class Bag:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "data").mkdir(parents=True)
        self.manifest = (folder / "manifest-sha256.txt").open("w", encoding="utf-8", newline="\n")
        self.octets = 0
        self.files = 0

    @contextmanager
    def payload(self, relative: str) -> Iterator[_Hashing]:
        path = self.folder / "data" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as raw:
            out = _Hashing(raw)
            yield out
        self._note(f"data/{relative}", out.sha256.hexdigest(), out.size)

    def _note(self, name: str, sha256: str, size: int) -> None:
        self.manifest.write(f"{sha256}  {name}\n")
        self.octets += size
        self.files += 1

    def finish(self, info: dict[str, str]) -> None:
        self.manifest.close()
        (self.folder / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        info = {**info, "Payload-Oxum": f"{self.octets}.{self.files}"}
        (self.folder / "bag-info.txt").write_text("".join(f"{k}: {v}\n" for k, v in info.items()), encoding="utf-8")
        with (self.folder / "tagmanifest-sha256.txt").open("w", encoding="utf-8", newline="\n") as tags:
            for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt"):
                digest = hashlib.sha256((self.folder / name).read_bytes()).hexdigest()
                tags.write(f"{digest}  {name}\n")


def _master_paths(item: Item) -> list[tuple[str, File]]:
    masters = [f for f in item.files if f.role in (FileRole.MASTER.value, FileRole.BORN_DIGITAL.value)]
    return [
        (f"masters/{item.id}/{n:04d}-{_UNSAFE.sub('_', Path(f.original_name).name) or 'file'}", f)
        for n, f in enumerate(masters, start=1)
    ]


def write_bag(source: ExportSource, folder: Path, storage: Storage) -> int:
    """Write the bag into `folder` (which must not exist yet); returns the number of items."""
    bag = Bag(folder)
    with bag.payload("metadata/finding-aid.xml") as out:
        write_finding_aid(source, out, "ead")  # type: ignore[arg-type]

    def files_of(item: Item) -> list[str]:
        if source.seen(item) < Visibility.FULL:
            return []  # the public sees this description, not its images
        return [f"../{name}" for name, _ in _master_paths(item)]

    with bag.payload("events.jsonl") as log, bag.payload("metadata/records.csv") as out:

        def each(item: Item) -> None:
            _copy_item(bag, item, storage, with_masters=source.seen(item) == Visibility.FULL)
            for event in exported_events(source.session, item.id):
                log.write((json.dumps(_event(event), ensure_ascii=False, default=str) + "\n").encode("utf-8"))
                if event in source.session:
                    source.session.expunge(event)

        count = write_csv(source, out, files=files_of, each=each)  # type: ignore[arg-type]
    unit = source.collection.unit
    bag.finish(
        {
            "Source-Organization": unit.name if unit is not None else "heritage",
            "External-Identifier": source.collection.slug if source.root is None else source.root.id,
            "External-Description": source.collection.title,
            "Bagging-Date": datetime.now(UTC).date().isoformat(),
            "Bag-Software-Agent": f"heritage {__version__}",
            "Bag-Group-Identifier": source.collection.slug,
        }
    )
    return count


def _event(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "at": event.at.isoformat(),
        "agent": event.agent,
        "outcome": event.outcome,
        "item": event.item_id,
        "file": event.file_id,
        "detail": event.detail,
        "data": event.data,
    }


def _copy_item(bag: Bag, item: Item, storage: Storage, with_masters: bool) -> None:
    record = item.primary_record
    if record is not None and record.original:
        suffix = ORIGINAL_SUFFIX.get(record.standard, ".xml")
        with bag.payload(f"metadata/originals/{item.id}{suffix}") as out:
            out.write(record.original.encode("utf-8"))
    if not with_masters:
        return
    for name, stored in _master_paths(item):
        with storage.open_master(stored.storage_key) as src, bag.payload(name) as out:
            shutil.copyfileobj(src, out, CHUNK)  # type: ignore[misc]
            digest = out.sha256.hexdigest()
        if digest != stored.sha256:
            raise InvalidInput(
                f"master {stored.original_name!r} of item {item.id} fails its fixity check "
                f"(stored {stored.sha256}, read {digest}); the export stopped"
            )
