"""The OCFL store: one object per item, a new version for every change, valid after every operation."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.locations.movements import move
from heritage.models import File, Item
from heritage.preservation.service import _changed, preserve, store_of
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.helpers import write_sheet
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


def _items(runtime: Runtime) -> dict[str, str]:
    with runtime.sessions() as session:
        return {item.local_id: item.id for item in session.scalars(select(Item))}


def test_ingest_writes_one_valid_object_per_item_with_masters_records_and_events(preserved: Runtime) -> None:
    store = store_of(preserved)
    assert store.validate() == []
    ids = _items(preserved)
    assert sorted(item for item, _ in store.objects()) == sorted(ids.values())
    register = ids["F1.1.2"]
    inventory = store.inventory(register)
    assert inventory["digestAlgorithm"] == "sha512" and inventory["type"] == "https://ocfl.io/1.1/spec/#inventory"
    files = store.head_files(register)
    assert {"item.json", "events.jsonl", "masters/scans/b1.jpg", "masters/scans/b2.png"} <= set(files)
    assert any(path.startswith("metadata/record-1.") for path in files)
    core = json.loads(files["item.json"].read_text(encoding="utf-8"))
    assert core["title"] == "Register van de pedel" and core["collection"]["slug"] == "pedel"
    with preserved.sessions() as session:
        for file in session.scalars(select(File).where(File.item_id == register)):
            stored = preserved.storage.master_path(file.storage_key).read_bytes()
            assert files[next(f["path"] for f in core["files"] if f["id"] == file.id)].read_bytes() == stored
    events = [json.loads(line) for line in files["events.jsonl"].read_text(encoding="utf-8").splitlines()]
    assert {"message_digest_calculation", "format_identification", "ingestion"} <= {e["type"] for e in events}
    # the replica holds the same objects and validates too
    replica = store.__class__(preserved.settings.replica)  # type: ignore[arg-type]
    assert replica.validate() == []
    assert sorted(item for item, _ in replica.objects()) == sorted(ids.values())


def test_nothing_changed_writes_no_version_and_a_change_writes_the_next_one(preserved: Runtime, tmp_path: Path) -> None:
    store = store_of(preserved)
    item = _items(preserved)["F1.1.1"]
    preserve(preserved, item, message="catch up the event history")  # the replication event of v1
    head = store.inventory(item)["head"]
    assert preserve(preserved, item, message="again").version is None
    assert store.inventory(item)["head"] == head

    # a metadata change: the same batch, a new title in the sheet
    batch = tmp_path / "batch"
    with (batch / "sheet.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["access"] = "closed" if row["identifier"] == "F1.1.1" else "public"
        row["title"] = row["title"].replace("Règlement van de pedel", "Reglement (herzien)")
    write_sheet(batch / "sheet.csv", rows)
    ingest(preserved, batch, "pedel", parallel=1)
    inventory = store.inventory(item)
    assert int(inventory["head"][1:]) == int(head[1:]) + 1  # one new version for the whole re-ingest
    core = json.loads(store.read(item, "item.json"))
    assert (core["title"], core["access"]) == ("Reglement (herzien)", "closed")
    history = [json.loads(line) for line in store.read(item, "events.jsonl").decode().splitlines()]
    changes = {e["type"]: e for e in history if e["type"] in ("access_change", "metadata_modification")}
    assert changes["access_change"]["data"]["after"]["access"] == "closed"
    assert "title" in changes["metadata_modification"]["data"]["fields"]
    ingest(preserved, batch, "pedel", parallel=1)  # the same batch again: the description stays as it is
    assert _changed(store, item) == ("events.jsonl",)  # only the policy engine's new appraisal event
    first = json.loads((store.object_dir(item) / "v1" / "content" / "item.json").read_text(encoding="utf-8"))
    assert first["title"] == "Règlement van de pedel"  # the old version is still there, untouched
    assert store.validate() == []


def test_a_move_writes_a_new_version_that_names_the_location(preserved: Runtime) -> None:
    store = store_of(preserved)
    item = _items(preserved)["F1.1.1"]
    before = int(store.inventory(item)["head"][1:])
    with preserved.transaction() as session:
        builders.tree(session)
    with preserved.transaction() as session:
        move(session, item, "LEU-CD-R1", agent="kim", reason="to the reading room store")
    assert int(store.inventory(item)["head"][1:]) == before + 1
    core = json.loads(store.read(item, "item.json"))
    assert core["location"] == "LEU-CD-R1"
    events = store.read(item, "events.jsonl").decode()
    assert "to the reading room store" in events
    assert store.validate() == []


def test_masters_are_kept_once_on_disk(preserved: Runtime) -> None:
    store = store_of(preserved)
    item = _items(preserved)["F1.1.1"]
    path = store.head_files(item)["masters/scans/a1.tif"]
    assert path.stat().st_nlink == 2  # the stored master and the object's content file are one file


def test_derivatives_are_a_cache_rebuilt_from_the_store(preserved: Runtime) -> None:
    data = preserved.settings.data_dir
    masters = {p.relative_to(data): p.read_bytes() for p in (data / "masters").rglob("*") if p.is_file()}
    tiles_before = sorted(p.relative_to(data) for p in (data / "derivatives").rglob("*.jpg"))
    shutil.rmtree(data / "derivatives")
    shutil.rmtree(data / "masters")
    runner = CliRunner(env=preserved.settings.as_env())
    result = runner.invoke(main, ["derivatives", "rebuild", "--all"])
    assert result.exit_code == 0, result.output
    assert "(3 masters restored from OCFL)" in result.output
    assert {p.relative_to(data): p.read_bytes() for p in (data / "masters").rglob("*") if p.is_file()} == masters
    assert sorted(p.relative_to(data) for p in (data / "derivatives").rglob("*.jpg")) == tiles_before
    assert store_of(preserved).validate() == []


def test_staging_of_a_live_writer_is_kept_and_of_a_dead_one_swept(tmp_path: Path) -> None:
    """Two processes write one store: a sweep removes only what a writer whose lock is free left behind (a
    writer's staging under its item's lock was once taken for a dead one's, failing the other's ingest)."""
    from heritage.preservation.store import OcflStore

    root = tmp_path / "ocfl"
    writer, other = OcflStore(root), OcflStore(root)
    writer.ensure()
    with writer.locked("item-a"):
        live = writer.staging(writer.lock_name("item-a"))
        with other.locked("item-b"):  # the other process's first write sweeps
            pass
        assert live.is_dir()
    # item-a's writer is gone (its lock is free) and left its folder: the next sweep removes it
    later = OcflStore(root)
    with later.locked("item-b"):
        pass
    assert not live.exists()
    assert not list(later.work.glob("stage-*"))


def test_a_version_written_while_another_process_sweeps_keeps_its_staging(preserved: Runtime) -> None:
    """`preserve` stages an item's files under the item's lock, named after it: a sweep by another writer
    meanwhile (a second ingest) leaves it alone. Named after the storage root's lock, it was swept mid-write."""
    import threading

    from heritage.preservation.store import OcflStore

    store = store_of(preserved)
    items = list(_items(preserved).values())
    done = threading.Event()

    def sweep() -> None:
        while not done.is_set():
            OcflStore(store.root)._sweep_staging()  # a new process's first sweep, again and again

    thread = threading.Thread(target=sweep)
    thread.start()
    try:
        for _ in range(5):
            for item in items:
                with preserved.transaction() as session:
                    session.get(Item, item).attributes = {"round": _}
                preserve(preserved, item, message="a change while another process sweeps")
    finally:
        done.set()
        thread.join()
    assert store.validate() == []
