"""Search at catalogue scale: index generated catalogues (100,000 and 1,000,000 records), then time
typical searches with every facet counted, and the search page under 16 concurrent users.

    .venv/bin/python bench/search.py                        # 100k and 1M, in /tmp/heritage-bench-search
    .venv/bin/python bench/search.py --records 100000 --reuse --users 16 --duration 20

Records are generated straight into index documents (the shape `heritage.search.documents.item_document`
makes), so the figures are those of the search layer, not of ingest. Vocabularies follow Zipf's law
(a few words in many records, a long tail in few), with real Dutch, French, Latin and English heritage
words at the head; domains are mixed as a university's would be (archives most, then library, science,
museum), with hierarchies, dates weighted to the 19th and 20th centuries, linked places and taxa.

Run it alone on the machine where possible (`flock /tmp/bench.lock ...`): two cores are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from heritage.search import SearchQuery, facets_for  # noqa: E402
from heritage.search.whoosh_index import WhooshIndex  # noqa: E402

PUBLIC = ("public", "restricted")
HEAD_WORDS = [
    "brief",
    "briefwisseling",
    "notulen",
    "register",
    "dossier",
    "verslag",
    "rekeningen",
    "akte",
    "plan",
    "kaart",
    "foto",
    "portret",
    "stad",
    "universiteit",
    "college",
    "faculteit",
    "rector",
    "raad",
    "academische",
    "studenten",
    "professor",
    "leuven",
    "kerk",
    "abdij",
    "klooster",
    "hertog",
    "graaf",
    "stichting",
    "reglement",
    "statuten",
    "examen",
    "promotie",
    "bibliotheek",
    "boek",
    "druk",
    "uitgave",
    "handschrift",
    "getijdenboek",
    "atlas",
    "anatomie",
    "geneeskunde",
    "kruidboek",
    "theologie",
    "filosofie",
    "recht",
    "geschiedenis",
    "wiskunde",
    "sterrenkunde",
    "natuurkunde",
    "chemie",
    "specimen",
    "kever",
    "vlinder",
    "schedel",
    "skelet",
    "herbarium",
    "mineraal",
    "fossiel",
    "object",
    "schilderij",
    "beeld",
    "meubel",
    "tapijt",
    "zilver",
    "lettre",
    "registre",
    "acte",
    "université",
    "faculté",
    "église",
    "correspondance",
    "epistola",
    "liber",
    "tractatus",
    "historia",
    "de",
    "et",
    "in",
    "letter",
    "minutes",
    "record",
    "accounts",
    "map",
    "photograph",
    "portrait",
    "city",
    "church",
    "abbey",
    "foundation",
    "rules",
    "statutes",
]
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "ma",
    "me",
    "mi",
    "mo",
    "na",
    "ne",
    "ni",
    "no",
    "pa",
    "pe",
    "ri",
    "ro",
    "sa",
    "se",
    "ta",
    "te",
    "va",
    "ve",
]
FIRST = [
    "Jan",
    "Pieter",
    "Maria",
    "Joseph",
    "Anna",
    "Frans",
    "Louis",
    "Elisabeth",
    "Hendrik",
    "Godelieve",
    "Emile",
    "Jeanne",
    "Karel",
    "Léon",
    "Marguerite",
    "Jacob",
    "Catharina",
    "Willem",
    "Johanna",
    "Petrus",
    "Cornelis",
    "Hubert",
    "Agnes",
    "Remi",
    "Odile",
]
LAST = [
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De",
    "Smet",
    "Dubois",
    "Lambert",
    "Van",
    "den",
    "Broeck",
    "Desmet",
    "Vermeulen",
    "Declercq",
    "Lemaire",
    "Verhaegen",
    "Coppens",
    "Hermans",
    "Stevens",
    "Michiels",
    "Pauwels",
    "Martens",
]
LANGS = (("nl", 50), ("fr", 20), ("la", 15), ("en", 8), ("de", 4), ("it", 2), ("es", 1))
DOMAINS = (("archive", 55), ("library", 25), ("science", 12), ("museum", 8))
LEVELS = {
    "archive": (("file", 70), ("item", 20), ("series", 8), ("fonds", 2)),
    "library": (("volume", 85), ("item", 15)),
    "science": (("specimen", 95), ("collection", 5)),
    "museum": (("object", 90), ("item", 10)),
}
DATES = {
    "archive": (1425, 2020, 1890),
    "library": (1470, 1950, 1700),
    "science": (1830, 1995, 1920),
    "museum": (1500, 1960, 1800),
}


def zipf_weights(n: int, s: float = 1.07) -> list[float]:
    return [1.0 / (rank**s) for rank in range(1, n + 1)]


class Vocabulary:
    """Word, name, subject, place and taxon pools with Zipfian weights (deterministic for a seed)."""

    def __init__(self, rng: random.Random) -> None:
        tail = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(60_000)}
        self.words = HEAD_WORDS + sorted(tail - set(HEAD_WORDS))
        self.word_cw = self._cum(zipf_weights(len(self.words)))
        self.people = [
            f"{rng.choice(FIRST)} {rng.choice(LAST)}{'' if i < 400 else ' ' + str(i)}" for i in range(40_000)
        ]
        self.people_cw = self._cum(zipf_weights(len(self.people)))
        self.subjects = [
            " ".join(rng.choice(self.words[:3000]) for _ in range(rng.randint(1, 2))).capitalize() for _ in range(2_000)
        ]
        self.subject_cw = self._cum(zipf_weights(len(self.subjects)))
        self.places = [("Leuven", "http://vocab.getty.edu/tgn/7007874")] + [
            (
                "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize(),
                f"http://vocab.getty.edu/tgn/{7_100_000 + i}",
            )
            for i in range(1_500)
        ]
        self.place_cw = self._cum(zipf_weights(len(self.places)))
        genera = ["".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in range(1_500)]
        self.taxa = [
            (
                f"{rng.choice(genera)} {''.join(rng.choice(SYLLABLES) for _ in range(3))}",
                rng.choice(genera[:80]) + "idae",
            )
            for _ in range(20_000)
        ]
        self.taxon_cw = self._cum(zipf_weights(len(self.taxa)))
        self.collections = {
            d: [f"{d}-{i:02d}" for i in range(n)]
            for d, n in (("archive", 18), ("library", 8), ("science", 9), ("museum", 5))
        }
        self.units = {
            slug: (f"unit-{i % 12:02d}", i % 12 < 4)
            for i, slug in enumerate(s for v in self.collections.values() for s in v)
        }

    @staticmethod
    def _cum(weights: list[float]) -> list[float]:
        out, total = [], 0.0
        for w in weights:
            total += w
            out.append(total)
        return out


def _pick(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def generate(n: int, seed: int = 6) -> Iterator[dict[str, Any]]:
    """`n` index documents of a mixed university catalogue."""
    rng = random.Random(seed)
    v = Vocabulary(rng)
    parents: list[tuple[str, str]] = [("", "")]
    for i in range(n):
        domain = _pick(rng, DOMAINS)
        level = _pick(rng, LEVELS[domain])
        collection = rng.choice(v.collections[domain])
        unit, central = v.units[collection]
        lang = _pick(rng, LANGS)
        words = rng.choices(v.words, cum_weights=v.word_cw, k=rng.randint(4, 14))
        title = " ".join(words).capitalize()
        lo, hi, mode = DATES[domain]
        start = int(rng.triangular(lo, hi, mode))
        end = start + (
            rng.choice((0, 0, 0, 1, 4, 9, 25, 60)) if level not in ("fonds", "series") else rng.randint(20, 150)
        )
        creators = rng.choices(v.people, cum_weights=v.people_cw, k=rng.choice((0, 1, 1, 1, 2)))
        subjects = rng.choices(v.subjects, cum_weights=v.subject_cw, k=rng.choice((0, 1, 1, 2, 3)))
        places = [
            {"label": p, "id": pid}
            for p, pid in rng.choices(v.places, cum_weights=v.place_cw, k=rng.choice((0, 1, 1, 2)))
        ]
        taxon = rng.choices(v.taxa, cum_weights=v.taxon_cw, k=1)[0] if domain == "science" else None
        description = ""
        if rng.random() < 0.4:
            description = (
                " ".join(rng.choices(v.words, cum_weights=v.word_cw, k=rng.randint(20, 80))).capitalize() + "."
            )
        languages = [lang] + ([_pick(rng, LANGS)] if rng.random() < 0.2 else [])
        has_images = rng.random() < 0.15
        access = _pick(rng, (("public", 85), ("restricted", 10), ("closed", 5)))
        item_id = f"b{i:09d}"
        parent_id, parent_title = rng.choice(parents) if domain == "archive" and level in ("file", "item") else ("", "")
        if level in ("fonds", "series") and len(parents) < 5000:
            parents.append((item_id, title))
        texts: list[tuple[str | None, str]] = [(lang if lang in ("nl", "en") else None, title)]
        if description:
            texts.append((lang if lang in ("nl", "en") else None, description))
        centuries = [str(c) for c in range((start // 100) * 100, end + 1, 100)]
        decades = [str(d) for d in range((start // 10) * 10, end + 1, 10)][:60]
        yield {
            "id": item_id,
            "title": title,
            "titles": [title],
            "texts": texts,
            "identifiers": [f"{collection.upper()}-{i}", item_id],
            "creators": creators,
            "subjects": subjects,
            "places": places,
            "place_words": [p["label"] for p in places],
            "taxon_words": [taxon[0], taxon[1]] if taxon else [],
            "facets": {
                "domain": [domain],
                "collection": [collection],
                "unit": [unit],
                "custody": ["central" if central else "decentral"],
                "level": [level],
                "century": centuries,
                "decade": decades,
                "creator": creators,
                "subject": subjects,
                "place": [p["label"] for p in places],
                "taxon": [taxon[0]] if taxon else [],
                "language": languages,
                "has_images": ["yes" if has_images else "no"],
                "access": [access],
            },
            "parent": parent_id,
            "position": i,
            "date_from": start,
            "date_to": end,
            "sort_title": title.casefold()[:120],
            "display": {
                "title": title,
                "titles": {},
                "date_text": str(start) if end == start else f"{start}-{end}",
                "date_from": start,
                "date_to": end,
                "collection": collection,
                "domain": domain,
                "level": level,
                "access": access,
                "has_images": has_images,
                "thumbnail": "",
                "path": [{"id": parent_id, "title": parent_title, "title_en": None, "level": "series"}]
                if parent_id
                else [],
                "parent": parent_id,
                "creators": creators[:3],
                "local_id": f"{collection.upper()}-{i}",
                "description": description[:600],
                "descriptions": {},
            },
        }


def query_sets(seed: int = 60) -> dict[str, list[dict[str, Any]]]:
    """Typical searches: a common word, a rare word, a phrase, a date range, a facet-only browse."""
    rng = random.Random(seed)
    v = Vocabulary(random.Random(6))
    rare = v.words[20_000:40_000]
    return {
        "common word": [{"q": w} for w in HEAD_WORDS[:40]],
        "rare word": [{"q": rng.choice(rare)} for _ in range(40)],
        "phrase": [{"q": f'"{HEAD_WORDS[i]} {HEAD_WORDS[i + 1]}"'} for i in range(0, 80, 2)],
        "date range": [{"year_from": y, "year_to": y + rng.choice((10, 50, 100))} for y in range(1500, 1900, 10)],
        "facet-only browse": [
            {"filters": {"domain": ["archive"], "collection": [f"archive-{i % 18:02d}"]}} for i in range(20)
        ]
        + [{"filters": {"domain": [d], "has_images": ["yes"]}} for d in ("library", "science", "museum", "archive")]
        * 5,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def run_queries(index: WhooshIndex) -> dict[str, dict[str, float]]:
    out = {}
    for name, queries in query_sets().items():
        times, totals = [], []
        for spec in queries:
            started = time.perf_counter()
            result = index.search(SearchQuery(access=PUBLIC, **spec))
            times.append((time.perf_counter() - started) * 1000)
            totals.append(result.total)
        out[name] = {
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "median_hits": int(statistics.median(totals)),
        }
        print(
            f"  {name:<18} p50 {out[name]['p50_ms']:>7.1f} ms  p95 {out[name]['p95_ms']:>7.1f} ms  "
            f"(median {out[name]['median_hits']:,} hits, {len(facets_for(False))} facets; "
            f"load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    return out


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50=%%.1f p95=%%.1f p99=%%.1f rps=%%.1f errors=%%d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.status + summary.errors.timeout))
end
"""


def page_paths() -> list[str]:
    from urllib.parse import urlencode

    paths = []
    for queries in query_sets().values():
        for spec in queries[:8]:
            params: list[tuple[str, Any]] = []
            if spec.get("q"):
                params.append(("q", spec["q"]))
            for key, values in spec.get("filters", {}).items():
                params += [(key, value) for value in values]
            if "year_from" in spec:
                params += [("from", spec["year_from"]), ("to", spec["year_to"])]
            paths.append("/search?" + urlencode(params))
    return paths


def researcher_paths(seed: int = 61) -> list[str]:
    """A few hundred searches in the order of how often researchers ask them (most asked first): every
    typical search, each also with a facet chosen and on its second page, shuffled."""
    from urllib.parse import urlencode

    rng = random.Random(seed)
    paths = []
    for queries in query_sets().values():
        for spec in queries:
            params: list[tuple[str, Any]] = [("q", spec["q"])] if spec.get("q") else []
            for key, values in spec.get("filters", {}).items():
                params += [(key, value) for value in values]
            if "year_from" in spec:
                params += [("from", spec["year_from"]), ("to", spec["year_to"])]
            paths.append("/search?" + urlencode(params))
            paths.append("/search?" + urlencode([*params, ("domain", rng.choice(("archive", "library")))]))
            paths.append("/search?" + urlencode([*params, ("page", 2)]))
    unique = list(dict.fromkeys(paths))
    rng.shuffle(unique)
    return unique


@contextmanager
def served(data: Path, server: str) -> Iterator[str]:
    """The catalogue in `data` served by `heritage serve` or gunicorn (`-nocache`: no page cache); yields
    its base URL once the first search page has come back."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "HERITAGE_DATA": str(data), "REDIS_URL": ""}
    if server.endswith("-nocache"):  # every page searched and rendered, none served from the page cache
        env["HERITAGE_SEARCH_PAGE_CACHE"] = "0"
    if server.startswith("gunicorn"):
        # the production setup: web/gunicorn_conf.py (2 gthread workers, preloaded app), web.wsgi:app
        cmd = [sys.executable, "-m", "gunicorn", "--config", "python:web.gunicorn_conf", "-b", f"127.0.0.1:{port}"]
        cmd += ["--log-level", "warning", "web.wsgi:app"]
    else:
        cmd = [str(Path(sys.executable).parent / "heritage"), "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            try:
                urllib.request.urlopen(f"{base}/search?q=brief", timeout=120).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"{server} stopped: {proc.stderr.read().decode()[-2000:]}") from None  # type: ignore[union-attr]
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk_load(base: str, users: int, duration: int, label: str) -> dict[str, float]:
    """`users` connections without pause over the 40 typical searches, each fetched a few times before."""
    import urllib.request

    for path in page_paths() * 3:  # every path a few times, so that each worker has likely seen each once
        urllib.request.urlopen(f"{base}{path}", timeout=120).read()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in page_paths()))
        script = fh.name
    cmd = ["wrk", "-t2", f"-c{users}", f"-d{duration}s", "--timeout", "10s", "-s", script, base]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    figures = {k: float(v) for k, v in (part.split("=") for part in line.split()[1:])}
    report(f"wrk, {users} connections without pause, {label}", figures)
    return figures


def report(who: str, figures: dict[str, float]) -> None:
    pages = f"{int(figures['requests'])} pages, " if "requests" in figures else ""
    print(
        f"  search page, {who}: p50 {figures['p50']:.0f} ms  p95 {figures['p95']:.0f} ms  "
        f"p99 {figures['p99']:.0f} ms  {figures['rps']:.1f} pages/s  {pages}errors {int(figures['errors'])}  "
        f"(load {os.getloadavg()[0]:.1f})",
        flush=True,
    )


def locust_load(base: str, users: int, duration: int, label: str) -> dict[str, float] | None:
    """`users` researchers with a few seconds between pages (bench/search_locust.py), arriving over four
    seconds at a server that has served none of their searches yet:
    the pages they ask for most come from the page cache after the first time, the long tail never does."""
    import csv

    locust = Path(sys.executable).parent / "locust"
    if not locust.exists() and not shutil.which("locust"):
        print("  locust is not installed (pip install -e '.[bench]'): the researchers' run is skipped")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        paths = Path(tmp) / "paths.json"
        paths.write_text(json.dumps(researcher_paths()), encoding="utf-8")
        cmd = [str(locust) if locust.exists() else "locust", "-f", str(ROOT / "bench" / "search_locust.py")]
        # researchers arrive over four seconds (all at the same instant is no catalogue's morning), then stay
        cmd += ["--headless", "-u", str(users), "-r", str(max(1, users // 4)), "-t", f"{duration}s", "--host", base]
        cmd += ["--csv", str(Path(tmp) / "run"), "--only-summary", "--loglevel", "WARNING"]
        subprocess.run(cmd, env={**os.environ, "SEARCH_BENCH_PATHS": str(paths)}, capture_output=True, check=False)
        with (Path(tmp) / "run_stats.csv").open(encoding="utf-8") as fh:
            row = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    figures = {
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "rps": float(row["Requests/s"]),
        "requests": float(row["Request Count"]),
        "errors": float(row["Failure Count"]),
    }
    report(f"locust, {users} researchers (1-5 s between pages), {label}", figures)
    return figures


def serve_and_load(data: Path, users: int, duration: int, server: str) -> dict[str, Any] | None:
    """The search page under `users` researchers (locust, on a fresh server), then under `users`
    connections without pause (wrk), on one server."""
    if server.startswith("gunicorn"):
        import importlib.util

        if importlib.util.find_spec("gunicorn") is None:
            print("  gunicorn is not installed (pip install gunicorn): that run is skipped")
            return None
    out: dict[str, Any] = {}
    with served(data, server) as base:
        out["locust"] = locust_load(base, users, max(duration, 120), server)
        if shutil.which("wrk"):
            out["wrk"] = wrk_load(base, users, duration, server)
        else:
            print("  wrk is not installed (apt-get install wrk): the run without pause is skipped")
    return out


def bench(
    n: int, root: Path, reuse: bool, users: int, duration: int, servers: list[str], procs: int = 1
) -> dict[str, Any]:
    data = root / f"search-{n}"
    index = WhooshIndex(data / "index")
    result: dict[str, Any] = {"records": n}
    print(f"== {n:,} records ({data})", flush=True)
    if not (reuse and (data / "index" / "CURRENT").exists()):
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        started = time.perf_counter()
        count = index.rebuild(generate(n), procs=procs)
        elapsed = time.perf_counter() - started
        result.update(index_seconds=round(elapsed, 1), records_per_second=round(count / elapsed))
        print(f"  indexed {count:,} in {elapsed:.0f} s ({count / elapsed:,.0f} records/s)", flush=True)
    size = sum(f.stat().st_size for f in (data / "index").rglob("*") if f.is_file())
    result["index_mb"] = round(size / 2**20)
    started = time.perf_counter()
    index.warm()  # what a server does before it answers (web.wsgi)
    result["first_search_seconds"] = round(time.perf_counter() - started, 1)
    print(
        f"  warm-up (reads the facet columns, common-word arrays, lexicon): {result['first_search_seconds']} s; "
        f"index {result['index_mb']} MB",
        flush=True,
    )
    result["queries"] = run_queries(index)
    from heritage.runtime import Runtime
    from heritage.settings import Settings

    Runtime.open(Settings.load({"data_dir": data}, environ={})).close()  # an empty catalogue database beside
    result["page"] = {server: serve_and_load(data, users, duration, server) for server in servers}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "heritage-bench-search")
    parser.add_argument("--reuse", action="store_true", help="keep an index built by an earlier run")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument(
        "--servers",
        nargs="*",
        default=["gunicorn", "gunicorn-nocache"],
        help="serve, gunicorn (web/gunicorn_conf.py), and either with -nocache (HERITAGE_SEARCH_PAGE_CACHE=0)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--procs", type=int, default=1, help="processes that build the index")
    parser.add_argument("--build-only", action="store_true", help="build (or keep) the indexes, measure nothing")
    args = parser.parse_args()
    print(
        f"machine: {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"python {platform.python_version()}; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if args.build_only:
        for n in args.records:
            data = args.root / f"search-{n}"
            if not (args.reuse and (data / "index" / "CURRENT").exists()):
                shutil.rmtree(data, ignore_errors=True)
                data.mkdir(parents=True)
                started = time.perf_counter()
                count = WhooshIndex(data / "index").rebuild(generate(n), procs=args.procs)
                elapsed = time.perf_counter() - started
                print(f"{n:,}: indexed {count:,} in {elapsed:.0f} s ({count / elapsed:,.0f} records/s)", flush=True)
        return
    results = [
        bench(n, args.root, args.reuse, args.users, args.duration, args.servers, args.procs) for n in args.records
    ]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
