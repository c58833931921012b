"""What every ingest test may assert about the store: byte-identical masters, no orphans, no leftovers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from heritage.models import File, Item
from heritage.runtime import Runtime


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_store_clean(runtime: Runtime) -> None:
    """Every stored master has a file record and is read-only; nothing half-made is left anywhere."""
    root = runtime.settings.data_dir
    masters = [p for p in (root / "masters").rglob("*") if p.is_file()] if (root / "masters").exists() else []
    leftovers = [p for p in masters if p.name.startswith(".") or ".incoming" in p.parts]
    assert leftovers == [], "half-copied masters left behind"
    masters = [p for p in masters if p not in leftovers]
    with runtime.sessions() as session:
        files = session.scalars(select(File)).all()
        shas = {f.sha256 for f in files}
        expected_dirs = {f.sha256 if f.page == 0 else f"{f.sha256}-p{f.page}" for f in files if f.derivatives_ready}
    assert {p.name for p in masters} == shas, "a master is stored that no file refers to (or one is missing)"
    for master in masters:
        assert master.stat().st_mode & 0o222 == 0, f"{master} is writable"
    derivatives = root / "derivatives"
    dirs = [p for p in derivatives.glob("*/*")] if derivatives.exists() else []
    assert [p.name for p in dirs if p.name.startswith(".")] == [], "half-made derivatives left behind"
    assert {p.name for p in dirs} == expected_dirs


def assert_no_duplicates(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        rows = session.execute(
            select(File.item_id, File.sha256, File.page, func.count()).group_by(File.item_id, File.sha256, File.page)
        ).all()
        assert all(count == 1 for *_, count in rows)
        locals_ = session.execute(  # items without a local id are counted by the tests that make them
            select(Item.collection_id, Item.local_id, func.count())
            .where(Item.local_id.is_not(None))
            .group_by(Item.collection_id, Item.local_id)
        ).all()
        assert all(count == 1 for *_, count in locals_)


def assert_masters_identical(runtime: Runtime, batch_root: Path) -> int:
    """Every stored master is byte for byte the file it was ingested from; returns how many were compared."""
    with runtime.sessions() as session:
        files = session.scalars(select(File).where(File.page == 0)).all()
        pairs = [(runtime.storage.master_path(f.storage_key), batch_root / f.original_name) for f in files]
    for stored, original in pairs:
        assert stored.read_bytes() == original.read_bytes(), f"{stored} differs from {original}"
    return len(pairs)
