#!/usr/bin/env python3
"""Benchmark a web upload without Redis: how long the archivist waits for the batch page, and how long the
batch then runs in the background while the page follows it.

  python bench/upload.py [--count 15] [--megapixels 20] [--work /tmp/upload-bench]

The batch is COUNT JPEG scans of about MEGAPIXELS each, drawn with Pillow (each its own checksum), in one
folder. `heritage serve` runs on a fresh data directory (SQLite, inline jobs); the scans go up as one
multipart request with an `ingest` token, as a script or the upload form sends them. Printed: seconds
until the 303 to the batch page (the upload itself, the checks of the names and the planning), seconds
until the batch is finished (polling its progress JSON, as the page does), and how many progress states
the page could show on the way. Before issue 14 the whole batch ran inside the request (15 scans of
20 MP kept the browser waiting 7 s with no feedback). Run it alone: `flock /tmp/bench.lock python bench/upload.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def scans(folder: Path, count: int, megapixels: float) -> list[Path]:
    """COUNT scan-like JPEGs of about MEGAPIXELS each, every one different."""
    folder.mkdir(parents=True, exist_ok=True)
    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = width * 3 // 4
    base = Image.effect_noise((width // 8, height // 8), 50).resize((width, height)).convert("RGB")
    made = []
    for n in range(count):
        im = base.copy()
        ImageDraw.Draw(im).rectangle((10 + n * 7, 10, 200 + n * 7, 120), fill=(n * 13 % 255, 40, 90))
        path = folder / f"scan {n + 1:03}.jpg"
        im.save(path, "JPEG", quality=90)
        made.append(path)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=15)
    parser.add_argument("--megapixels", type=float, default=20)
    parser.add_argument("--work", type=Path, default=Path("/tmp/upload-bench"))
    args = parser.parse_args()

    import requests

    from heritage import auth
    from heritage.runtime import Runtime
    from heritage.settings import Settings
    from tests.iiif.live_server import live_server

    shutil.rmtree(args.work, ignore_errors=True)
    files = scans(args.work / "map", args.count, args.megapixels)
    settings = Settings.load({"data_dir": args.work / "data"}, environ={})
    runtime = Runtime.open(settings)
    with runtime.transaction() as session:
        auth.add_user(session, "bench", "bench-password-long", "administrator", None)
        _row, token = auth.create_token(session, "bench", ["ingest", "read"])
    runtime.close()
    env = {**os.environ, **settings.as_env(), "REDIS_URL": ""}
    headers = {"Authorization": f"Bearer {token}"}
    with live_server(env, args.work / "server.log") as base:
        handles = [(f"map/{p.name}", p.open("rb")) for p in files]
        started = time.monotonic()
        answer = requests.post(
            base + "/archivist/upload",
            data={"collection": "bench"},
            files=[("files", (name, fh, "image/jpeg")) for name, fh in handles],
            headers=headers,
            allow_redirects=False,
            timeout=3600,
        )
        answered = time.monotonic() - started
        for _name, fh in handles:
            fh.close()
        assert answer.status_code == 303, answer.text
        progress_url = base + answer.headers["Location"] + "/progress.json"
        seen = set()
        while True:
            with urllib.request.urlopen(urllib.request.Request(progress_url, headers=headers), timeout=30) as r:
                state = json.load(r)
            seen.add((state["done"], state["failed"]))
            if state["status"] != "running":
                break
            time.sleep(0.5)
        finished = time.monotonic() - started
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"{args.count} scans of {args.megapixels:g} MP ({size:.0f} MB) uploaded in one request")
    print(f"  303 to the batch page after   {answered:6.1f} s")
    print(
        f"  batch {state['status']} after          {finished:6.1f} s ({state['done']} done, {state['failed']} failed)"
    )
    print(f"  progress states the page showed: {len(seen)}")
    subprocess.run(["uptime"], check=False)


if __name__ == "__main__":
    main()
