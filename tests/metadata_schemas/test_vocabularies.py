"""Authority ids, plain access statements, dates and the core record's stored form."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metadata_schemas import checking
from metadata_schemas.access_terms import interpret
from metadata_schemas.authorities import authority, scheme_of
from metadata_schemas.core import CoreRecord
from metadata_schemas.dates import parse_date
from metadata_schemas.errors import MetadataError


@pytest.mark.parametrize(
    ("value", "source", "uri", "scheme"),
    [
        ("(DE-588)4067453-8", None, "https://d-nb.info/gnd/4067453-8", "gnd"),
        ("sh85039408", "lcsh", "http://id.loc.gov/authorities/subjects/sh85039408", "lcsh"),
        ("(DLC)n  95093926.", None, "http://id.loc.gov/authorities/names/n95093926", "lcnaf"),
        ("http://vocab.getty.edu/aat/300033618", None, "http://vocab.getty.edu/aat/300033618", "aat"),
        ("http://vocab.getty.edu/tgn/7007874", "local", "http://vocab.getty.edu/tgn/7007874", "tgn"),
        ("500115493", "ulan", "http://vocab.getty.edu/ulan/500115493", "ulan"),
        ("Q42", "wikidata", "http://www.wikidata.org/entity/Q42", "wikidata"),
        ("https://www.gbif.org/species/2435099", None, "https://www.gbif.org/species/2435099", "gbif"),
        ("12345", "local", "12345", "local"),
        ("", None, None, None),
    ],
)
def test_authority_ids_become_uris_where_the_vocabulary_is_known(
    value: str, source: str | None, uri: str | None, scheme: str | None
) -> None:
    assert authority(value, source) == (uri, scheme)


def test_viaf_uri_is_recognised() -> None:
    assert scheme_of("http://viaf.org/viaf/46888277") == "viaf"


@pytest.mark.parametrize(
    ("note", "decision"),
    [
        ("Open for research.", {"access": "public"}),
        ("The collection is open for research.", {"access": "public"}),
        ("No restrictions on access.", {"access": "public"}),
        ("openbaar", {"access": "public"}),
        ("Closed until 2040-01-01.", {"access": "closed", "closed_until": "2040-01-01"}),
        ("niet openbaar", {"access": "closed"}),
        ("Restricted", {"access": "restricted"}),
        ("Collection is open for research; some files are closed until 2030.", {}),
        ("RESTRICTED: Access to these folders requires prior written approval.", {}),
        ("", {}),
    ],
)
def test_access_is_decided_only_from_a_plain_statement(note: str, decision: dict[str, str]) -> None:
    assert interpret(note) == decision


@pytest.mark.parametrize(
    ("text", "normal", "start", "end", "certainty"),
    [
        ("1963-1964 and undated", "1963/1964", 1963, 1964, None),
        ("ca. 1963", "1963/1964", 1963, 1964, "circa"),
        ("1954-", None, 1954, None, None),
        ("c1920", None, 1910, 1930, "circa"),
        ("circa 1890s", None, 1880, 1909, "circa"),
        ("2001-01-01/2001-02-01", None, 2001, 2001, None),
        ("undated", "bad normal", None, None, None),
    ],
)
def test_dates_with_a_machine_readable_normal(
    text: str, normal: str | None, start: int | None, end: int | None, certainty: str | None
) -> None:
    date = parse_date(text, normal)
    assert (date.text, date.start, date.end, date.certainty) == (text, start, end, certainty)


@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=30)))
def test_any_date_text_gives_a_range_or_none_never_an_error(text: str, normal: str | None) -> None:
    date = parse_date(text, normal)
    assert date.text == text.strip()
    if date.start is not None and date.end is not None:
        assert date.start <= date.end


def test_stored_core_dicts_of_older_versions_still_load() -> None:
    old = {"title": "Register", "agents": [{"name": "Jan", "role": "creator", "id": None}], "obsolete": 1}
    core = CoreRecord.from_dict(old)
    assert core.title == "Register" and core.agents[0].name == "Jan" and core.files == []
    assert CoreRecord.from_dict(core.to_dict()) == core


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400))
def test_any_bytes_are_a_report_or_our_named_error(data: bytes, tmp_path_factory: pytest.TempPathFactory) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / "input.xml"
    path.write_bytes(data)
    report = checking.check(path)
    assert report.valid or report.problems
    with contextlib.suppress(MetadataError):  # InvalidMetadata and UnknownFormat are MetadataErrors
        list(checking.records(path))


@settings(max_examples=40, deadline=None)
@given(standard=st.sampled_from(["mods", "ead", "marcxml", "lido", "dc"]), text=st.text(max_size=200))
def test_any_text_inside_a_record_is_read_or_refused_by_name(
    standard: str, text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from xml.sax.saxutils import escape

    body = escape("".join(ch for ch in text if ch.isprintable()))
    documents = {
        "mods": f'<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>{body}</title></titleInfo></mods>',
        "ead": f'<ead xmlns="urn:isbn:1-931666-22-9"><archdesc level="fonds"><did><unitdate>{body}</unitdate>'
        "</did></archdesc></ead>",
        "marcxml": '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
        f'<datafield tag="650" ind1=" " ind2="0"><subfield code="a">{body}</subfield></datafield></record>',
        "lido": f'<lido:lido xmlns:lido="http://www.lido-schema.org"><lido:lidoRecID>{body}</lido:lidoRecID></lido:lido>',
        "dc": '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:date>{body}</dc:date></oai_dc:dc>',
    }
    path = tmp_path_factory.mktemp("fuzz") / "record.xml"
    path.write_text(documents[standard], encoding="utf-8")
    records = list(checking.records(path))
    assert len(records) == 1 and records[0].standard == standard
