"""axe-core finds no serious or critical accessibility violation on the public pages (issue 18), in Debian's
Chromium, in Dutch and English, on a desktop (1366 px) and a phone (390 px), with every disclosure open (the
search page's facets, the masterplan's tables, the tree's first level): contrast, names of links and fields,
landmarks, ids, language, and regions that scroll but a keyboard could not reach."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.axe import axe_script, violations
from tests.web.public_pages import LOCALES, serve_demo, unfold, visit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def axe_file() -> Path:
    """axe-core, looked for before the demo catalogue is built: without it the tests skip (or fail in CI)."""
    return axe_script()


@pytest.fixture(scope="module")
def served(
    axe_file: Path, demo_runtime: Any, viewer_assets_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    with serve_demo(demo_runtime, viewer_assets_dir, tmp_path_factory.mktemp("serve") / "server.log") as served:
        yield served


@pytest.mark.parametrize(("lang", "width"), [("nl", 1366), ("en", 1366), ("nl", 390), ("en", 390)])
def test_no_serious_or_critical_violation_on_a_public_page(
    browser: Any, served: tuple[str, dict[str, str]], lang: str, width: int
) -> None:
    base, pages = served
    # bypass_csp: axe-core goes in as an inline script, which the pages' Content-Security-Policy refuses
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=LOCALES[lang], bypass_csp=True)
    page = context.new_page()
    found: list[str] = []
    try:
        for name, path in pages.items():
            visit(page, base, path, lang)
            unfold(page)
            found += [f"{name} ({path}): {v}" for v in violations(page)]
    finally:
        context.close()
    assert not found, (
        f"axe-core ({lang}, {width} px) finds {len(found)} serious or critical violation(s):\n" + "\n".join(found)
    )
