"""The Content-Security-Policy in a real browser (Debian's Chromium): every kind of page runs with no violation,
the viewers (OpenSeadragon, Mirador) still draw tiles under it, and a partner site on another origin may
frame the embed page but not a record page."""

from __future__ import annotations

import http.server
import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.iiif.live_server import live_server
from tests.web.chromium import CHROMIUM, MISSING

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(demo_runtime: Any, viewer_assets_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """`heritage serve` on the demo catalogue with the viewer assets; the ids of an imaged item and a fonds."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    env = {**os.environ, **demo_runtime.settings.as_env(), "REDIS_URL": "", "HERITAGE_ASSETS": str(viewer_assets_dir)}
    with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
        with urllib.request.urlopen(f"{base}/api/items?has_images=yes&per_page=1", timeout=10) as response:
            item = json.load(response)["items"][0]["id"]
        with urllib.request.urlopen(f"{base}/api/items?level=fonds&per_page=1", timeout=10) as response:
            fonds = json.load(response)["items"][0]["id"]
        yield base, item, fonds


@pytest.fixture
def tab(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A page and the Content-Security-Policy complaints Chromium logs on its console."""
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield page, violations
    context.close()


def test_every_kind_of_page_runs_without_a_violation(served, tab) -> None:  # type: ignore[no-untyped-def]
    base, item, fonds = served
    page, violations = tab
    for url in ("/", "/search?q=reglement", f"/browse/{fonds}", "/masterplan", "/archivist/upload"):
        page.goto(base + url, wait_until="networkidle")
    page.goto(f"{base}/browse/{fonds}")
    page.locator("details.node summary").first.click()  # tree.js loads the children in place
    page.wait_for_function("() => document.querySelector('details.node[data-loaded] .children-box li')")
    for url in (f"/items/{item}", f"/embed/{item}"):
        page.goto(base + url)
        page.wait_for_function(
            "() => window.heritageViewer && heritageViewer.world.getItemCount() > 0"
            " && heritageViewer.world.getItemAt(0).getFullyLoaded()",
            timeout=30000,
        )
    assert violations == []


def test_mirador_draws_tiles_on_the_embed_page_under_the_policy(served, tab) -> None:  # type: ignore[no-untyped-def]
    base, item, _ = served
    page, violations = tab
    tiles: list[str] = []
    page.on("response", lambda r: tiles.append(r.url) if "/iiif/image/3/" in r.url and r.ok else None)
    page.goto(f"{base}/embed/{item}?viewer=mirador")
    page.wait_for_function("() => document.querySelector('#mirador canvas')", timeout=30000)
    page.wait_for_timeout(3000)
    assert any(url.endswith("/default.jpg") for url in tiles), tiles
    assert violations == []


def test_a_partner_site_frames_the_embed_page_but_not_a_record_page(served, tab) -> None:  # type: ignore[no-untyped-def]
    base, item, _ = served
    page, violations = tab
    frames = f'<iframe src="{base}/embed/{item}"></iframe><iframe src="{base}/items/{item}"></iframe>'.encode()

    class Partner(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(frames)

        def log_message(self, *args: Any) -> None:
            pass

    partner = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://localhost:{partner.server_address[1]}/")  # another origin than 127.0.0.1:<port>
        page.wait_for_timeout(2000)
        loaded = {frame.url for frame in page.frames[1:] if frame.url.startswith(base)}
    finally:
        partner.shutdown()
    assert loaded == {f"{base}/embed/{item}"}
    assert len(violations) == 1 and "frame-ancestors 'none'" in violations[0]
