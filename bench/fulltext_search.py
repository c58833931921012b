"""Full text beside the catalogue: does a million pages of text slow the other searches?

    .venv/bin/python bench/fulltext_search.py                                   # 1M records, 50,000 x 20 pages
    .venv/bin/python bench/fulltext_search.py --records 100000 --text-items 5000 --pages 20
    .venv/bin/python bench/fulltext_search.py --procs 2 --without /tmp/heritage-bench-search/search-1000000/index

Builds two indexes of the same generated catalogue (`bench/search.py`'s generator): one without full text,
one where `--text-items` of its items (archive registers and library books) carry `--pages` pages of text
each (lines of Zipf-distributed words from the same vocabulary, with people's names, 120-400 words a page,
like OCR of registers and minutes). Reports build time and index size of both, the p50/p95 of the
catalogue's typical searches on both side by side, and the p95 of full-text searches (`text:` a common word,
a rare word, a phrase; and a plain word that meets titles and pages alike).

Run it alone on the machine where possible (`flock /tmp/bench.lock ...`): two cores are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search import PUBLIC, Vocabulary, generate, percentile, query_sets  # noqa: E402

from heritage.search import SearchQuery  # noqa: E402
from heritage.search.whoosh_index import WhooshIndex  # noqa: E402


def page_text(rng: random.Random, v: Vocabulary) -> str:
    """One page: lines of 6-12 words, now and then a person's name, 120-400 words in all."""
    lines = []
    for _ in range(rng.randint(15, 40)):
        words = rng.choices(v.words, cum_weights=v.word_cw, k=rng.randint(6, 12))
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), rng.choices(v.people, cum_weights=v.people_cw, k=1)[0])
        lines.append(" ".join(words))
    return "\n".join(lines)


def with_pages(docs: Iterator[dict[str, Any]], every: int, pages: int, seed: int = 19) -> Iterator[dict[str, Any]]:
    """The documents, every `every`-th with `pages` pages of text (and `has_text` set)."""
    rng = random.Random(seed)
    v = Vocabulary(random.Random(6))
    for i, doc in enumerate(docs):
        text = every and i % every == 0
        doc["pages"] = [(n, page_text(rng, v)) for n in range(1, pages + 1)] if text else []
        doc["facets"]["has_text"] = ["yes" if text else "no"]
        doc["display"]["has_text"] = bool(text)
        yield doc


def text_queries(seed: int = 70) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    v = Vocabulary(random.Random(6))
    return {
        "text: common word": [{"q": f"text:{w}"} for w in v.words[:40]],
        "text: rare word": [{"q": f"text:{rng.choice(v.words[5_000:20_000])}"} for _ in range(40)],
        "text: phrase": [{"q": f'text:"{v.words[i]} {v.words[i + 1]}"'} for i in range(0, 80, 2)],
        "text: name": [{"q": f'text:"{rng.choice(v.people[:400])}"'} for _ in range(40)],
    }


def timed(
    indexes: dict[str, WhooshIndex], sets: dict[str, list[dict[str, Any]]], rounds: int = 2
) -> dict[str, dict[str, Any]]:
    """p50/p95 of each set of searches on each index, asked in turn (query by query, the order alternating),
    so that a shared machine's load weighs on both sides alike."""
    out: dict[str, dict[str, Any]] = {}
    names = list(indexes)
    for name, queries in sets.items():
        for spec in queries[:5]:  # warm the postings this set reads, as a server's cache would be
            for index in indexes.values():
                index.search(SearchQuery(access=PUBLIC, **spec))
        times: dict[str, list[float]] = {n: [] for n in names}
        totals: dict[str, list[int]] = {n: [] for n in names}
        for i, spec in enumerate(queries * rounds):
            for label in names if i % 2 == 0 else reversed(names):
                started = time.perf_counter()
                result = indexes[label].search(SearchQuery(access=PUBLIC, **spec))
                times[label].append((time.perf_counter() - started) * 1000)
                totals[label].append(result.total)
        out[name] = {
            label: {
                "p50_ms": round(percentile(times[label], 50), 1),
                "p95_ms": round(percentile(times[label], 95), 1),
                "median_hits": int(sorted(totals[label])[len(totals[label]) // 2]),
            }
            for label in names
        }
        line = "  ".join(
            f"{label}: p50 {f['p50_ms']:>6.1f} p95 {f['p95_ms']:>6.1f} ms ({f['median_hits']:,} hits)"
            for label, f in out[name].items()
        )
        print(f"    {name:<20} {line}  (load {os.getloadavg()[0]:.1f})", flush=True)
    return out


def size_mb(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def build(folder: Path, records: int, every: int, pages: int, procs: int = 1) -> tuple[WhooshIndex, dict[str, float]]:
    shutil.rmtree(folder, ignore_errors=True)
    index = WhooshIndex(folder)
    started = time.perf_counter()
    count = index.rebuild(with_pages(generate(records), every, pages), procs=procs)
    seconds = time.perf_counter() - started
    index.warm()
    figures = {"records": count, "build_s": round(seconds, 1), "size_mb": size_mb(folder)}
    print(f"  built {folder.name}: {figures}", flush=True)
    return index, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--text-items", type=int, default=50_000)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/heritage-bench-fulltext"))
    parser.add_argument("--reuse", action="store_true", help="time the indexes already built in --dir")
    parser.add_argument("--rounds", type=int, default=2, help="times each search is asked of each index")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--procs", type=int, default=1, help="processes writing each index (reindex --procs)")
    parser.add_argument(
        "--without",
        type=Path,
        help="compare with this index of the same --records, built by bench/search.py (its records are these "
        "without pages; it lacks only the 'full text' facet, one facet fewer to count), instead of building one",
    )
    args = parser.parse_args()
    every = max(1, args.records // args.text_items) if args.text_items else 0
    print(
        f"{platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"{args.records:,} records, {args.text_items:,} with {args.pages} pages of text "
        f"({args.text_items * args.pages:,} pages)",
        flush=True,
    )
    results: dict[str, Any] = {"records": args.records, "text_items": args.text_items, "pages": args.pages}
    indexes: dict[str, WhooshIndex] = {}
    for label, n_every in (("without", 0), ("with", every)):
        folder = args.without if label == "without" and args.without else args.dir / f"{label}-full-text"
        if (args.reuse or folder == args.without) and (folder / "CURRENT").exists():
            indexes[label] = WhooshIndex(folder)
            indexes[label].warm()
            results[label] = {"records": indexes[label].count(), "size_mb": size_mb(folder)}
            print(f"  reused {folder.name}: {results[label]}", flush=True)
        else:
            indexes[label], results[label] = build(folder, args.records, n_every, args.pages, args.procs)
    print("  catalogue searches, without and with full text:", flush=True)
    results["catalogue"] = timed(indexes, query_sets(), args.rounds)
    print("  full-text searches:", flush=True)
    results["full text"] = timed({"with": indexes["with"]}, text_queries(), args.rounds)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
