"""Name suggestions at authority-file scale: 100,000 authority records (persons, corporate bodies, families,
places, subjects, taxa), each typed prefix answered as `GET /api/authorities?q=` answers it.

    flock /tmp/bench.lock .venv/bin/python bench/authorities.py [--authorities 100000] [--items 50000]
    flock /tmp/bench.lock .venv/bin/python bench/authorities.py --database-url postgresql://postgres@127.0.0.1:5432/test

Records are generated (not timed) with the keys `heritage.authorities.names` makes, in bulk; items link
to them (1-4 names each, a tenth of the items closed). Timed: what the suggest-as-you-type source does
per keystroke, prefixes of 1 to 8 characters of the names, the surname first and the forename first:
(1) the service (`authorities.suggest` + the public's visible item counts), (2) the whole HTTP request
through the Flask app (parameters, JSON), the public asking. Target: p95 under 50 ms. Run it alone on the
machine where possible (two cores are shared).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from heritage import authorities, catalogue  # noqa: E402
from heritage.access import PUBLIC  # noqa: E402
from heritage.authorities.names import name_key, search_keys  # noqa: E402
from heritage.identifiers import derived_id  # noqa: E402
from heritage.models import Authority, AuthorityKey, AuthorityLink, Item  # noqa: E402
from heritage.runtime import Runtime  # noqa: E402
from heritage.settings import Settings  # noqa: E402


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FORENAMES = _words(
    "Jan Joseph Karel Louis Emile Frans Pieter Hendrik Léon Georges Anna Maria Marguerite Jeanne Godelieve Elisabeth "
    "Johannes Petrus Cornelius Andreas Gerardus Justus Rembert Désiré Amélie Sofie Lucas Thomas Willem Hubert Camille "
    "Aloïs Renée Zoë Françoise Jozef Leo Frederik Guido Mathilde"
)
PARTICLES = ("", "", "", "", "van ", "de ", "van den ", "Van ", "De ", "d'")
SYLLABLES = _words("pee ters jans sens wil lems claes maes goos sens wou ters ver meu len lam bert du bois des met "
             "smet jac obs broeck van dam mer cier ho ste ryck naert ghe ys keu le ma ckx")  # fmt: skip
BODY_WORDS = _words("Universiteit Faculteit Stad Gemeente Abdij Kapittel Vereniging Genootschap Instituut Drukkerij "
              "Uitgeverij Ministerie Raad Commissie Stichting")  # fmt: skip
SUBJECT_WORDS = _words("geschiedenis onderwijs geneeskunde recht theologie botanie tucht kerk oorlog landbouw kunst "
                 "architectuur cartografie sterrenkunde wijsbegeerte economie muziek drukkunst")  # fmt: skip
TYPES = (("person", 0.62), ("corporate_body", 0.08), ("family", 0.03), ("place", 0.09), ("subject", 0.08),
         ("taxon", 0.10))  # fmt: skip


def surname(rng: random.Random) -> str:
    word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return rng.choice(PARTICLES) + word.capitalize()


def name_of(kind: str, rng: random.Random, n: int) -> str:
    if kind == "person":
        name = f"{surname(rng)}, {rng.choice(FORENAMES)}"
        return name + (f", {rng.randint(1500, 1950)}-" if rng.random() < 0.2 else "")
    if kind == "family":
        return f"Familie {surname(rng)}"
    if kind == "corporate_body":
        return f"{rng.choice(BODY_WORDS)} {surname(rng)}"
    if kind == "place":
        return f"{surname(rng)}{rng.choice(['gem', 'hove', 'dorp', 'berg', 'kerke', ''])}"
    if kind == "subject":
        return f"{rng.choice(SUBJECT_WORDS).capitalize()} -- {rng.choice(SUBJECT_WORDS)} {n % 97}"
    return f"{surname(rng)}ia {rng.choice(SYLLABLES)}{rng.choice(['us', 'a', 'um', 'ensis'])}"


def generate(runtime: Runtime, count: int, items: int, seed: int) -> list[str]:
    """Write `count` authorities and `items` items linking to them; returns the names (for the queries)."""
    rng = random.Random(seed)
    kinds = [k for k, _ in TYPES]
    weights = [w for _, w in TYPES]
    names: list[str] = []
    authority_rows, key_rows = [], []
    for n in range(count):
        kind = rng.choices(kinds, weights)[0]
        name = name_of(kind, rng, n)
        authority_id = derived_id("bench-authority", str(n))
        authority_rows.append({"id": authority_id, "type": kind, "name": name, "variants": [], "dates": None})
        exact = name_key(name, kind)
        for key in search_keys(name, kind):
            key_rows.append({"authority_id": authority_id, "type": kind, "key": key, "exact": key == exact,
                             "preferred": key == exact})  # fmt: skip
        names.append(name)
    with runtime.transaction() as session:
        collection = catalogue.ensure_collection(session, "bench-authorities")
        collection_id = collection.id
        for start in range(0, len(authority_rows), 5000):
            session.execute(insert(Authority), authority_rows[start : start + 5000])
        for start in range(0, len(key_rows), 5000):
            session.execute(insert(AuthorityKey), key_rows[start : start + 5000])
    item_rows, link_rows = [], set()
    ids = [r["id"] for r in authority_rows]
    for i in range(items):
        item_id = derived_id("bench-item", str(i))
        closed = rng.random() < 0.1
        item_rows.append({"id": item_id, "collection_id": collection_id, "level": "file", "title": f"Stuk {i}",
                          "access": "closed" if closed else "public", "position": i, "attributes": {}})  # fmt: skip
        for _ in range(rng.randint(1, 4)):
            link_rows.add((item_id, rng.choice(ids), rng.choice(["creator", "subject", "place"])))
    with runtime.engine.begin() as conn:
        for start in range(0, len(item_rows), 5000):
            conn.execute(insert(Item), item_rows[start : start + 5000])
        links = [{"item_id": a, "authority_id": b, "role": c} for a, b, c in link_rows]
        for start in range(0, len(links), 5000):
            conn.execute(insert(AuthorityLink), links[start : start + 5000])
        conn.execute(text("ANALYZE"))  # the planner knows the tables' sizes, as it would in a running catalogue
    return names


def prefixes(names: list[str], queries: int, seed: int) -> list[str]:
    """What people type: the beginning of a name, surname or forename first, one keystroke after another."""
    rng = random.Random(seed + 1)
    out: list[str] = []
    while len(out) < queries:
        name = rng.choice(names)
        words = name.replace(",", " ").split()
        typed = " ".join(words[1:] + words[:1]) if len(words) > 1 and rng.random() < 0.4 else name
        for length in range(1, 9):
            out.append(typed[:length])
    return out[:queries]


def timed(fn, values: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for value in values:
        start = time.perf_counter()
        fn(value)
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"p50 {statistics.median(times):.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, max {max(times):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--authorities", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--database-url", help="PostgreSQL URL (a schema of its own is made and dropped)")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="heritage-bench-authorities-"))
    url, schema, admin = f"sqlite:///{data / 'heritage.sqlite'}", None, None
    if args.database_url:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.database_url else "?"
        url = f"{args.database_url}{sep}options=-csearch_path%3D{schema}"
    runtime = Runtime.open(Settings.load({"data_dir": data, "database_url": url}, environ={}))
    try:
        load = os.getloadavg()[0]
        print(
            f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, load average {load:.2f}; database {runtime.engine.dialect.name}"
        )
        start = time.perf_counter()
        names = generate(runtime, args.authorities, args.items, args.seed)
        took = time.perf_counter() - start
        print(f"generated {args.authorities:,} authorities and {args.items:,} items in {took:.1f} s")
        queries = prefixes(names, args.queries, args.seed)

        def service(q: str) -> None:
            with runtime.sessions() as session:
                found = authorities.suggest(session, q, None, 20)
                authorities.visible_item_counts(session, PUBLIC, [a.id for a in found])

        from web import create_app

        app = create_app(runtime=runtime)
        client = app.test_client()

        def http(q: str) -> None:
            response = client.get("/api/authorities", query_string={"q": q})
            assert response.status_code == 200, response.get_data(as_text=True)

        timed(service, queries[:200])  # warm the caches, as a running server is
        timed(http, queries[:200])
        print(f"service (suggest + visible counts), {len(queries)} prefixes: {summary(timed(service, queries))}")
        print(f"GET /api/authorities?q= (Flask, JSON), {len(queries)} prefixes: {summary(timed(http, queries))}")
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        runtime.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
