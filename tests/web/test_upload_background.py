"""Without Redis an upload runs in the background: the request answers at once with the batch page, which
shows the run's progress live; the run outlives the server that started it; a run that died (kill -9) is
offered for resuming, and resuming finishes the batch as running `heritage ingest` again would. With Redis
the files are rq jobs, and a batch whose jobs were lost is offered for resuming too. The form offers the
collections the uploader may ingest into, and no page shows where the server keeps anything."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from heritage.catalogue import ensure_collection, ensure_unit
from heritage.models import Batch, Collection, File
from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.working import working_on
from tests.conftest import REDIS_URL
from tests.helpers import add_user, csrf_token, make_image, runner_pids, sign_in, wait_for_batch
from tests.iiif.live_server import free_port

pytestmark = pytest.mark.db
LIMIT = 120  # seconds before a test that would hang fails instead; nothing is asserted about speed


@pytest.fixture
def admin(client, runtime: Runtime):  # type: ignore[no-untyped-def]
    add_user(runtime, "beheer", "administrator")
    assert sign_in(client, "beheer").status_code == 303
    return client


def _scans(tmp_path: Path, count: int, size: tuple[int, int] = (900, 700)) -> dict[str, bytes]:
    return {f"map/scan{n:02}.jpg": make_image(tmp_path / f"s{n}.jpg", size, seed=n).read_bytes() for n in range(count)}


def _form(client, collection: str, files: dict[str, bytes]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "collection": collection,
        "csrf_token": csrf_token(client),
        "files": [(io.BytesIO(data), name) for name, data in files.items()],
    }


@contextmanager
def files_held(runtime: Runtime, ids: Sequence[int]) -> Iterator[None]:
    """Hold the working locks of these batch files, as a live process on them would: the run waits for them."""
    with ExitStack() as stack:
        for batch_file_id in ids:
            stack.enter_context(working_on(runtime, batch_file_id))
        yield


def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LIMIT
    while not check():
        assert time.monotonic() < deadline, f"still waiting for: {what}"
        time.sleep(0.1)


def answered(post: Callable[[], Any]) -> Any:
    """The response of a request that must answer while files of its batch are held (else fail, not hang)."""
    answer: dict[str, Any] = {}
    request = threading.Thread(target=lambda: answer.update(response=post()), daemon=True)
    request.start()
    request.join(LIMIT)
    assert not request.is_alive(), "the upload did not answer: its files were being ingested in the request"
    return answer["response"]


def test_without_redis_an_upload_answers_before_its_files_are_ingested(admin, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = _scans(tmp_path, 3)
    with files_held(runtime, range(1, 21)):  # no file can be ingested while the test holds them
        response = answered(
            lambda: admin.post(
                "/archivist/upload", data=_form(admin, "achtergrond", files), content_type="multipart/form-data"
            )
        )
        assert response.status_code == 303
        url = response.headers["Location"]
        state = admin.get(url + ".json").get_json()
        assert state["status"] == "running"
        assert state["progress"] == {
            "total": 3,
            "done": 0,
            "failed": 0,
            "remaining": 3,
            "current": [],
            "stalled": False,  # a live run is on it, waiting for the files
        }
        page = admin.get(url).get_data(as_text=True)
        assert re.search(
            r'<label for="progress-bar">Verwerkte bestanden</label>.*<progress id="progress-bar"', page, re.S
        )
        assert 'role="status" aria-live="polite">0 klaar, 0 mislukt, 3 te gaan (van 3 bestanden).' in page
        assert '<noscript><meta http-equiv="refresh"' in page and "batch.js" in page  # live, with or without script
        live = admin.get(url + "/progress.json?lang=en").get_json()
        assert live["status"] == "running" and live["text"] == "0 done, 0 failed, 3 remaining (of 3 files)."
    report = wait_for_batch(admin, url)
    assert report["counts"] == {"stored": 3, "already_ingested": 0, "failed": 0}
    finished = admin.get(url + "?lang=nl").get_data(as_text=True)
    assert "refresh" not in finished and "batch.js" not in finished and "Klaar" in finished


def test_a_run_killed_midway_is_offered_for_resuming_and_resumes(admin, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = _scans(tmp_path, 8)
    with files_held(runtime, range(4, 21)):  # the run gets through three files, then waits for the fourth
        response = answered(
            lambda: admin.post(
                "/archivist/upload", data=_form(admin, "hervat", files), content_type="multipart/form-data"
            )
        )
        assert response.status_code == 303
        url = response.headers["Location"]
        batch_id = url.rsplit("/", 1)[1]
        until(lambda: admin.get(url + ".json").get_json()["progress"]["done"] == 3, "three files in")
        (pid,) = runner_pids(batch_id)
        os.kill(pid, signal.SIGKILL)
    # a user reloads the page until it says the run stopped (the kernel releases a killed run's locks last)
    until(lambda: admin.get(url + ".json").get_json()["progress"]["stalled"], "the page to see the run stopped")
    state = admin.get(url + ".json").get_json()
    assert state["status"] == "running" and state["progress"]["stalled"] is True
    assert state["progress"]["done"] == 3 and state["progress"]["remaining"] == 5
    page = admin.get(url).get_data(as_text=True)
    assert "Batch hervatten</button>" in page and "Gestopt voor het einde" in page and "refresh" not in page
    english = admin.get(url + "?lang=en").get_data(as_text=True)
    assert "Resume the batch</button>" in english and "Stopped before the end" in english
    assert admin.post(url + "/resume").status_code == 400  # a state-changing form needs its CSRF token
    resumed = admin.post(url + "/resume", data={"csrf_token": csrf_token(admin)})
    assert resumed.status_code == 303 and resumed.headers["Location"] == url
    report = wait_for_batch(admin, url)
    counts = report["counts"]
    assert counts["failed"] == 0 and counts["stored"] + counts["already_ingested"] == 8, counts
    with runtime.sessions() as s:
        assert s.scalar(select(func.count(File.id))) == 8
        for row in report["files"]:
            stored = s.get(File, row["file"])
            assert runtime.storage.master_path(stored.storage_key).read_bytes() == files[f"map/{row['path']}"]
    again = admin.post(url + "/resume?lang=nl", data={"csrf_token": csrf_token(admin)})
    assert again.status_code == 409 and "niets te hervatten" in again.get_data(as_text=True)


@pytest.mark.slow
@pytest.mark.parametrize("server", ["heritage serve", "gunicorn"])
def test_the_run_outlives_the_server_that_started_it(
    runtime: Runtime, settings: Settings, tmp_path: Path, server: str
) -> None:
    """gunicorn recycles and kills workers, and servers restart: a batch started by one goes on without it."""
    import requests
    from click.testing import CliRunner

    from heritage import auth
    from heritage.cli import main

    add_user(runtime, "script", "administrator")
    with runtime.transaction() as s:
        _row, token = auth.create_token(s, "script", ["ingest", "read"])
    # a catalogue with an item: gunicorn's warm-up fails on an empty search index (a defect of its own)
    make_image(tmp_path / "eerder" / "plaat.jpg", (300, 200), seed=99)
    first = CliRunner(env={**settings.as_env(), "REDIS_URL": ""}).invoke(
        main, ["ingest", str(tmp_path / "eerder"), "--collection", "eerder"]
    )
    assert first.exit_code == 0, first.output
    files = _scans(tmp_path, 4)
    port = free_port()
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    command = {
        "heritage serve": [str(Path(sys.executable).with_name("heritage")), "serve", "--port", str(port)],
        "gunicorn": [str(Path(sys.executable).with_name("gunicorn")), "--config", "python:web.gunicorn_conf",
                     "--bind", f"127.0.0.1:{port}", "web.wsgi:app"],
    }[server]  # fmt: skip
    with (tmp_path / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        until(lambda: _answers(base), "the server to answer")
        with files_held(runtime, range(1, 21)):
            response = requests.post(
                base + "/archivist/upload",
                data={"collection": "overleeft"},
                files=[("files", (name, data)) for name, data in files.items()],
                headers={"Authorization": f"Bearer {token}"},
                allow_redirects=False,
                timeout=LIMIT,
            )
            assert response.status_code == 303, response.text
            batch_id = response.headers["Location"].rsplit("/", 1)[1]
            os.killpg(process.pid, signal.SIGKILL)  # the server and its workers, while every file still waits
            process.wait()
            assert runner_pids(batch_id), "the batch's run died with the server"
        done = lambda: _status(runtime, batch_id) == "finished" and not runner_pids(batch_id)  # noqa: E731
        until(done, "the batch to finish without its server")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with runtime.sessions() as s:
        assert s.scalar(select(func.count(File.id))) == 5  # the four uploaded and the earlier one


def _answers(base: str) -> bool:
    import urllib.request

    try:
        urllib.request.urlopen(base + "/api/collections", timeout=2).close()
    except OSError:
        return False
    return True


def _status(runtime: Runtime, batch_id: str) -> str | None:
    with runtime.sessions() as s:
        batch = s.get(Batch, batch_id)
        return batch.status if batch is not None else None


def test_no_page_shows_where_the_server_keeps_the_upload(admin, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data_dir = runtime.settings.data_dir
    secrets_of_server = {str(data_dir), str(data_dir.resolve()), "/uploads/"}
    files = {
        "map/sheet.csv": b"identifier,title,files\nA,Brief,scans/a.jpg\nB,Kapot,scans/b.jpg\nC,Weg,scans/c.jpg\n",
        "map/scans/a.jpg": make_image(tmp_path / "a.jpg", seed=1).read_bytes(),
        "map/scans/b.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
    }
    response = admin.post("/archivist/upload", data=_form(admin, "paden", files), content_type="multipart/form-data")
    assert response.status_code == 303
    url = response.headers["Location"]
    report = wait_for_batch(admin, url)
    assert report["source"] == "map" and report["metadata_file"] == "sheet.csv"
    assert {f["path"]: f["status"] for f in report["files"]} == {
        "scans/a.jpg": "stored",
        "scans/b.jpg": "failed",
        "scans/c.jpg": "failed",
    }
    empty = admin.post(
        "/archivist/upload",
        data=_form(admin, "leeg", {"leeg/sheet.csv": b"identifier,title,files\n"}),
        content_type="multipart/form-data",
    )
    assert empty.status_code == 400 and "leeg: nothing to ingest" in empty.get_data(as_text=True)
    pages = {
        "batch page": admin.get(url).get_data(as_text=True),
        "batch JSON": admin.get(url + ".json").get_data(as_text=True),
        "progress": admin.get(url + "/progress.json").get_data(as_text=True),
        "batches": admin.get("/archivist/").get_data(as_text=True),
        "form": admin.get("/archivist/upload").get_data(as_text=True),
        "refused upload": empty.get_data(as_text=True),
    }
    for name, text in pages.items():
        leaked = [s for s in secrets_of_server if s in text]
        assert not leaked, (name, leaked)
    assert "<code>map</code>" in pages["batch page"] and "<code>map</code>" in pages["batches"]
    assert (
        not (data_dir / "uploads").exists() or len(list((data_dir / "uploads").iterdir())) == 1
    )  # the refused one went


def test_the_collection_is_chosen_from_the_uploaders_list(app, runtime: Runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with runtime.transaction() as s:
        ensure_unit(s, "ua", "Universiteitsarchief", name_en="University Archives")
        ensure_unit(s, "bib", "Bibliotheek", name_en="Library")
        ensure_collection(s, "brieven", title="Brieven", title_en="Letters", unit_slug="ua")
        ensure_collection(s, "kaarten", title="Kaarten", title_en="Maps", unit_slug="bib")
    add_user(runtime, "archivaris", "archivist", "ua")
    add_user(runtime, "beheer", "administrator")
    archivist, admin = app.test_client(), app.test_client()
    sign_in(archivist, "archivaris")
    sign_in(admin, "beheer")

    def options(client, select_id: str, lang: str = "nl") -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        html = client.get(f"/archivist/upload?lang={lang}").get_data(as_text=True)
        found = re.search(rf'<select id="{select_id}" name="{select_id}"[^>]*>(.*?)</select>', html, re.S)
        assert found, html
        return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(1))

    assert options(archivist, "collection") == [
        ("", "Een nieuwe collectie (geef ze hieronder een naam)"),
        ("brieven", "Brieven (brieven)"),
    ]
    assert options(archivist, "unit") == [("ua", "Universiteitsarchief")]
    assert options(admin, "collection", "en") == [
        ("", "A new collection (give it a name below)"),
        ("kaarten", "Maps (kaarten)"),
        ("brieven", "Letters (brieven)"),
    ]
    assert [label for _value, label in options(admin, "format", "en")][:3] == [
        "Detect from the content",
        "Folders without a metadata file",
        "BagIt bag",
    ]
    scan = {"map/a.jpg": make_image(tmp_path / "a.jpg", seed=1).read_bytes()}
    chosen = archivist.post(
        "/archivist/upload", data=_form(archivist, "brieven", scan), content_type="multipart/form-data"
    )
    assert chosen.status_code == 303
    wait_for_batch(archivist, chosen.headers["Location"])
    new = archivist.post(
        "/archivist/upload",
        data={**_form(archivist, "", {"map/b.jpg": make_image(tmp_path / "b.jpg", seed=2).read_bytes()}),
              "new_collection": "nieuwe-brieven", "unit": "ua"},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert new.status_code == 303
    wait_for_batch(archivist, new.headers["Location"])
    other = archivist.post(
        "/archivist/upload", data=_form(archivist, "kaarten", scan), content_type="multipart/form-data"
    )
    assert other.status_code == 403
    neither = archivist.post("/archivist/upload", data=_form(archivist, "", scan), content_type="multipart/form-data")
    assert neither.status_code == 400 and "Kies de collectie" in neither.get_data(as_text=True)
    with runtime.sessions() as s:
        made = s.scalar(select(Collection).where(Collection.slug == "nieuwe-brieven"))
        assert made is not None and made.unit.slug == "ua"


@pytest.mark.redis
def test_with_redis_the_files_are_rq_jobs_and_lost_jobs_are_offered_for_resuming(
    settings: Settings, tmp_path: Path
) -> None:
    from web import create_app

    queue = f"test-upload-{uuid.uuid4().hex[:8]}"
    where = {"data_dir": settings.data_dir, "database_url": settings.database_url}
    rq_settings = Settings.load({**where, "redis_url": REDIS_URL, "queue_name": queue}, environ={})
    runtime = Runtime.open(rq_settings)
    try:
        add_user(runtime, "beheer", "administrator")
        app = create_app(runtime=runtime)
        client = app.test_client()
        sign_in(client, "beheer")
        response = client.post(
            "/archivist/upload", data=_form(client, "wachtrij", _scans(tmp_path, 3)), content_type="multipart/form-data"
        )
        assert response.status_code == 303
        url = response.headers["Location"]
        queued = client.get(url + ".json").get_json()["progress"]
        assert queued["remaining"] == 3 and queued["stalled"] is False  # its jobs wait for a worker
        assert runtime.jobs.queue.count == 3
        runtime.jobs.queue.empty()  # as a Redis restarted without its data would lose them
        lost = client.get(url + ".json").get_json()["progress"]
        assert lost["remaining"] == 3 and lost["stalled"] is True
        resumed = client.post(url + "/resume", data={"csrf_token": csrf_token(client)})
        assert resumed.status_code == 303
        assert client.get(url + ".json").get_json()["progress"]["stalled"] is False
        worker = subprocess.run(
            [sys.executable, "-m", "heritage", "worker", "--burst"],
            env={**os.environ, **rq_settings.as_env()},
            capture_output=True,
            text=True,
            timeout=LIMIT,
        )
        assert worker.returncode == 0, worker.stderr
        report = wait_for_batch(client, url)
        assert report["counts"] == {"stored": 3, "already_ingested": 0, "failed": 0}
    finally:
        runtime.jobs.queue.delete(delete_jobs=True)
        runtime.close()
