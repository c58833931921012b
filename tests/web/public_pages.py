"""The public pages issue 18 checks on a phone and with axe-core, on the demo catalogue: home, search with
facets and results, a record of each domain, a fonds tree, the embed page and the masterplan."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.iiif.live_server import live_server

LOCALES = {"nl": "nl-BE", "en": "en-GB"}


def _first(base: str, query: str) -> str:
    with urllib.request.urlopen(f"{base}/api/items?{query}&per_page=1", timeout=10) as response:
        return str(json.load(response)["items"][0]["id"])


@contextmanager
def serve_demo(runtime: Any, assets: Path, log: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`heritage serve` on the demo catalogue with the viewer assets; yield its URL and the pages by name."""
    env = {**os.environ, **runtime.settings.as_env(), "REDIS_URL": "", "HERITAGE_ASSETS": str(assets)}
    with live_server(env, log) as base:
        records = {d: _first(base, f"domain={d}&has_images=yes") for d in ("archive", "library", "science", "museum")}
        pages = {
            "home": "/",
            "search": "/search?q=leuven",
            **{f"record ({domain})": f"/items/{item}" for domain, item in records.items()},
            "tree": f"/browse/{_first(base, 'level=fonds&collection=rectoraat')}",
            "embed": f"/embed/{records['library']}",  # a book: several pages, the viewer's page strip
            "masterplan": "/masterplan",
            "exhibition": "/exhibitions/vesalius-fabrica",  # a story of the demo (issue 20)
        }
        yield base, pages


def visit(page: Any, base: str, path: str, lang: str) -> None:
    """Open a page in `lang` and wait until its deep-zoom viewer, if any, has drawn its first image."""
    response = page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    if page.locator(".deepzoom").count():
        page.wait_for_function(
            "() => window.heritageViewer && heritageViewer.world.getItemCount() > 0"
            " && heritageViewer.world.getItemAt(0).getFullyLoaded()",
            timeout=30000,
        )


def unfold(page: Any) -> None:
    """Open every disclosure (facets, the masterplan's tables, the tree's nodes) and wait for what they load."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_function(
        "() => !document.querySelector('details.node[open]:not([data-loaded]), [aria-busy=true]')", timeout=15000
    )
