"""A result line's snippet from a long book: the stored pages read whole, or only the page the positions name.

    .venv/bin/python bench/fulltext_snippets.py [--pages 500] [--words 300] [--rounds 30]

A book of `--pages` pages of `--words` generated words, one rare word on its middle page. Times `text_hits`
for that page (as a search result line makes it once the index positions have named the page) on the value
stored in the first format (every page in one compressed JSON list) and in the current one (each page
compressed on its own, `heritage.search.fulltext.pack`), and reports both sizes.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heritage.search import fulltext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(1)
    vocabulary = [f"w{i}" for i in range(20_000)]
    pages = [(n, " ".join(rng.choice(vocabulary) for _ in range(args.words))) for n in range(1, args.pages + 1)]
    middle = args.pages // 2
    pages[middle - 1] = (middle, pages[middle - 1][1] + " Vandermeulen")
    first_format = zlib.compress(json.dumps([[n, t] for n, t in pages], ensure_ascii=False).encode("utf-8"), 6)
    words = {"folded": {"vandermeulen"}, "nl": set(), "en": set()}
    print(f"{platform.node()} {platform.machine()}, {args.pages} pages x {args.words} words, snippet of page {middle}")
    for name, value in (
        ("one compressed list (before)", first_format),
        ("each page compressed (now)", fulltext.pack(pages)),
    ):
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            hits = fulltext.text_hits(value, words, 120, candidates={middle})
            times.append(time.perf_counter() - start)
        assert hits and hits[0]["page"] == middle
        print(f"{name:<30} stored {len(value) / 1e3:8.1f} kB   median {statistics.median(times) * 1e3:7.2f} ms")


if __name__ == "__main__":
    main()
