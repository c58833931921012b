"""Photographs uploaded with a condition check: added to the item through the ingest path as staff files
(fixity, format, derivatives, events), referenced by the check and named in its event; a refused photograph
(not an image of the formats taken, too big, corrupt, twice the same, already the item's) is named with its
reason and leaves nothing: no file, no master, no check."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.errors import BadRequest
from heritage.file_adder import Upload
from heritage.models import ConditionCheck, Event, File
from heritage.museum import condition
from heritage.runtime import Runtime
from ingest.adding import FileAdder
from tests.helpers import make_image
from tests.heritage.museum.builders import World, world

pytestmark = pytest.mark.db


@pytest.fixture
def w(runtime: Runtime) -> World:
    with runtime.transaction() as session:
        return world(session)


def _stored(runtime: Runtime) -> list[Path]:
    """Every master and derivative file in the store, the incoming area included."""
    root = runtime.settings.data_dir
    return sorted(p for folder in ("masters", "derivatives") for p in (root / folder).rglob("*") if p.is_file())


def _counts(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(File)) or 0,
            session.scalar(select(func.count()).select_from(ConditionCheck)) or 0,
            session.scalar(select(func.count()).select_from(Event)) or 0,
        )


def test_a_check_with_photographs_adds_them_as_condition_files(
    runner: CliRunner, runtime: Runtime, w: World, tmp_path: Path
) -> None:
    front = make_image(tmp_path / "front crack.jpg", (500, 300), seed=4)
    back = make_image(tmp_path / "back.png", (200, 320), seed=5)
    result = runner.invoke(
        main,
        [
            *("condition", "record", w.painting, "--condition", "poor", "--by", "registrar", "--json"),
            *("--photo", str(front), "--photo", str(back)),
        ],
    )
    assert result.exit_code == 0, result.output
    check = json.loads(result.stdout)
    assert len(check["files"]) == 2
    with runtime.sessions() as session:
        files = [session.get(File, file_id) for file_id in check["files"]]
        assert [(f.role, f.label, f.format_name, f.derivatives_ready) for f in files if f] == [
            ("condition", "front crack.jpg", "JPEG File Interchange Format 1.01", True),
            ("condition", "back.png", "Portable Network Graphics", True),
        ]
        for f, source in zip(files, (front, back), strict=True):
            assert f is not None
            master = runtime.storage.master_path(f.storage_key)
            assert f.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
            assert master.read_bytes() == source.read_bytes()
            assert (f.width, f.height) == ((500, 300) if source == front else (200, 320))
        found = session.scalars(select(Event).where(Event.item_id == w.painting).order_by(Event.id)).all()
        kinds = [e.type for e in found]
        assert kinds.count("ingestion") == 2 and kinds.count("message_digest_calculation") == 2
        assert kinds[-1] == "condition check"
        assert found[-1].data["photos"] == [
            {"file": check["files"][0], "name": "front crack.jpg"},
            {"file": check["files"][1], "name": "back.png"},
        ]
    assert not list((runtime.settings.data_dir / "masters" / ".incoming").glob("*"))
    assert not list((runtime.settings.data_dir / "locks" / "added").glob("*"))  # the journal went with the adder


def test_an_add_rolled_back_or_abandoned_leaves_nothing(runtime: Runtime, w: World, tmp_path: Path) -> None:
    """A check whose transaction never commits keeps no master; an adder whose process died (its journal's
    lock free) is cleaned up by the next adder, before it adds anything."""
    photo = Upload("crack.png", make_image(tmp_path / "crack.png", seed=8, fmt="PNG").read_bytes())
    empty = _stored(runtime)
    with FileAdder(runtime) as adder, runtime.transaction() as session:
        condition.record(session, w.model, condition="poor", by="r", photos=[photo], adder=adder)
        assert _stored(runtime) != empty  # stored, then the transaction is rolled back:
        session.rollback()
    assert _stored(runtime) == empty and _counts(runtime)[:2] == (0, 0)

    dead = FileAdder(runtime)
    with runtime.transaction() as session:
        dead.add(session, w.model, [photo], role="condition", agent="r", families=frozenset({"png"}))
        session.rollback()
    assert dead._fd is not None
    os.close(dead._fd)  # as the kernel does when its process dies: the journal's lock is free
    assert _stored(runtime) != empty
    other = Upload("flake.png", make_image(tmp_path / "flake.png", seed=9, fmt="PNG").read_bytes())
    with FileAdder(runtime) as adder, runtime.transaction() as session:
        check = condition.record(session, w.drawing, condition="good", by="r", photos=[other], adder=adder)
        (kept,) = check.file_ids
    with runtime.sessions() as session:
        (file,) = session.scalars(select(File))
        assert file.id == kept and runtime.storage.master_path(file.storage_key).is_file()
    abandoned = hashlib.sha256(photo.data).hexdigest()
    assert [p for p in _stored(runtime) if abandoned in str(p)] == []
    assert [p for p in _stored(runtime) if file.sha256 not in str(p)] == []
    assert not list((runtime.settings.data_dir / "locks" / "added").glob("*"))


def _refused(runtime: Runtime, item_id: str, photos: list[Upload]) -> str:
    before, stored = _counts(runtime), _stored(runtime)
    with FileAdder(runtime) as adder, runtime.transaction() as session, pytest.raises(BadRequest) as refused:
        condition.record(session, item_id, condition="fair", by="registrar", photos=photos, adder=adder)
    assert _counts(runtime) == before
    assert _stored(runtime) == stored
    return str(refused.value)


def test_a_refused_photograph_is_named_and_leaves_nothing(runtime: Runtime, w: World, tmp_path: Path) -> None:
    good = make_image(tmp_path / "good.jpg", seed=1).read_bytes()
    tiff = make_image(tmp_path / "good.tif", seed=2, fmt="TIFF").read_bytes()
    gif = make_image(tmp_path / "old.gif", seed=3, fmt="GIF").read_bytes()
    cases = [
        ([Upload("good.jpg", good), Upload("notes.jpg", b"just some text\n" * 20)], "notes.jpg is "),
        ([Upload("tiff.tif", tiff), Upload("old.gif", gif)], "old.gif is Graphics Interchange Format"),
        ([Upload("cut.jpg", good[: len(good) // 2])], "cut.jpg is a corrupt or truncated image"),
        ([Upload("empty.png", b"")], "empty.png is empty (0 bytes)"),
        ([Upload("a.jpg", good), Upload("b.jpg", good)], "b.jpg is the same file as a.jpg"),
        ([Upload("", good)], "an uploaded file has no name"),
    ]
    for photos, message in cases:
        assert message in _refused(runtime, w.painting, photos)
    assert "not one of the formats taken here (JPEG, PNG, TIFF)" in _refused(
        runtime, w.painting, [Upload("notes.txt", b"plain words\n" * 10)]
    )


def test_a_photograph_too_big_or_already_the_items_is_refused(runtime: Runtime, w: World, tmp_path: Path) -> None:
    photo = make_image(tmp_path / "big.png", (900, 900), seed=6)
    data = photo.read_bytes()
    with FileAdder(runtime) as adder, runtime.transaction() as session:
        check = condition.record(
            session, w.model, condition="good", by="registrar", photos=[Upload("big.png", data)], adder=adder
        )
        (added,) = check.file_ids
    assert f"big.png is already file {added} of item {w.model}" in _refused(runtime, w.model, [Upload("big.png", data)])
    before = _counts(runtime)
    with FileAdder(runtime) as small, runtime.transaction() as session:
        small.max_bytes = len(data) - 1
        with pytest.raises(BadRequest, match=r"big.png is .* MB, more than the 0 MB"):
            condition.record(
                session, w.drawing, condition="good", by="r", photos=[Upload("big.png", data)], adder=small
            )
    assert _counts(runtime) == before


def test_the_limit_comes_from_the_settings(
    runner: CliRunner, runtime: Runtime, w: World, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    photo = make_image(tmp_path / "wide.tif", (800, 800), seed=7, fmt="TIFF")  # uncompressed: 1.8 MB
    assert photo.stat().st_size > 1024 * 1024
    result = runner.invoke(
        main,
        ["condition", "record", w.drawing, "--condition", "good", "--photo", str(photo)],
        env={**cli_env, "HERITAGE_CONDITION_PHOTO_MB": "1"},
    )
    assert result.exit_code == 1
    assert _counts(runtime)[:2] == (0, 0)
    assert "wide.tif is 1.8 MB" in result.stderr and "more than the 1 MB a file may be here" in result.stderr
