"""Same standard out = what came in (issue 17): real records converted to their own standard come back as
they came, a broken one mended with every repair said, and an edit changes only the field it touched."""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from collections import Counter
from pathlib import Path

import pymarc
import pytest
from click.testing import CliRunner
from lxml import etree

from heritage.metadata_cli import metadata
from metadata_schemas import checking, same_standard, schemas
from metadata_schemas.registry import ParsedRecord

XML_STANDARDS = ("dc", "ead", "ead3", "lido", "marcxml", "mets", "mods")
SAME = {"dwc_csv": "dwc"}


@pytest.fixture
def cli(tmp_path: Path, real: Path) -> CliRunner:
    return CliRunner(env={"HERITAGE_DATA": str(tmp_path / "data"), "HERITAGE_SCHEMAS": str(real / "xsd")})


def _valid_files(real: Path) -> list[Path]:
    return [
        p
        for folder in (*XML_STANDARDS, "marc", "dwc")
        for p in sorted((real / folder).glob("*"))
        if p.name != "invalid"
    ]


def _c14n(data: bytes) -> bytes:
    """Canonical XML (C14N 2.0): equal documents give equal bytes."""
    root = etree.fromstring(data, etree.XMLParser(huge_tree=True))
    return etree.tostring(root, method="c14n2")


def _marc_fields(path: Path) -> list[list[tuple[str, str]]]:
    with path.open("rb") as fh:
        return [
            [(f.tag, f.data if f.is_control_field() else str(f)) for f in record.fields]
            for record in pymarc.MARCReader(fh, to_unicode=True, utf8_handling="replace")
        ]


def _texts(xml: str) -> Counter[str]:
    root = etree.fromstring(xml.encode("utf-8"))
    return Counter(
        " ".join(el.text.split()) for el in root.iter() if isinstance(el.tag, str) and (el.text or "").strip()
    )


def test_every_valid_real_record_comes_back_as_it_came(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    checked = 0
    for path in _valid_files(real):
        report = checking.check(path)
        if report.standard is None or report.problems or report.standard.name == "dwc_csv":
            continue  # a file that breaks its schema is mended, below
        name = report.standard.name
        out = tmp_path / f"{path.name}.out"
        result = cli.invoke(metadata, ["convert", str(path), "--to", name, "-o", str(out)])
        assert result.exit_code == 0, (path, result.stderr)
        if name == "marc":
            assert _marc_fields(out) == _marc_fields(path), path  # field by field
        elif name == "dwc":
            assert checking.check(out).problems == []
        else:
            assert _c14n(out.read_bytes()) == _c14n(path.read_bytes()), path
        checked += 1
    assert checked >= 20


def test_a_finding_aid_with_one_schema_error_is_mended_and_says_where(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "ead" / "nlm_alphaomegaalpha_ead2002.xml"
    out = tmp_path / "out.xml"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "ead", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"{source}:594: moved <did> before <originalsloc>" in result.stderr
    assert checking.check(out).problems == []
    kept = _texts(out.read_text("utf-8"))
    before = _texts(source.read_text("utf-8"))
    assert sum((before & kept).values()) / sum(before.values()) >= 0.98


def _first(path: Path, position: int = 1) -> ParsedRecord:
    return next(r for r in checking.records(path) if r.position == position)


@pytest.mark.parametrize(
    ("folder", "name", "position"),
    [
        ("mods", "fsu_modsCollection_flvc.xml", 1),
        ("ead", "duke_rubenstein_strykerdeena_ead2002_c01-c04.xml", 1),
        ("ead", "duke_rubenstein_strykerdeena_ead2002_c01-c04.xml", 4),
        ("ead", "nyu_voorhis_ead2002_no-namespace.xml", 3),
        ("marc", "stanford_30records_utf8.mrc", 1),
        ("marcxml", "dnb_99records.xml", 2),
    ],
)
def test_an_edited_title_changes_only_the_title(real: Path, folder: str, name: str, position: int) -> None:
    record = _first(real / folder / name, position)
    assert record.original is not None
    parsed = same_standard.reparse(record.original, record.standard)
    current = copy.deepcopy(parsed)
    current.title, current.titles = "Een nieuwe titel", {}
    edited = same_standard.apply_edits(record.original, record.standard, parsed, current)
    assert edited is not None and edited != record.original
    back = same_standard.reparse(edited, record.standard).to_dict()
    assert back.pop("title") == "Een nieuwe titel"
    expected = parsed.to_dict()
    expected.pop("title")
    expected.pop("titles", None)
    back.pop("titles", None)
    assert back == expected  # every other field reads as before
    if record.standard == "marc":
        old = {f.tag: f for f in _marc_record(record.original).fields if f.tag != "245"}
        new = {f.tag: f for f in _marc_record(edited).fields if f.tag != "245"}
        assert {t: str(f) for t, f in old.items()} == {t: str(f) for t, f in new.items()}
    else:
        lost = _texts(record.original) - _texts(edited)
        assert set(lost) <= {parsed.title, *parsed.title.split(" : "), *_title_parts(record.original)}


def _marc_record(original: str) -> pymarc.Record:
    return pymarc.Record(data=original.encode("utf-8"), force_utf8=True)


def _title_parts(original: str) -> set[str]:
    root = etree.fromstring(original.encode("utf-8"))
    names = {"title", "subTitle", "nonSort", "partNumber", "partName", "unittitle", "subfield"}
    return {
        " ".join(el.text.split())
        for el in root.iter()
        if isinstance(el.tag, str) and etree.QName(el).localname in names and el.text
    }


def test_an_edited_mods_record_still_validates(real: Path, xsd: schemas.SchemaSet) -> None:
    record = _first(real / "mods" / "fsu_modsCollection_flvc.xml")
    assert record.original is not None
    parsed = same_standard.reparse(record.original, "mods")
    current = copy.deepcopy(parsed)
    current.title = "Blauwdruk"
    edited = same_standard.apply_edits(record.original, "mods", parsed, current)
    assert edited is not None
    assert xsd.check("mods", etree.fromstring(edited.encode("utf-8")), "edited") == []


def test_an_unedited_record_is_its_original(real: Path) -> None:
    record = _first(real / "marcxml" / "dnb_99records.xml")
    assert record.original is not None
    parsed = same_standard.reparse(record.original, "marcxml")
    assert same_standard.apply_edits(record.original, "marcxml", parsed, copy.deepcopy(parsed)) == record.original


def test_a_darwin_core_csv_comes_back_in_an_archive_that_holds_it(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "dwc" / "lsu_puma_concolor_occurrences.csv"
    out = tmp_path / "out.zip"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "dwc", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert checking.check(out).problems == []
    with zipfile.ZipFile(out) as zf:
        held = zf.read("occurrence.txt").decode("utf-8")
    # every cell as it came (the text re-encoded as meta.xml says); short rows get empty trailing cells only
    source_rows = list(csv.reader(io.StringIO(source.read_bytes().decode("cp1252"), newline="")))
    held_rows = list(csv.reader(io.StringIO(held, newline="")))
    assert len(held_rows) == len(source_rows)
    assert all(h[: len(s)] == s and not any(h[len(s) :]) for h, s in zip(held_rows, source_rows, strict=True))
    assert len(list(checking.records(out))) == len(list(checking.records(source)))


def test_an_archive_naming_a_missing_description_comes_back_with_its_data_untouched(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "dwc" / "plazi_draposa_treatment_dwca.zip"
    out = tmp_path / "out.zip"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "dwc", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert "dropped the reference to the missing dataset description" in result.stderr
    assert checking.check(out).problems == []
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(out) as after:
        data = [n for n in before.namelist() if not n.endswith("meta.xml")]
        assert data and all(before.read(n) == after.read(n) for n in data)
