"""Researchers using the search page, for `bench/search.py` (run by it through locust, not on its own).

Each simulated researcher reads a page for one to five seconds (locust's `between(1, 5)`) before the next
search, and speaks Dutch or English. What they ask follows Zipf's law over a pool of a few hundred
searches (common and rare words, phrases, date ranges, facet browsing, with a facet chosen or on page
two), as a catalogue's search log does: a few searches often, most of them once. The pool comes from
`bench/search.py` through the file named by `SEARCH_BENCH_PATHS`.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, between, task

PATHS: list[str] = json.loads(Path(os.environ["SEARCH_BENCH_PATHS"]).read_text(encoding="utf-8"))
WEIGHTS = [1 / rank for rank in range(1, len(PATHS) + 1)]


class Researcher(HttpUser):
    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.language = random.choice(("nl", "en"))

    @task
    def search(self) -> None:
        path = random.choices(PATHS, WEIGHTS)[0]
        self.client.get(path, name="/search", headers={"Accept-Language": self.language})
