"""What the browser tests share: Debian's Chromium (never a downloaded one) and what a keyboard user does."""

from __future__ import annotations

from collections.abc import Iterator
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
    if width[0] > width[1]:
        wide = page.evaluate(
            """w => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .filter(e => !(e.parentElement && e.parentElement.closest('table.data, .table-scroll, figure')))
                .slice(0, 5)
                .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)""",
            width[1],
        )
        raise AssertionError(f"{what} is wider than the screen: {width}; the first too wide: {wide}")


def sign_in(page: Any, base: str, username: str, password: str, target: str, lang: str) -> None:
    """Sign in on the login page by keyboard and land on `target` (a path), as a person would."""
    import re

    page.goto(f"{base}/login?next={target}&lang={lang}")
    tab_to(page, "#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^[^?]*" + re.escape(target) + r"(\?.*)?$"))


def follow(page: Any, selector: str) -> None:
    """Tab to a link or button and press Enter; wait for the page it leads to."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def serve_loan_world(tmp_path_factory: Any, name: str) -> Iterator[tuple[str, Any, Any]]:
    """`heritage serve` on the loans' world (`tests.heritage.museum.builders.world`) with a registrar: the base URL,
    the runtime the test holds too, and the world; for a module fixture to `yield from`."""
    import os

    import pytest

    from heritage.runtime import Runtime
    from heritage.settings import Settings
    from tests.helpers import add_user
    from tests.heritage.museum.builders import world
    from tests.iiif.live_server import live_server

    if not CHROMIUM.exists():
        pytest.skip(MISSING)
    settings = Settings.load({"data_dir": tmp_path_factory.mktemp(name) / "data"}, environ={})
    runtime = Runtime.open(settings)
    with runtime.transaction() as session:
        made = world(session)
    add_user(runtime, "registrar", "collection_manager", "central-archive")
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    try:
        with live_server(env, tmp_path_factory.mktemp("serve") / "server.log") as base:
            yield base, runtime, made
    finally:
        runtime.close()
