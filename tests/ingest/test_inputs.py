"""Each kind of input goes in: TIFF, JPEG, PNG, JPEG 2000, multi-page TIFF as pages, a sheet with one row
per page, BagIt bags of born-digital files; every step of every file is an event, in order."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from PIL import Image
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, File, FileRole, Item
from heritage.pyramid import Pyramid
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.helpers import make_image, write_sheet
from tests.ingest.checks import assert_masters_identical, assert_store_clean, sha256_of

pytestmark = pytest.mark.db

STEPS = [
    "message_digest_calculation",
    "format_identification",
    "metadata_extraction",
    "validation",
    "creation",
    "ingestion",
]


def test_every_image_format_goes_in_identified_measured_and_tiled(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "a.tif", (900, 700), seed=1, fmt="TIFF")
    make_image(batch / "b.jpg", (800, 600), seed=2)
    make_image(batch / "c.png", (500, 640), seed=3)
    make_image(batch / "d.jp2", (640, 480), seed=4, fmt="JPEG2000")
    report = ingest(runtime, batch, "formats", fmt="folder")
    assert report.exit_code == 0, report.failed
    with runtime.sessions() as s:
        files = {f.original_name: f for f in s.scalars(select(File))}
        assert {n: (f.puid, f.mime) for n, f in files.items()} == {
            "a.tif": ("fmt/353", "image/tiff"),
            "b.jpg": ("fmt/43", "image/jpeg"),
            "c.png": ("fmt/13", "image/png"),
            "d.jp2": ("x-fmt/392", "image/jp2"),
        }
        assert files["d.jp2"].technical["compression"] in ("jpeg2000-lossless", "jpeg2000-lossy")
        assert files["b.jpg"].quality["format_risk"] == "high" and files["a.tif"].quality["format_risk"] == "low"
        for f in files.values():
            root = runtime.storage.derivative_dir(f.sha256)
            pyramid = Pyramid.load(root)
            assert pyramid is not None and (pyramid.width, pyramid.height) == (f.width, f.height)
            assert all(Pyramid.tile_path(root, t).is_file() for s in pyramid.scale_factors for t in pyramid.tiles(s))
            assert (root / "access.jpg").is_file() and (root / "thumbnail.jpg").is_file()
            with Image.open(root / "thumbnail.jpg") as thumb:
                assert max(thumb.size) <= 400
            kinds = [e.type for e in s.scalars(select(Event).where(Event.item_id == f.item_id).order_by(Event.id))]
            assert [k for k in kinds if k in STEPS] == STEPS, f.original_name
    assert_store_clean(runtime)
    assert assert_masters_identical(runtime, batch) == 4


def test_multipage_tiff_becomes_pages_of_one_item(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    pages = [Image.new("RGB", (400 + 10 * i, 300), (40 * i, 90, 200 - 40 * i)) for i in range(3)]
    pages[0].save(batch / "volume.tif", save_all=True, append_images=pages[1:])
    write_sheet(
        batch / "sheet.csv", [{"identifier": "V1", "title": "Register", "level": "volume", "files": "volume.tif"}]
    )
    report = ingest(runtime, batch, "pages")
    assert report.exit_code == 0 and report.files[0].pages == 3
    with runtime.sessions() as s:
        item = s.scalar(select(Item).where(Item.local_id == "V1"))
        assert [(f.page, f.width, f.label) for f in item.files] == [
            (0, 400, "volume, p. 1"),
            (1, 410, "volume, p. 2"),
            (2, 420, "volume, p. 3"),
        ]
        assert len({f.storage_key for f in item.files}) == 1  # stored once, as it came
        third = item.files[2]
        root = runtime.storage.derivative_dir(third.sha256, 2)
        with Image.open(Pyramid.tile_path(root, (1, 0, 0))) as tile:
            assert tile.getpixel((5, 5))[0] > 60  # the third page's colour, not the first's
    assert_store_clean(runtime)


def test_sheet_with_one_row_per_page(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    for i in (1, 2):
        make_image(batch / f"f{i}.jpg", seed=i)
    write_sheet(
        batch / "sheet.csv",
        [
            {"identifier": "B1", "title": "Liber primus", "level": "volume", "files": ""},
            {"identifier": "B1-1", "parent": "B1", "title": "fol. 1r", "level": "page", "files": "f1.jpg"},
            {"identifier": "B1-2", "parent": "B1", "title": "fol. 1v", "level": "page", "files": "f2.jpg"},
        ],
    )
    report = ingest(runtime, batch, "perpage")
    assert report.exit_code == 0 and report.items_created == 1
    with runtime.sessions() as s:
        book = s.scalar(select(Item).where(Item.local_id == "B1"))
        assert [(f.original_name, f.label) for f in book.files] == [("f1.jpg", "fol. 1r"), ("f2.jpg", "fol. 1v")]


def _bag(folder: Path, files: dict[str, bytes], info: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    bagit.make_bag(str(folder), info or {}, checksums=["sha256"])
    return folder


BORN_DIGITAL = {
    "mail/message.eml": b"Return-Path: <rector@example.org>\nFrom: rector@example.org\nSubject: Jaarverslag\n\nTekst\n",
    "report.pdf": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n",
    "data/table.json": b'{"rows": [1, 2, 3]}',
    "notes.txt": "Notities van de rector, één pagina.\n".encode(),
    "blob.bin": bytes(range(256)) * 4,
}


def test_bag_of_born_digital_files_goes_in_as_one_item_kept_as_is(runtime: Runtime, tmp_path: Path) -> None:
    bag = _bag(
        tmp_path / "accession-2026-01",
        BORN_DIGITAL,
        {
            "External-Identifier": "ACC-2026-01",
            "External-Description": "Mailbox van de rector",
            "Source-Organization": "Rectoraat",
        },
    )
    report = ingest(runtime, bag, "rectoraat")
    assert report.exit_code == 0, (report.failed, report.problems)
    assert report.kind == "bag" and report.items_created == 1
    with runtime.sessions() as s:
        item = s.scalar(select(Item).where(Item.local_id == "ACC-2026-01"))
        assert item.title == "Mailbox van de rector"
        files = {f.original_name: f for f in item.files}
        assert set(files) == set(BORN_DIGITAL)
        assert {f.role for f in files.values()} == {FileRole.BORN_DIGITAL.value}
        assert files["mail/message.eml"].puid == "fmt/278"
        assert files["report.pdf"].puid == "fmt/18"
        assert files["data/table.json"].puid == "fmt/817"
        assert files["blob.bin"].format_name == "Unknown binary" and files["blob.bin"].quality["format_risk"] == "high"
        for name, f in files.items():
            assert runtime.storage.master_path(f.storage_key).read_bytes() == BORN_DIGITAL[name]
        assert "External-Identifier: ACC-2026-01" in (item.primary_record.original or "")
    assert_store_clean(runtime)


def test_bag_with_a_tampered_and_an_extra_file_puts_them_aside(runtime: Runtime, tmp_path: Path) -> None:
    bag = _bag(tmp_path / "bag", BORN_DIGITAL)
    (bag / "data" / "notes.txt").write_bytes(b"changed after bagging\n")
    (bag / "data" / "extra.txt").write_bytes(b"not in the manifest\n")
    report = ingest(runtime, bag, "bags")
    reasons = {f.path: f.reason or "" for f in report.failed}
    assert report.exit_code == 1
    assert "checksum differs from the bag's manifest" in reasons["notes.txt"]
    assert "not in its manifest" in reasons["extra.txt"]
    assert report.problems and "Payload-Oxum" in report.problems[0]
    assert {f.path for f in report.files if f.status == "stored"} == set(BORN_DIGITAL) - {"notes.txt"}
    assert_store_clean(runtime)


def test_folder_that_only_claims_to_be_a_bag_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    bag = tmp_path / "notabag"
    bag.mkdir()
    (bag / "bagit.txt").write_text("this is not a bag declaration\n")
    result = runner.invoke(main, ["ingest", str(bag), "--collection", "bags"])
    assert result.exit_code == 1
    assert "not a valid BagIt bag" in result.output


def test_scan_batch_refuses_unsupported_files_and_reports_json(runner: CliRunner, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    make_image(batch / "good.png", seed=1)
    (batch / "mystery.dat").write_bytes(bytes(range(256)) * 8)
    out = tmp_path / "report.json"
    result = runner.invoke(main, ["ingest", str(batch), "--collection", "scans", "--report", str(out)])
    assert result.exit_code == 1
    assert "failed: mystery.dat: unsupported format" in result.output
    report = json.loads(out.read_text())
    assert {f["path"]: f["status"] for f in report["files"]} == {"good.png": "stored", "mystery.dat": "failed"}
    good = next(f for f in report["files"] if f["path"] == "good.png")
    assert good["sha256"] == sha256_of(batch / "good.png") and good["puid"] == "fmt/13"


def test_truncated_masters_are_put_aside_and_never_stored(runtime: Runtime, tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    for name, fmt in (("cut.tif", "TIFF"), ("cut.jpg", "JPEG"), ("whole.png", "PNG")):
        make_image(batch / name, (900, 700), seed=len(name) + len(fmt), fmt=fmt)
    for name in ("cut.tif", "cut.jpg"):
        data = (batch / name).read_bytes()
        (batch / name).write_bytes(data[: len(data) * 2 // 3])
    report = ingest(runtime, batch, "cut", fmt="folder")
    reasons = {f.path: f.reason or "" for f in report.failed}
    assert set(reasons) == {"cut.tif", "cut.jpg"} and report.exit_code == 1
    assert all("truncated" in reason for reason in reasons.values()), reasons
    with runtime.sessions() as s:
        assert [f.original_name for f in s.scalars(select(File))] == ["whole.png"]
    assert_store_clean(runtime)
