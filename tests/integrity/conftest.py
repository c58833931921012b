"""Seeds and sites for the kill tests.

HERITAGE_KILL_ROUNDS=N runs N seeded cases of every scenario instead of the default few;
HERITAGE_KILL_SEED=S[,S...] runs exactly those seeds (a failing case prints its seed and this line);
HERITAGE_KILL_OCR=1 runs every scenario with OCR on (the scenarios `[ocr]` have it on anyway).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, fresh_database_url
from tests.integrity.harness import Site


def seeds(default: int) -> list[int]:
    """The seeds a scenario runs: HERITAGE_KILL_SEED, else the first HERITAGE_KILL_ROUNDS (or `default`)."""
    chosen = os.environ.get("HERITAGE_KILL_SEED")
    if chosen:
        return [int(s) for s in chosen.split(",") if s.strip()]
    return list(range(1, int(os.environ.get("HERITAGE_KILL_ROUNDS") or default) + 1))


def with_ocr(asked: bool | None = None) -> bool:
    """Whether a site reads text: as the scenario asks, else HERITAGE_KILL_OCR=1 (every scenario with OCR on;
    a batch without delivered text is then read by Tesseract, which takes a while)."""
    return bool(os.environ.get("HERITAGE_KILL_OCR")) if asked is None else asked


SiteFactory = Callable[..., Site]


@pytest.fixture
def make_site(tmp_path: Path) -> Iterator[SiteFactory]:
    """Sites of this test, each with a database of its own (SQLite, or a fresh PostgreSQL schema)."""
    with ExitStack() as stack:
        made: list[Site] = []

        def make(name: str, *, replica: bool = False, redis: bool = False, ocr: bool | None = None) -> Site:
            folder = tmp_path / name
            (folder / "data").mkdir(parents=True)
            url = stack.enter_context(fresh_database_url(folder))
            queue = f"kill-{uuid.uuid4().hex[:8]}" if redis else None
            redis_url = REDIS_URL if redis else None
            site = Site(folder, url, replica=replica, redis_url=redis_url, queue=queue, ocr=with_ocr(ocr))
            made.append(site)
            return site

        try:
            yield make
        finally:
            for site in made:
                site.close()
                if site.queue:
                    _drop_queue(site.queue)


def _drop_queue(name: str) -> None:
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(REDIS_URL)
    Queue(name, connection=connection).delete(delete_jobs=True)


def needs_postgres() -> None:
    if not POSTGRES_URL:
        pytest.skip("the scale-out set-up (rq workers) runs on PostgreSQL: set HERITAGE_TEST_DATABASE_URL")
