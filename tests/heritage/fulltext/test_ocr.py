"""OCR in the pipeline: after a batch, each image page is read by Tesseract into ALTO 4 with word boxes and
confidences, in the record's language and script, skipped by the collection's rule, and a rerun or a crash
never reads a page twice nor loses one. Real Tesseract on small rendered pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import delete, func, select

from heritage.cli import main
from heritage.fulltext.store import alto_of, words_of
from heritage.models import Event, File, Item, PageText
from heritage.preservation.service import store_of
from heritage.runtime import Runtime
from tests.helpers import write_sheet
from tests.killpoint import heritage, killed

pytestmark = pytest.mark.db

LINES = ("Register van de pedel", "Amsterdam 1811 Jansen")


def text_page(path: Path, lines: tuple[str, ...] = LINES, *, size: int = 34, fraktur: bool = False) -> Path:
    """A small page of black print on white, (60, 50) its first line's top left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (760, 80 + 60 * len(lines)), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size)
    for n, line in enumerate(lines):
        draw.text((60, 50 + 60 * n), line, fill=(20, 20, 20), font=font)
    draw.point((2, 2), fill=tuple(path.name.encode()[:3].ljust(3, b"0")))  # each page its own bytes
    image.save(path)
    return path


def batch(folder: Path, rows: list[dict[str, str]]) -> Path:
    for row in rows:
        for name in row.get("files", "").split("|"):
            if name:
                text_page(folder / name)
    write_sheet(folder / "sheet.csv", rows)
    return folder


def ingest(runner: CliRunner, folder: Path, collection: str, domain: str = "archive") -> None:
    result = runner.invoke(main, ["ingest", str(folder), "--collection", collection, "--domain", domain])
    assert result.exit_code == 0, result.output


def texts(runtime: Runtime) -> dict[str, PageText]:
    """Local id of the item -> its page's text row."""
    with runtime.sessions() as s:
        rows = s.execute(select(Item.local_id, PageText).join(PageText, PageText.item_id == Item.id)).all()
        s.expunge_all()
        return {local: row for local, row in rows}


def test_ingest_stores_alto4_with_words_boxes_confidences_event_and_ocfl_text(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    ingest(
        runner,
        batch(tmp_path / "b", [{"identifier": "R1", "title": "Register", "language": "nl", "files": "p1.png"}]),
        "reg",
    )
    row = texts(runtime)["R1"]
    assert (row.state, row.source, row.languages) == ("done", "ocr", "nld")
    assert row.engine.startswith("tesseract 5.") and row.words >= 6 and 60 < row.confidence <= 100
    alto = alto_of(runtime, row.file_id)
    assert alto is not None and b'xmlns="http://www.loc.gov/standards/alto/ns-v4#"' in alto and b"p1.png" in alto
    found = {w.text: w for w in words_of(runtime, row.file_id)}
    assert {"Register", "pedel", "Amsterdam", "1811", "Jansen"} <= set(found)
    first = found["Register"]  # drawn at (60, 50) in the master's pixels
    assert abs(first.x - 60) <= 8 and abs(first.y - 55) <= 15 and first.w > 100 and first.confidence > 60
    assert found["Amsterdam"].y > first.y + 40  # the second line, below
    with runtime.sessions() as s:
        event = s.scalar(select(Event).where(Event.type == "ocr", Event.file_id == row.file_id))
        assert event.data["engine"] == "tesseract" and event.data["version"].startswith("5.")
        assert event.data["model"] == "nld" and event.data["confidence"] == row.confidence
    store = store_of(runtime)
    head = store.head_files(row.item_id)
    assert head["text/p1.png.alto.xml"].read_bytes() == alto
    assert any('"type": "ocr"' in line for line in head["events.jsonl"].read_text().splitlines())


def test_language_from_record_else_collection_else_default(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    rules = tmp_path / "ocr.yaml"
    shipped = (Path(__file__).resolve().parents[3] / "heritage" / "data" / "ocr_rules.yaml").read_text()
    rules.write_text(shipped.replace("collections: {}", "collections:\n  latijn: {ocr: auto, languages: lat}"))
    rows = [
        {"identifier": "A", "title": "Latijn en Frans", "language": "la|fre", "files": "a.png"},
        {"identifier": "B", "title": "Zonder taal", "files": "b.png"},
        {"identifier": "C", "title": "Onbekende taal", "language": "xx", "files": "c.png"},
    ]
    ingest(runner, batch(tmp_path / "one", rows), "gewoon")
    got = texts(runtime)
    assert (got["A"].languages, got["B"].languages, got["C"].languages) == ("lat+fra", "nld+fra+eng", "nld+fra+eng")
    assert {row.state for row in got.values()} == {"done"}
    env = {"HERITAGE_OCR_RULES": str(rules)}
    local = CliRunner(env={**runner.env, **env})
    rows2 = [
        {"identifier": "D", "title": "Zonder taal", "files": "d.png"},
        {"identifier": "E", "title": "Engels", "language": "en", "files": "e.png"},
    ]
    ingest(local, batch(tmp_path / "two", rows2), "latijn")
    got = texts(runtime)
    assert (got["D"].languages, got["E"].languages) == ("lat", "eng")
    assert {row.state for row in got.values()} == {"done"}


def test_fraktur_model_where_the_script_says_latf(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    rules = tmp_path / "ocr.yaml"
    shipped = (Path(__file__).resolve().parents[3] / "heritage" / "data" / "ocr_rules.yaml").read_text()
    rules.write_text(shipped.replace("collections: {}", "collections:\n  drukken: {ocr: auto, script: Latf}"))
    rows = [
        {"identifier": "F", "title": "Fraktur", "language": "de", "script": "Latf", "files": "f.png"},
        {"identifier": "G", "title": "Antiqua", "language": "de", "script": "Latn", "files": "g.png"},
    ]
    ingest(runner, batch(tmp_path / "one", rows), "boeken")
    got = texts(runtime)
    assert (got["F"].languages, got["G"].languages) == ("Fraktur", "deu")
    assert (got["F"].state, got["G"].state) == ("done", "done") and got["F"].words >= 4
    local = CliRunner(env={**runner.env, "HERITAGE_OCR_RULES": str(rules)})
    ingest(local, batch(tmp_path / "two", [{"identifier": "H", "title": "Almanak", "files": "h.png"}]), "drukken")
    assert (texts(runtime)["H"].languages, texts(runtime)["H"].state) == ("Fraktur", "done")


def test_images_only_collections_are_skipped_by_their_rule(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> None:
    ingest(runner, batch(tmp_path / "b", [{"identifier": "M1", "title": "Vaas", "files": "v.png"}]), "vazen", "museum")
    row = texts(runtime)["M1"]
    assert row.state == "skipped" and "ocr skip" in row.reason and alto_of(runtime, row.file_id) is None
    result = runner.invoke(main, ["ocr", "status", "--json"])
    assert result.exit_code == 0, result.output
    (vazen,) = json.loads(result.output)["collections"]
    assert (vazen["collection"], vazen["pages"], vazen["skipped"], vazen["done"], vazen["waiting"]) == (
        "vazen",
        1,
        1,
        0,
        0,
    )


def _count(runtime: Runtime, model: type, *where: object) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_cli_run_finishes_what_is_missing_and_status_flags_low_pages(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    rows = [{"identifier": f"P{n}", "title": f"Pagina {n}", "language": "nl", "files": f"p{n}.png"} for n in range(3)]
    ingest(runner, batch(tmp_path / "b", rows), "reg")
    ids = {local: row.item_id for local, row in texts(runtime).items()}
    with runtime.transaction() as s:  # pages ingested before OCR existed: no text yet
        s.execute(delete(PageText).where(PageText.item_id.in_([ids["P1"], ids["P2"]])))
    status = json.loads(runner.invoke(main, ["ocr", "status", "--json"]).output)
    assert [(c["done"], c["waiting"]) for c in status["collections"]] == [(1, 2)]
    versions = len(store_of(runtime).inventory(ids["P1"])["versions"])
    readings = _count(runtime, Event, Event.type == "ocr")
    result = runner.invoke(main, ["ocr", "run", "--collection", "reg"])
    assert result.exit_code == 0, result.output
    assert "2 pages read, 1 had text already" in result.output
    assert _count(runtime, Event, Event.type == "ocr") == readings + 2  # the two missing pages, none twice
    again = runner.invoke(main, ["ocr", "run", "--collection", "reg"])
    assert "0 pages read, 3 had text already" in again.output
    assert _count(runtime, Event, Event.type == "ocr") == readings + 2
    assert len(store_of(runtime).inventory(ids["P1"])["versions"]) == versions + 1  # the text's version, once
    forced = runner.invoke(main, ["ocr", "run", "--item", ids["P0"], "--force", "--lang", "eng"])
    assert "1 pages read" in forced.output and texts(runtime)["P0"].languages == "eng"
    bad = runner.invoke(main, ["ocr", "run", "--item", ids["P0"], "--force", "--lang", "xyz"])
    assert bad.exit_code == 1 and "xyz not installed" in bad.output
    strict = tmp_path / "strict.yaml"
    shipped = (Path(__file__).resolve().parents[3] / "heritage" / "data" / "ocr_rules.yaml").read_text()
    strict.write_text(shipped.replace("min_confidence: 60", "min_confidence: 99.9"))
    flagged = CliRunner(env={**runner.env, "HERITAGE_OCR_RULES": str(strict)}).invoke(main, ["ocr", "status"])
    assert flagged.exit_code == 0, flagged.output
    assert (
        "pages below confidence 99.9" in flagged.output
        and "p1.png" in flagged.output
        and "p0.png" not in flagged.output
    )
    text = runner.invoke(main, ["ocr", "status"]).output
    assert "reg" in text and "pages below" not in text
    assert runner.invoke(main, ["ocr", "run"]).exit_code == 1


@pytest.mark.parametrize(
    "moment",
    [
        "heritage.fulltext.store:write_alto/posix.replace#1",  # the ALTO half written, not renamed
        "heritage.fulltext.alto:mean_confidence#1",  # the ALTO in place, its row and event not committed
    ],
)
def test_a_killed_run_is_finished_by_the_next_without_duplicates(
    moment: str, runner: CliRunner, runtime: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    ingest(
        runner, batch(tmp_path / "b", [{"identifier": "K", "title": "Kill", "language": "nl", "files": "k.png"}]), "reg"
    )
    row = texts(runtime)["K"]
    with runtime.transaction() as s:
        s.execute(delete(PageText))
        s.execute(delete(Event).where(Event.type == "ocr"))
    assert killed(heritage("ocr", "run", "--item", row.item_id, env=cli_env, kill_at=moment))
    assert _count(runtime, PageText) == 0
    done = heritage("ocr", "run", "--item", row.item_id, env=cli_env)
    assert done.returncode == 0, done.stderr
    assert _count(runtime, PageText, PageText.state == "done") == 1 and _count(runtime, Event, Event.type == "ocr") == 1
    with runtime.sessions() as s:
        file = s.get(File, row.file_id)
        folder = runtime.storage.derivative_dir(file.sha256, file.page)
    assert [p.name for p in folder.iterdir() if "alto" in p.name] == ["alto.xml"]
    assert "Register" in {w.text for w in words_of(runtime, row.file_id)}


def test_the_batch_report_flags_pages_below_the_threshold(runner: CliRunner, tmp_path: Path) -> None:
    strict = tmp_path / "strict.yaml"
    shipped = (Path(__file__).resolve().parents[3] / "heritage" / "data" / "ocr_rules.yaml").read_text()
    strict.write_text(shipped.replace("min_confidence: 60", "min_confidence: 99.9"))
    folder = batch(tmp_path / "b", [{"identifier": "L", "title": "Laag", "language": "nl", "files": "laag.png"}])
    local = CliRunner(env={**runner.env, "HERITAGE_OCR_RULES": str(strict)})
    result = local.invoke(main, ["ingest", str(folder), "--collection", "reg", "--report", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert "ocr: laag.png: mean word confidence" in result.output and "1 pages of text to review" in result.output
    (low,) = json.loads((tmp_path / "r.json").read_text())["ocr_low"]
    assert low["name"] == "laag.png" and 0 < low["confidence"] < 99.9
    calm = runner.invoke(
        main,
        [
            "ingest",
            str(batch(tmp_path / "c", [{"identifier": "M", "title": "M", "files": "m.png"}])),
            "--collection",
            "reg",
        ],
    )
    assert calm.exit_code == 0 and "ocr:" not in calm.output and "to review" not in calm.output


PAGE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">
 <Page imageFilename="x.png" imageWidth="760" imageHeight="200">
  <TextRegion id="r1"><Coords points="60,50 700,50 700,140 60,140"/>
   <TextLine id="l1"><Coords points="60,50 500,50 500,90 60,90"/>
    <Word id="w1"><Coords points="60,50 200,50 200,90 60,90"/>
     <TextEquiv conf="0.9"><Unicode>Utrecht</Unicode></TextEquiv></Word>
    <Word id="w2"><Coords points="220,50 330,50 330,90 220,90"/>
     <TextEquiv conf="0.8"><Unicode>1636</Unicode></TextEquiv></Word>
   </TextLine>
   <TextLine id="l2"><Coords points="60,100 400,100 400,140 60,140"/>
    <TextEquiv><Unicode>Academia Ultrajectina</Unicode></TextEquiv></TextLine>
  </TextRegion>
 </Page>
</PcGts>"""


def test_text_delivered_beside_the_scan_is_taken_instead_of_ocr(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    import subprocess

    folder = tmp_path / "b"
    rows = [
        {"identifier": "H", "title": "hOCR", "language": "nl", "files": "h.png"},
        {"identifier": "P", "title": "PAGE", "language": "nl", "files": "p.png"},
        {"identifier": "A", "title": "ALTO", "language": "nl", "files": "a.png"},
    ]
    batch(folder, rows)
    other = text_page(tmp_path / "other.png", ("Leiden 1650 Elzevier",))  # delivered text differs from the scan's
    subprocess.run(["tesseract", str(other), str(folder / "h"), "-l", "eng", "hocr"], check=True, capture_output=True)
    subprocess.run(
        ["tesseract", str(other), str(folder / "a.alto"), "-l", "eng", "alto"], check=True, capture_output=True
    )
    (folder / "p.page.xml").write_text(PAGE_XML, encoding="utf-8")
    ingest(runner, folder, "reg")
    got = texts(runtime)
    assert (got["H"].source, got["P"].source, got["A"].source) == ("hocr", "page", "alto")
    for local in ("H", "A"):
        found = {w.text: w for w in words_of(runtime, got[local].file_id)}
        assert {"Leiden", "1650", "Elzevier"} <= set(found) and "Register" not in found
        assert abs(found["Leiden"].x - 60) <= 8 and found["Leiden"].confidence > 50
    page_words = words_of(runtime, got["P"].file_id)
    assert [(w.text, w.x, w.y, w.w, w.confidence) for w in page_words[:2]] == [
        ("Utrecht", 60, 50, 140, 90.0),
        ("1636", 220, 50, 110, 80.0),
    ]
    assert [w.text for w in page_words[2:]] == ["Academia", "Ultrajectina"]  # a line without words, spread
    assert page_words[2].x == 60 and page_words[3].x > page_words[2].x + page_words[2].w
    with runtime.sessions() as s:
        assert s.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.type == "ocr", Event.data["engine"].as_string() == "tesseract")
        ) in (0, None)


def test_text_survives_new_derivatives_and_a_catalogue_rebuilt_from_the_store(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    from tests.heritage.preservation.test_rebuild import _drop_everything

    ingest(
        runner, batch(tmp_path / "b", [{"identifier": "R", "title": "R", "language": "nl", "files": "r.png"}]), "reg"
    )
    row = texts(runtime)["R"]
    alto = alto_of(runtime, row.file_id)
    assert runner.invoke(main, ["derivatives", "rebuild", "--item", row.item_id]).exit_code == 0
    assert alto_of(runtime, row.file_id) == alto  # the tiles are remade, the text is kept
    assert runner.invoke(main, ["preservation", "sync", "--all"]).exit_code == 0
    _drop_everything(runtime)
    for path in (runtime.settings.data_dir / "derivatives").rglob("alto.xml"):
        path.unlink()
    runtime.engine.dispose()
    result = runner.invoke(main, ["rebuild-from-store"])
    assert result.exit_code == 0, result.output
    back = texts(runtime)["R"]
    assert (back.state, back.languages, back.confidence, back.words) == ("done", "nld", row.confidence, row.words)
    assert alto_of(runtime, row.file_id) == alto
    assert "0 new versions" in runner.invoke(main, ["preservation", "sync", "--all"]).output


METS_WITH_TEXT = """<?xml version="1.0" encoding="UTF-8"?>
<mets:mets xmlns:mets="http://www.loc.gov/METS/" xmlns:mods="http://www.loc.gov/mods/v3"
           xmlns:xlink="http://www.w3.org/1999/xlink" LABEL="Register">
  <mets:dmdSec ID="DMD_1">
    <mets:mdWrap MDTYPE="MODS"><mets:xmlData><mods:mods>
      <mods:identifier type="local">REG-1</mods:identifier>
      <mods:titleInfo><mods:title>Register met tekst</mods:title></mods:titleInfo>
      <mods:language><mods:languageTerm type="code" authority="iso639-2b">dut</mods:languageTerm></mods:language>
    </mods:mods></mets:xmlData></mets:mdWrap>
  </mets:dmdSec>
  <mets:fileSec>
    <mets:fileGrp USE="MASTER">
      <mets:file ID="F1" MIMETYPE="image/png"><mets:FLocat LOCTYPE="URL" xlink:href="scans/s1.png"/></mets:file>
      <mets:file ID="F2" MIMETYPE="image/png"><mets:FLocat LOCTYPE="URL" xlink:href="scans/s2.png"/></mets:file>
    </mets:fileGrp>
    <mets:fileGrp USE="FULLTEXT">
      <mets:file ID="T1" MIMETYPE="text/xml"><mets:FLocat LOCTYPE="URL" xlink:href="alto/00001.xml"/></mets:file>
    </mets:fileGrp>
  </mets:fileSec>
  <mets:structMap TYPE="PHYSICAL">
    <mets:div ID="PHYS_0" TYPE="physSequence">
      <mets:div ID="P1" TYPE="page" ORDER="1"><mets:fptr FILEID="F1"/><mets:fptr FILEID="T1"/></mets:div>
      <mets:div ID="P2" TYPE="page" ORDER="2"><mets:fptr FILEID="F2"/></mets:div>
    </mets:div>
  </mets:structMap>
  <mets:structMap TYPE="LOGICAL"><mets:div ID="LOG_1" TYPE="volume" DMDID="DMD_1"/></mets:structMap>
  <mets:structLink>
    <mets:smLink xlink:from="LOG_1" xlink:to="P1"/><mets:smLink xlink:from="LOG_1" xlink:to="P2"/>
  </mets:structLink>
</mets:mets>
"""


def test_text_a_mets_file_names_in_its_fulltext_group_is_taken(
    runner: CliRunner, runtime: Runtime, tmp_path: Path
) -> None:
    import subprocess

    folder = tmp_path / "m"
    text_page(folder / "scans" / "s1.png")
    text_page(folder / "scans" / "s2.png")
    (folder / "alto").mkdir()
    other = text_page(tmp_path / "other.png", ("Leiden 1650 Elzevier",))
    subprocess.run(
        ["tesseract", str(other), str(folder / "alto" / "00001"), "-l", "eng", "alto"], check=True, capture_output=True
    )
    (folder / "mets.xml").write_text(METS_WITH_TEXT, encoding="utf-8")
    ingest(runner, folder, "reg")
    with runtime.sessions() as s:
        rows = {
            name: t
            for name, t in s.execute(select(File.original_name, PageText).join(PageText, PageText.file_id == File.id))
        }
        s.expunge_all()
    assert (rows["scans/s1.png"].source, rows["scans/s2.png"].source) == ("alto", "ocr")
    assert rows["scans/s2.png"].languages == "nld"
    assert "Elzevier" in {w.text for w in words_of(runtime, rows["scans/s1.png"].file_id)}
    assert "Register" in {w.text for w in words_of(runtime, rows["scans/s2.png"].file_id)}
