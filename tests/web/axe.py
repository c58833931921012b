"""axe-core (Deque's accessibility rules, from npm) run in Chromium on a page: the browser tests fail on any
serious or critical violation and name each one (rule, element, what to fix).

tests/run installs one pinned release into its cache folder and points HERITAGE_TEST_AXE at `axe.min.js`;
without it the tests skip, or fail with HERITAGE_REQUIRE_SERVICES=1."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.conftest import required_tool

IMPACTS = ("serious", "critical")

# axe.run in the page; `exclude` holds CSS selectors of regions another part of the system answers for
RUN = """async ([exclude, impacts]) => {
  const context = exclude.length ? {include: [['html']], exclude: exclude.map(s => [s])} : document;
  const result = await axe.run(context, {resultTypes: ['violations']});
  return result.violations.filter(v => impacts.includes(v.impact)).flatMap(v => v.nodes.map(n =>
    `${v.id} (${v.impact}) at ${n.target.join(' ')}: ${v.help}. ${(n.failureSummary || '').replace(/\\s+/g, ' ')}`));
}"""


def axe_script() -> Path:
    """The axe-core script that tests/run installs (skip without it, or fail in CI)."""
    value = os.environ.get("HERITAGE_TEST_AXE")
    return required_tool(Path(value).absolute() if value else None, "axe-core (npm, HERITAGE_TEST_AXE)")


def violations(page: Any, exclude: Sequence[str] = ()) -> list[str]:
    """The serious and critical violations axe-core finds on the page as it is now, one line each.

    The page's browser context needs `bypass_csp=True`: add_script_tag writes an inline script, which our
    Content-Security-Policy (rightly) refuses."""
    page.add_script_tag(path=str(axe_script()))
    found: list[str] = page.evaluate(RUN, [list(exclude), list(IMPACTS)])
    return found


def assert_accessible(page: Any, what: str, exclude: Sequence[str] = ()) -> None:
    """Fail, listing every serious or critical violation axe-core finds on the page."""
    found = violations(page, exclude)
    assert not found, f"{what}: axe-core finds {len(found)} serious or critical violation(s):\n" + "\n".join(found)
