"""The authority pages and their JSON, as a reader, a staff member and the public use them: in Dutch and
English, with only the items the viewer may see (and counts of those only), a merged id redirecting to the
survivor, and bad requests answered 400/404 naming what is wrong. SQLite and (in CI) PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner
from flask.testing import FlaskClient

from heritage import authorities
from heritage.cli import main
from heritage.runtime import Runtime
from tests.helpers import ACCESS_CASES, ACCESS_WORDS, access_batch, add_user, sign_in

pytestmark = pytest.mark.db

SEEN_BY_THE_PUBLIC = {"public", "restricted", "closed_past"}
WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture
def ingested(runner: CliRunner, runtime: Runtime, tmp_path: Path) -> dict[str, str]:
    """The leak batch ingested: case -> the id of the subject authority its one item links to."""
    result = runner.invoke(main, ["ingest", str(access_batch(tmp_path / "lek")), "--collection", "lek"])
    assert result.exit_code == 0, result.output
    ids = {}
    with runtime.sessions() as s:
        for case in ACCESS_CASES:
            (found,) = authorities.suggest(s, f"onderwerp{ACCESS_WORDS[case]}", "subject")
            ids[case] = found.id
    return ids


def _api(client: FlaskClient, case: str) -> dict:
    body = client.get(f"/api/authorities?q=onderwerp{ACCESS_WORDS[case]}&type=subject").get_json()
    (entry,) = body["authorities"]
    return entry


def test_the_public_sees_only_the_items_it_may_see_and_counts_only_those(client: FlaskClient, ingested) -> None:
    for case, authority_id in ingested.items():
        visible = case in SEEN_BY_THE_PUBLIC
        assert _api(client, case)["items"] == (1 if visible else 0), case
        assert client.get(f"/api/authorities/{authority_id}").get_json()["items"] == (1 if visible else 0)
        page = client.get(f"/authorities/{authority_id}?lang=en")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert (f"zaak{ACCESS_WORDS[case]}" in html) is visible, case
        assert ("1 item" in html) is visible and ("0 items" in html) is not visible
        listing = client.get(f"/authorities?q=onderwerp{ACCESS_WORDS[case]}&lang=en").get_data(as_text=True)
        assert ("1 item" in listing) is visible, case


def test_an_item_page_links_to_its_authorities(client: FlaskClient, runtime: Runtime, ingested) -> None:
    from sqlalchemy import select

    from heritage.models import AuthorityLink

    with runtime.sessions() as s:
        item_id = s.scalar(select(AuthorityLink.item_id).where(AuthorityLink.authority_id == ingested["public"]))
    html = client.get(f"/items/{item_id}?lang=nl").get_data(as_text=True)
    assert "<dt>Authority-records</dt>" in html
    assert (
        f'<a href="/authorities/{ingested["public"]}">onderwerpalfa</a> <span class="count">(Onderwerp)</span>' in html
    )


def test_staff_of_the_unit_see_every_linked_item(app, runtime: Runtime, ingested) -> None:  # type: ignore[no-untyped-def]
    add_user(runtime, "beheer", "administrator")
    client = app.test_client()
    assert sign_in(client, "beheer").status_code == 303
    for case, authority_id in ingested.items():
        assert _api(client, case)["items"] == 1, case
        assert f"zaak{ACCESS_WORDS[case]}" in client.get(f"/authorities/{authority_id}").get_data(as_text=True)


def test_a_reader_sees_what_the_public_sees(app, runtime: Runtime, ingested) -> None:  # type: ignore[no-untyped-def]
    add_user(runtime, "lezer", "reader")
    client = app.test_client()
    assert sign_in(client, "lezer").status_code == 303
    assert {case: _api(client, case)["items"] for case in ingested} == {
        case: int(case in SEEN_BY_THE_PUBLIC) for case in ingested
    }


def test_pages_speak_dutch_and_english(client: FlaskClient, ingested) -> None:
    nl = client.get("/authorities?lang=nl&type=subject").get_data(as_text=True)
    en = client.get("/authorities?lang=en&type=subject").get_data(as_text=True)
    assert "<h1>Authority-records</h1>" in nl and "Naam begint met" in nl and "Onderwerp" in nl
    assert "<h1>Authorities</h1>" in en and "Name begins with" in en and "Subject" in en
    home = client.get("/?lang=nl").get_data(as_text=True)
    assert '<a href="/authorities">Authority-records</a>' in home  # every page leads to them
    record = client.get(f"/authorities/{ingested['public']}?lang=nl").get_data(as_text=True)
    assert "<dt>Soort</dt><dd>Onderwerp</dd>" in record and "1 beschrijving" in record
    assert "(Onderwerp)" in record  # the role of the link, by its label


def test_every_message_of_the_pages_has_its_dutch_translation() -> None:
    with (WEB / "translations" / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    method_map = [("authorities/**.html", "jinja2"), ("authorities.py", "python")]
    found = list(extract_from_dir(str(WEB / "templates"), [method_map[0]]))
    assert found, "the templates hold messages"
    for _file, _line, message, _comments, _context in found:
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        assert entry is not None and (entry.string[0] if isinstance(entry.string, tuple) else entry.string), key


def test_the_pages_are_csp_clean_and_their_controls_labelled(client: FlaskClient, ingested) -> None:
    for path in ("/authorities", f"/authorities/{ingested['public']}"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert "script-src" in response.headers["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)", html)
        assert " style=" not in html and "<style" not in html
        for control in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
            assert f'for="{control}"' in html, control


def test_a_merged_authority_redirects_to_the_survivor(client: FlaskClient, runtime: Runtime, ingested) -> None:
    with runtime.transaction() as s:
        authorities.merge(s, ingested["restricted"], ingested["public"], agent="test")
    page = client.get(f"/authorities/{ingested['restricted']}?lang=en")
    assert page.status_code == 301 and page.headers["Location"].endswith(f"/authorities/{ingested['public']}?lang=en")
    api = client.get(f"/api/authorities/{ingested['restricted']}")
    assert api.status_code == 301 and api.headers["Location"].endswith(f"/api/authorities/{ingested['public']}")
    survivor = client.get(f"/api/authorities/{ingested['public']}").get_json()
    assert survivor["items"] == 2 and survivor["variants"] == ["onderwerpbravo"]
    found = client.get("/api/authorities?q=onderwerpbravo").get_json()["authorities"]
    assert [a["id"] for a in found] == [ingested["public"]]


@pytest.mark.parametrize(
    ("path", "status", "named"),
    [
        ("/api/authorities?type=hero", 400, "type"),
        ("/api/authorities?type=", 400, "type is empty"),
        ("/api/authorities?limit=", 400, "limit is empty"),
        ("/api/authorities?limit=0", 400, "limit"),
        ("/api/authorities?limit=x", 400, "limit"),
        ("/api/authorities?q=a&q=b", 400, "q"),
        ("/api/authorities?colour=red", 400, "colour"),
        ("/api/authorities?q=" + "a" * 201, 400, "q"),
        ("/api/authorities/zzzzzzzzzzzz", 404, "zzzzzzzzzzzz"),
        ("/api/authorities/not-an-id", 404, "not-an-id"),
        ("/authorities?type=hero", 400, "type"),
        ("/authorities/zzzzzzzzzzzz", 404, "zzzzzzzzzzzz"),
        ("/authorities?page=0", 400, "page"),
    ],
)
def test_bad_requests_are_named(client: FlaskClient, path: str, status: int, named: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert named in response.get_data(as_text=True)


def test_staff_rename_and_merge_authorities_on_their_pages(app, runtime: Runtime, ingested) -> None:  # type: ignore[no-untyped-def]
    """The authority page offers staff a rename and a merge (CSRF, a confirmation, refusals said in the page's
    language, nothing kept on a refusal); readers and the public get neither."""
    from tests.helpers import csrf_token

    add_user(runtime, "ua", "archivist", "central-archive")
    add_user(runtime, "lezer", "reader")
    staff = app.test_client()
    assert sign_in(staff, "ua").status_code == 303
    one, other = ingested["public"], ingested["restricted"]
    page = staff.get(f"/authorities/{one}?lang=nl").get_data(as_text=True)
    assert "Deze authority wijzigen" in page and f'action="/authorities/{one}/merge"' in page
    reader = app.test_client()
    assert sign_in(reader, "lezer").status_code == 303
    assert "Deze authority wijzigen" not in reader.get(f"/authorities/{one}?lang=nl").get_data(as_text=True)
    assert (
        reader.post(f"/authorities/{one}/rename", data={"csrf_token": csrf_token(reader), "name": "x"}).status_code
        == 403
    )
    public = app.test_client()
    assert (
        public.post(f"/authorities/{one}/rename", data={"csrf_token": csrf_token(public), "name": "x"}).status_code
        == 302
    )
    assert staff.post(f"/authorities/{one}/rename", data={"name": "zonder token"}).status_code == 400

    token = csrf_token(staff)
    refused = staff.post(f"/authorities/{one}/rename?lang=nl", data={"csrf_token": token, "name": "  "})
    assert refused.status_code == 400 and "naam: een naam is verplicht" in refused.get_data(as_text=True)
    renamed = staff.post(f"/authorities/{one}/rename?lang=nl", data={"csrf_token": token, "name": "Onderwerp hernoemd"})
    assert renamed.status_code == 303
    with runtime.sessions() as s:
        authority = authorities.get_authority(s, one)
        assert (
            authority.name == "Onderwerp hernoemd"
            and f"onderwerp{ACCESS_WORDS['public']}" in " ".join(authority.variants).lower()
        )

    unconfirmed = staff.post(f"/authorities/{one}/merge?lang=en", data={"csrf_token": token, "survivor": other})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    itself = staff.post(
        f"/authorities/{one}/merge?lang=nl", data={"csrf_token": token, "survivor": one, "confirm": "yes"}
    )
    assert itself.status_code == 400 and "kan niet met zichzelf worden samengevoegd" in itself.get_data(as_text=True)
    unknown = staff.post(
        f"/authorities/{one}/merge?lang=en", data={"csrf_token": token, "survivor": "nosuchauthority", "confirm": "yes"}
    )
    assert unknown.status_code == 400
    merged = staff.post(f"/authorities/{one}/merge", data={"csrf_token": token, "survivor": other, "confirm": "yes"})
    assert merged.status_code == 303 and merged.headers["Location"].endswith(f"/authorities/{other}")
    assert staff.get(f"/authorities/{one}").status_code == 301
    with runtime.sessions() as s:
        assert authorities.get_authority(s, one).merged_into == other
