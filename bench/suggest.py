"""Suggestions as one types (`heritage.search.suggest`, GET /api/suggest) on the catalogues of bench/search.py.

    nice -n 15 .venv/bin/python bench/search.py --records 100000 1000000 --build-only --procs 2 --root DIR
    .venv/bin/python bench/suggest.py --records 100000 1000000 --root DIR

Prefixes are what people type into the box: 2 to 6 characters of a word, drawn Zipf-weighted from the very
vocabularies the catalogue was generated from (title words most, then names, places and subjects; a fifth
of them after a common word that narrows), asked as the public, as staff of one unit and as an
administrator. Each is timed from the call to the list of suggestions, after a first call that reads what
suggestions keep in memory (timed apart, as a server's first request would pay it). Memory is the process's
resident size after the index's warm-up and after that first call.

Run it alone on the machine where possible: two cores are shared.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heritage.search import SearchQuery  # noqa: E402
from heritage.search.suggest import suggest  # noqa: E402
from heritage.search.whoosh_index import WhooshIndex  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_search", Path(__file__).with_name("search.py"))
assert _spec is not None and _spec.loader is not None
bench_search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_search)

SCOPES = {
    "public": SearchQuery(access=bench_search.PUBLIC),
    "staff of a unit": SearchQuery(access=bench_search.PUBLIC, units=("unit-00",)),
    "administrator": SearchQuery(access=None),
}
KIND_SHARES = (("title", 50), ("name", 20), ("place", 15), ("subject", 15))
NARROWED_SHARE = 0.2


def prefixes(n: int, seed: int = 18) -> list[str]:
    """`n` typed queries: a prefix of 2-6 characters of a word of a Zipf-drawn title word, name, place or
    subject, some after a common word."""
    rng = random.Random(seed)
    v = bench_search.Vocabulary(random.Random(6))  # the catalogue's own vocabularies (bench/search.py, seed 6)
    pools = {
        "title": (v.words, v.word_cw),
        "name": (v.people, v.people_cw),
        "place": ([p for p, _id in v.places], v.place_cw),
        "subject": (v.subjects, v.subject_cw),
    }
    out = []
    for _ in range(n):
        kind = rng.choices([k for k, _ in KIND_SHARES], weights=[w for _, w in KIND_SHARES])[0]
        values, cum = pools[kind]
        value = rng.choices(values, cum_weights=cum)[0]
        word = rng.choice([w for w in value.split() if not w.isdigit()] or [value])
        typed = word[: rng.randint(2, 6)]
        if rng.random() < NARROWED_SHARE:
            typed = f"{rng.choices(v.words[:200], cum_weights=v.word_cw[:200])[0]} {typed}"
        out.append(typed)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def rss_mb() -> float:
    """The resident size now (Linux: /proc), in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def bench(n: int, root: Path, queries: int) -> dict[str, Any]:
    data = root / f"search-{n}"
    if not (data / "index" / "CURRENT").exists():
        raise SystemExit(f"no index in {data}: build it with bench/search.py --records {n} --build-only")
    index = WhooshIndex(data / "index")
    out: dict[str, Any] = {"records": n, "queries": queries}
    print(f"== {n:,} records ({data})", flush=True)
    started = time.perf_counter()
    index.warm()
    out["warm_seconds"] = round(time.perf_counter() - started, 1)
    out["rss_after_warm_mb"] = round(rss_mb())
    started = time.perf_counter()
    for scope in SCOPES.values():
        suggest(index, "le", scope)
    out["first_calls_seconds"] = round(time.perf_counter() - started, 2)
    out["rss_after_first_calls_mb"] = round(rss_mb())
    print(
        f"  warm-up {out['warm_seconds']} s (RSS {out['rss_after_warm_mb']} MB); first suggestions, one per scope, "
        f"{out['first_calls_seconds']} s (RSS {out['rss_after_first_calls_mb']} MB)",
        flush=True,
    )
    typed = prefixes(queries)
    everything: list[float] = []
    for name, scope in SCOPES.items():
        times: list[float] = []
        empty = 0
        for q in typed:
            t0 = time.perf_counter()
            found = suggest(index, q, scope)
            times.append((time.perf_counter() - t0) * 1000)
            empty += not found
        everything += times
        out[name] = {
            "p50_ms": round(percentile(times, 50), 2),
            "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2),
            "max_ms": round(max(times), 1),
            "without_suggestions": empty,
        }
        f = out[name]
        print(
            f"  {name:<16} p50 {f['p50_ms']:>6.2f} ms  p95 {f['p95_ms']:>6.2f} ms  p99 {f['p99_ms']:>6.2f} ms  "
            f"max {f['max_ms']:>6.1f} ms  ({empty} of {len(typed)} without suggestions; load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    out["all"] = {p: round(percentile(everything, float(p[1:3])), 2) for p in ("p50_ms", "p95_ms", "p99_ms")}
    out["rss_end_mb"] = round(rss_mb())
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(
        f"  all scopes: p50 {out['all']['p50_ms']} ms  p95 {out['all']['p95_ms']} ms  p99 {out['all']['p99_ms']} ms; "
        f"RSS {out['rss_end_mb']} MB (peak {out['max_rss_mb']} MB)",
        flush=True,
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--root", type=Path, default=Path("/tmp/heritage-bench-search"))
    parser.add_argument("--queries", type=int, default=2000, help="typed queries per scope")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"python {platform.python_version()}; load {os.getloadavg()[0]:.2f}; {time.strftime('%Y-%m-%d %H:%M %Z')}",
        flush=True,
    )
    results = [bench(n, args.root, args.queries) for n in args.records]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
