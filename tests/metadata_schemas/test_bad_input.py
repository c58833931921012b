"""Bad input: every case gets a clear, located message; none crashes, hangs, reads a local file or
touches the network. The real negative fixtures in ../shared/fixtures/real/*/invalid/ come first."""

from __future__ import annotations

import http.server
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from metadata_schemas import checking, registry, schemas
from metadata_schemas.errors import InvalidMetadata

LOCATED = re.compile(r"^.+:(\d+|-): .+")

# Each real negative fixture and a phrase of what is reported (None: an edge case that is valid).
NEGATIVE = {
    "ead/invalid/princeton_C0033_badcharacters.xml": "is not a valid value of the atomic type",
    "ead/invalid/umich_bad-ead_extref-malformed-attrs.xml": "not well-formed XML",
    "ead/invalid/umich_bad-ead_mismatched-tags.xml": "Opening and ending tag mismatch",
    "ead/invalid/umich_bad-ead_ref-invalid-attrs.xml": "attribute 'type' is not allowed",
    "ead/invalid/umich_bad-ead_too-many-bytes-for-string.xml": None,
    "ead3/invalid/saa_EAD3test-undeprecated-namespace.xml": None,  # valid against ead3_undeprecated.xsd (held)
    "ead3/invalid/saa_schematron_test_ead3.xml": None,
    "marcxml/invalid/pymarc_bad_tag.xml": "is not three characters",
    "marcxml/invalid/ruby-marc_messed_up_leader.xml": "is not a MARC 21 leader",
    "marcxml/invalid/ruby-marc_three-records-second-bad.xml": "invalid character in attribute value",
    "marc/invalid/pymarc_bad_records.mrc": "base address",
    "marc/invalid/pymarc_utf8_invalid.mrc": "subfield code",
    "marc/invalid/ruby-marc_bad_utf8.mrc": "end-of-record",
    "marc/invalid/ruby-marc_cp866_unimarc_len-off-by-one.mrc": "truncated",
    "marc/invalid/ruby-marc_marc8-bytes_leader09-says-utf8.mrc": "leader/09 says UTF-8",
    "marc/invalid/traject_bad_subfield_code.mrc": "subfield code",
    "mods/invalid/dpla_tn_undeclared-xlink-prefix.xml": "Namespace prefix xlink",
    "dc/invalid/dpla_il_undeclared-xsi-prefix.xml": "Namespace prefix xsi",
    "dc/invalid/dpla_vt_undeclared-dcterms-prefix.xml": "Namespace prefix dcterms",
    "dc/invalid/sickle_ListRecordsBroken.xml": "Start tag expected",
    "lido/invalid/n4o_LIDO-invalid.xml": "no lido:lidoRecID",
    "dwc/invalid/dwca-invalid-lacks-metadata": "names metadata 'eml.xml', which is missing",
    "dwc/invalid/dwca-io_extension-core-id-missing_meta.xml": "data file 'taxa.txt' is missing",
    "dwc/invalid/dwca-io_meta-file-location-missing_meta.xml": "has no <files><location>",
    "dwc/invalid/dwca-malformed-descriptor": "meta.xml maps field index 234",
    "dwc/invalid/dwca-windows1252-eml": None,
}


@pytest.mark.parametrize(("name", "phrase"), NEGATIVE.items(), ids=list(NEGATIVE))
def test_real_negative_fixture_gets_located_problems(
    name: str, phrase: str | None, real: Path, xsd: schemas.SchemaSet
) -> None:
    report = checking.check(real / name)
    if phrase is None:
        assert report.valid, report.problems
        return
    assert report.problems, f"{name} should not validate"
    assert all(LOCATED.match(str(p)) for p in report.problems)
    assert any(phrase in p.message for p in report.problems), [str(p) for p in report.problems]


def test_every_negative_fixture_is_listed(real: Path) -> None:
    on_disk = {p.relative_to(real).as_posix() for p in real.glob("*/invalid/*")}
    assert on_disk == set(NEGATIVE)


def test_an_invalid_record_in_a_collection_is_reported_by_position_and_the_others_load(
    real: Path, tmp_path: Path, no_xsd: None
) -> None:
    text = (real / "marcxml" / "stanford_30records_utf8.marc.xml").read_text(encoding="utf-8")
    leaders = re.findall(r"<leader>[^<]*</leader>", text)
    broken = text.replace(leaders[1], "<leader>not a leader at all</leader>", 1)
    path = tmp_path / "collection.xml"
    path.write_text(broken, encoding="utf-8")

    problems = registry.detect(path).validate(path)
    assert [p.record for p in problems] == [2]
    line = broken[: broken.index("not a leader")].count("\n") + 1
    assert str(problems[0]).startswith(f"{path}:{line - 1}: record 2: leader 'not a leader at all'")

    records = list(registry.detect(path).parse(path))
    assert len(records) == 30
    assert [r.position for r in records if r.problems] == [2]
    assert records[2].core.title and not records[2].problems


def test_binary_marc_with_bad_records_still_loads_the_good_ones(real: Path) -> None:
    records = list(registry.get("marc").parse(real / "marc" / "invalid" / "pymarc_bad_records.mrc"))
    good = [r for r in records if not r.problems]
    assert len(records) == 9 and len(good) == 2
    assert all(r.core.title.startswith("The pragmatic programmer") for r in good)


def test_wrong_namespace_is_named(tmp_path: Path) -> None:
    path = tmp_path / "records.xml"
    path.write_text(
        '<collection xmlns="http://www.loc.gov/MARC21/slimmer"><record><leader>00000nam a2200000 a 4500</leader>'
        "</record></collection>",
        encoding="utf-8",
    )
    auto = checking.check(path)
    assert auto.standard is None
    assert "{http://www.loc.gov/MARC21/slimmer}collection" in auto.problems[0].message
    named = checking.check(path, "marcxml")
    assert "wrong standard or wrong namespace" in named.problems[0].message
    assert "http://www.loc.gov/MARC21/slim" in named.problems[0].message


def test_unknown_encoding_is_a_located_problem(tmp_path: Path) -> None:
    path = tmp_path / "klingon.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="x-klingon"?>\n<ead xmlns="urn:isbn:1-931666-22-9"/>')
    report = checking.check(path)
    assert str(report.problems[0]).startswith(f"{path}:1: not well-formed XML: Unsupported encoding: x-klingon")
    with pytest.raises(InvalidMetadata):
        list(checking.records(path))


def test_latin1_declared_and_used_is_read(tmp_path: Path, no_xsd: None) -> None:
    path = tmp_path / "latin1.xml"
    path.write_bytes(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Kasteel van Arenberg, Heverlee</dc:title>'
        "<dc:date>ca. 1650</dc:date><dc:coverage>Li\u00e8ge</dc:coverage></oai_dc:dc>".encode("iso-8859-1")
    )
    record = next(checking.records(path))
    assert record.core.places[0].label == "Li\u00e8ge" and record.core.dates[0].start == 1640


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-PASSWORD", encoding="utf-8")
    return path


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012 - shared on purpose: the test reads what the server saw

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "NETWORK-WAS-USED">')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    """A server on 127.0.0.1 that records every request: a parser that fetches anything shows up here."""
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("with_xsd", [True, False], ids=["xsd", "no-xsd"])
@pytest.mark.parametrize("standard", ["ead", "mods", "marcxml", "dc", "lido", "mets"])
def test_xxe_never_reads_a_local_file_nor_the_network(
    standard: str, with_xsd: bool, secret: Path, listener: str, tmp_path: Path, real: Path
) -> None:
    schemas.activate(real / "xsd" if with_xsd else None)
    roots = {
        "ead": '<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid><filedesc><titlestmt><titleproper>'
        '&xxe;&net;</titleproper></titlestmt></filedesc></eadheader><archdesc level="fonds"><did><unittitle>&xxe;'
        "</unittitle></did></archdesc></ead>",
        "mods": '<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>&xxe;&net;</title></titleInfo></mods>',
        "marcxml": '<collection xmlns="http://www.loc.gov/MARC21/slim"><record><leader>00000nam a2200000 a 4500'
        '</leader><datafield tag="245" ind1="0" ind2="0"><subfield code="a">&xxe;&net;</subfield></datafield>'
        "</record></collection>",
        "dc": '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&xxe;&net;</dc:title></oai_dc:dc>',
        "lido": '<lido:lido xmlns:lido="http://www.lido-schema.org"><lido:lidoRecID lido:type="local">&xxe;'
        "</lido:lidoRecID></lido:lido>",
        "mets": '<mets xmlns="http://www.loc.gov/METS/"><structMap><div LABEL="&xxe;&net;"/></structMap></mets>',
    }
    name = roots[standard].split()[0][1:]
    path = tmp_path / f"{standard}.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE {name} SYSTEM "{listener}/evil.dtd" [\n'
        f'<!ENTITY xxe SYSTEM "file://{secret}">\n<!ENTITY % remote SYSTEM "{listener}/param.dtd"> %remote;\n'
        f'<!ENTITY net SYSTEM "{listener}/entity">\n]>\n{roots[standard]}',
        encoding="utf-8",
    )
    report = checking.check(path)
    try:
        converted = [r.core.to_dict() for r in checking.records(path)]
    except InvalidMetadata as exc:
        converted = [str(p) for p in exc.problems]
    everything = repr(report.problems) + repr(converted)
    assert "TOP-SECRET" not in everything and "NETWORK-WAS-USED" not in everything
    assert _Recorder.hits == []
    assert any("entit" in p.message.lower() for p in report.problems)
    schemas.activate(None)


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE mods [<!ENTITY l0 "lol">{laughs}]>'
        '<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>&l9;</title></titleInfo></mods>',
        encoding="utf-8",
    )
    report = checking.check(path)
    assert "entity expansion attack" in report.problems[0].message and "lol" * 100 not in repr(report.problems)
    with pytest.raises(InvalidMetadata, match="entity expansion"):
        list(checking.records(path))


def test_a_truncated_zip_archive_is_named(real: Path, tmp_path: Path) -> None:
    data = (real / "dwc" / "bdj_spiders_checklist_980_dwca.zip").read_bytes()
    path = tmp_path / "truncated.zip"
    path.write_bytes(data[: len(data) // 2])
    report = checking.check(path)
    assert report.problems
    assert all(LOCATED.match(str(p)) for p in report.problems)
    assert any("zip" in p.message for p in report.problems)
    with pytest.raises(InvalidMetadata):
        list(checking.records(path))


def test_a_zip_with_a_damaged_member_is_named(real: Path, tmp_path: Path) -> None:
    source = real / "dwc" / "bdj_spiders_checklist_980_dwca.zip"
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(source) as zf, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in zf.infolist():
            out.writestr(info.filename, zf.read(info.filename))
    data = bytearray(path.read_bytes())
    start = data.index(b"taxa.csv") + 200  # inside the compressed taxa.csv
    data[start : start + 64] = b"\x00" * 64
    path.write_bytes(bytes(data))
    report = checking.check(path)
    assert any("damaged" in p.message or "not UTF-8" in p.message or "text" in p.message for p in report.problems)


def test_garbage_bytes_are_not_a_metadata_file(tmp_path: Path) -> None:
    path = tmp_path / "noise.bin"
    path.write_bytes(bytes(range(256)) * 10)
    report = checking.check(path)
    assert report.standard is None and "not a metadata file" in report.problems[0].message
