"""`heritage metadata validate|convert` and `heritage schemas install`, as an archivist runs them."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.cli import main
from metadata_schemas import registry, schemas


@pytest.fixture
def cli(tmp_path: Path, real: Path) -> CliRunner:
    """A runner whose settings point at the real XSDs (HERITAGE_SCHEMAS) and a fresh data directory."""
    schemas.activate(None)
    return CliRunner(env={"HERITAGE_DATA": str(tmp_path / "data"), "HERITAGE_SCHEMAS": str(real / "xsd")})


@pytest.fixture
def bare(tmp_path: Path) -> CliRunner:
    """A runner without any schemas folder."""
    schemas.activate(None)
    (tmp_path / "bare").mkdir()
    return CliRunner(env={"HERITAGE_DATA": str(tmp_path / "bare"), "HERITAGE_SCHEMAS": ""})


def test_validate_names_the_standard_in_one_line(cli: CliRunner, real: Path) -> None:
    path = real / "ead3" / "princeton_C1571_ead3.xml"
    result = cli.invoke(main, ["metadata", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [f"{path}: valid EAD3 (ead3; against its XSD)"]


def test_validate_lists_every_problem_as_file_line_message(cli: CliRunner, real: Path) -> None:
    path = real / "ead" / "invalid" / "umich_bad-ead_ref-invalid-attrs.xml"
    result = cli.invoke(main, ["metadata", "validate", str(path)])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}:95: ") for line in lines)
    assert "attribute 'type' is not allowed" in lines[0]


def test_without_schemas_validation_says_once_that_xsd_was_skipped(bare: CliRunner, real: Path) -> None:
    path = real / "marcxml" / "dnb_99records.xml"
    result = bare.invoke(main, ["metadata", "validate", str(path)])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{path}: valid MARCXML (MARC 21 in XML) (marcxml; structure only)"
    assert result.stderr.count("XSD validation skipped") == 1
    assert "HERITAGE_SCHEMAS" in result.stderr and "heritage schemas install" in result.stderr


def test_structure_is_still_checked_without_schemas(bare: CliRunner, real: Path) -> None:
    path = real / "marcxml" / "invalid" / "ruby-marc_messed_up_leader.xml"
    result = bare.invoke(main, ["metadata", "validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:3: record 1: leader '01301nam a22003618< 4500' is not a MARC 21 leader")


def test_validate_with_the_wrong_format_says_so(cli: CliRunner, real: Path) -> None:
    path = real / "ead" / "stanford_sc0097_ead2002_large.xml"
    result = cli.invoke(main, ["metadata", "validate", str(path), "--format", "mods"])
    assert result.exit_code == 1
    assert "no MODS 3 mods record found" in result.stdout and "wrong standard or wrong namespace" in result.stdout


def test_validate_an_unknown_format_name_is_a_usage_error(cli: CliRunner, real: Path) -> None:
    result = cli.invoke(main, ["metadata", "validate", str(real / "PROVENANCE.md"), "--format", "tei"])
    assert result.exit_code == 2


@pytest.mark.parametrize("target", ["dc", "ead", "ead3", "marcxml", "mods", "lido", "mets", "marc"])
def test_convert_writes_valid_output_in_every_standard(cli: CliRunner, real: Path, tmp_path: Path, target: str) -> None:
    source = real / "ead" / "duke_rubenstein_strykerdeena_ead2002_c01-c04.xml"
    out = tmp_path / f"out.{target}"
    result = cli.invoke(main, ["metadata", "convert", str(source), "--to", target, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "converted 103 record(s)" in result.stderr
    check = cli.invoke(main, ["metadata", "validate", str(out)])
    assert check.exit_code == 0, check.output
    assert ("structure only" if target == "marc" else "against its XSD") in check.stdout  # ISO 2709 has no XSD
    titles = [r.core.title for r in registry.detect(out).parse(out)]
    assert "Deena Stryker photographs" in titles


def test_convert_to_dwc_writes_a_darwin_core_archive(cli: CliRunner, real: Path, tmp_path: Path) -> None:
    out = tmp_path / "specimens.zip"
    source = real / "dwc" / "lsu_puma_concolor_occurrences.csv"
    result = cli.invoke(main, ["metadata", "convert", str(source), "--to", "dwc", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as zf:
        assert {"meta.xml", "occurrence.txt", "eml.xml"} <= set(zf.namelist())
    assert cli.invoke(main, ["metadata", "validate", str(out)]).exit_code == 0
    first = next(registry.get("dwc").parse(out))
    assert first.core.taxon is not None and first.core.taxon.scientific_name == "Puma concolor"


def test_convert_to_json_gives_records_with_titles(cli: CliRunner, real: Path) -> None:
    source = real / "lido" / "kenom_numismatics_20records_lido.xml"
    result = cli.invoke(main, ["metadata", "convert", str(source), "--to", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)["records"]
    assert len(records) == 20 and all(r["title"] for r in records)
    assert records[0]["title"] == "Geldschein / Notgeld, 50 Pfennig, 7.1921"


def test_convert_to_stdout_streams_the_document(cli: CliRunner, real: Path) -> None:
    result = cli.invoke(main, ["metadata", "convert", str(real / "mods" / "nypl_mods.xml"), "--to", "marcxml"])
    assert result.exit_code == 0
    assert result.stdout.startswith("<?xml") and "<collection" in result.stdout


def test_convert_of_a_broken_file_writes_nothing(cli: CliRunner, real: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.xml"
    source = real / "marcxml" / "invalid" / "ruby-marc_three-records-second-bad.xml"
    result = cli.invoke(main, ["metadata", "convert", str(source), "--to", "mods", "-o", str(out)])
    assert result.exit_code == 1
    assert f"{source}:72: not well-formed XML" in result.stderr
    assert not out.exists() and list(tmp_path.glob(".never*")) == []


def test_schemas_install_from_a_folder_enables_xsd_validation(bare: CliRunner, real: Path, tmp_path: Path) -> None:
    result = bare.invoke(main, ["schemas", "install", "--from", str(real / "xsd")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bare" / "schemas" / "catalog.xml").is_file()
    assert "marcxml" in result.stdout and "lido11" in result.stdout
    schemas.activate(None)
    check = bare.invoke(main, ["metadata", "validate", str(real / "mods" / "nypl_mods.xml")])
    assert check.exit_code == 1 and "supplied" in check.stdout  # a real defect only the XSD sees
    assert "XSD validation skipped" not in check.stderr


def test_schemas_install_from_a_folder_without_catalog_fails_cleanly(bare: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = bare.invoke(main, ["schemas", "install", "--from", str(empty)])
    assert result.exit_code == 1
    assert "no catalog.xml" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "bare" / "schemas").exists()


def test_heritage_schemas_pointing_at_a_folder_without_catalog_is_a_clear_error(tmp_path: Path, real: Path) -> None:
    runner = CliRunner(env={"HERITAGE_DATA": str(tmp_path), "HERITAGE_SCHEMAS": str(tmp_path)})
    result = runner.invoke(main, ["metadata", "validate", str(real / "mods" / "nypl_mods.xml")])
    assert result.exit_code == 1
    assert f"HERITAGE_SCHEMAS={tmp_path}" in result.stderr


def test_download_fetches_each_schema_and_its_imports_and_writes_a_catalog(real: Path, tmp_path: Path) -> None:
    """The download path, fed from the fixture copies instead of the publishers (no test needs the internet)."""
    fixture = schemas.Catalog(real / "xsd" / "catalog.xml")
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        local = fixture.resolve(url)
        if local is None:
            raise OSError(f"not in the fixture catalog: {url}")
        return local.read_bytes()

    keys = schemas.download(tmp_path / "schemas", fetch=fetch, keys=["marcxml", "ead2002", "oai_dc"])
    assert keys == ["marcxml", "ead2002", "oai_dc"]
    assert "http://www.loc.gov/standards/xlink/xlink.xsd" in fetched  # imported by ead.xsd
    installed = schemas.SchemaSet(tmp_path / "schemas")
    assert installed.schema("ead2002") is not None and installed.schema("oai_dc") is not None


def test_download_failure_leaves_no_half_installed_folder(tmp_path: Path) -> None:
    def offline(url: str) -> bytes:
        raise OSError("network is unreachable")

    with pytest.raises(schemas.SchemaError, match="could not be downloaded"):
        schemas.download(tmp_path / "schemas", fetch=offline)
    assert list(tmp_path.iterdir()) == []


def test_convert_from_memory_round_trip_via_library(real: Path, xsd: schemas.SchemaSet) -> None:
    from metadata_schemas import checking

    cores = [r.core for r in checking.records(real / "marc" / "pymarc_marc8_encoded.mrc")]
    buffer = io.BytesIO()
    checking.convert(cores, "mods", buffer)
    assert b"Escape from loneliness" in buffer.getvalue()


def test_a_file_without_namespace_says_it_was_checked_for_structure_only(cli: CliRunner, real: Path) -> None:
    path = real / "ead" / "nyu_voorhis_ead2002_no-namespace.xml"
    result = cli.invoke(main, ["metadata", "validate", str(path)])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"{path}: valid EAD 2002 (ead; structure only)"
