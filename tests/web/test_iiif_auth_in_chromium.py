"""The IIIF Authorization Flow 2.0 end to end in Debian Chromium: a partner's page on another origin frames
/embed/<id> of a restricted item; the public and a reader without approval get the probe's 401 and its
message; an approved reader signs in through the access service's window and sees the tiles, loaded with
the access token; signing out through the logout service withdraws access (the token stops working)."""

from __future__ import annotations

import http.server
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.access_changes import decide
from heritage.cli import main
from heritage.models import File, Item
from heritage.runtime import Runtime
from tests.conftest import required_tool
from tests.helpers import PASSWORD, access_batch, add_user
from tests.iiif.live_server import free_port, live_server
from tests.web.chromium import CHROMIUM, MISSING

pytestmark = [pytest.mark.db, pytest.mark.slow]


@pytest.fixture
def served(
    cli_env: dict[str, str], runtime: Runtime, tmp_path: Path, viewer_assets_dir: Path
) -> Iterator[dict[str, str]]:
    """Our server with the leak catalogue (`lezer2` approved for the restricted item, `lezer` not), and a
    partner's page on another origin that frames the item's embed page."""
    required_tool(CHROMIUM, MISSING)
    result = CliRunner(env=cli_env).invoke(
        main, ["ingest", str(access_batch(tmp_path / "b")), "--collection", "lek", "--unit", "archief"]
    )
    assert result.exit_code == 0, result.output
    with runtime.sessions() as s:
        item = s.scalar(select(Item.id).where(Item.local_id == "LEK.2"))  # restricted
        image = s.scalar(select(File.id).where(File.item_id == item))
    add_user(runtime, "lezer", "reader")
    add_user(runtime, "lezer2", "reader")
    add_user(runtime, "ua", "archivist", "archief")
    with runtime.transaction() as s:
        decide(s, "lezer2", item, True, agent="ua")
    env = {**cli_env, "HERITAGE_ASSETS": str(viewer_assets_dir)}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]  # the server runs the code under test
    with live_server(env, tmp_path / "server.log", timeout=120) as base:  # a loaded machine starts it slowly
        frame = f'<iframe src="{base}/embed/{item}?lang=en" width="900" height="600"></iframe>'
        page = f"<!doctype html><title>Partner</title>{frame}"

        class Partner(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        partner = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Partner)
        threading.Thread(target=partner.serve_forever, daemon=True).start()
        try:
            yield {"base": base, "partner": f"http://127.0.0.1:{partner.server_port}/", "item": item, "image": image}
        finally:
            partner.shutdown()
            partner.server_close()


def _embed_frame(page: Any) -> Any:
    page.wait_for_function("() => document.querySelector('iframe') !== null")
    for _ in range(100):
        frame = next((f for f in page.frames if "/embed/" in f.url), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(100)
    raise AssertionError("the partner's page holds no embed frame")


def _message(frame: Any) -> str:
    frame.wait_for_selector(".iiif-auth:not([hidden]) .iiif-auth-heading", timeout=30000)
    return str(frame.inner_text(".iiif-auth"))


def _sign_in_in_window(page: Any, frame: Any, username: str) -> None:
    with page.expect_popup() as popup_info:
        frame.click(".iiif-auth button")
    popup = popup_info.value
    popup.wait_for_selector("#username")
    assert "127.0.0.1" in popup.inner_text("main")  # the window names the site that asks
    popup.fill("#username", username)
    popup.fill("#password", PASSWORD)
    with popup.expect_event("close", timeout=30000):
        popup.click("form.login button[type=submit]")


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_flow_in_a_partners_page(served: dict[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, image = served["base"], served["image"]
    tiles: list[tuple[str, int, str | None]] = []

    def seen(response: Any) -> None:
        if f"/iiif/image/3/{image}/" in response.url and not response.url.endswith("/info.json"):
            tiles.append((response.url, response.status, response.request.headers.get("authorization")))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            # the public: the probe's 401 and how to get access, no tiles
            public = browser.new_context().new_page()
            public.on("response", seen)
            public.goto(served["partner"])
            frame = _embed_frame(public)
            text = _message(frame)
            assert "Access on request" in text and f"/items/{served['item']}" in text, text
            assert frame.is_visible(".iiif-auth button")
            assert not [t for t in tiles if t[1] == 200]

            # a reader without approval signs in: a token, but the probe still says 401
            reader = browser.new_context().new_page()
            reader.goto(served["partner"])
            frame = _embed_frame(reader)
            _message(frame)
            _sign_in_in_window(reader, frame, "lezer")
            reader.wait_for_timeout(1500)
            assert "Access on request" in _message(frame)
            assert not [t for t in tiles if t[1] == 200]

            # the approved reader signs in through the access service's window and sees the tiles
            approved = browser.new_context().new_page()
            approved.on("response", seen)
            approved.goto(served["partner"])
            frame = _embed_frame(approved)
            _message(frame)
            _sign_in_in_window(approved, frame, "lezer2")
            frame.wait_for_function(
                "() => window.heritageViewer && heritageViewer.world.getItemCount() > 0"
                " && heritageViewer.world.getItemAt(0).getFullyLoaded()",
                timeout=30000,
            )
            approved.screenshot(path=str(tmp_path / "approved.png"))
            loaded = [t for t in tiles if t[1] == 200]
            assert loaded, tiles
            token = (loaded[0][2] or "").removeprefix("Bearer ")
            assert token.startswith("hia_"), loaded[0]  # the tiles came with the access token
            drawn = frame.evaluate(
                "(() => { const c = document.querySelector('.deepzoom canvas');"
                " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                " const seen = new Set(); for (let i = 0; i < d.length; i += 4000) seen.add(d[i] + ',' + d[i+1]);"
                " return seen.size; })()"
            )
            assert drawn > 8  # the image was drawn, not a blank
            tile_url = loaded[0][0]
            assert _status(tile_url, token) == 200

            # signing out through the logout service withdraws access
            with approved.expect_popup() as popup_info:
                frame.click(".iiif-auth button")
            popup = popup_info.value
            popup.wait_for_selector("main form button[type=submit]")
            with popup.expect_event("close", timeout=30000):
                popup.click("main form button[type=submit]")
            assert "Access on request" in _message(frame)
            assert frame.evaluate("document.querySelector('.deepzoom').hidden")
            assert _status(tile_url, token) == 401
            assert re.search(
                r'"status": ?401',
                urllib.request.urlopen(
                    urllib.request.Request(
                        f"{base}/iiif/auth/2/probe/{image}", headers={"Authorization": f"Bearer {token}"}
                    ),
                    timeout=10,
                )
                .read()
                .decode(),
            )
        finally:
            browser.close()
