"""The production entry point: gunicorn with web.gunicorn_conf serves web.wsgi:app from forked, warmed workers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.cli import main
from tests.helpers import make_image
from tests.iiif.live_server import free_port

pytestmark = pytest.mark.db


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_gunicorn_serves_the_catalogue_and_tiles(cli_env: dict[str, str], tmp_path: Path) -> None:
    make_image(tmp_path / "batch" / "plate" / "p1.jpg", (1200, 800), seed=3)
    result = CliRunner(env=cli_env).invoke(main, ["ingest", str(tmp_path / "batch"), "--collection", "plates"])
    assert result.exit_code == 0, result.output
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [gunicorn, "--config", "python:web.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log),
         "web.wsgi:app"],
        env=cli_env, cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                status, _, body = _get(f"{base}/api/items?collection=plates")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)
        item = json.loads(body)["items"][0]
        service = json.loads(_get(item["api"])[2])["files"][0]["iiif"]
        status, headers, _ = _get(f"{service}/info.json")
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
        for _ in range(4):  # both workers, first through Flask then through the fast path
            status, headers, body = _get(f"{service}/256,256,256,256/256,/0/default.jpg")
            assert status == 200 and headers["Content-Type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
            assert headers["Access-Control-Allow-Origin"] == "*" and 'rel="canonical"' in headers["Link"]
    finally:
        server.terminate()
        server.wait(20)
    assert "Booting worker" in log.read_text()
