"""Oversized uploads: a request body past HERITAGE_MAX_UPLOAD_MB is refused with 413 and a message naming the
limit, before anything is saved; a file name longer than the file system holds, or two names that would be
stored as one file, are a 400 naming the file, and nothing is saved."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.helpers import add_user, csrf_token, sign_in, wait_for_batch

pytestmark = pytest.mark.db


@pytest.fixture
def small_limit(settings: Settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app with a 1 MB upload limit and a signed-in administrator."""
    import dataclasses

    from web import create_app

    runtime = Runtime.open(dataclasses.replace(settings, max_upload_mb=1))
    try:
        add_user(runtime, "beheerder", "administrator")
        client = create_app(runtime=runtime).test_client()
        assert sign_in(client, "beheerder").status_code == 303
        yield client, runtime
    finally:
        runtime.close()


def test_an_upload_past_the_limit_is_a_413_with_the_limit_named(small_limit) -> None:  # type: ignore[no-untyped-def]
    client, runtime = small_limit
    big = io.BytesIO(b"\0" * (1024 * 1024 + 1))
    response = client.post(
        "/archivist/upload",
        data={"collection": "groot", "csrf_token": csrf_token(client), "files": [(big, "batch/scan.tif")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert "HERITAGE_MAX_UPLOAD_MB" in text and "at most 1 MB" in text
    assert not (runtime.settings.data_dir / "uploads").exists() or not any(
        (runtime.settings.data_dir / "uploads").rglob("scan.tif")
    )
    api = client.post("/api/token", data=b"x" * (1024 * 1024 + 1), content_type="application/json")
    assert api.status_code == 413 and "HERITAGE_MAX_UPLOAD_MB" in api.get_json()["error"]["message"]


def test_an_upload_within_the_limit_goes_through(small_limit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client, _ = small_limit
    response = client.post(
        "/archivist/upload",
        data={
            "collection": "klein",
            "csrf_token": csrf_token(client),
            "files": [(io.BytesIO(b"identifier,title\nA,Klein\n"), "batch/sheet.csv")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert wait_for_batch(client, response.headers["Location"])["items_created"] == 1


def test_the_limit_is_a_setting() -> None:
    assert Settings.load({}, environ={"HERITAGE_MAX_UPLOAD_MB": "5"}).max_upload_mb == 5
    assert Settings.load({}, environ={}).max_upload_mb == 2048
    from heritage.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="HERITAGE_MAX_UPLOAD_MB"):
        Settings.load({}, environ={"HERITAGE_MAX_UPLOAD_MB": "lots"})


def _nothing_saved(runtime: Runtime) -> bool:
    uploads = runtime.settings.data_dir / "uploads"
    return not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_a_file_name_of_5000_characters_is_a_400_naming_it(small_limit) -> None:  # type: ignore[no-untyped-def]
    """It was a 500 (the file system's `File name too long` escaped the upload)."""
    client, runtime = small_limit
    name = "batch/" + "x" * 5000 + ".tif"
    response = client.post(
        "/archivist/upload?lang=en",
        data={"collection": "lang", "csrf_token": csrf_token(client), "files": [(io.BytesIO(b"II*\0"), name)]},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "(5010 characters): a name in this path is too long for the file system (at most 255 bytes)" in text
    assert _nothing_saved(runtime)


def test_names_that_one_file_system_stores_as_one_file_are_a_400(small_limit) -> None:  # type: ignore[no-untyped-def]
    """A second file must never overwrite the first: `é` precomposed and decomposed are one name on disk."""
    import unicodedata

    client, runtime = small_limit
    files = [
        (io.BytesIO(b"first"), "batch/\u00e9.tif"),
        (io.BytesIO(b"second"), unicodedata.normalize("NFD", "batch/\u00e9.tif")),
    ]
    response = client.post(
        "/archivist/upload?lang=en",
        data={"collection": "botsing", "csrf_token": csrf_token(client), "files": files},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert (
        "would be stored under the same name (the same letters, written in two ways in Unicode)"
        in response.get_data(as_text=True)
    )
    assert _nothing_saved(runtime)
