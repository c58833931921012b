"""The search page's CPU time per request without the page cache, split into the search, the template
and the rest of the web layer (the view's links, labels and hits, Flask), in one interpreter. CPU time,
not wall time: the figures hold on a machine that is busy with other work.

    PYTHONPATH=. .venv/bin/python bench/search_page_profile.py /tmp/hb/search-20000 --rounds 3
    ... --save /tmp/pages-before        # keep each page's HTML (Dutch and English)
    ... --compare /tmp/pages-before     # and say which pages now differ from those
    ... --profile 25                    # the 25 costliest functions, by own and by cumulative time

The index is one `bench/search.py --build-only` made; an empty catalogue database is created beside it.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LANGUAGES = ("nl", "en")


def make_app(data: Path) -> Any:
    from heritage.runtime import Runtime
    from heritage.settings import Settings

    environ = {"HERITAGE_DATA": str(data), "REDIS_URL": "", "HERITAGE_SEARCH_PAGE_CACHE": "0"}
    Runtime.open(Settings.load({"data_dir": data}, environ={})).close()  # an empty catalogue database beside
    os.environ.update(environ)
    from web.app import create_app

    return create_app()


class Timer:
    """Wraps a function (the index's search, the view's render_template) to add up the CPU time it takes."""

    def __init__(self, inner: Any) -> None:
        self.seconds = 0.0
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.seconds += time.thread_time() - started


def page_name(path: str, lang: str) -> str:
    return f"{hashlib.sha1(path.encode()).hexdigest()[:12]}-{lang}.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="a data directory with an index (bench/search.py --build-only)")
    parser.add_argument("--rounds", type=int, default=3, help="times every page is asked (the first is a warm-up)")
    parser.add_argument("--save", type=Path, help="write each page's HTML here")
    parser.add_argument("--compare", type=Path, help="compare each page's HTML with what --save wrote there")
    parser.add_argument("--profile", type=int, default=0, help="print this many functions by own time")
    args = parser.parse_args()

    from bench.search import page_paths

    app = make_app(args.data)
    import web.catalogue

    index = app.extensions["heritage"].index
    timer = index.search = Timer(index.search)
    render = web.catalogue.render_template = Timer(web.catalogue.render_template)  # type: ignore[assignment]
    client = app.test_client()
    paths = page_paths()
    requests = [(p, lang) for p in paths for lang in LANGUAGES]

    pages: dict[tuple[str, str], bytes] = {}
    for path, lang in requests:  # the warm-up: facet columns read, templates compiled
        response = client.get(path, headers={"Accept-Language": lang})
        assert response.status_code == 200, (path, response.status_code)
        pages[(path, lang)] = response.data

    totals: list[float] = []
    searches: list[float] = []
    renders: list[float] = []
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(max(1, args.rounds - 1)):
        for path, lang in requests:
            timer.seconds = render.seconds = 0.0
            if profiler:
                profiler.enable()
            started = time.thread_time()  # CPU time: what the page costs, less what other processes take
            response = client.get(path, headers={"Accept-Language": lang})
            elapsed = time.thread_time() - started
            if profiler:
                profiler.disable()
            assert response.data == pages[(path, lang)], f"{path} ({lang}) differs between two requests"
            totals.append(elapsed)
            searches.append(timer.seconds)
            renders.append(render.seconds)
    rest = [t - s for t, s in zip(totals, searches, strict=True)]

    def ms(values: list[float]) -> str:
        return f"mean {1000 * statistics.fmean(values):6.1f} ms  median {1000 * statistics.median(values):6.1f} ms"

    print(f"{len(paths)} paths x {len(LANGUAGES)} languages x {len(totals) // len(requests)} rounds (CPU time)")
    print(f"  page total   {ms(totals)}")
    print(f"  search       {ms(searches)}")
    print(f"  web (rest)   {ms(rest)}")
    print(f"  of which the template {ms(renders)}")
    print(f"  load average {os.getloadavg()[0]:.2f}")

    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        for (path, lang), body in pages.items():
            (args.save / page_name(path, lang)).write_bytes(body)
        (args.save / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
        print(f"  {len(pages)} pages written to {args.save}")
    if args.compare:
        differ = [
            (path, lang)
            for (path, lang), body in pages.items()
            if (args.compare / page_name(path, lang)).read_bytes() != body
        ]
        print(f"  {len(pages) - len(differ)} of {len(pages)} pages byte-identical with {args.compare}")
        for path, lang in differ:
            print(f"    differs: {path} ({lang}) -> {page_name(path, lang)}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
