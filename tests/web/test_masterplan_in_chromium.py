"""The masterplan dashboard in Debian Chromium with JavaScript switched off: every plot is drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage.runtime import Runtime
from tests.conftest import required_tool
from tests.iiif.live_server import live_server

pytestmark = pytest.mark.slow
CHROMIUM = Path("/usr/bin/chromium")


def test_every_plot_is_drawn_without_javascript(demo_runtime: Runtime, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    required_tool(CHROMIUM, "Debian chromium (.ci/run installs it)")
    env = {**demo_runtime.settings.as_env(), "REDIS_URL": ""}
    with live_server(env, tmp_path / "server.log") as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900}).new_page()
            response = page.goto(f"{base}/masterplan")
            assert response is not None and response.status == 200
            charts = page.locator("svg.chart")
            assert charts.count() == 7
            for n in range(charts.count()):
                chart = charts.nth(n)
                box = chart.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 40
                assert chart.locator("rect").count() > 1  # a legend and at least one bar
                assert chart.get_attribute("role") == "img" and chart.locator("desc").text_content()
            page.screenshot(path=str(tmp_path / "masterplan.png"), full_page=True)
        finally:
            browser.close()
