"""Benchmark `heritage export` on a generated collection: items/s and peak memory per format, beside the
whole-document reference (the same records through `metadata_schemas`' `serialise`, which builds the
document in memory).

Generates a catalogue (a fonds, 100 series, the rest files spread over them, each with a described
core record) into --work, never into the repository, then runs each export in a fresh process and reads
its peak RSS from the kernel (`wait4`).

    flock /tmp/bench.lock .venv/bin/python bench/export.py [--items 100000] [--formats ead,marcxml,dwca,csv]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SUBJECTS = ["Universiteitsgeschiedenis", "Studenten", "Onderwijs", "Leuven", "Geneeskunde", "Botanie"]


def generate(data_dir: Path, slug: str, count: int, series: int = 100) -> None:
    """A collection of `count` items (a fonds, `series` series, files under them) in `data_dir`'s database."""
    from sqlalchemy import insert

    from heritage.catalogue import ensure_collection
    from heritage.models import Item, MetadataRecord
    from heritage.runtime import Runtime
    from heritage.settings import Settings

    runtime = Runtime.open(Settings.load({"data_dir": data_dir}, environ={}))
    now = datetime.now(UTC)
    with runtime.transaction() as session:
        collection = ensure_collection(session, slug, title=f"Bench {slug}", domain="archive")
        collection_id = collection.id
    rows: list[dict[str, object]] = []
    records: list[dict[str, object]] = []

    def item(n: int, parent: str | None, level: str) -> str:
        item_id = f"{slug[:4]}{n:08d}"
        year = 1425 + n % 600
        title = f"{level.title()} {n}: stukken betreffende de universiteit, {year}"
        rows.append(
            {
                "id": item_id,
                "collection_id": collection_id,
                "parent_id": parent,
                "position": n,
                "level": level,
                "local_id": f"{slug}-{n}",
                "title": title,
                "date_text": str(year),
                "date_from": year,
                "date_to": year,
                "access": "closed" if n % 50 == 49 else "public",
                "attributes": {},
                "created_at": now,
                "updated_at": now,
            }
        )
        core = {
            "title": title,
            "titles": {"nl": title, "en": f"{level.title()} {n}: papers on the university, {year}"},
            "identifiers": [f"BE-KUL-{slug}-{n}"],
            "agents": [{"name": "Rectoraat Katholieke Universiteit Leuven", "role": "creator"}],
            "dates": [{"text": str(year), "start": year, "end": year}],
            "description": "Briefwisseling, verslagen en nota's van de rector en de academische raad. " * 2,
            "languages": ["nl", "la"],
            "subjects": [{"label": SUBJECTS[n % len(SUBJECTS)]}, {"label": SUBJECTS[(n + 3) % len(SUBJECTS)]}],
            "places": [{"label": "Leuven", "id": "http://vocab.getty.edu/tgn/7007874"}],
            "level": level,
            "extent": "1 omslag",
        }
        records.append({"item_id": item_id, "standard": "csv", "core": core, "is_primary": True, "created_at": now})
        return item_id

    def flush() -> None:
        with runtime.engine.begin() as conn:
            if rows:
                conn.execute(insert(Item), rows)
            if records:
                conn.execute(insert(MetadataRecord), records)
        rows.clear()
        records.clear()

    fonds = item(0, None, "fonds")
    parents = [item(n, fonds, "series") for n in range(1, series + 1)]
    flush()
    for n in range(series + 1, count):
        item(n, parents[n % series], "file")
        if len(rows) >= 5000:
            flush()
    flush()
    runtime.close()


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak RSS MB, exit status) of one fresh process."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        sys.stderr.write(process.stderr.read().decode(errors="replace") if process.stderr else "")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


REFERENCE = """
import sys
from sqlalchemy import select
from heritage.export.source import ExportSource, export_core
from heritage.catalogue import get_collection
from heritage.runtime import Runtime
from heritage.settings import Settings
from metadata_schemas import registry
runtime = Runtime.open(Settings.load({"data_dir": sys.argv[1]}, environ={}))
with runtime.sessions() as session:
    source = ExportSource(session, get_collection(session, sys.argv[2]))
    cores = [export_core(item) for item in source.items()]
with open(sys.argv[4], "wb") as out:
    registry.get(sys.argv[3]).serialise(cores, out)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--formats", default="ead,marcxml,lido,dwca,csv,bagit")
    parser.add_argument("--reference", default="ead,marcxml", help="formats also written by whole-document serialise")
    parser.add_argument("--work", type=Path, default=Path("/tmp/heritage-bench-export"))
    args = parser.parse_args()
    data = args.work / f"data-{args.items}"
    if not (data / "heritage.sqlite").exists():
        data.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        generate(data, "bench", args.items)
        print(f"generated {args.items} items in {time.monotonic() - started:.1f} s", flush=True)
    env = {**os.environ, "HERITAGE_DATA": str(data), "REDIS_URL": "", "DATABASE_URL": ""}
    heritage = str(Path(sys.executable).with_name("heritage"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.2f}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print("| export | items | wall s | CPU s | items/s (CPU) | peak RSS MB | output MB |")
    print("|---|---|---|---|---|---|---|")
    results = []
    for fmt in args.formats.split(","):
        out = args.work / f"out-{args.items}.{fmt}"
        subprocess.run(["rm", "-rf", str(out)], check=True)
        command = [heritage, "export", "--collection", "bench", "--format", fmt, "-o", str(out)]
        seconds, cpu, rss, status = run(command, env)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) if out.is_dir() else out.stat().st_size
        label = f"`heritage export --format {fmt}` (streamed)"
        results.append((label, args.items, seconds, cpu, rss, size / 1e6, status))
        print(
            f"| {label} | {args.items} | {seconds:.1f} | {cpu:.1f} | {args.items / cpu:,.0f} | {rss:.0f} | "
            f"{size / 1e6:.1f} |",
            flush=True,
        )
    for fmt in filter(None, args.reference.split(",")):
        out = args.work / f"ref-{args.items}.{fmt}"
        seconds, cpu, rss, status = run([sys.executable, "-c", REFERENCE, str(data), "bench", fmt, str(out)], env)
        size = out.stat().st_size if out.exists() else 0
        label = f"reference: `serialise` of the whole list, {fmt}"
        print(
            f"| {label} | {args.items} | {seconds:.1f} | {cpu:.1f} | {args.items / cpu:,.0f} | {rss:.0f} | "
            f"{size / 1e6:.1f} |",
            flush=True,
        )
        results.append((label, args.items, seconds, cpu, rss, size / 1e6, status))
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
