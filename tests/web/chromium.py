"""What the browser tests share: Debian's Chromium (never a downloaded one) and what a keyboard user does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
MISSING = "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"


def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until `selector` has the focus, as a keyboard user would (fails when it never gets it)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the keyboard never reaches {selector}")


def fits(page: Any, what: str) -> None:
    """Fails when the page is wider than the screen (a phone user would scroll sideways)."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{what} is wider than the screen: {width}"
