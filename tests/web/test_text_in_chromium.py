"""Full text in Debian's Chromium: Mirador 4 (from `heritage assets install`) on another origin finds a word on
page 2 of a register through the manifest's search service, lists the hit and highlights it; the record page
opened as a full-text hit links it (`?page=2&highlight=...`) shows page 2 with the words marked and tells
screen readers how many places are marked, in Dutch and English."""

from __future__ import annotations

import http.server
import io
import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from heritage.cli import main
from heritage.settings import Settings
from tests.iiif.live_server import free_port, live_server
from tests.iiif.text_pages import PAGE_2, text_batch, word_box

pytestmark = [pytest.mark.db, pytest.mark.slow]
MIRADOR_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Mirador</title>
<link rel="icon" href="data:,"></head><body style="margin:0">
<div id="m" style="position:absolute;inset:0"></div>
<script src="/mirador.min.js"></script>
<script>
window.mirador = Mirador.viewer({ id: "m", windows: [{ manifestId: MANIFEST, sideBarOpen: true }],
  workspaceControlPanel: { enabled: false } });
</script></body></html>"""


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The shipped OCR rules: the register's pages are read, from the ALTO delivered with them."""
    return Settings.load({"data_dir": tmp_path / "data", "database_url": database_url}, environ={})


@pytest.fixture
def served(settings: Settings, cli_env: dict[str, str], tmp_path: Path, viewer_assets_dir: Path) -> Iterator[Any]:
    result = CliRunner(env=cli_env).invoke(main, ["ingest", str(text_batch(tmp_path / "batch")), "--collection", "reg"])
    assert result.exit_code == 0, result.output
    env = {**os.environ, **cli_env, "HERITAGE_ASSETS": str(viewer_assets_dir)}
    with live_server(env, tmp_path / "server.log") as base:
        with urllib.request.urlopen(f"{base}/api/items?collection=reg", timeout=10) as response:
            item = json.load(response)["items"][0]
        yield base, item


@pytest.fixture
def mirador_origin(served: Any, viewer_assets_dir: Path) -> Iterator[str]:
    """A page on another origin than the server (CORS exercised) that opens the register in Mirador."""
    _base, item = served
    page = MIRADOR_PAGE.replace("MANIFEST", json.dumps(item["manifest"])).encode()
    bundle = (viewer_assets_dir / "node_modules" / "mirador" / "dist" / "mirador.min.js").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, kind = (bundle, "text/javascript") if self.path == "/mirador.min.js" else (page, "text/html")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _yellowness(page: Any, box: tuple[int, int, int, int]) -> float:
    """How much yellower than blue the screen is over a region of Mirador's image (canvas coordinates)."""
    from PIL import Image, ImageStat

    clip = page.evaluate(
        """([x, y, w, h]) => {
            const refs = Mirador.OSDReferences.refs || {};
            let v = null;
            for (const k in refs) { const r = refs[k]; const c = r && (r.current || r); if (c && c.world) { v = c; } }
            const r = v.viewport.viewportToViewerElementRectangle(
                v.world.getItemAt(0).imageToViewportRectangle(x, y, w, h));
            const e = v.element.getBoundingClientRect();
            return {x: e.left + r.x + 2, y: e.top + r.y + 2, width: r.width - 4, height: r.height - 4};
        }""",
        list(box),
    )
    shot = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("RGB")
    red, green, blue = ImageStat.Stat(shot).mean
    return (red + green) / 2 - blue


def test_mirador_searches_the_register_and_highlights_the_hit(
    served: Any, mirador_origin: str, browser: Any, tmp_path: Path
) -> None:
    base, item = served
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        page.goto(mirador_origin)
        search_button = page.get_by_role("tab", name="Search")
        search_button.click(timeout=30000)  # the search panel is offered: the manifest has a search service
        box = page.get_by_label("search terms")
        box.fill("jansen")
        box.press("Enter")
        hit = page.locator("li", has_text="Jansen").first
        hit.wait_for(timeout=30000)
        hit.click()
        canvas_p2 = f"{base}/iiif/presentation/3/{item['id']}/canvas/p2"
        state = page.wait_for_function(
            """canvas => {
                const s = window.mirador.store.getState();
                const w = Object.values(s.windows)[0];
                const found = Object.values(s.searches[w.id] || {})[0];
                if (!found || !found.selectedContentSearchAnnotationIds || w.canvasId !== canvas) return null;
                const data = Object.values(found.data)[0].json;
                const chosen = data.resources.filter(r => found.selectedContentSearchAnnotationIds.includes(r['@id']));
                return chosen.length ? chosen.map(r => r.on) : null;
            }""",
            arg=canvas_p2,
            timeout=30000,
        ).json_value()
        x, y, w, h = word_box(PAGE_2, "Jansen")
        assert state == [f"{canvas_p2}#xywh={x},{y},{w},{h}"]  # the hit on page 2, selected and highlighted
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "mirador-search.png"))
        # Mirador draws the selected hit in its highlight colour over the word, and not elsewhere
        assert _yellowness(page, (x, y, w, h)) > _yellowness(page, (x, y + 400, w, h)) + 20
        assert not failed, failed
    finally:
        page.close()


@pytest.mark.parametrize(
    ("lang", "highlight", "told"),
    [("en", "Jansen", "1 place marked"), ("nl", "van+de", "2 plaatsen gemarkeerd")],
)
def test_the_record_page_opens_the_hit_page_with_the_words_marked(
    served: Any, browser: Any, lang: str, highlight: str, told: str
) -> None:
    base, item = served
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        page.goto(f"{base}/items/{item['id']}?page=2&highlight={highlight}&lang={lang}")
        page.wait_for_function(
            "() => window.heritageViewer && heritageViewer.world.getItemCount() === 1"
            " && heritageViewer.world.getItemAt(0).getFullyLoaded()",
            timeout=30000,
        )
        status = page.locator(".viewer-marks[role=status]")
        status.filter(has_text=told).wait_for(timeout=30000)
        assert page.locator(".page-number").inner_text().startswith("Pagina 2" if lang == "nl" else "Page 2")
        marks = page.locator(".text-mark")
        word = highlight.split("+")[0]
        x, y, w, h = word_box(PAGE_2, word)
        expected = page.evaluate(
            """([x, y, w, h]) => {
                const item = heritageViewer.world.getItemAt(0);
                const a = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
                const b = item.imageToViewerElementCoordinates(new OpenSeadragon.Point(x + w, y + h));
                const r = heritageViewer.element.getBoundingClientRect();
                return [r.left + a.x, r.top + a.y, b.x - a.x, b.y - a.y];
            }""",
            [x, y, w, h],
        )
        got = marks.first.bounding_box()
        assert got is not None
        assert abs(got["x"] - expected[0]) < 3 and abs(got["y"] - expected[1]) < 3
        assert abs(got["width"] - expected[2]) < 3 and abs(got["height"] - expected[3]) < 3
        assert marks.count() == (1 if word == "Jansen" else 2)
    finally:
        page.close()


def test_an_invalid_page_opens_page_one(served: Any, browser: Any) -> None:
    base, item = served
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    try:
        for asked in ("9", "0", "x"):
            page.goto(f"{base}/items/{item['id']}?page={asked}&highlight=leuven&lang=en")
            page.locator(".viewer-marks", has_text="1 place marked").wait_for(timeout=30000)
            assert page.locator(".page-number").inner_text().startswith("Page 1")
    finally:
        page.close()
