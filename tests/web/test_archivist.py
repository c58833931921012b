"""The archivist's pages: upload a batch, see its progress and its report; for staff of the unit only."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.models import File
from heritage.runtime import Runtime
from tests.helpers import add_user, csrf_token, make_image, sign_in, wait_for_batch

pytestmark = pytest.mark.db


@pytest.fixture
def client(client, runtime: Runtime):  # type: ignore[no-untyped-def]
    """A client signed in as an administrator (the archivist pages are for staff)."""
    add_user(runtime, "beheer", "administrator")
    assert sign_in(client, "beheer").status_code == 303
    return client


def _upload(tmp_path: Path, names: dict[str, bytes]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for name, data in names.items()]


def _jpeg(tmp_path: Path, seed: int) -> bytes:
    return make_image(tmp_path / f"src{seed}.jpg", seed=seed).read_bytes()


def test_upload_a_folder_ingests_it_and_shows_the_report(client, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = b"identifier,title,files\nA,Brief aan de rector,scans/a.jpg\nB,Kapotte scan,scans/b.jpg\n"
    files = {
        "map/sheet.csv": sheet,
        "map/scans/a.jpg": _jpeg(tmp_path, 1),
        "map/scans/b.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
    }
    response = client.post(
        "/archivist/upload",
        data={"collection": "opgeladen", "files": _upload(tmp_path, files), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    page_url = response.headers["Location"]
    wait_for_batch(client, page_url)
    page = client.get(page_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "scans/a.jpg" in html and "scans/b.jpg" in html and "corrupt" in html
    assert "1 klaar, 1 mislukt, 0 te gaan" in html
    data = client.get(page_url + ".json").get_json()
    assert data["counts"] == {"stored": 1, "already_ingested": 0, "failed": 1}
    assert data["progress"] == {"total": 2, "done": 1, "failed": 1, "remaining": 0, "current": [], "stalled": False}
    with runtime.sessions() as s:
        stored = s.scalar(select(File))
        assert runtime.storage.master_path(stored.storage_key).read_bytes() == files["map/scans/a.jpg"]
    listing = client.get("/archivist/").get_data(as_text=True)
    assert data["batch"] in listing and "opgeladen" in listing


def test_upload_refuses_names_leaving_the_folder_and_needs_a_collection(
    client, runtime: Runtime, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    form = client.get("/archivist/upload")
    assert form.status_code == 200 and 'name="collection"' in form.get_data(as_text=True)
    missing = client.post(
        "/archivist/upload",
        data={
            "collection": "",
            "files": _upload(tmp_path, {"a.jpg": _jpeg(tmp_path, 2)}),
            "csrf_token": csrf_token(client),
        },
        content_type="multipart/form-data",
    )
    assert missing.status_code == 400 and "Kies de collectie" in missing.get_data(as_text=True)
    response = client.post(
        "/archivist/upload?lang=en",
        data={
            "collection": "veilig",
            "csrf_token": csrf_token(client),
            "files": _upload(tmp_path, {"../evil.jpg": _jpeg(tmp_path, 3), "ok.jpg": _jpeg(tmp_path, 4)}),
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "../evil.jpg: the name leaves the uploaded folder" in html
    uploads = runtime.settings.data_dir / "uploads"
    assert not any(p.is_file() for p in uploads.rglob("*"))  # not even ok.jpg: the upload was refused whole


def test_unknown_batch_is_404(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/archivist/batches/aaaaaaaaaaaa").status_code == 404
    assert client.get("/archivist/batches/not-an-id.json").status_code == 404


def test_the_pages_are_for_staff_of_the_unit(app, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    public = app.test_client()
    answer = public.get("/archivist/upload")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login?next=/archivist/upload"
    assert public.get("/archivist/batches/aaaaaaaaaaaa.json").status_code == 401
    upload = {"collection": "c", "files": _upload(tmp_path, {"a.jpg": _jpeg(tmp_path, 5)})}
    assert public.post("/archivist/upload", data={**upload, "csrf_token": csrf_token(public)}).status_code == 302
    add_user(runtime, "lezer", "reader")
    reader = app.test_client()
    sign_in(reader, "lezer")
    assert reader.get("/archivist/").status_code == 403
    from heritage.catalogue import ensure_unit

    with runtime.transaction() as s:
        ensure_unit(s, "central-archive")
        ensure_unit(s, "bib")
    add_user(runtime, "ua", "archivist", "central-archive")
    add_user(runtime, "bibarchivaris", "archivist", "bib")
    own = app.test_client()
    sign_in(own, "ua")
    made = own.post(
        "/archivist/upload",
        data={
            "collection": "ua-brieven",
            "files": _upload(tmp_path, {"a.jpg": _jpeg(tmp_path, 6)}),
            "csrf_token": csrf_token(own),
        },
        content_type="multipart/form-data",
    )
    assert made.status_code == 303
    batch_url = made.headers["Location"]
    wait_for_batch(own, batch_url)
    other = app.test_client()
    sign_in(other, "bibarchivaris")
    assert other.get(batch_url).status_code == 404  # another unit's batch does not exist for them
    assert "ua-brieven" not in other.get("/archivist/").get_data(as_text=True)
    refused = other.post(
        "/archivist/upload",
        data={
            "collection": "ua-brieven",
            "files": _upload(tmp_path, {"b.jpg": _jpeg(tmp_path, 7)}),
            "csrf_token": csrf_token(other),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403 and "hoort bij een andere eenheid" in refused.get_data(as_text=True)


def test_an_ingest_token_uploads_without_csrf_and_a_read_token_may_not(app, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from heritage import auth

    add_user(runtime, "script", "administrator")
    with runtime.transaction() as s:
        _row, ingest_token = auth.create_token(s, "script", ["ingest"])
        _row, read_token = auth.create_token(s, "script", ["read"])
    client = app.test_client()
    files = {"a.jpg": _jpeg(tmp_path, 8)}
    denied = client.post(
        "/archivist/upload",
        data={"collection": "per-script", "files": _upload(tmp_path, files)},
        headers={"Authorization": f"Bearer {read_token}"},
        content_type="multipart/form-data",
    )
    assert denied.status_code == 403 and "--scope ingest" in denied.get_data(as_text=True)
    done = client.post(
        "/archivist/upload",
        data={"collection": "per-script", "files": _upload(tmp_path, files)},
        headers={"Authorization": f"Bearer {ingest_token}"},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    report = wait_for_batch(client, done.headers["Location"], headers={"Authorization": f"Bearer {read_token}"})
    assert report["counts"]["stored"] == 1


def test_batch_page_follows_the_ocr_of_its_pages_and_lists_the_low_ones(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read, waiting, failed, skipped and low pages on the batch page, its JSON and the JSON its script polls."""
    from click.testing import CliRunner

    from heritage.cli import main
    from heritage.models import Batch, PageText
    from heritage.settings import Settings
    from tests.heritage.fulltext.test_ocr import batch as text_batch
    from web import create_app

    shipped = (Path(__file__).resolve().parents[2] / "heritage" / "data" / "ocr_rules.yaml").read_text()
    rules = tmp_path / "ocr.yaml"  # the shipped rules (archives are read), every page flagged for review
    rules.write_text(shipped.replace("min_confidence: 60", "min_confidence: 99.5"))
    settings = Settings.load(
        {"data_dir": tmp_path / "data", "database_url": database_url, "ocr_rules": rules}, environ={}
    )
    rows = [
        {"identifier": "R1", "title": "Register", "language": "nl", "files": "p1.png"},
        {"identifier": "R2", "title": "Notulen", "language": "nl", "files": "p2.png"},
    ]
    folder = text_batch(tmp_path / "b", rows)
    result = CliRunner(env={**settings.as_env(), "REDIS_URL": ""}).invoke(
        main, ["ingest", str(folder), "--collection", "registers"]
    )
    assert result.exit_code == 0, result.output
    runtime = Runtime.open(settings)
    try:
        app = create_app(runtime=runtime)
        app.testing = True
        client = app.test_client()
        add_user(runtime, "beheer", "administrator")
        assert sign_in(client, "beheer").status_code == 303
        with runtime.sessions() as s:
            batch_id = s.scalar(select(Batch.id))
        url = f"/archivist/batches/{batch_id}"

        page = client.get(url + "?lang=en").get_data(as_text=True)
        assert "Full text (OCR)" in page
        assert "Full text of 2 pages: 2 read, 0 waiting, 0 failed, 0 skipped." in page
        assert "2 below the confidence threshold of 99.5 (mean confidence" in page
        assert "Pages below the confidence threshold (to review)" in page
        assert "<code>p1.png</code>" in page and "<code>p2.png</code>" in page
        assert "batch.js" not in page  # nothing moves any more
        data = client.get(url + ".json").get_json()
        assert {k: data["ocr"][k] for k in ("pages", "done", "waiting", "failed", "skipped", "low")} == {
            "pages": 2, "done": 2, "waiting": 0, "failed": 0, "skipped": 0, "low": 2,
        }  # fmt: skip
        assert sorted(p["name"] for p in data["ocr_low"]) == ["p1.png", "p2.png"]

        with runtime.transaction() as s:  # a page whose text has not been read yet
            s.delete(s.scalars(select(PageText).join(File, File.id == PageText.file_id)).first())
        live = client.get(url + "/progress.json?lang=nl").get_json()["ocr"]
        assert (live["done"], live["waiting"], live["low"]) == (1, 1, 1)
        assert live["text"].startswith("Volledige tekst van 2 pagina's: 1 gelezen, 1 wachtend, 0 mislukt")
        page = client.get(url + "?lang=nl").get_data(as_text=True)
        assert 'data-waiting="1"' in page and "batch.js" in page  # the page follows the OCR still to come
        assert 'id="ocr-text" aria-live="polite">Volledige tekst van 2' in page
        assert "van 99,5" in page and "van 99.5" not in page  # numbers as Dutch writes them
        assert re.search(r"betrouwbaarheid \d+,\d\)", page), "the mean confidence with a decimal comma"
    finally:
        runtime.close()
