"""`heritage authorities` as an archivist runs it: merge, rename, a CSV update (with its dry run and its
`FILE:LINE: message` errors that change nothing) and the EAC-CPF export. SQLite and (in CI) PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select

from heritage import authorities
from heritage.authorities.eac import NS
from heritage.cli import main
from heritage.models import Authority, AuthorityLink, Event
from heritage.runtime import Runtime
from tests.conftest import SHARED
from tests.helpers import write_sheet

pytestmark = pytest.mark.db


@pytest.fixture
def catalogue(runner: CliRunner, tmp_path: Path) -> Path:
    """Three files naming two spellings of one person, a corporate body, a subject; the third is closed."""
    (tmp_path / "batch").mkdir()
    sheet = write_sheet(
        tmp_path / "batch" / "sheet.csv",
        [
            {"identifier": "A1", "title": "Brief een", "creator": "Peeters, Jan, 1850-1920 <https://viaf.org/viaf/77>",
             "subject": "Tucht", "files": ""},
            {"identifier": "A2", "title": "Brief twee", "creator": "J. Peeters", "files": ""},
            {"identifier": "A3", "title": "Geheim dossier", "creator": "Universiteit Leuven (creator)",
             "subject": "Tucht", "access": "closed", "files": ""},
        ],
    )  # fmt: skip
    result = runner.invoke(main, ["ingest", str(sheet.parent), "--collection", "brieven"])
    assert result.exit_code == 0, result.output
    return tmp_path


def _id(runtime: Runtime, name: str) -> str:
    with runtime.sessions() as s:
        (found,) = authorities.suggest(s, name)
        return found.id


def test_ingest_made_one_authority_per_name_with_its_type_and_dates(runtime: Runtime, catalogue: Path) -> None:
    with runtime.sessions() as s:
        rows = s.execute(select(Authority.type, Authority.name, Authority.dates).order_by(Authority.name)).all()
    assert [tuple(r) for r in rows] == [
        ("person", "J. Peeters", None),
        ("person", "Peeters, Jan", "1850-1920"),
        ("subject", "Tucht", None),
        ("corporate_body", "Universiteit Leuven", None),
    ]


def test_merge_and_rename_from_the_command_line(runner: CliRunner, runtime: Runtime, catalogue: Path) -> None:
    jan, j = _id(runtime, "peeters jan"), _id(runtime, "j. peeters")
    merged = runner.invoke(main, ["authorities", "merge", j, jan, "--by", "archivaris"])
    assert merged.exit_code == 0, merged.output
    assert f"merged {j} into {jan}; 2 linked items" in merged.output
    renamed = runner.invoke(main, ["authorities", "rename", jan, "Peeters, Johannes"])
    assert renamed.exit_code == 0, renamed.output
    assert f"{jan}: name: Peeters, Jan -> Peeters, Johannes" in renamed.output
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuthorityLink).where(AuthorityLink.authority_id == jan)) == 2
        assert authorities.get_authority(s, j).merged_into == jan
        agents = s.scalars(select(Event.agent).where(Event.type == "authority_merge")).all()
    assert agents == ["archivaris"]
    search = runner.invoke(main, ["authorities", "list", "-q", "johannes"])
    assert search.output.startswith(f"{jan}\tperson\tPeeters, Johannes\thttp://viaf.org/viaf/77")
    again = runner.invoke(main, ["authorities", "merge", j, jan])
    assert again.exit_code == 1 and f"authority {j} was merged into {jan} already" in again.output


def test_a_rename_reaches_the_search_index(runner: CliRunner, runtime: Runtime, catalogue: Path) -> None:
    jan = _id(runtime, "peeters jan")
    assert runner.invoke(main, ["authorities", "rename", jan, "Petrus Johannes Zwaenepoel"]).exit_code == 0
    found = runtime.index.search(authorities_query("zwaenepoel"))
    assert [h["title"] for h in found.hits] == ["Brief een"]


def authorities_query(text: str):  # type: ignore[no-untyped-def]
    from heritage.search import SearchQuery

    return SearchQuery(q=text, access=("public", "restricted"))


def test_update_from_a_csv_shows_before_and_after_and_dry_run_changes_nothing(
    runner: CliRunner, runtime: Runtime, catalogue: Path
) -> None:
    tucht, jan = _id(runtime, "tucht"), _id(runtime, "peeters jan")
    sheet = write_sheet(
        catalogue / "authorities.csv",
        [
            {"id": tucht, "name": "Tucht (onderwijs)", "ids": "lcsh:sh85038440"},
            {"id": jan, "dates": "1851-1920"},
            {"id": "", "type": "place", "name": "Leuven", "ids": "http://vocab.getty.edu/page/tgn/7007836"},
        ],
    )
    dry = runner.invoke(main, ["authorities", "update", str(sheet), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"{sheet}:2: {tucht} changes" in dry.output
    assert "    name: Tucht -> Tucht (onderwijs)" in dry.output
    assert "    ids: (empty) -> http://id.loc.gov/authorities/subjects/sh85038440" in dry.output
    assert "    dates: 1850-1920 -> 1851-1920" in dry.output
    assert "nothing was changed" in dry.output
    with runtime.sessions() as s:
        assert authorities.get_authority(s, tucht).name == "Tucht"
        assert s.scalar(select(func.count()).select_from(Authority)) == 4
    real = runner.invoke(main, ["authorities", "update", str(sheet), "--by", "archivaris"])
    assert real.exit_code == 0, real.output
    with runtime.sessions() as s:
        assert authorities.get_authority(s, tucht).name == "Tucht (onderwijs)"
        assert authorities.get_authority(s, tucht).variants == ["Tucht"]
        (leuven,) = authorities.suggest(s, "leuven", "place")
        assert [i.uri for i in leuven.ids] == ["http://vocab.getty.edu/tgn/7007836"]


def test_a_file_with_any_error_changes_nothing_and_names_file_and_line(
    runner: CliRunner, runtime: Runtime, catalogue: Path
) -> None:
    tucht, jan = _id(runtime, "tucht"), _id(runtime, "peeters jan")
    sheet = write_sheet(
        catalogue / "bad.csv",
        [
            {"id": tucht, "name": "Tucht (onderwijs)", "type": "hero"},
            {"id": jan, "name": "Jan", "ids": "https://example.org/jan"},
            {"id": "zzzzzzzzzzzz", "name": "Niemand", "type": "person"},
            {"id": "", "name": "Nieuw", "type": "held"},
            {"id": "", "name": "", "type": "person"},
            {"id": tucht, "name": "Nog eens", "type": "subject"},
        ],
    )
    result = runner.invoke(main, ["authorities", "update", str(sheet)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:6] == [
        f"{sheet}:2: authority type 'hero': one of person, corporate_body, family, place, subject, taxon",
        f"{sheet}:3: external id: 'https://example.org/jan' is not an id of a known vocabulary (a URI such as "
        "http://viaf.org/viaf/12345, or scheme:id such as viaf:12345, wikidata:Q42, gnd:118540238)",
        f"{sheet}:4: authority 'zzzzzzzzzzzz' does not exist",
        f"{sheet}:5: authority type 'held': one of person, corporate_body, family, place, subject, taxon",
        f"{sheet}:6: a new authority (empty id) needs name",
        f"{sheet}:7: authority {tucht} is on line 2 already",
    ]
    with runtime.sessions() as s:
        assert authorities.get_authority(s, tucht).name == "Tucht"
        assert s.scalar(select(func.count()).select_from(Event).where(Event.type == "authority_modification")) == 0
    header = write_sheet(catalogue / "header.csv", [{"id": tucht, "colour": "red"}])
    bad_header = runner.invoke(main, ["authorities", "update", str(header)])
    assert bad_header.exit_code == 1 and f"{header}:1: unknown column 'colour'" in bad_header.output
    latin = catalogue / "latin1.csv"
    latin.write_bytes("id,name\n,Caf\xe9\n".encode("latin-1"))
    assert f"{latin}:0: not UTF-8 text" in runner.invoke(main, ["authorities", "update", str(latin)]).output


def test_agents_export_as_eac_cpf_naming_only_what_the_public_may_see(
    runner: CliRunner, runtime: Runtime, catalogue: Path
) -> None:
    out = catalogue / "eac"
    result = runner.invoke(main, ["authorities", "export", "--format", "eac-cpf", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 3 agents" in result.output  # two persons and the corporate body; the subject is no agent
    jan, uni = _id(runtime, "peeters jan"), _id(runtime, "universiteit")
    record = etree.parse(str(out / f"{jan}.xml"))
    ns = {"e": NS}
    assert record.findtext("e:control/e:recordId", namespaces=ns) == jan
    assert record.findtext("e:cpfDescription/e:identity/e:entityType", namespaces=ns) == "person"
    assert record.findtext("e:cpfDescription/e:identity/e:entityId", namespaces=ns) == "http://viaf.org/viaf/77"
    assert record.findtext("e:cpfDescription/e:description/e:existDates/e:date", namespaces=ns) == "1850-1920"
    relations = record.findall("e:cpfDescription/e:relations/e:resourceRelation", namespaces=ns)
    assert [(r.get("resourceRelationType"), r.findtext("e:relationEntry", namespaces=ns)) for r in relations] == [
        ("creatorOf", "Brief een")
    ]
    closed_only = etree.parse(str(out / f"{uni}.xml"))
    assert closed_only.find("e:cpfDescription/e:relations", namespaces=ns) is None  # its only item is closed
    everything = catalogue / "uni.xml"
    one = runner.invoke(main, ["authorities", "export", "--format", "eac-cpf", "--id", uni, "--scope", "all",
                               "-o", str(everything)])  # fmt: skip
    assert one.exit_code == 0, one.output
    assert b"Geheim dossier" in everything.read_bytes()


def test_the_export_validates_against_the_official_eac_cpf_schema(runner: CliRunner, catalogue: Path) -> None:
    xsd = SHARED / "fixtures" / "real" / "xsd" / "eac-cpf" / "cpf.xsd"
    if not xsd.exists():
        pytest.skip(f"the official EAC-CPF 2010 XSD is not among the fixtures ({xsd}): checked by structure only")
    out = catalogue / "eac"
    assert runner.invoke(main, ["authorities", "export", "--format", "eac-cpf", "-o", str(out)]).exit_code == 0
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    for path in out.glob("*.xml"):
        schema.assertValid(etree.parse(str(path)))


def test_a_subject_has_no_eac_cpf_record_and_an_export_never_overwrites(
    runner: CliRunner, runtime: Runtime, catalogue: Path
) -> None:
    tucht = _id(runtime, "tucht")
    result = runner.invoke(main, ["authorities", "export", "--format", "eac-cpf", "--id", tucht, "-o",
                                  str(catalogue / "t.xml")])  # fmt: skip
    assert result.exit_code == 1 and "is a subject" in result.output and not (catalogue / "t.xml").exists()
    (catalogue / "there.xml").write_text("mine")
    again = runner.invoke(main, ["authorities", "export", "--format", "eac-cpf", "-o", str(catalogue / "there.xml")])
    assert again.exit_code == 1 and (catalogue / "there.xml").read_text() == "mine"
    assert [p.name for p in catalogue.iterdir() if p.name.startswith(".")] == []
