"""Huge files are streamed: memory stays flat as a MARCXML collection or an EAD finding aid grows.

Peak memory (not time) is asserted: each file is read in a fresh process, and the larger file may not
cost more than a few MB over the small one although it is ten times larger (a whole-document parse
needs several times the file's size). The records/s figures live in bench/metadata.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.metadata import RUNNER, make_ead, make_marcxml

ROOT = Path(__file__).resolve().parents[2]


def _peak(reader_code: str, path: Path) -> dict[str, float]:
    script = RUNNER.format(code=reader_code)
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_large_marcxml_collection_is_read_in_bounded_memory(real: Path, tmp_path: Path) -> None:
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small_count = make_marcxml(small, 2, real / "marcxml" / "dnb_99records.xml")
    large_count = make_marcxml(large, 24, real / "marcxml" / "dnb_99records.xml")
    code = "from metadata_schemas import registry\nn = sum(1 for _ in registry.get('marcxml').parse(path))"
    a, b = _peak(code, small), _peak(code, large)
    assert (a["records"], b["records"]) == (small_count, large_count)
    assert b["peak_mb"] - a["peak_mb"] < 15, (a, b)


@pytest.mark.slow
def test_a_large_finding_aid_is_read_in_bounded_memory(real: Path, tmp_path: Path) -> None:
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    source = real / "ead" / "stanford_sc0097_ead2002_large.xml"
    small_count = make_ead(small, 1, source)
    large_count = make_ead(large, 10, source)
    code = "from metadata_schemas import registry\nn = sum(1 for _ in registry.get('ead').parse(path))"
    a, b = _peak(code, small), _peak(code, large)
    assert (a["records"], b["records"]) == (small_count, large_count)
    assert b["peak_mb"] - a["peak_mb"] < 15, (a, b)
