"""Benchmark `heritage fixity audit` on an OCFL store of generated masters: MB/s and files/s, beside
`sha512sum` over the same files (one process, then two in parallel as the audit uses both cores).

Generates --objects OCFL objects of --files masters each (random, incompressible bytes; sizes spread
from a fifth to twice --mean-mb) into --work, never into the repository, through the store's own
`write_version`; audits them with `heritage.preservation.fixity.audit_object` (what the command runs per
object); then hashes the same content files with `sha512sum`. The page cache is dropped before each
timed pass when the kernel allows it (root, /proc/sys/vm/drop_caches), else the passes run warm and the
output says so. Remove --work afterwards (or pass --clean).

    flock /tmp/bench.lock .venv/bin/python bench/fixity.py --work /tmp/heritage-fixity-bench [--gb 10] [--clean]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from heritage.preservation.fixity import audit_object  # noqa: E402
from heritage.preservation.store import Content, OcflStore  # noqa: E402


def generate(store: OcflStore, gb: float, files_per_object: int, mean_mb: float, seed: int = 7) -> tuple[int, int]:
    """Objects of random masters until `gb` gigabytes are stored; returns (files, bytes)."""
    rng = np.random.default_rng(seed)
    target, total, files, n = gb * 1e9, 0, 0, 0
    while total < target:
        n += 1
        item = f"bench{n:05d}"
        stage = store.staging()
        contents = []
        for f in range(files_per_object):
            size = int(rng.uniform(0.2, 2.0) * mean_mb * 1e6)
            path = stage / f"scan{f:03d}.tif"
            with path.open("wb") as fh:
                left = size
                while left:
                    chunk = min(left, 16 * 1024 * 1024)
                    fh.write(rng.bytes(chunk))
                    left -= chunk
            contents.append(Content(f"masters/scan{f:03d}.tif", path))
            total += size
            files += 1
        with store.locked(item):
            store.write_version(item, contents, message="bench", agent="bench/fixity.py")
        shutil.rmtree(stage)
        print(f"\rgenerated {total / 1e9:.1f} GB in {files} files", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return files, total


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def timed(label: str, run, nbytes: int, nfiles: int, rows: list[str], cold: bool) -> None:  # type: ignore[no-untyped-def]
    dropped = drop_caches() if cold else False
    start, cpu = time.perf_counter(), os.times()
    run()
    wall = time.perf_counter() - start
    after = os.times()
    cpu_s = (after.user - cpu.user) + (after.system - cpu.system)
    cpu_s += (after.children_user - cpu.children_user) + (after.children_system - cpu.children_system)
    mbs, fps = nbytes / 1e6 / wall, nfiles / wall
    cache = "cold" if dropped else "warm"
    numbers = f"{nfiles} | {nbytes / 1e9:.2f} | {wall:.1f} | {cpu_s:.1f} | {mbs:,.0f} | {fps:,.1f}"
    rows.append(f"| {label} | {cache} | {numbers} |")
    print(rows[-1], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--gb", type=float, default=10.0)
    parser.add_argument("--files-per-object", type=int, default=5)
    parser.add_argument("--mean-mb", type=float, default=40.0)
    parser.add_argument("--cold", action="store_true", help="drop the page cache before each pass (root)")
    parser.add_argument("--clean", action="store_true", help="remove --work at the end")
    args = parser.parse_args()
    root = args.work / "ocfl"
    store = OcflStore(root)
    if not store.exists:
        args.work.mkdir(parents=True, exist_ok=True)
        store.ensure()
        generate(store, args.gb, args.files_per_object, args.mean_mb)
    objects = list(store.objects())
    content = sorted(p for p in root.rglob("*") if p.is_file() and "/content/" in p.as_posix())
    nbytes, nfiles = sum(p.stat().st_size for p in content), len(content)
    load = os.getloadavg()
    print(
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"{len(objects)} objects, {nfiles} content files, {nbytes / 1e9:.2f} GB"
    )
    rows: list[str] = []
    print("| pass | cache | files | GB | wall s | CPU s | MB/s | files/s |\n|---|---|---|---|---|---|---|---|")
    listing = args.work / "files.txt"
    listing.write_text("\n".join(str(p) for p in content) + "\n")

    def audit(workers: int):  # type: ignore[no-untyped-def]
        def run() -> None:
            problems = [
                p for item, folder in objects for p in audit_object(store, item, folder, workers=workers).problems
            ]
            assert not problems, problems[:3]

        return run

    def sha512sum(parallel: int):  # type: ignore[no-untyped-def]
        def run() -> None:
            subprocess.run(
                f"xargs -d '\\n' -P {parallel} -n 16 sha512sum < {listing} > /dev/null", shell=True, check=True
            )

        return run

    for cold in (True, False) if args.cold else (False,):
        timed("`fixity audit` (audit_object, 2 threads)", audit(2), nbytes, nfiles, rows, cold)
        timed("`fixity audit` (audit_object, 1 thread)", audit(1), nbytes, nfiles, rows, cold)
        timed("reference: `sha512sum`, 2 processes", sha512sum(2), nbytes, nfiles, rows, cold)
        timed("reference: `sha512sum`, 1 process", sha512sum(1), nbytes, nfiles, rows, cold)
    load = os.getloadavg()
    print(f"load after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.clean:
        shutil.rmtree(args.work)
        shutil.rmtree(root.parent / f".{root.name}-work", ignore_errors=True)


if __name__ == "__main__":
    main()
