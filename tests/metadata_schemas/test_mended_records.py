"""Records that break their schema in one readable place come back in their own standard with every
readable field as it was: only the broken part is mended, and each repair is a warning (issue 17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymarc
import pytest
from click.testing import CliRunner
from lxml import etree

from heritage.metadata_cli import metadata
from metadata_schemas import checking, marc_mend, schemas

SLIM = "{http://www.loc.gov/MARC21/slim}"


@pytest.fixture
def cli(tmp_path: Path, real: Path) -> CliRunner:
    return CliRunner(env={"HERITAGE_DATA": str(tmp_path / "data"), "HERITAGE_SCHEMAS": str(real / "xsd")})


def _convert(cli: CliRunner, source: Path, to: str, out: Path) -> str:
    result = cli.invoke(metadata, ["convert", str(source), "--to", to, "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert checking.check(out).problems == []
    return result.stderr


def _fields(path: Path) -> list[list[str]]:
    """Each record's fields as pymarc reads them (its own repair of a bad subfield code included)."""
    with path.open("rb") as fh:
        reader = pymarc.MARCReader(fh, to_unicode=True, force_utf8=True, utf8_handling="replace")
        return [[str(f) for f in record.fields] for record in reader if record is not None]


@pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning")
@pytest.mark.parametrize(
    ("name", "bad", "code", "kept"),
    [
        ("traject_bad_subfield_code.mrc", b"\xe2", "a", b"\x1fa\xe2bEditions du Seuil"),  # MARC-8 stays MARC-8
        ("pymarc_utf8_invalid.mrc", "\ufffd".encode(), "b", b"\x1fbbAssociation of Teacher Educators]"),
    ],
)
def test_a_bad_subfield_code_is_mended_and_the_record_kept_byte_for_byte(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet, name: str, bad: bytes, code: str, kept: bytes
) -> None:
    source = real / "marc" / "invalid" / name
    out = tmp_path / "out.mrc"
    stderr = _convert(cli, source, "marc", out)
    assert f"{source}:-: record 1 (byte 0): subfield code" in stderr
    assert f"written as ${code}" in stderr
    assert _fields(out) == _fields(source)
    assert "written from its core" not in stderr
    # the rest of the record is the source's bytes: only the code byte(s) changed (as pymarc reads them)
    assert len(source.read_bytes()) - len(out.read_bytes()) == len(bad) - 1
    assert kept in out.read_bytes()
    assert b"\xe2etrangers" in out.read_bytes() or b"\xe2" not in bad


def test_readable_records_of_a_damaged_file_come_back_the_rest_said(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "marc" / "invalid" / "pymarc_bad_records.mrc"
    out = tmp_path / "out.mrc"
    stderr = _convert(cli, source, "marc", out)
    assert _fields(out) == _fields(source)  # records 1 and 8, field by field
    assert len(_fields(out)) == 2
    assert f"{source}:-: record 1 (byte 0): wrote the leader '00127     2200037   4500' as" in stderr
    assert f"{source}:-: record 4 (byte 381): left out, not readable: the directory of fields is damaged" in stderr
    with out.open("rb") as fh:
        assert [str(r.leader)[5:12] for r in pymarc.MARCReader(fh)] == [" a   22"] * 2


@pytest.mark.parametrize(
    ("name", "leader", "mended"),
    [
        ("pymarc_bad_tag.xml", "      Z   22        4500", ":12: wrote data field tag '42' as '042'"),
        ("ruby-marc_messed_up_leader.xml", "01301nam a22003618  4500", ":3: wrote the leader '01301nam a22003618< "),
    ],
)
def test_a_marcxml_record_with_a_bad_leader_or_tag_keeps_every_other_field(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet, name: str, leader: str, mended: str
) -> None:
    source = real / "marcxml" / "invalid" / name
    out = tmp_path / "out.xml"
    stderr = _convert(cli, source, "marcxml", out)
    assert f"{source}{mended}" in stderr
    before, after = etree.parse(str(source)).getroot(), etree.parse(str(out)).getroot()
    assert after.findtext(f".//{SLIM}leader") == leader
    for element in before.iter(f"{SLIM}leader"):
        element.text = leader
    for element in before.iter(f"{SLIM}datafield"):
        if element.get("tag") == "42":
            element.set("tag", "042")
    assert etree.tostring(after, method="c14n2") == etree.tostring(before, method="c14n2")


@pytest.mark.parametrize(
    ("broken", "leader"),
    [
        ("      Z   22 4500", "      Z   22        4500"),  # short: blanks before the entry map
        ("01301nam a22003618< 4500", "01301nam a22003618  4500"),  # a stray character
        ("00127     2200037   4500", "00127 a   2200037   4500"),  # leader/06 may not be blank
        ("00127nam a2200037   45", "00127nam a2200037   4500"),  # a broken entry map
    ],
)
def test_a_leader_is_mended_position_by_position(broken: str, leader: str) -> None:
    assert marc_mend.leader(broken) == leader
    assert len(marc_mend.leader(broken)) == 24


def test_a_tag_without_its_leading_zero_gets_it_and_nothing_else_is_a_tag() -> None:
    assert marc_mend.tag("42") == "042"
    assert marc_mend.tag("7") is None  # 007 is a control field, no data field
    assert marc_mend.tag("4a") is None


UNDEPRECATED = "http://ead3.archivists.org/schema/undeprecated/"


def test_an_undeprecated_ead3_stays_in_its_namespace_when_its_xsd_is_installed(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "ead3" / "invalid" / "saa_EAD3test-undeprecated-namespace.xml"
    assert checking.check(source).problems == []  # it validates against ead3_undeprecated.xsd
    out = tmp_path / "out.xml"
    stderr = _convert(cli, source, "ead3", out)
    assert "written from its core" not in stderr
    assert etree.QName(etree.parse(str(out)).getroot()).namespace == UNDEPRECATED
    assert etree.tostring(etree.parse(str(out)), method="c14n2") == etree.tostring(
        etree.parse(str(source)), method="c14n2"
    )


def test_without_its_xsd_an_undeprecated_ead3_is_said_to_be_written_as_ead3(real: Path, tmp_path: Path) -> None:
    folder = tmp_path / "xsd"
    shutil.copytree(real / "xsd", folder, ignore=shutil.ignore_patterns("ead3_undeprecated.xsd"))
    cli = CliRunner(env={"HERITAGE_DATA": str(tmp_path / "data"), "HERITAGE_SCHEMAS": str(folder)})
    source = real / "ead3" / "invalid" / "saa_EAD3test-undeprecated-namespace.xml"
    out = tmp_path / "out.xml"
    stderr = _convert(cli, source, "ead3", out)
    assert f"{source}:1: wrong namespace" in stderr
    assert "ead3_undeprecated.xsd is not installed" in stderr
    assert etree.QName(etree.parse(str(out)).getroot()).namespace == "http://ead3.archivists.org/schema/"


def test_loose_text_of_a_mods_subject_name_or_related_item_is_wrapped_not_dropped(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "mods" / "aspace_oai_getrecord_mods.xml"
    out = tmp_path / "out.xml"
    stderr = _convert(cli, source, "mods", out)
    assert f"{source}:63: wrapped the text of <subject> in <topic>" in stderr
    assert f"{source}:71: wrapped the text of <relatedItem> in <titleInfo><title>" in stderr
    mods = "{http://www.loc.gov/mods/v3}"
    root = etree.parse(str(out)).getroot()
    topics = [el.text for el in root.iter(f"{mods}topic")]
    assert {"Function -- Subject", "Occupation -- Subject"} <= set(topics)
    assert [el.text for el in root.iter(f"{mods}namePart")][-1] == "Agent, Subject"
    host = root.find(f".//{mods}relatedItem[@type='host']")
    assert host is not None and host.findtext(f"{mods}titleInfo/{mods}title") == (
        "Test resource 0, Resource OAI test 0.OAI.1"
    )


def test_an_ead_link_attribute_in_the_wrong_namespace_moves_instead_of_going(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "ead" / "invalid" / "umich_bad-ead_ref-invalid-attrs.xml"
    out = tmp_path / "out.xml"
    stderr = _convert(cli, source, "ead", out)
    assert f"{source}:95: moved type of <ref> to xlink:type" in stderr
    assert f"{source}:95: moved xlink:target of <ref> to target" in stderr
    ref = next(etree.parse(str(out)).getroot().iter("{urn:isbn:1-931666-22-9}ref"))
    assert ref.text == "Speeches Series"
    assert ref.get("target") == "s10" and ref.get("{http://www.w3.org/1999/xlink}type") == "simple"


def test_marc8_text_under_a_utf8_leader_is_read_as_marc8_and_written_with_leader09_blank(
    cli: CliRunner, real: Path, tmp_path: Path, xsd: schemas.SchemaSet
) -> None:
    source = real / "marc" / "invalid" / "ruby-marc_marc8-bytes_leader09-says-utf8.mrc"
    titles = [r.core.title for r in checking.records(source)]
    assert titles and "théâtre" in titles[0]  # read as the MARC-8 it is, not refused
    out = tmp_path / "out.mrc"
    stderr = _convert(cli, source, "marc", out)
    assert f"{source}:-: record 1 (byte 0): leader/09 says UTF-8 but the text is not UTF-8" in stderr
    before, after = source.read_bytes(), out.read_bytes()
    assert after == before[:9] + b" " + before[10:]  # one byte mended, every other as it came
