"""MARC through the core record keeps what a library's record holds (issue 17): alternate scripts (880),
the bibliographic level, identifiers, classification, series, notes, headings and names by their kind,
imprints as 260, copyright dates; and every value comes back under its own tag."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metadata_schemas import checking, marc21, registry, schemas
from metadata_schemas.core import Agent, CoreRecord, DateRange, Note, Parallel, Term
from metadata_schemas.marcxml import read_element
from metadata_schemas.registry import ParsedRecord

STANFORD_MRC = "marc/stanford_30records_utf8.mrc"
STANFORD_XML = "marcxml/stanford_30records_utf8.marc.xml"
REAL_MARC = [
    STANFORD_MRC,
    "marc/pymarc_batch_10records.mrc",
    "marc/pymarc_marc8_encoded.mrc",
    STANFORD_XML,
    "marcxml/dnb_99records.xml",
    "marcxml/nlm_99records_nfd-diacritics.xml",
    "marcxml/loc_chronam_title_sru-wrapped.xml",
]
# The fields the issue saw disappear or change tag, with a subfield the core record reads.
LISTED = {
    "020": "a", "035": "a", "050": "a", "082": "a", "110": "a", "111": "a", "245": "a", "250": "a", "260": "b",
    "490": "a", "500": "a", "504": "a", "505": "a", "520": "a", "533": "a", "546": "a", "555": "a", "600": "a",
    "610": "a", "630": "a", "700": "a", "710": "a", "711": "a", "830": "a", "856": "u", "880": "6",
}  # fmt: skip


def _parse(real: Path, name: str) -> list[ParsedRecord]:
    return list(registry.detect(real / name).parse(real / name))


def _marc_records(real: Path, name: str) -> Iterator[marc21.MarcRecord]:
    """The MARC fields of each record as the file has them (before any crosswalk)."""
    path = real / name
    if name.endswith(".mrc"):
        from metadata_schemas.marc import STANDARD

        yield from (record for _p, _o, record, _m in STANDARD._stream(path) if record is not None)
    else:
        from lxml import etree

        for element in etree.parse(str(path)).iter("{http://www.loc.gov/MARC21/slim}record"):
            yield read_element(element)


@pytest.mark.parametrize("name", [STANFORD_MRC, STANFORD_XML])
def test_880_alternate_scripts_are_read_beside_their_romanised_values(real: Path, name: str) -> None:
    cores = [r.core for r in _parse(real, name)]
    parallels = [p for core in cores for p in core.parallels]
    assert {"Hebr", "Arab", "Hani", "Hang"} <= {p.script for p in parallels}
    hebrew = next(c for c in cores if any(p.script == "Hebr" and p.field == "title" for p in c.parallels))
    title = next(p for p in hebrew.parallels if p.field == "title" and p.script == "Hebr")
    assert title.romanised == hebrew.title
    assert any("\u0590" <= ch <= "\u05ff" for ch in title.value)
    korean = next(c for c in cores if c.title == "Koryŏ inmul yŏlchŏn")
    assert any(p.script == "Hang" and p.field == "publisher" and "瑞文堂" in p.value for p in korean.parallels)
    linked = sum(1 for record in _marc_records(real, name) for f in record.fields if f.tag == "880")
    assert len(parallels) == linked, "every 880 field reaches the core record"


def test_880_fields_are_written_back_linked_by_subfield_6(real: Path, xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    records = _parse(real, STANFORD_XML)
    core = next(r.core for r in records if any(p.script == "Hebr" for p in r.core.parallels))
    written = marc21.from_core(core)
    title = next(f for f in written.fields if f.tag == "245")
    occurrence = title.get("6")[0].removeprefix("880-")
    partner = next(f for f in written.fields if f.tag == "880" and f.get("6")[0].startswith(f"245-{occurrence}"))
    assert partner.get("6")[0].endswith("/(2/r")
    out = tmp_path / "out.xml"
    with out.open("wb") as fh:
        checking.convert([r.core for r in records], "marcxml", fh)  # validates against MARC21slim.xsd
    again = [r.core for r in registry.get("marcxml").parse(out)]
    assert [c.parallels for c in again] == [r.core.parallels for r in records]


@pytest.mark.parametrize("name", ["marcxml/dnb_99records.xml", "marcxml/nlm_99records_nfd-diacritics.xml"])
def test_leader_07_keeps_the_bibliographic_level(real: Path, name: str) -> None:
    sources = list(_marc_records(real, name))
    written = [marc21.from_core(r.core) for r in _parse(real, name)]
    assert {s.leader[7] for s in sources} >= ({"s", "m"} if "dnb" in name else {"s", "m", "a"})
    assert [w.leader[7] for w in written] == [s.leader[7] for s in sources]


@pytest.mark.parametrize("name", REAL_MARC)
def test_the_listed_fields_keep_their_tags_through_the_core_record(real: Path, name: str) -> None:
    for source, parsed in zip(_marc_records(real, name), _parse(real, name), strict=True):
        written = {f.tag for f in marc21.from_core(parsed.core).fields}
        had = {f.tag for f in source.fields if f.tag in LISTED and f.get(LISTED[f.tag])}
        assert had <= written, f"{name} {source.controlfield('001')}: {sorted(had - written)} lost"
        assert "264" not in written or "264" in {f.tag for f in source.fields}, "a 260 stays a 260"


def test_corporate_names_are_read_and_written_as_corporate(real: Path) -> None:
    source = next(r for r in _marc_records(real, STANFORD_MRC) if r.datafields(["110"]))
    core, _files, _fields = marc21.to_core(source)
    name = marc21._joined(source.datafields(["110"])[0], "abcdq")
    assert any(a.name == name and a.kind == "corporate" for a in core.agents)
    assert [f.tag for f in marc21.from_core(core).fields if f.tag in ("100", "110")] == ["110"]


def test_classification_and_series_are_kept(real: Path) -> None:
    core = _parse(real, "marc/pymarc_batch_10records.mrc")[0].core
    schemes = {t.scheme for t in core.subjects if t.kind == "classification"}
    assert {"lcc", "ddc"} <= schemes
    nlm = [r.core for r in _parse(real, "marcxml/nlm_99records_nfd-diacritics.xml")]
    series = next(c for c in nlm if any(n.type == "series_added_entry" for n in c.typed_notes))
    assert any(n.type == "series" for n in series.typed_notes)


def test_c2011_in_260_is_a_copyright_year_not_circa(real: Path) -> None:
    records = _parse(real, "marc/pymarc_batch_10records.mrc")
    core = next(r.core for r in records if any(d.text == "c1999" for d in r.core.dates))
    date = next(d for d in core.dates if d.text == "c1999")
    assert (date.start, date.end, date.certainty, date.type) == (1999, 1999, None, "copyright")
    event = core.events[0]
    assert event.type == "publication" and event.places and event.agents and event.date == date


def test_a_core_record_from_another_standard_is_written_to_the_marc_tags(
    xsd: schemas.SchemaSet, tmp_path: Path
) -> None:
    core = CoreRecord(
        title="Archief van de Sociëteit",
        agents=[Agent("Sociëteit De Witte", "creator", kind="corporate"), Agent("Jansen, Piet", "contributor")],
        dates=[DateRange("1950s-1990s", 1950, 1999, type="inclusive")],
        typed_notes=[Note("custodhist", "Overgebracht in 1999."), Note("acqinfo", "Schenking."), Note("odd", "x")],
        subjects=[Term("Verenigingen", scheme="lcsh"), Term("940.5", scheme="ddc", kind="classification")],
        parallels=[Parallel("title", "Архив общества", "Cyrl", romanised="Archief van de Sociëteit")],
        level="fonds",
        issuance="monographic",
    )
    record = marc21.from_core(core)
    tags = [f.tag for f in record.fields]
    assert {"110", "720", "561", "541", "500", "650", "082", "880"} <= set(tags)
    assert record.leader[7] == "c"
    assert next(f for f in record.fields if f.tag == "880").get("6") == ["245-01/(N"]
    out = tmp_path / "out.xml"
    with out.open("wb") as fh:
        checking.convert([core], "marcxml", fh)  # the output validates
    back = next(iter(registry.get("marcxml").parse(out))).core
    assert back.parallels == core.parallels
    assert {(n.type, n.text.rstrip(".")) for n in back.typed_notes} == {
        ("custodhist", "Overgebracht in 1999"),
        ("acqinfo", "Schenking"),
        ("general", "x"),  # a note MARC has no tag for is a general note (500)
    }
    assert [(a.name, a.kind) for a in back.agents] == [("Sociëteit De Witte", "corporate"), ("Jansen, Piet", None)]


def test_impossible_dates_are_warnings_with_the_field_line(tmp_path: Path) -> None:
    source = (
        '<collection xmlns="http://www.loc.gov/MARC21/slim"><record>\n'
        "<leader>00000nam a2200000 a 4500</leader>\n"
        '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Brieven</subfield></datafield>\n'
        '<datafield tag="260" ind1=" " ind2=" "><subfield code="a">Leiden</subfield>'
        '<subfield code="c">2011-13-01</subfield></datafield>\n'
        "</record></collection>\n"
    )
    path = tmp_path / "dates.xml"
    path.write_text(source, encoding="utf-8")
    record = next(iter(registry.get("marcxml").parse(path)))
    assert [d.start for d in record.core.dates] == [2011]
    assert [str(p) for p in record.problems] == [
        f"{path}:4: record 1: field 260 $c: date '2011-13-01' does not exist: there is no month 13"
    ]


def test_linking_entries_constituent_titles_and_identifier_kinds_are_kept(real: Path) -> None:
    dnb = [r.core for r in _parse(real, "marcxml/dnb_99records.xml")]
    assert any(n.type == "preceding" for c in dnb for n in c.typed_notes)
    stanford = [r.core for r in _parse(real, STANFORD_MRC)]
    with_parts = next(c for c in stanford if c.parts)
    assert "740" in {f.tag for f in marc21.from_core(with_parts).fields}
    kinds = {marc21.identifier_type(i) for c in stanford for i in c.identifiers}
    assert {"isbn", "system"} <= kinds
    assert marc21.identifier_type("0094-243X") == "issn"
    assert marc21.identifier_type("9783111731087 (Printausg. und eBook)") == "isbn"


def test_note_types_of_other_standards_and_cataloguer_notes_reach_their_marc_tags() -> None:
    core = CoreRecord(
        title="Brieven",
        typed_notes=[Note("biographical/historical", "Geboren 1900."), Note("scopecontent", "Brieven.")],
        description="Brieven.",
        notes={"nl": "Gecontroleerd."},
    )
    fields = [(f.tag, f.subfields) for f in marc21.from_core(core).fields if f.tag.startswith("5")]
    assert fields == [
        ("520", [("a", "Brieven.")]),  # the scope note is the description, written once
        ("545", [("a", "Geboren 1900.")]),
        ("500", [("a", "Gecontroleerd.")]),
    ]


def test_titles_by_language_are_written_as_242_with_their_language(xsd: schemas.SchemaSet, tmp_path: Path) -> None:
    core = CoreRecord(title="Brieven", titles={"nl": "Brieven", "en": "Letters"})
    out = tmp_path / "out.xml"
    with out.open("wb") as fh:
        checking.convert([core], "marcxml", fh)
    back = next(iter(registry.get("marcxml").parse(out))).core
    assert (back.title, back.titles) == ("Brieven", {"nl": "Brieven", "en": "Letters"})
    assert [f.get("y") for f in marc21.from_core(core).fields if f.tag == "242"] == [["dut"], ["eng"]]
