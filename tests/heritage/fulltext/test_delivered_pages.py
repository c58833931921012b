"""Text delivered for a scan of several pages (a multi-page TIFF) goes page by page: the Nth `ocr_page` of an
hOCR file, the Nth `Page` of an ALTO or PAGE file, is the text of the scan's Nth page; a page the text file
lacks is read by OCR. Real Tesseract writes the hOCR and ALTO of a real multi-page TIFF."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import select

from heritage.fulltext import delivered
from heritage.fulltext.alto import words
from heritage.fulltext.store import words_of
from heritage.models import File, PageText
from heritage.runtime import Runtime
from tests.helpers import write_sheet
from tests.heritage.fulltext.test_ocr import ingest, text_page

pytestmark = pytest.mark.db

FIRST = ("Leiden 1650 Elzevier",)
SECOND = ("Utrecht 1636 Academia",)
THIRD = ("Groningen 1614 Senaat",)


def tiff(path: Path, *pages: tuple[str, ...]) -> Path:
    images = [Image.open(text_page(path.with_name(f"{path.stem}-{n}.png"), lines)) for n, lines in enumerate(pages)]
    images[0].save(path, save_all=True, append_images=images[1:], compression="tiff_lzw")
    for n in range(len(pages)):
        path.with_name(f"{path.stem}-{n}.png").unlink()
    return path


def tesseract(image: Path, out_base: Path, kind: str) -> None:
    subprocess.run(["tesseract", str(image), str(out_base), "-l", "eng", kind], check=True, capture_output=True)


def page_xml(*pages: tuple[str, int]) -> str:
    """PAGE XML with one Page per (word, x)."""
    body = "".join(
        f'<Page imageFilename="s.tif" imageWidth="760" imageHeight="140"><TextRegion id="r{n}">'
        f'<TextLine id="l{n}"><Word id="w{n}"><Coords points="{x},50 {x + 100},50 {x + 100},90 {x},90"/>'
        f'<TextEquiv conf="0.9"><Unicode>{word}</Unicode></TextEquiv></Word></TextLine></TextRegion></Page>'
        for n, (word, x) in enumerate(pages)
    )
    namespace = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
    return f'<?xml version="1.0"?><PcGts xmlns="{namespace}">{body}</PcGts>'


def test_each_page_of_a_delivered_hocr_alto_and_page_file_is_its_own(tmp_path: Path) -> None:
    scan = tiff(tmp_path / "other.tif", FIRST, SECOND)
    tesseract(scan, tmp_path / "t", "hocr")
    tesseract(scan, tmp_path / "t", "alto")
    (tmp_path / "t.page.xml").write_text(page_xml(("Eerste", 60), ("Tweede", 300)), encoding="utf-8")
    for name in ("t.hocr", "t.xml"):
        texts = [{w.text for w in words(delivered.to_alto(tmp_path / name, "s.tif", page=n)[0])} for n in (0, 1)]
        assert {"Leiden", "Elzevier"} <= texts[0] and not texts[0] & {"Utrecht", "Academia"}, name
        assert {"Utrecht", "Academia"} <= texts[1] and not texts[1] & {"Leiden", "Elzevier"}, name
        with pytest.raises(delivered.NoSuchPage):
            delivered.to_alto(tmp_path / name, "s.tif", page=2)
    second = words(delivered.to_alto(tmp_path / "t.page.xml", "s.tif", page=1)[0])
    assert [(w.text, w.x) for w in second] == [("Tweede", 300)]
    with pytest.raises(delivered.NoSuchPage):
        delivered.to_alto(tmp_path / "t.page.xml", "s.tif", page=2)


def test_a_multi_page_scan_takes_each_page_of_its_delivered_text_and_reads_the_rest(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    tiff(folder / "register.tif", ("Register van de pedel",), ("Amsterdam 1811 Jansen",), THIRD)
    tesseract(tiff(tmp_path / "delivered.tif", FIRST, SECOND), folder / "register", "hocr")  # 2 pages of 3
    write_sheet(folder / "sheet.csv", [{"identifier": "R", "title": "Register", "files": "register.tif"}])
    ingest(runner, folder, "reg")
    with runtime.sessions() as s:
        rows = s.execute(select(File.page, PageText).join(PageText, PageText.file_id == File.id)).all()
        by_page = {page: row for page, row in rows}
        s.expunge_all()
    assert sorted(by_page) == [0, 1, 2]
    assert [by_page[n].source for n in (0, 1, 2)] == ["hocr", "hocr", "ocr"]
    found = [{w.text for w in words_of(runtime, by_page[n].file_id)} for n in (0, 1, 2)]
    assert {"Leiden", "Elzevier"} <= found[0] and "Utrecht" not in found[0]
    assert {"Utrecht", "Academia"} <= found[1] and "Leiden" not in found[1]
    assert {"Groningen", "Senaat"} <= found[2]  # the page the hOCR lacks, read from the scan
