"""Benchmark reading large metadata files: records per second and peak memory, beside references.

Builds a large MARCXML collection and a large EAD 2002 finding aid from the real fixtures in
`../shared/fixtures/real/` by repetition (into --work, never into the repository), then reads each
in a fresh process and reports records/s and peak RSS:

- MARCXML: our streaming `marcxml` parser (core records, crosswalk included) beside pymarc's
  `parse_xml_to_array` (SAX, every record kept in memory) and a whole-document lxml parse;
- EAD: our streaming `ead` parser (every component a record) beside a whole-document lxml parse
  counting the components.

    flock /tmp/bench.lock .venv/bin/python bench/metadata.py [--marc-mb 200] [--ead-mb 100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REAL = Path(os.environ.get("HERITAGE_SHARED_DIR") or ROOT.parent / "shared") / "fixtures" / "real"
MARC_SOURCE = REAL / "marcxml" / "dnb_99records.xml"
EAD_SOURCE = REAL / "ead" / "stanford_sc0097_ead2002_large.xml"


def make_marcxml(dest: Path, megabytes: float, source: Path = MARC_SOURCE) -> int:
    """A MARCXML collection of about `megabytes` MB: the source's records, repeated. Returns the record count."""
    text = source.read_text(encoding="utf-8")
    records = re.findall(r"<record\b.*?</record>", text, re.S)
    target = int(megabytes * 1024 * 1024)
    written = count = 0
    with dest.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
        while written < target:
            for record in records:
                out.write(record)
                out.write("\n")
                written += len(record) + 1
                count += 1
        out.write("</collection>\n")
    return count


def make_ead(dest: Path, megabytes: float, source: Path = EAD_SOURCE) -> int:
    """An EAD 2002 finding aid of about `megabytes` MB: the source's series, repeated with fresh ids.

    Returns the number of records (archdesc plus components)."""
    text = source.read_text(encoding="utf-8")
    start, end = text.index("<dsc"), text.rindex("</dsc>")
    open_end = text.index(">", start) + 1
    body = text[open_end:end]
    per_copy = len(re.findall(r"<c0[1-9]\b|<c1[0-2]\b|<c\b", body))
    target = int(megabytes * 1024 * 1024)
    copies = 0
    with dest.open("w", encoding="utf-8") as out:
        out.write(text[:open_end])
        written = open_end
        while written < target:
            copies += 1
            chunk = re.sub(r'\bid="([^"]+)"', rf'id="\1-r{copies}"', body)
            out.write(chunk)
            written += len(chunk)
        out.write(text[end:])
    return 1 + copies * per_copy


READERS = {
    "heritage marcxml (stream)": "from metadata_schemas import registry\n"
    "n = sum(1 for _ in registry.get('marcxml').parse(path))",
    "pymarc parse_xml_to_array": "import pymarc\nn = len(pymarc.parse_xml_to_array(str(path)))",
    "lxml whole document (marc)": "from lxml import etree\n"
    "n = len(etree.parse(str(path)).getroot().findall('{http://www.loc.gov/MARC21/slim}record'))",
    "heritage ead (stream)": "from metadata_schemas import registry\n"
    "n = sum(1 for _ in registry.get('ead').parse(path))",
    "lxml whole document (ead)": "from lxml import etree\nimport re\n"
    "root = etree.parse(str(path)).getroot()\n"
    "unit = re.compile(r'^(\\{[^}]*\\})?(archdesc|c|c0[1-9]|c1[0-2])$')\n"
    "n = sum(1 for e in root.iter() if isinstance(e.tag, str) and unit.match(e.tag))",
}

RUNNER = """
import json, resource, sys, time
from pathlib import Path
path = Path(sys.argv[1])
start = time.perf_counter()
{code}
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"records": n, "seconds": seconds, "peak_mb": peak}}))
"""


def measure(reader: str, path: Path) -> dict[str, float]:
    """Run one reader on one file in a fresh process: records, seconds, peak RSS (MB)."""
    script = RUNNER.format(code=READERS[reader])
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    from lxml import etree

    return (
        f"{platform.platform()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
        f"lxml {'.'.join(map(str, etree.LXML_VERSION))} / libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}; "
        f"uptime: {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--marc-mb", type=float, default=200)
    parser.add_argument("--ead-mb", type=float, default=100)
    parser.add_argument("--work", type=Path, default=Path("/tmp/heritage-bench-metadata"))
    parser.add_argument("--skip-dom", action="store_true", help="Skip the whole-document references (memory).")
    args = parser.parse_args()
    if not MARC_SOURCE.exists():
        sys.exit(f"the real fixtures are not here ({REAL}); set HERITAGE_SHARED_DIR")
    args.work.mkdir(parents=True, exist_ok=True)
    marc = args.work / f"marc-{args.marc_mb:g}mb.xml"
    ead = args.work / f"ead-{args.ead_mb:g}mb.xml"
    started = time.perf_counter()
    marc_count = make_marcxml(marc, args.marc_mb)
    ead_count = make_ead(ead, args.ead_mb)
    print(
        f"generated in {time.perf_counter() - started:.1f}s: {marc} ({marc.stat().st_size / 2**20:.0f} MB, "
        f"{marc_count} records), {ead} ({ead.stat().st_size / 2**20:.0f} MB, {ead_count} records)"
    )
    print(machine())
    runs = [
        ("heritage marcxml (stream)", marc),
        ("pymarc parse_xml_to_array", marc),
        ("lxml whole document (marc)", marc),
        ("heritage ead (stream)", ead),
        ("lxml whole document (ead)", ead),
    ]
    print("\n| reader | file | records | seconds | records/s | peak RSS MB |\n|---|---|---|---|---|---|")
    for reader, path in runs:
        if args.skip_dom and "whole document" in reader:
            continue
        result = measure(reader, path)
        rate = result["records"] / result["seconds"] if result["seconds"] else 0
        print(
            f"| {reader} | {path.stat().st_size / 2**20:.0f} MB | {result['records']} | {result['seconds']:.1f} | "
            f"{rate:,.0f} | {result['peak_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
