"""Real viewers in Debian Chromium: Mirador loads a manifest from our server and draws its tiles, and the
embed page's OpenSeadragon deep-zooms an item, both on another origin than the page (CORS exercised)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.cli import main
from tests.conftest import required_tool, shared_path
from tests.helpers import make_image
from tests.iiif.live_server import live_server

pytestmark = [pytest.mark.db, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def served_item(cli_env: dict[str, str], tmp_path: Path, viewer_assets_dir: Path):  # type: ignore[no-untyped-def]
    required_tool(CHROMIUM, "Debian chromium (.ci/run installs it)")
    make_image(tmp_path / "batch" / "plate" / "p1.jpg", (3000, 2000), seed=7)
    make_image(tmp_path / "batch" / "plate" / "p2.jpg", (2000, 3000), seed=8)
    result = CliRunner(env=cli_env).invoke(main, ["ingest", str(tmp_path / "batch"), "--collection", "plates"])
    assert result.exit_code == 0, result.output
    env = {**cli_env, "HERITAGE_ASSETS": str(viewer_assets_dir)}
    with live_server(env, tmp_path / "server.log") as base:
        with urllib.request.urlopen(f"{base}/api/items?collection=plates", timeout=10) as response:
            item = json.load(response)["items"][0]
        yield base, item


def test_mirador_draws_tiles_from_our_server(served_item, viewer_assets_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, item = served_item
    check = shared_path("tools", "viewer_check.py")
    report = tmp_path / "mirador.json"
    run = subprocess.run(
        [sys.executable, str(check), item["manifest"], "--viewer", "mirador", "--node-modules", str(viewer_assets_dir),
         "--min-region-tiles", "1", "--json", str(report), "--screenshot", str(tmp_path / "mirador.png")],
        capture_output=True, text=True, timeout=180, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    text = report.read_text(encoding="utf-8")
    assert f"{base}/iiif/image/3/" in text


def test_the_embed_page_deep_zooms_with_openseadragon(served_item, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    base, item = served_item
    tiles: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 600})
            page.on(
                "response",
                lambda r: (tiles if r.ok else failed).append(r.url) if "/iiif/image/3/" in r.url else None,
            )
            page.goto(f"{base}/embed/{item['id']}")
            page.wait_for_function(
                "() => window.heritageViewer && heritageViewer.world.getItemCount() > 0"
                " && heritageViewer.world.getItemAt(0).getFullyLoaded()",
                timeout=30000,
            )
            page.evaluate("heritageViewer.viewport.zoomTo(heritageViewer.viewport.getMaxZoom())")
            page.wait_for_function("() => heritageViewer.world.getItemAt(0).getFullyLoaded()", timeout=30000)
            page.screenshot(path=str(tmp_path / "embed.png"))
            drawn = page.evaluate(
                "(() => { const c = document.querySelector('.deepzoom canvas');"
                " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                " const seen = new Set(); for (let i = 0; i < d.length; i += 4000) seen.add(d[i] + ',' + d[i+1]);"
                " return seen.size; })()"
            )
        finally:
            browser.close()
    assert not failed, failed
    assert any(u.endswith("/info.json") for u in tiles)
    full_resolution = [u for u in tiles if "/0/default.jpg" in u and u.split("/")[-4][0].isdigit()]
    assert full_resolution, tiles  # x,y,w,h regions: real deep-zoom tiles
    assert drawn > 8  # many colours on the canvas: the image was drawn, not a blank
