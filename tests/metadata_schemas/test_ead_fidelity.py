"""EAD 2002 and EAD3 finding aids keep what an archivist wrote (issue 17): notes by type, containers,
physical locations, date types, text without stray spaces, and the SAA's EAD3 Schematron rules."""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lxml import etree

from heritage.cli import main
from metadata_schemas import checking, registry, schemas, schematron
from metadata_schemas.core import Container, CoreRecord
from metadata_schemas.xmlsafe import text_of

DATA = Path(__file__).parent / "data"
SMALL = [
    "ead/duke_rubenstein_strykerdeena_ead2002_c01-c04.xml",
    "ead/nlm_alphaomegaalpha_ead2002.xml",
    "ead/nyu_voorhis_ead2002_no-namespace.xml",
    "ead/saa_kitchen_sink_AT_output_enumerated_cs.xml",
    "ead3/princeton_C1571_ead3.xml",
    "ead3/saa_EAD3test_c01-c04.xml",
]
# Each finding aid into the other version of EAD and into its own; the two large ones one way only.
CONVERSIONS = [(source, target) for source in SMALL for target in ("ead", "ead3")] + [
    ("ead/stanford_sc0097_ead2002_large.xml", "ead3"),
    ("ead3/ncsu_mc00084_ead3_large.xml", "ead"),
    ("ead3/ncsu_mc00353_ead3_diacritics.xml", "ead"),
]


def _cores(path: Path) -> list[CoreRecord]:
    return [r.core for r in checking.records(path)]


def _notes(core: CoreRecord) -> dict[str, list[tuple[str | None, str]]]:
    out: dict[str, list[tuple[str | None, str]]] = {}
    for note in core.typed_notes:
        out.setdefault(note.type, []).append((note.label, note.text))
    return out


# --- notes, containers, locations, date types: read --------------------------------------------------


def test_ead2002_notes_are_read_by_type_with_their_heading(real: Path) -> None:
    top = _cores(real / "ead" / "duke_rubenstein_strykerdeena_ead2002_c01-c04.xml")[0]
    notes = _notes(top)
    assert notes["bioghist"][0][0] == "Biographical Note"
    assert notes["bioghist"][0][1].startswith("Deena Stryker (1933- ), formerly Deena B")
    assert notes["acqinfo"][0][0] == "Provenance"
    assert notes["processinfo"][0][0] == "Processing Information"
    assert notes["prefercite"][0][1].startswith("[Identification of item], Deena Stryker")
    assert [label for label, _ in notes["userestrict"]] == [
        "Copyright Notice - Photographs",
        "Copyright Notice - Manuscript Materials",
    ]


CUSTODHIST = "This collection was in the possession of Ima Gusdorf until it was transfered to the archives"


def test_every_ead3_note_kind_reaches_the_core_record(real: Path) -> None:
    top = _cores(real / "ead3" / "saa_EAD3test_c01-c04.xml")[0]
    assert set(_notes(top)) >= {
        "abstract", "didnote", "bioghist", "scopecontent", "arrangement", "relatedmaterial", "accessrestrict",
        "userestrict", "acqinfo", "processinfo", "altformavail", "appraisal", "custodhist", "fileplan",
        "accruals", "legalstatus", "odd", "originalsloc", "prefercite", "otherfindaid", "phystech",
        "separatedmaterial",
    }  # fmt: skip
    assert _notes(top)["custodhist"] == [("Custodial History", CUSTODHIST)]
    assert top.physical_locations == [
        "This collection is on off-site storage. 24 hours notice is required for its retrieval."
    ]


def test_kitchen_sink_keeps_notes_of_kinds_the_core_has_no_field_for(real: Path) -> None:
    top = _cores(real / "ead" / "saa_kitchen_sink_AT_output_enumerated_cs.xml")[0]
    kinds = Counter(n.type for n in top.typed_notes)
    for kind in ("accruals", "appraisal", "altformavail", "originalsloc", "otherfindaid", "relatedmaterial"):
        assert kinds[kind] >= 1, kind
    for kind in ("separatedmaterial", "bibliography", "odd", "phystech", "fileplan", "custodhist", "index"):
        assert kinds[kind] >= 1, kind
    assert top.physical_locations == ["Location note no label |||", "Location note (maybe physloc?) content. |||"]
    assert (top.dates[0].text, top.dates[0].type) == ("Bulk, 1989-1999", "bulk")


def test_containers_are_read_with_type_label_and_the_box_a_folder_sits_in(real: Path) -> None:
    cores = _cores(real / "ead" / "stanford_sc0097_ead2002_large.xml")
    chapter = next(c for c in cores if c.title == "The Art of Computer Programming, Chapter 1")
    assert chapter.containers == [
        Container("Box", "1", "Mixed Materials [aspace.536064.box.1]"),
        Container("folder", "3-5", None, parent="1"),
    ]
    assert chapter.details["archives.container"] == "Box 1, Folder 3-5"


def test_ead3_containers_and_date_types(real: Path) -> None:
    cores = _cores(real / "ead3" / "saa_EAD3test_c01-c04.xml")
    assert cores[0].dates[0].type == "inclusive"
    boxed = [c for c in cores if c.containers]
    assert boxed and boxed[0].containers[:2] == [Container("Box", "1"), Container("Folder", "1")]


# --- writing: EAD 2002 <-> EAD3 keep the mapped values -------------------------------------------------


def _values(core: CoreRecord) -> list[str]:
    def flat(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [f"{k}={v}" for key, item in value.items() for k in [key] for v in flat(item)]
        if isinstance(value, list):
            return [v for item in value for v in flat(item)]
        return [" ".join(str(value).split())]

    return [f"{key}:{v}" for key, value in core.to_dict().items() for v in flat(value)]


@pytest.mark.parametrize(("source", "target"), CONVERSIONS)
def test_finding_aids_keep_their_values_through_ead2002_and_ead3(
    source: str, target: str, real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    cores = _cores(real / source)
    out = tmp_path / "out.xml"
    with out.open("wb") as fh:
        checking.convert(cores, target, fh)  # validates against the target's XSD
    back = Counter(v for core in registry.get(target).parse(out) for v in _values(core.core))
    values = [v for core in cores for v in _values(core)]
    kept = 0
    for value in values:
        if back[value] > 0:
            back[value] -= 1
            kept += 1
    assert kept / len(values) >= 0.99, f"{kept}/{len(values)}"
    notes = sum(len(c.typed_notes) for c in cores)
    assert notes > 0 and sum(len(c.core.typed_notes) for c in registry.get(target).parse(out)) == notes


def test_ead3_legal_status_goes_into_ead2002_access_conditions(real: Path, xsd: schemas.SchemaSet) -> None:
    top = _cores(real / "ead3" / "saa_EAD3test_c01-c04.xml")[0]
    out = etree.fromstring(_write(top, "ead"))
    ns = {"ead": "urn:isbn:1-931666-22-9"}
    assert out.xpath(
        "string(//ead:archdesc/ead:accessrestrict[ead:head='Legal Status:']/ead:legalstatus)", namespaces=ns
    ) == ("No known laws restrict access to the use of this colleciton.")


def _write(core: CoreRecord, target: str) -> bytes:
    import io

    buffer = io.BytesIO()
    checking.convert([core], target, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("target", ["ead", "ead3"])
def test_an_edited_container_location_and_arrangement_replace_what_was_read(
    target: str, real: Path, xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    cores = _cores(real / "ead3" / "saa_EAD3test_c01-c04.xml")
    top = cores[0]
    top.details["archives.container"] = "Box 9, Folder 2"
    top.details["archives.physical_location"] = "Depot 2, shelf 4"
    top.details["archives.arrangement"] = "Chronologically."
    top.rights = "Ask the archivist."
    out = tmp_path / "out.xml"
    with out.open("wb") as fh:
        checking.convert([top], target, fh)
    again = next(iter(registry.get(target).parse(out))).core
    assert again.containers == [Container("box", "9"), Container("folder", "2")]
    assert again.details["archives.container"] == "Box 9, Folder 2"
    assert again.physical_locations == ["Depot 2, shelf 4"]
    assert _notes(again)["arrangement"] == [("Arrangement of the Papers", "Chronologically.")]
    assert again.rights == "Ask the archivist." and len(_notes(again)["userestrict"]) == 1
    assert _notes(again)["bioghist"] == _notes(top)["bioghist"]  # the rest stays as read


def test_a_folder_written_in_its_box_points_to_it(real: Path, xsd: schemas.SchemaSet) -> None:
    cores = _cores(real / "ead" / "stanford_sc0097_ead2002_large.xml")
    chapter = next(c for c in cores if c.title == "The Art of Computer Programming, Chapter 1")
    written = etree.fromstring(_write(chapter, "ead3"))
    box, folder = written.iter("{http://ead3.archivists.org/schema/}container")
    assert (box.get("localtype"), box.text, box.get("label")) == ("Box", "1", "Mixed Materials [aspace.536064.box.1]")
    assert folder.get("parent") == box.get("id") and folder.get("localtype") == "folder"


# --- text: inline markup joins as the source spaces it ------------------------------------------------


def test_inline_markup_leaves_no_stray_space_in_a_real_finding_aid(real: Path) -> None:
    cores = _cores(real / "ead" / "stanford_sc0097_ead2002_large.xml")
    titles = [c.title for c in cores]
    assert "The Art of Computer Programming, Chapter 1" in titles  # <title>...</title>, Chapter 1
    assert [t for t in titles if " ," in t] == [  # as the source has them, no more
        "original (incomplete) draft of TeX82 , Aug--Sep 1981",
        "Early draft of TeX82 , Jan 2 1982",
    ]
    bioghist = _notes(cores[0])["bioghist"][0][1]
    assert " ." not in bioghist and " ," not in bioghist


def test_inline_elements_join_without_space_and_blocks_stay_apart() -> None:
    p = etree.fromstring("<p>In <title render='italic'>Crop Sciences</title>, vol 21<lb/>p. 3</p>")
    assert text_of(p) == "In Crop Sciences, vol 21 p. 3"
    name = etree.fromstring("<name><namePart>Knuth</namePart><namePart>Donald</namePart></name>")
    assert text_of(name) == "Knuth Donald"
    note = etree.fromstring("<bioghist><p>One.</p><p>Two.</p><list><item>a</item><item>b</item></list></bioghist>")
    assert text_of(note) == "One. Two. a b"


def test_a_decade_range_in_a_unitdate_ends_with_the_last_decade(tmp_path: Path) -> None:
    path = tmp_path / "decades.xml"
    path.write_text(
        '<ead xmlns="urn:isbn:1-931666-22-9"><eadheader><eadid>x</eadid><filedesc><titlestmt><titleproper>T'
        '</titleproper></titlestmt></filedesc></eadheader><archdesc level="collection"><did><unittitle>Papers'
        '</unittitle><unitdate type="inclusive">1950s-1990s</unitdate></did></archdesc></ead>',
        encoding="utf-8",
    )
    (date,) = _cores(path)[0].dates
    assert (date.start, date.end, date.type) == (1950, 1999, "inclusive")


# --- EAD3 Schematron ------------------------------------------------------------------------------------


def _schemas_with_rules(real: Path, folder: Path) -> Path:
    """A schemas folder: the real XSDs (by nextCatalog) and the test rules at the official rules' URL."""
    folder.mkdir()
    shutil.copy(DATA / "ead3_test_rules.sch", folder / "ead3.sch")
    for name in ("test_scripts.xml", "test_languages.xml"):
        shutil.copy(DATA / name, folder / name)
    url = schemas.sources()[schematron.KEY].url
    (folder / "catalog.xml").write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">'
        f'<uri name="{url}" uri="ead3.sch"/><nextCatalog catalog="{real / "xsd" / "catalog.xml"}"/></catalog>',
        encoding="utf-8",
    )
    return folder


def test_validate_reports_each_failed_schematron_rule_with_its_line(
    real: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    schemas.activate(None)
    runner = CliRunner(env={"HERITAGE_DATA": str(tmp_path / "data"), "HERITAGE_SCHEMAS": ""})
    (tmp_path / "data").mkdir()
    installed = runner.invoke(main, ["schemas", "install", "--from", str(_schemas_with_rules(real, tmp_path / "s"))])
    assert installed.exit_code == 0, installed.output
    assert "ead3_schematron" in installed.stdout
    schemas.activate(None)
    path = real / "ead3" / "invalid" / "saa_schematron_test_ead3.xml"
    with caplog.at_level(logging.WARNING, logger="metadata_schemas"):
        result = runner.invoke(main, ["metadata", "validate", str(path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:26: EAD3 Schematron: Test rule: did has a language of the iso639-2b list.",
        f"{path}:26: EAD3 Schematron: Test rule: script latn is an ISO 15924 code.",
        f"{path}:27: EAD3 Schematron: Test rule: era is ce or bce.",
        f"{path}:28: EAD3 Schematron: Test rule: the dates of datesingle are ISO 8601.",
        f"{path}:33: EAD3 Schematron: Test rule: the dates of todate are ISO 8601.",
    ]
    assert "1 rule(s) need XSLT 2 and are not run: *[@lang]" in caplog.text
    schemas.activate(None)


def test_a_valid_finding_aid_passes_the_rules(real: Path, tmp_path: Path) -> None:
    schemas.activate(_schemas_with_rules(real, tmp_path / "s"))
    try:
        assert registry.get("ead3").validate(real / "ead3" / "saa_EAD3test_c01-c04.xml") == []
    finally:
        schemas.activate(None)


def test_without_the_rules_validate_says_once_that_schematron_was_skipped(
    real: Path, xsd: schemas.SchemaSet, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schematron, "_notice_given", False)
    path = real / "ead3" / "invalid" / "saa_schematron_test_ead3.xml"
    with caplog.at_level(logging.WARNING, logger="metadata_schemas"):
        assert registry.get("ead3").validate(path) == []  # XSD-valid by design
        assert registry.get("ead3").validate(path) == []
    assert caplog.text.count("EAD3 Schematron skipped") == 1


def test_the_official_xslt2_forms_become_xpath1() -> None:
    folder = Path("/rules")
    assert schematron.xpath1("matches(@normal, $isoRangePattern)", folder) == "regexp:test(@normal, $isoRangePattern)"
    assert schematron.xpath1("ead:datesingle[exists(@notbefore | @notafter)]", folder) == (
        "ead:datesingle[boolean(@notbefore | @notafter)]"
    )
    assert schematron.xpath1("every $d in (@notbefore, @notafter) satisfies matches($d, $p)", folder) == (
        "not((@notbefore | @notafter)[not(regexp:test(., $p))])"
    )
    assert schematron.xpath1("document('iso_3166.xml')", folder) == "document('file:///rules/iso_3166.xml')"


def test_download_fetches_the_rules_and_the_code_lists_they_read(tmp_path: Path) -> None:
    url = schemas.sources()[schematron.KEY].url
    served = {url: (DATA / "ead3_test_rules.sch").read_bytes()}
    for name in ("test_scripts.xml", "test_languages.xml"):  # read by document('x') and by a table of files
        served[url.rsplit("/", 1)[0] + "/" + name] = (DATA / name).read_bytes()

    def fetch(wanted: str) -> bytes:
        return served[wanted]

    keys = schemas.download(tmp_path / "schemas", fetch=fetch, keys=[schematron.KEY])
    assert keys == [schematron.KEY]
    rules = schematron.rules_file(schemas.SchemaSet(tmp_path / "schemas"))
    assert rules is not None and (rules.parent / "test_scripts.xml").is_file()
    assert (rules.parent / "test_languages.xml").is_file()


def test_a_rule_whose_code_list_is_missing_is_left_out_not_fatal(
    real: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _schemas_with_rules(real, tmp_path / "s")
    (folder / "test_languages.xml").unlink()
    path = real / "ead3" / "invalid" / "saa_schematron_test_ead3.xml"
    with caplog.at_level(logging.WARNING, logger="metadata_schemas"):
        problems = schematron.check(folder / "ead3.sch", etree.parse(str(path)), str(path))
    assert [p.line for p in problems] == [26, 27, 28, 33]  # script, era, the two dates; no language rule
    assert "2 rule(s) need XSLT 2 and are not run: *[boolean(@lang | @langcode)]; *[@lang]" in caplog.text


def test_a_corporate_creator_stays_a_corporate_name(real: Path, xsd: schemas.SchemaSet) -> None:
    cores = _cores(real / "ead" / "nlm_alphaomegaalpha_ead2002.xml")
    top = cores[0]
    assert [(a.name, a.kind) for a in top.agents] == [("Alpha Omega Alpha", "corporate")]
    assert ("Anfinsen, Christian B.", "person") in [(a.name, a.kind) for c in cores for a in c.agents]
    written = etree.fromstring(_write(top, "ead3"))
    ns = {"ead": "http://ead3.archivists.org/schema/"}
    assert written.xpath("string(//ead:origination/ead:corpname/ead:part)", namespaces=ns) == "Alpha Omega Alpha"
