"""A decompression bomb (a PNG of a few kilobytes that declares 60,000 x 60,000 pixels) through `heritage
ingest` and the upload page: refused before decoding with a message naming the file and
HERITAGE_MAX_IMAGE_PIXELS; no master, derivative or preservation copy of it is stored; the rest goes in."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import File
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, make_image, sign_in, wait_for_batch

pytestmark = pytest.mark.db


def bomb_png(side: int = 60000) -> bytes:
    """A valid PNG header for side x side grey pixels, with only its first rows of (zero) data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + side) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def assert_not_stored(runtime: Runtime, bomb: bytes) -> None:
    digest = hashlib.sha256(bomb).hexdigest()
    data = runtime.settings.data_dir
    assert not [p for p in data.rglob("*") if digest in p.name or (p.name == "bomb.png" and "uploads" not in p.parts)]
    with runtime.sessions() as s:
        assert s.scalar(select(File).where(File.sha256 == digest)) is None


def test_ingest_refuses_the_bomb_and_takes_the_rest(cli_env, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bomb = bomb_png()
    assert len(bomb) < 10_000
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "bomb.png").write_bytes(bomb)
    make_image(batch / "good.jpg")
    result = CliRunner(env=cli_env).invoke(main, ["ingest", str(batch), "--collection", "bommen"])
    assert result.exit_code == 1, result.output  # some files failed
    assert "bomb.png: decompression bomb" in result.output and "HERITAGE_MAX_IMAGE_PIXELS" in result.output
    assert "1 stored" in result.output
    assert_not_stored(runtime, bomb)


def test_the_upload_page_refuses_the_bomb(client, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bomb = bomb_png()
    add_user(runtime, "beheerder", "administrator")
    assert sign_in(client, "beheerder").status_code == 303
    good = make_image(tmp_path / "good.jpg").read_bytes()
    response = client.post(
        "/archivist/upload",
        data={
            "collection": "bommen",
            "csrf_token": csrf_token(client),
            "files": [(io.BytesIO(bomb), "batch/bomb.png"), (io.BytesIO(good), "batch/good.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    report = wait_for_batch(client, response.headers["Location"])
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bomb.png" in text and "decompression bomb" in text and "HERITAGE_MAX_IMAGE_PIXELS" in text, report["files"]
    assert report["counts"]["stored"] == 1 and report["counts"]["failed"] == 1, report["counts"]
    assert_not_stored(runtime, bomb)
