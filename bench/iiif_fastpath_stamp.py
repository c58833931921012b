"""What the access stamp costs the stored-tile fast path: in-process time per tile, with the stamp read
before every answer (as served) beside the same fast path without it (the 5-second memory only).

    flock /tmp/bench.lock .venv/bin/python bench/iiif_fastpath_stamp.py [--requests 20000]

Builds a throwaway catalogue with one 4000 x 3000 scan in a temporary folder, then requests every
declared full-resolution tile of it in turn through the app's WSGI stack (the fast path answers each one
after the first lookup). Prints microseconds per tile for both and the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heritage.cli import main as heritage_main
from heritage.models import File
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.helpers import make_image, write_sheet


def per_tile(client, urls: list[str], requests: int) -> float:  # type: ignore[no-untyped-def]
    for url in urls:  # the first request of each goes through Flask and the database
        assert client.get(url).status_code == 200
    started = time.perf_counter()
    for n in range(requests):
        response = client.get(urls[n % len(urls)])
        assert response.status_code == 200
        response.close()
    return (time.perf_counter() - started) / requests * 1e6


def per_peek(resolver, image_id: str, n: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(n):
        assert resolver.peek(image_id) is not None
    return (time.perf_counter() - started) / n * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=20000)
    args = ap.parse_args()
    from web import create_app
    from web.iiif_routes import image_resolver

    with tempfile.TemporaryDirectory(prefix="heritage-bench-stamp-") as tmp:
        folder = Path(tmp) / "batch"
        make_image(folder / "scan.png", (4000, 3000), seed=7)
        write_sheet(folder / "sheet.csv", [{"identifier": "A", "title": "Bench", "files": "scan.png"}])
        settings = Settings.load({"data_dir": Path(tmp) / "data"}, environ={})
        runtime = Runtime.open(settings)
        result = CliRunner(env={**settings.as_env(), "REDIS_URL": ""}).invoke(
            heritage_main, ["ingest", str(folder), "--collection", "bench"]
        )
        assert result.exit_code == 0, result.output
        with runtime.sessions() as s:
            image = s.scalar(select(File.id))
        urls = [
            f"/iiif/image/3/{image}/{x},{y},256,256/256,/0/default.jpg"
            for y in range(0, 2816, 256)
            for x in range(0, 3840, 256)
        ]
        app = create_app(runtime=runtime)
        client = app.test_client()
        resolver = image_resolver(app)
        resolver.ttl = 3600.0  # both runs answer from memory; only the stamp check differs
        with_stamp = per_tile(client, urls, args.requests)
        peek_stamp = per_peek(resolver, image, args.requests * 10)
        stamp = resolver.version
        resolver.version = None
        without = per_tile(client, urls, args.requests)
        peek_without = per_peek(resolver, image, args.requests * 10)
        resolver.version = stamp
        with_again = per_tile(client, urls, args.requests)
        runtime.close()
    load = os.getloadavg()
    print(f"fast path, {args.requests} tile requests in-process, {len(urls)} distinct tiles")
    print(f"  with the access stamp read per request: {with_stamp:.1f} / {with_again:.1f} us per tile (before, after)")
    print(f"  without it (memory only):              {without:.1f} us per tile")
    print(f"  the resolver's lookup alone: {peek_stamp:.2f} us with the stamp, {peek_without:.2f} us without")
    print(f"  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
