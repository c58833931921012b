"""A day of cataloguing on a large index: how soon an edit is found, and whether many edits slow the searches.

    flock /tmp/bench.lock .venv/bin/python bench/search.py --records 1000000 --build-only --procs 2
    flock /tmp/bench.lock .venv/bin/python bench/search_updates.py /tmp/heritage-bench-search/search-1000000 \
        --edits 10000

Works on a copy of the index `bench/search.py` built (made beside it first, `--copy`, so the original keeps
answering the other benchmarks alike), with that script's generated records. Each edit changes one record's
title (a marker word of its own added) and is written as the catalogue writes a saved record: one
`WhooshIndex.update` of that record, a commit of its own (an rq job answering one outbox entry). Reported:

- an edit to found: the update, then a search for the marker word on the live index until it finds the
  record (the time a cataloguer waits after saving before the catalogue shows the change), p50/p95/max,
  sampled every `--probe` edits (of those a public search may find);
- the update alone, for every edit (p50/p95/max);
- the catalogue's typical searches (`bench/search.py`'s sets, every facet counted) before and after the edits,
  and the first search after them (does anything wait to be made?), with the segments before and after.
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
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search import PUBLIC, generate, percentile, run_queries  # noqa: E402

from heritage.search import SearchQuery  # noqa: E402
from heritage.search.whoosh_index import WhooshIndex  # noqa: E402


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "max_ms": round(max(values), 1),
    }


def segments(index: WhooshIndex) -> list[int]:
    """The documents in each segment of the live generation, largest first."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(index.current_dir()))
    return sorted((s.doc_count_all() for s in ix._segments()), reverse=True)


def found(index: WhooshIndex, word: str, item_id: str) -> bool:
    result = index.search(SearchQuery(q=word, access=PUBLIC))
    return any(hit["id"] == item_id for hit in result.hits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="a folder bench/search.py built (search-N, with index/)")
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=100_000, help="the edited records are among the first POOL")
    parser.add_argument("--probe", type=int, default=100, help="time an edit to found every PROBE edits")
    parser.add_argument("--copy", type=Path, help="work on a copy made here (default: DATA-updates)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; python "
        f"{platform.python_version()}; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    work = args.copy or args.data.with_name(args.data.name + "-updates")
    shutil.rmtree(work, ignore_errors=True)
    started = time.perf_counter()
    shutil.copytree(args.data / "index", work / "index")
    print(f"copied the index to {work} in {time.perf_counter() - started:.0f} s", flush=True)
    index = WhooshIndex(work / "index")
    index.warm()
    out: dict[str, Any] = {"segments_before": segments(index)}
    print(f"segments before: {out['segments_before']}", flush=True)
    print("searches before the edits:", flush=True)
    out["before"] = run_queries(index)

    records = list(islice(generate(args.pool), args.pool))
    rng = random.Random(22)
    updates: list[float] = []
    to_found: list[float] = []
    started = time.perf_counter()
    for i in range(args.edits):
        doc = records[rng.randrange(len(records))]
        marker = f"bewerkt{i}x"
        doc["texts"] = [*doc["texts"][:1], (None, marker), *doc["texts"][1:]]
        doc["title"] = doc["display"]["title"] = f"{doc['title']} {marker}"
        t0 = time.perf_counter()
        index.update([doc])
        updates.append((time.perf_counter() - t0) * 1000)
        if i % args.probe == 0 and doc["facets"]["access"][0] in PUBLIC:  # (a closed record is not found)
            while not found(index, marker, doc["id"]):
                if time.perf_counter() - t0 > 60:
                    raise SystemExit(f"edit {i} ({doc['id']}) not found after a minute")
            to_found.append((time.perf_counter() - t0) * 1000)
        if (i + 1) % 1000 == 0:
            print(
                f"  {i + 1:,} edits, {time.perf_counter() - started:.0f} s; update {summary(updates[-1000:])}; "
                f"edit to found {summary(to_found[-10:])}; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    out["edits"] = args.edits
    out["edits_seconds"] = round(time.perf_counter() - started, 1)
    out["update"] = summary(updates)
    out["edit_to_found"] = summary(to_found)
    out["segments_after"] = segments(index)
    print(f"update: {out['update']}; edit to found: {out['edit_to_found']}", flush=True)
    print(f"segments after: {out['segments_after']}", flush=True)
    t0 = time.perf_counter()
    index.search(SearchQuery(q="brief", access=PUBLIC))
    out["first_search_after_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    print(f"first search after the edits: {out['first_search_after_ms']} ms", flush=True)
    print("searches after the edits:", flush=True)
    out["after"] = run_queries(index)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
