"""`convert` is lenient in and strict on demand, says what a target loses, and `validate` says truly
whether an XSD was applied (issue 17), on real records."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.metadata_cli import metadata


@pytest.fixture
def cli(tmp_path: Path, real: Path) -> CliRunner:
    return CliRunner(env={"HERITAGE_DATA": str(tmp_path / "data"), "HERITAGE_SCHEMAS": str(real / "xsd")})


def test_convert_takes_a_finding_aid_with_one_schema_error_and_warns_where(
    cli: CliRunner, real: Path, tmp_path: Path
) -> None:
    source = real / "ead" / "nlm_alphaomegaalpha_ead2002.xml"
    out = tmp_path / "out.xml"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "mods", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"warning: {source}:594: " in result.stderr
    assert out.exists()


def test_convert_strict_refuses_it_and_writes_nothing(cli: CliRunner, real: Path, tmp_path: Path) -> None:
    source = real / "ead" / "nlm_alphaomegaalpha_ead2002.xml"
    out = tmp_path / "out.xml"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "mods", "--strict", "-o", str(out)])
    assert result.exit_code == 1
    assert f"error: {source}:594: " in result.stderr and "--strict" in result.stderr
    assert not out.exists()


def test_convert_strict_takes_a_valid_file(cli: CliRunner, real: Path, tmp_path: Path) -> None:
    source = real / "mods" / "fsu_modsCollection_flvc.xml"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "dc", "--strict", "-o", str(tmp_path / "o.xml")])
    assert result.exit_code == 0, result.stderr


def test_report_lists_what_the_target_has_no_place_for(cli: CliRunner, real: Path, tmp_path: Path) -> None:
    source = real / "ead" / "duke_rubenstein_strykerdeena_ead2002_c01-c04.xml"
    out = tmp_path / "out.xml"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "dc", "--report", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    lost = [line for line in result.stderr.splitlines() if line.startswith("lost: ")]
    assert f"lost: {source}:49: record 1: genres (Contact sheets): Dublin Core (oai_dc) has no place for it" in lost, (
        lost[:5]
    )
    quiet = cli.invoke(metadata, ["convert", str(source), "--to", "dc", "-o", str(out)])
    assert "lost: " not in quiet.stderr  # only on request


def test_report_says_nothing_for_a_conversion_to_the_same_standard(cli: CliRunner, real: Path, tmp_path) -> None:
    source = real / "marcxml" / "dnb_99records.xml"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "marcxml", "--report", "-o", str(tmp_path / "o")])
    assert result.exit_code == 0 and "lost: " not in result.stderr


def test_validate_says_structure_only_where_no_xsd_was_applied(cli: CliRunner, real: Path) -> None:
    qualified = real / "dc" / "indiana_oai_dc_dcterms_record.xml"  # OCLC qualified DC: no XSD of ours applies
    plain = real / "dc" / "sickle_oai_getrecord_utf8.xml"  # oai_dc: validated against oai_dc.xsd
    assert "structure only" in cli.invoke(metadata, ["validate", str(qualified)]).output
    assert "against its XSD" in cli.invoke(metadata, ["validate", str(plain)]).output


def test_convert_refuses_a_record_whose_text_is_missing_even_when_lenient(cli: CliRunner, tmp_path: Path) -> None:
    """Leniency is for broken schema rules, whose values are all there; an entity only an external DTD
    defines is text that never arrives, so the file is refused as ingest refuses it."""
    source = tmp_path / "record.xml"
    source.write_text(
        '<?xml version="1.0"?><!DOCTYPE mods SYSTEM "http://127.0.0.1:9/mods.dtd">'
        '<mods xmlns="http://www.loc.gov/mods/v3" version="3.8"><titleInfo><title>Brief &leak;</title>'
        "</titleInfo></mods>",
        encoding="utf-8",
    )
    out = tmp_path / "out.xml"
    result = cli.invoke(metadata, ["convert", str(source), "--to", "dc", "-o", str(out)])
    assert result.exit_code == 1
    assert f"error: {source}:1: " in result.stderr and "text of its records is missing" in result.stderr
    assert not out.exists()
