"""Benchmark the OCR the pipeline stores: per page of ../shared/fixtures/ocr, the character error rate (CER)
of the text kept in its ALTO against the ground truth, beside plain Tesseract's (`tesseract IMG - -l L`,
run here, and the figure PROVENANCE.md gives), and pages per minute per core.

The pages go in as a batch (`ingest` with a sheet naming each page's `language` and, for the Fraktur pages,
`script` Latf), so the text scored is what the pipeline chose the model for and stored. Speed: each page is
read again (`read_item --force`) with Tesseract held to one thread (OMP_THREAD_LIMIT=1, as one worker per
core runs it), timed by CPU seconds of the process and its children; plus one generated A4 page at 300 ppi
(the issue's target: 6 pages per minute per core). With --variants, the preprocessing candidates (Otsu
binarisation of the greyscale page, page segmentation modes 4 and 6) are scored on the same pages, so that
only what measurably helps goes into the pipeline. The CER is the fixtures' own (derive_and_score.py:
whitespace runs as one space; "folded": MUFI ligatures expanded, NFKC, long s as s).

    flock /tmp/bench.lock nice -n 15 .venv/bin/python bench/ocr.py [--fixtures ../shared/fixtures/ocr] [--variants]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ["OMP_THREAD_LIMIT"] = "1"  # one core per page, as one worker per core reads them

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

# page stem -> (sheet language, sheet script, the model plain Tesseract is compared with, its CER in PROVENANCE.md)
PAGES = {
    "de_fraktur_sbb688357687_p0084": ("de", "Latf", "Fraktur", 15.5),
    "de_fraktur_sbb665546211_p0058": ("de", "Latf", "Fraktur", 19.0),
    "fr_antiqua_sbb689809840_p0019": ("fr", "", "fra", 9.8),
    "la_antiqua_sbb774039221_p0055": ("la", "", "lat", 18.5),
    "en_modern_tesseract_phototest": ("en", "", "eng", 0.0),
    "en_hist_iif_ofthesciences": ("en", "", "eng", 14.3),
}


def scorer(fixtures: Path) -> Any:
    """The fixtures' own scoring module, read in place."""
    spec = importlib.util.spec_from_file_location("derive_and_score", fixtures / "derive_and_score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def a4_page(path: Path) -> Path:
    """A 300 ppi A4 page (2480 x 3508) of 60 lines of 12 pt print: the size the speed target speaks of."""
    image = Image.new("L", (2480, 3508), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=42)
    words = [
        "het",
        "register",
        "van",
        "de",
        "burgerlijke",
        "stand",
        "der",
        "gemeente",
        "Amsterdam",
        "in",
        "het",
        "jaar",
        "achttienhonderd",
    ]
    for n in range(60):
        line = " ".join(words[(n + k) % len(words)] for k in range(12))
        draw.text((240, 240 + n * 50), line, fill=20, font=font)
    image.save(path, dpi=(300, 300))
    return path


def plain_tesseract(image: Path, model: str, psm: int | None = None) -> str:
    args = ["tesseract", str(image), "-", "-l", model] + (["--psm", str(psm)] if psm else [])
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def otsu(image: Path, out: Path) -> Path:
    """The greyscale page binarised at Otsu's threshold (the preprocessing candidate)."""
    import numpy as np

    grey = np.asarray(Image.open(image).convert("L"))
    hist = np.bincount(grey.ravel(), minlength=256).astype(float)
    total, cumulative, mean = grey.size, np.cumsum(hist), np.cumsum(hist * np.arange(256))
    between = (mean[-1] * cumulative / total - mean) ** 2 / (cumulative * (total - cumulative) + 1e-9)
    Image.fromarray(np.where(grey > int(np.argmax(between)), 255, 0).astype("uint8")).save(out)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixtures", type=Path, default=HERE.parent.parent / "shared" / "fixtures" / "ocr")
    parser.add_argument("--variants", action="store_true", help="also score the preprocessing candidates")
    args = parser.parse_args()
    fixtures = args.fixtures.resolve()
    if not (fixtures / "PROVENANCE.md").is_file():
        print(f"no OCR fixtures at {fixtures}", file=sys.stderr)
        return 2
    score = scorer(fixtures)

    from sqlalchemy import select

    from heritage.fulltext.alto import plain_text
    from heritage.fulltext.engine import engine_name
    from heritage.fulltext.jobs import read_item
    from heritage.fulltext.store import alto_of
    from heritage.models import File, Item, PageText
    from heritage.runtime import Runtime, use_runtime
    from heritage.settings import Settings
    from ingest.pipeline import ingest

    work = Path(tempfile.mkdtemp(prefix="heritage-ocr-bench-"))
    try:
        batch = work / "batch"
        batch.mkdir()
        rows = ["identifier,title,language,script,files"]
        for stem, (lang, script, _, _) in PAGES.items():
            shutil.copy(fixtures / f"{stem}.tif", batch / f"{stem}.tif")  # a batch folder of its own, in /tmp
            rows.append(f"{stem},{stem},{lang},{script},{stem}.tif")
        a4_page(batch / "a4_generated_300ppi.png")
        rows.append("a4,A4 page,nl,,a4_generated_300ppi.png")
        (batch / "sheet.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        runtime = Runtime.open(Settings.load({"data_dir": str(work / "data")}, environ={}))
        started = time.perf_counter()
        ingest(runtime, batch, "ocr-bench", domain="library")
        print(f"ingest with OCR of {len(PAGES) + 1} pages: {time.perf_counter() - started:.1f} s wall", file=sys.stderr)
        with runtime.sessions() as session:
            found = {
                local: (item_id, file_id, w, h, langs)
                for local, item_id, file_id, w, h, langs in session.execute(
                    select(Item.local_id, Item.id, File.id, File.width, File.height, PageText.languages)
                    .join(File, File.item_id == Item.id)
                    .join(PageText, PageText.file_id == File.id)
                )
            }
        rows_out = []
        for stem, (_, _, model, reference) in PAGES.items():
            item_id, file_id, w, h, langs = found[stem]
            gt = (fixtures / f"{stem}.gt.txt").read_text(encoding="utf-8")
            stored = plain_text(alto_of(runtime, file_id) or b"")
            plain = plain_tesseract(fixtures / f"{stem}.tif", model)
            before = cpu()
            with use_runtime(runtime):
                read_item(runtime, item_id, force=True)
            seconds = cpu() - before
            row = {
                "page": stem,
                "pixels": f"{w}x{h}",
                "model": langs,
                "cer": 100 * score.cer(score.ws(gt), score.ws(stored)),
                "cer_folded": 100 * score.cer(score.fold(gt), score.fold(stored)),
                "plain": 100 * score.cer(score.ws(gt), score.ws(plain)),
                "plain_folded": 100 * score.cer(score.fold(gt), score.fold(plain)),
                "reference": reference,
                "seconds": seconds,
            }
            if args.variants:
                image = fixtures / f"{stem}.tif"
                binary = otsu(image, work / f"{stem}.otsu.png")
                for name, text in (
                    ("otsu", plain_tesseract(binary, model)),
                    ("psm4", plain_tesseract(image, model, 4)),
                    ("psm6", plain_tesseract(image, model, 6)),
                ):
                    row[name] = 100 * score.cer(score.ws(gt), score.ws(text))
            rows_out.append(row)
        item_id, file_id, w, h, langs = found["a4"]
        before = cpu()
        with use_runtime(runtime):
            read_item(runtime, item_id, force=True)
        a4_seconds = cpu() - before
        runtime.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"## OCR: CER of the stored text and speed ({datetime.now(UTC):%Y-%m-%d})\n")
    print(
        f"{engine_name()}, Debian models; {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; OMP_THREAD_LIMIT=1\n"
    )
    head = "| page | pixels | model | CER stored | folded | plain tesseract here | folded | PROVENANCE | s/page (CPU) |"
    extra = " otsu | psm 4 | psm 6 |" if args.variants else ""
    print(head + extra)
    print("|" + " --- |" * (9 + (3 if args.variants else 0)))
    for r in rows_out:
        line = (
            f"| {r['page']} | {r['pixels']} | {r['model']} | {r['cer']:.1f} % | {r['cer_folded']:.1f} % | "
            f"{r['plain']:.1f} % | {r['plain_folded']:.1f} % | {r['reference']:.1f} % | {r['seconds']:.1f} |"
        )
        if args.variants:
            line += f" {r['otsu']:.1f} % | {r['psm4']:.1f} % | {r['psm6']:.1f} % |"
        print(line)
    total = sum(r["seconds"] for r in rows_out)
    print(
        f"\nFixture pages: {len(rows_out)} in {total:.1f} CPU s = {60 * len(rows_out) / total:.1f} pages per minute "
        f"per core. Generated A4 at 300 ppi ({w}x{h}, 60 lines, model {langs}): {a4_seconds:.1f} CPU s = "
        f"{60 / a4_seconds:.1f} pages per minute per core."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
