"""Exports stream: the peak memory of `heritage export` does not grow with the collection (10,000 items
cost no more than 500); the 100,000-item figures are in bench/RESULTS.md (`bench/export.py`)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[3] / "bench" / "export.py"


def peak_rss_mb(args: list[str], env: dict[str, str]) -> float:
    heritage = str(Path(sys.executable).with_name("heritage"))
    process = subprocess.Popen([heritage, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read() if process.stderr else ""
    return usage.ru_maxrss / 1024


def test_peak_memory_does_not_grow_with_the_collection(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_export", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data = tmp_path / "data"
    data.mkdir()
    bench.generate(data, "small", 500, series=10)
    bench.generate(data, "large", 10_000, series=10)
    env = {**os.environ, "HERITAGE_DATA": str(data), "REDIS_URL": "", "DATABASE_URL": ""}
    peaks = {}
    for slug in ("small", "large"):
        out = tmp_path / f"{slug}.xml"
        peaks[slug] = peak_rss_mb(["export", "--collection", slug, "--format", "ead", "-o", str(out)], env)
        assert out.stat().st_size > 0
    assert (tmp_path / "large.xml").stat().st_size > 15 * (tmp_path / "small.xml").stat().st_size
    # A finding aid built in memory costs about 10 MB per 1,000 components; streamed it costs nothing.
    assert peaks["large"] - peaks["small"] < 15, peaks
