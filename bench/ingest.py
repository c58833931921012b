#!/usr/bin/env python3
"""Benchmark the whole ingest pipeline on a batch of large scans beside vips, in one run.

  python bench/ingest.py [--master master.tif] [--count 20] [--work /tmp/ingest-bench] [--repeats 1]

The batch is COUNT uncompressed TIFF masters (8000 x 6000 by default): copies of `--master` (for example
the one `../shared/bench/make_test_image.py` makes) each with a few bytes of pixel data changed so that
every master has its own checksum, or, without `--master`, masters drawn here with Pillow alone.

Measured, each under `/usr/bin/time -v` (wall, CPU, peak RSS) with the masters dropped from the page
cache first:
- `heritage ingest` of the whole batch (checksum, identification, technical metadata, quality checks,
  storage, derivatives and IIIF tiles, database, index), inline, SQLite, a fresh data directory, one
  file per core at a time (`heritage`) and one file at a time (`heritage_sequential`, `--only` to add it);
- `vips dzsave --layout iiif` (256 px tiles, Q90) of every master, one after the other;
- `vips tiffsave --tile --pyramid` (JPEG Q90, 256 px tiles) of every master.

Prints seconds per master, pages per minute per core, CPU seconds per master and peak memory, and the
ratio to `vips dzsave --layout iiif` (the target is at most 1.5). Needs `vips` (Debian libvips-tools)
and GNU time. Run it alone: `flock /tmp/bench.lock python bench/ingest.py`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]


def synthetic_master(path: Path, width: int, height: int) -> None:
    """A scan-like master drawn with Pillow alone: tones, text-like strokes, grain (JPEG must work for it)."""
    noise = Image.effect_noise((width // 8, height // 8), 60).resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 6)
    base = Image.merge("RGB", (noise, Image.linear_gradient("L").resize((width, height)), grain))
    draw = ImageDraw.Draw(base)
    for y in range(height // 10, height - height // 10, max(12, height // 120)):
        draw.line([(width // 10, y), (width * 6 // 10, y)], fill=(40, 30, 20), width=max(2, height // 1500))
    base.filter(ImageFilter.GaussianBlur(0.8)).save(path, "TIFF", compression=None)


def make_batch(master: Path | None, count: int, folder: Path, width: int, height: int) -> list[Path]:
    """COUNT masters with distinct checksums; each a valid uncompressed TIFF of the same size."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "source.tif"
    if master is None:
        synthetic_master(source, width, height)
    else:
        shutil.copyfile(master, source)
    with Image.open(source) as im:
        offset = im.tile[0].offset
        if im.tile[0].codec_name != "raw":
            sys.exit(f"{master}: not an uncompressed TIFF")
    masters = []
    for i in range(count):
        target = folder / f"scan-{i:03}.tif"
        shutil.copyfile(source, target)
        with target.open("r+b") as fh:  # change a few pixels: every master its own checksum
            fh.seek(offset)
            fh.write(i.to_bytes(4, "big") * 3)
        masters.append(target)
    source.unlink()
    return masters


def evict(paths: list[Path]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


def timed(command: str, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a shell command under GNU time: wall and CPU seconds, peak RSS in MB (largest process)."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", "bash", "-c", command], capture_output=True, text=True, env=env or os.environ.copy()
    )
    err = done.stderr
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {command}\n{err[-2000:]}")

    def grab(pattern: str) -> float:
        match = re.search(pattern, err)
        return float(match.group(1)) if match else 0.0

    elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err)
    parts = [float(p) for p in (elapsed.group(1) if elapsed else "0").split(":")]
    wall = sum(p * 60**i for i, p in enumerate(reversed(parts)))
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(grab(r"User time \(seconds\): (\S+)") + grab(r"System time \(seconds\): (\S+)"), 2),
        "peak_rss_mb": round(grab(r"Maximum resident set size \(kbytes\): (\d+)") / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--master", type=Path, help="an uncompressed TIFF master to copy (default: draw one)")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--width", type=int, default=8000)
    ap.add_argument("--height", type=int, default=6000)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ingest-bench")
    ap.add_argument("--repeats", type=int, default=1, help="runs of each command; medians are reported")
    ap.add_argument("--only", default="heritage,vips_dzsave_iiif,vips_tiffsave_pyramid")
    ap.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = ap.parse_args()
    if shutil.which("vips") is None:
        sys.exit("vips not found: apt-get install libvips-tools")
    work = args.work
    masters = make_batch(args.master, args.count, work / "batch", args.width, args.height)
    out = work / "out"
    heritage = str(Path(sys.executable).with_name("heritage"))
    listing = " ".join(str(m) for m in masters)
    commands = {
        "heritage": f"{heritage} ingest {work / 'batch'} --collection bench --format folder",
        "heritage_sequential": f"{heritage} ingest {work / 'batch'} --collection bench --format folder --parallel 1",
        "vips_dzsave_iiif": f"for m in {listing}; do vips dzsave $m {out}/$(basename $m .tif) --layout iiif "
        "--tile-size 256 --overlap 0 --suffix .jpg[Q=90]; done",
        "vips_tiffsave_pyramid": f"for m in {listing}; do vips tiffsave $m {out}/$(basename $m .tif).tif --tile "
        "--pyramid --compression jpeg --Q 90 --tile-width 256 --tile-height 256; done",
    }
    cores = os.cpu_count() or 1
    results: dict[str, dict[str, float]] = {}
    for name in args.only.split(","):
        runs = []
        for _ in range(args.repeats):
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            data = work / "data"
            shutil.rmtree(data, ignore_errors=True)
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
            env["HERITAGE_DATA"] = str(data)
            evict(masters)
            runs.append(timed(commands[name], env))
        wall = statistics.median(r["wall_s"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        results[name] = {
            "wall_s": wall,
            "s_per_master": round(wall / len(masters), 2),
            "cpu_s_per_master": round(cpu / len(masters), 2),
            "pages_per_min_per_core": round(len(masters) / (wall / 60) / cores, 1),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        }
        print(name, results[name], flush=True)
    load = os.getloadavg()
    print(
        f"\n{len(masters)} masters of {args.width} x {args.height} (uncompressed TIFF), {cores} cores, "
        f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print("\n| pipeline | s per master | pages/min per core | CPU s per master | peak RSS MB |")
    print("| --- | --- | --- | --- | --- |")
    for name, r in results.items():
        print(
            f"| {name} | {r['s_per_master']} | {r['pages_per_min_per_core']} | {r['cpu_s_per_master']} | "
            f"{r['peak_rss_mb']} |"
        )
    if "heritage" in results and "vips_dzsave_iiif" in results:
        ratio = results["heritage"]["s_per_master"] / results["vips_dzsave_iiif"]["s_per_master"]
        print(
            f"\nheritage / vips dzsave --layout iiif: {ratio:.2f}x (target at most 1.5x); "
            f"peak memory {results['heritage']['peak_rss_mb']} MB (target under 400 MB)"
        )
    if args.json:
        args.json.write_text(json.dumps({"masters": len(masters), "results": results}, indent=1))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
