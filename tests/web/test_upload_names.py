"""Uploaded file names: kept as they were uploaded (in NFC), never rewritten; two names that would be stored
as one are refused by name; a name the file system cannot hold is a clear 400. Nothing is stored when an
upload is refused, and the same folder gives the same batch through the web as through `heritage ingest`."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from heritage.cli import main
from heritage.models import Collection, File
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, make_image, sign_in, wait_for_batch, write_sheet

pytestmark = pytest.mark.db

# the folder: the web stored 2 of these and reported 3 as "file does not exist"
NAMES = ["Liège.jpg", "日本語.jpg", "é.jpg", "e.jpg", "brief.jpg"]


@pytest.fixture
def client(client, runtime: Runtime):  # type: ignore[no-untyped-def]
    add_user(runtime, "beheer", "administrator")
    assert sign_in(client, "beheer").status_code == 303
    return client


def _folder(root: Path, seed: int) -> Path:
    """A folder with a sheet naming the five files, each a different image."""
    for n, name in enumerate(NAMES):
        make_image(root / name, (320, 240), seed=seed + n)
    write_sheet(
        root / "sheet.csv", [{"identifier": f"N{n}", "title": name, "files": name} for n, name in enumerate(NAMES)]
    )
    return root


def _post(client, collection: str, files: list[tuple[bytes, str]], lang: str = "nl"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/archivist/upload?lang={lang}",
        data={
            "collection": collection,
            "csrf_token": csrf_token(client),
            "files": [(io.BytesIO(data), name) for data, name in files],
        },
        content_type="multipart/form-data",
    )


def _nothing_stored(runtime: Runtime) -> None:
    uploads = runtime.settings.data_dir / "uploads"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*")), list(uploads.rglob("*"))
    with runtime.sessions() as s:
        assert s.scalar(select(func.count(Collection.id))) == 0
        assert s.scalar(select(func.count(File.id))) == 0


def test_non_ascii_names_are_kept_and_every_file_is_stored(client, runtime: Runtime, cli_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    on_disk = _folder(tmp_path / "cli" / "map", seed=10)
    result = CliRunner(env=cli_env).invoke(main, ["ingest", str(on_disk), "--collection", "per-opdracht"])
    assert result.exit_code == 0, result.output
    assert "5 stored" in result.output

    uploaded = _folder(tmp_path / "web" / "map", seed=20)
    files = [(p.read_bytes(), f"map/{p.name}") for p in sorted(uploaded.iterdir())]
    response = _post(client, "per-web", files)
    assert response.status_code == 303, response.get_data(as_text=True)
    report = wait_for_batch(client, response.headers["Location"])
    assert report["counts"] == {"stored": 5, "already_ingested": 0, "failed": 0}, report["files"]
    assert sorted(f["path"] for f in report["files"]) == sorted(NAMES)
    with runtime.sessions() as s:
        for row in report["files"]:
            stored = s.get(File, row["file"])
            assert runtime.storage.master_path(stored.storage_key).read_bytes() == (uploaded / row["path"]).read_bytes()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert all(name in page for name in NAMES)


def test_a_decomposed_name_is_kept_in_nfc(client, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A Mac sends `Liège` as e + combining grave; the sheet names it precomposed, as people type it."""
    decomposed = unicodedata.normalize("NFD", "Liège.jpg")
    assert decomposed != "Liège.jpg"
    image = make_image(tmp_path / "l.jpg", seed=3).read_bytes()
    sheet = "identifier,title,files\nL,Luik,Liège.jpg\n".encode()
    response = _post(client, "luik", [(sheet, "map/sheet.csv"), (image, f"map/{decomposed}")])
    assert response.status_code == 303, response.get_data(as_text=True)
    report = wait_for_batch(client, response.headers["Location"])
    assert report["counts"]["stored"] == 1 and report["files"][0]["path"] == "Liège.jpg", report["files"]
    kept = [p.name for p in (runtime.settings.data_dir / "uploads").rglob("*.jpg")]
    assert kept == ["Liège.jpg"]


@pytest.mark.parametrize(
    ("names", "named"),
    [
        (["map/é.jpg", unicodedata.normalize("NFD", "map/é.jpg")], "é.jpg"),  # one name, two spellings
        (["map/scan.jpg", "map/scan.jpg"], "map/scan.jpg"),  # the same name twice
        (["map/a", "map/a/b.jpg"], "map/a"),  # a file and a folder of one name
        (["map/x.jpg", "map//x.jpg"], "map/x.jpg"),
    ],
)
def test_names_that_would_be_stored_as_one_are_refused_by_name(
    client, runtime: Runtime, tmp_path: Path, names: list[str], named: str
) -> None:  # type: ignore[no-untyped-def]
    files = [(make_image(tmp_path / f"{n}.jpg", seed=n).read_bytes(), name) for n, name in enumerate(names)]
    response = _post(client, "botsing", files)
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    assert named in text and "zelfde naam" in text, text
    english = _post(client, "botsing", files, lang="en")
    assert english.status_code == 400 and "same name" in english.get_data(as_text=True)
    _nothing_stored(runtime)


@pytest.mark.parametrize(
    ("name", "shown", "reason"),
    [
        ("map/" + "x" * 5000 + ".jpg", "xxxxxxxx", "255 bytes"),  # the 500
        ("map/" + "é" * 130 + ".jpg", "éééééééé", "255 bytes"),  # 134 characters, 264 bytes
        ("map/" + "/".join(["d" * 200] * 25) + "/x.jpg", "dddddddd", "4096 bytes"),
        ("map/" + "/".join(["d" * 60] * 20) + "/x.jpg", "dddddddd", "1000"),
    ],
)
def test_a_name_too_long_for_the_file_system_is_a_clear_400(
    client, runtime: Runtime, name: str, shown: str, reason: str
) -> None:  # type: ignore[no-untyped-def]
    response = _post(client, "lang", [(b"identifier,title\nA,B\n", "map/sheet.csv"), (b"\xff\xd8\xff", name)])
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:300]
    assert shown in text and reason in text and "te lang" in text, text[-2000:]
    assert name not in text  # the message names the file without repeating thousands of characters
    _nothing_stored(runtime)
