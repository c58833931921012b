"""The leak matrix: for each role x each surface x each access status, what the running application shows.

One catalogue (a public fonds with a file per access status, each with a scanned page) is ingested once;
each role signs in once. Every surface is asked as a client would ask it, and what it shows is compared
with what the access rules promise. For the public, a closed item does not exist anywhere: 404 like an
unknown id, and never in a list, a count, a tree, a sitemap or a harvest.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from heritage.access_changes import decide
from heritage.catalogue import ensure_unit
from heritage.cli import main
from heritage.models import File, Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.helpers import ACCESS_CASES, ACCESS_WORDS, access_batch, add_user, sign_in

pytestmark = pytest.mark.db

ROLES = ("public", "reader", "reader_granted", "archivist_own_unit", "archivist_other_unit", "administrator")
STATUSES = tuple(ACCESS_CASES)  # public, restricted, closed, closed_past, closed_future
STAFF = {"archivist_own_unit", "administrator"}


def sees_description(role: str, status: str) -> bool:
    """Metadata: everyone sees public, restricted and lapsed closures; staff of the unit see everything."""
    return role in STAFF or status in ("public", "restricted", "closed_past")


def sees_images(role: str, status: str) -> bool:
    """Images: public ones and lapsed closures; a granted reader also the restricted item; staff everything."""
    if role in STAFF:
        return True
    return status in ("public", "closed_past") or (role == "reader_granted" and status == "restricted")


def public_view(_role: str, status: str) -> bool:
    """Sitemaps and harvests are the public's view, whoever asks."""
    return sees_description("public", status)


@dataclass
class Matrix:
    runtime: Runtime
    clients: dict[str, FlaskClient]
    items: dict[str, str]  # case -> item id
    images: dict[str, str]  # case -> image id
    fonds: str
    runner: CliRunner


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    from web import create_app

    folder = tmp_path_factory.mktemp("leak")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin_engine = None
    if POSTGRES_URL:
        admin_engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin_engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{folder / 'data' / 'heritage.sqlite'}"
    settings = Settings.load({"data_dir": folder / "data", "database_url": url}, environ={})
    runtime = Runtime.open(settings)
    runner = CliRunner(env={**settings.as_env(), "REDIS_URL": ""})
    try:
        batch = access_batch(folder / "batch")
        for case in STATUSES:  # each scan's text delivered beside it (PAGE XML): its words are the case's own
            (batch / "scans" / f"{case}.page.xml").write_text(_page_xml(case), encoding="utf-8")
        result = runner.invoke(main, ["ingest", str(batch), "--collection", "lek", "--unit", "archief"])
        assert result.exit_code == 0, result.output
        with runtime.sessions() as s:
            by_local = {local: item_id for item_id, local in s.execute(select(Item.id, Item.local_id))}
            items = {case: by_local[f"LEK.{n}"] for n, case in enumerate(STATUSES, 1)}
            images = {case: s.scalar(select(File.id).where(File.item_id == items[case])) for case in STATUSES}
        with runtime.transaction() as s:
            ensure_unit(s, "bib", "Bibliotheek")
        add_user(runtime, "lezer", "reader")
        add_user(runtime, "lezer2", "reader")
        add_user(runtime, "ua", "archivist", "archief")
        add_user(runtime, "bibarchivaris", "archivist", "bib")
        add_user(runtime, "beheer", "administrator")
        with runtime.transaction() as s:
            for case in STATUSES:  # a grant opens restricted images only: never a closed item
                decide(s, "lezer2", items[case], True, agent="ua")
        app = create_app(runtime=runtime)
        app.testing = True
        users = {
            "reader": "lezer",
            "reader_granted": "lezer2",
            "archivist_own_unit": "ua",
            "archivist_other_unit": "bibarchivaris",
            "administrator": "beheer",
        }
        clients = {"public": app.test_client()}
        for role, username in users.items():
            client = app.test_client()
            assert sign_in(client, username).status_code == 303
            clients[role] = client
        yield Matrix(runtime, clients, items, images, by_local["LEK"], runner)
    finally:
        runtime.close()
        if admin_engine is not None:
            with admin_engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin_engine.dispose()


def _page_xml(case: str, image: str | None = None) -> str:
    """A page whose one line is `bladzijde<word> tekstproef pedel` (PAGE XML, taken instead of OCR): the catalogue
    finds its own word, IIIF Content Search the shared one."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">
 <Page imageFilename="{image or case + ".png"}" imageWidth="520" imageHeight="380">
  <TextRegion id="r1"><Coords points="20,20 500,20 500,80 20,80"/>
   <TextLine id="l1"><Coords points="20,20 500,20 500,80 20,80"/>
    <TextEquiv><Unicode>bladzijde{ACCESS_WORDS[case]} tekstproef pedel</Unicode></TextEquiv></TextLine>
  </TextRegion>
 </Page>
</PcGts>"""


def _status(client: FlaskClient, url: str) -> bool:
    """Shown (200) or not there (404: never 403, which would tell that it exists)."""
    response = client.get(url)
    assert response.status_code in (200, 404), f"{url}: {response.status_code}"
    return response.status_code == 200


def _search_html(m: Matrix, client: FlaskClient, case: str) -> bool:
    html = client.get(f"/search?q=zaak{ACCESS_WORDS[case]}").get_data(as_text=True)
    return f"/items/{m.items[case]}" in html


def _search_api(m: Matrix, client: FlaskClient, case: str) -> bool:
    body = client.get(f"/api/items?q=zaak{ACCESS_WORDS[case]}").get_json()
    return m.items[case] in {hit["id"] for hit in body["items"]}


def _facet_count(m: Matrix, client: FlaskClient, case: str) -> bool:
    facets = client.get("/api/items?q=lekproef&per_page=1").get_json()["facets"]
    return f"onderwerp{ACCESS_WORDS[case]}" in {f["value"] for f in facets["subject"]}


def _facet_html(m: Matrix, client: FlaskClient, case: str) -> bool:
    return f"onderwerp{ACCESS_WORDS[case]}" in client.get("/search?q=lekproef").get_data(as_text=True)


def _misspelt(case: str) -> str:
    """The case's word with its last letter dropped: one edit from it, two or more from every other word."""
    return f"zaak{ACCESS_WORDS[case][:-1]}"


def _suggestion_api(m: Matrix, client: FlaskClient, case: str) -> bool:
    """A "did you mean" offers the word only when the asker may find an item that holds it."""
    body = client.get(f"/api/items?q={_misspelt(case)}").get_json()
    assert body["total"] == 0, body["total"]
    return body.get("suggestion") == f"zaak{ACCESS_WORDS[case]}"


def _suggestion_html(m: Matrix, client: FlaskClient, case: str) -> bool:
    html = client.get(f"/search?q={_misspelt(case)}").get_data(as_text=True)
    return f"zaak{ACCESS_WORDS[case]}" in html


def _typed_suggestion(m: Matrix, client: FlaskClient, case: str) -> bool:
    """Suggestions as one types offer a title word only when the asker may find an item that holds it."""
    word = f"zaak{ACCESS_WORDS[case]}"
    body = client.get(f"/api/suggest?q={word[:-1]}").get_json()
    return any(s["text"] == word and s["kind"] == "title" and s["count"] == 1 for s in body["suggestions"])


def _typed_subject(m: Matrix, client: FlaskClient, case: str) -> bool:
    """... and a subject, and they count only what the asker may find (the shared title word, too)."""
    body = client.get(f"/api/suggest?q=onderwerp{ACCESS_WORDS[case][:2]}&limit=20").get_json()
    shown = any(s["text"] == f"onderwerp{ACCESS_WORDS[case]}" for s in body["suggestions"])
    counts = {s["text"]: s["count"] for s in client.get("/api/suggest?q=lekpro").get_json()["suggestions"]}
    visible = {c for c in STATUSES if _search_api(m, client, c)}
    assert counts["lekproef"] == 1 + len(visible), counts  # the fonds and the files this viewer finds
    return shown


def _text_search_api(m: Matrix, client: FlaskClient, case: str) -> bool:
    """A word of the item's page finds it (with its page linked) only for those who may see its images."""
    body = client.get(f"/api/items?q=text:bladzijde{ACCESS_WORDS[case]}").get_json()
    hits = {hit["id"]: hit for hit in body["items"]}
    assert body["total"] == len(hits)
    if m.items[case] not in hits:
        return False
    (page,) = hits[m.items[case]]["text_hits"]
    assert page["page"] == 1 and f"<mark>bladzijde{ACCESS_WORDS[case]}</mark>" in page["snippet"]
    assert page["url"].endswith(f"/items/{m.items[case]}?page=1&highlight=bladzijde{ACCESS_WORDS[case]}")
    return True


def _text_snippet_html(m: Matrix, client: FlaskClient, case: str) -> bool:
    """The search page's snippet of a page (a plain query finds page words too)."""
    html = client.get(f"/search?q=bladzijde{ACCESS_WORDS[case]}").get_data(as_text=True)
    return f"<mark>bladzijde{ACCESS_WORDS[case]}</mark>" in html or f"/items/{m.items[case]}" in html


def _text_facet(m: Matrix, client: FlaskClient, case: str) -> bool:
    """The full-text facet counts what a page word finds, never an item whose text the asker may not read."""
    facets = client.get(f"/api/items?q=tekst:bladzijde{ACCESS_WORDS[case]}&per_page=1").get_json()["facets"]
    return {f["value"]: f["count"] for f in facets["has_text"]}.get("yes", 0) == 1


def _text_suggestion(m: Matrix, client: FlaskClient, case: str) -> bool:
    """A page word misspelt is never corrected into one (did-you-mean reads the records' words only)."""
    body = client.get(f"/api/items?q=bladzijde{ACCESS_WORDS[case][:-1]}").get_json()
    return f"bladzijde{ACCESS_WORDS[case]}" in (body.get("suggestion") or "")


def _never(_role: str, _status: str) -> bool:
    return False


def _collection_count(m: Matrix, client: FlaskClient, case: str) -> bool:
    """The number of items the collection lists for this viewer counts the item (fonds + visible files)."""
    counts = {c["slug"]: c["items"] for c in client.get("/api/collections").get_json()["collections"]}
    visible = {c for c in STATUSES if _search_api(m, client, c)}
    assert counts["lek"] == 1 + len(visible)
    return case in visible


def _record(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/items/{m.items[case]}")


def _citation(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/items/{m.items[case]}/citation.json")


def _api_item(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/api/items/{m.items[case]}")


def _api_children(m: Matrix, client: FlaskClient, case: str) -> bool:
    body = client.get(f"/api/items/{m.fonds}/children").get_json()
    return m.items[case] in {hit["id"] for hit in body["items"]}


def _manifest(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/iiif/presentation/3/{m.items[case]}/manifest")


def _info(m: Matrix, client: FlaskClient, case: str) -> bool:
    """Shown (200); a restricted item's image says how to get access (401, the IIIF Authorization Flow: its
    item's description is public), a closed one is not there (404)."""
    response = client.get(f"/iiif/image/3/{m.images[case]}/info.json")
    assert response.status_code in (200, 401, 404), response.status_code
    if response.status_code == 401:
        assert "tiles" not in response.get_json() and response.get_json()["service"][0]["type"] == "AuthProbeService2"
        assert _status(client, f"/items/{m.items[case]}")  # 401 only where the item is known anyway
    return response.status_code == 200


_TOKENS: dict[int, str | None] = {}


def _access_token(client: FlaskClient) -> str | None:
    """The client's IIIF access token from the token service (our own origin: the session is the consent)."""
    if id(client) not in _TOKENS:
        html = client.get("/iiif/auth/2/token?messageId=leak&origin=http://localhost").get_data(as_text=True)
        found = re.search(r'id="iiif-auth-message" data-target="[^"]*" data-message=\'([^\']*)\'', html)
        assert found, html
        _TOKENS[id(client)] = json.loads(unescape(found.group(1))).get("accessToken")
    return _TOKENS[id(client)]


def _with_token(m: Matrix, client: FlaskClient, url: str) -> bool:
    """`url` asked as a viewer on another site asks it: the role's access token only (none for the public), no
    cookie. Shown (200) or not (404 for images; info.json of a restricted item 401, as for the public)."""
    token = _access_token(client)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = m.clients["public"].application.test_client().get(url, headers=headers)
    assert response.status_code in (200, 401, 404), f"{url}: {response.status_code}"
    return response.status_code == 200


def _token_info(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _with_token(m, client, f"/iiif/image/3/{m.images[case]}/info.json")


def _token_tile(m: Matrix, client: FlaskClient, case: str) -> bool:
    url = f"/iiif/image/3/{m.images[case]}/0,0,256,256/256,/0/default.jpg"
    first = _with_token(m, client, url)
    assert _with_token(m, client, url) == first  # the second time the stored-tile fast path may answer: the same
    return first


def _token_probe(m: Matrix, client: FlaskClient, case: str) -> bool:
    token = _access_token(client)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = m.clients["public"].application.test_client().get(f"/iiif/auth/2/probe/{m.images[case]}", headers=headers)
    assert body.status_code == 200
    return body.get_json()["status"] == 200


def _tile(m: Matrix, client: FlaskClient, case: str) -> bool:
    url = f"/iiif/image/3/{m.images[case]}/0,0,256,256/256,/0/default.jpg"
    first = _status(client, url)
    assert _status(client, url) == first  # the second time the stored-tile fast path may answer: the same
    return first


def _full(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/iiif/image/3/{m.images[case]}/full/max/0/default.jpg")


def _thumbnail(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/iiif/image/3/{m.images[case]}/full/!200,200/0/default.jpg")


def _alto(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/iiif/presentation/3/{m.items[case]}/alto/p1")


def _text_annotations(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/iiif/presentation/3/{m.items[case]}/annotations/p1")


def _content_search(m: Matrix, client: FlaskClient, case: str) -> bool:
    response = client.get(f"/iiif/presentation/3/{m.items[case]}/search?q=pedel")
    assert response.status_code in (200, 404), response.status_code
    return response.status_code == 200 and bool(response.get_json()["items"])


def _autocomplete(m: Matrix, client: FlaskClient, case: str) -> bool:
    response = client.get(f"/iiif/presentation/3/{m.items[case]}/autocomplete?q=ped")
    assert response.status_code in (200, 404), response.status_code
    return response.status_code == 200 and bool(response.get_json()["items"])


def _iiif_collection(m: Matrix, client: FlaskClient, case: str) -> bool:
    response = client.get(f"/iiif/presentation/3/{m.fonds}/collection")
    assert response.status_code == 200
    return f"/{m.items[case]}/manifest" in response.get_data(as_text=True)


def _browse(m: Matrix, client: FlaskClient, case: str) -> bool:
    return f"/items/{m.items[case]}" in client.get(f"/browse/{m.fonds}").get_data(as_text=True)


def _browse_node(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/browse/{m.items[case]}")


def _embed(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/embed/{m.items[case]}")


def _pdf(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _status(client, f"/items/{m.items[case]}/pdf")


def _sitemap(m: Matrix, client: FlaskClient, case: str) -> bool:
    return f"/items/{m.items[case]}<" in client.get("/sitemap.xml").get_data(as_text=True)


def _oai_get_record(m: Matrix, client: FlaskClient, case: str) -> bool:
    body = client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:{m.items[case]}").get_data(
        as_text=True
    )
    assert "<metadata>" in body or "idDoesNotExist" in body or 'status="deleted"' in body, body[:500]
    return "<metadata>" in body


def _oai_list_identifiers(m: Matrix, client: FlaskClient, case: str) -> bool:
    body = client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").get_data(as_text=True)
    headers = re.findall(r"<header( status=\"deleted\")?>\s*<identifier>([^<]+)</identifier>", body)
    return any(ident.endswith(f":{m.items[case]}") and not deleted for deleted, ident in headers)


_EXHIBITIONS: set[int] = set()


def _exhibition(m: Matrix) -> str:
    """An exhibition of every case's item (an object with its label, and its image on page 1), made once per matrix."""
    from heritage.museum.exhibitions import save

    if id(m) not in _EXHIBITIONS:
        spec = {
            "slug": "lekproef",
            "title": "Lekproef",
            "title_en": "Leak test",
            "objects": [{"item": m.items[c], "label": f"label{ACCESS_WORDS[c]}"} for c in m.items],
            "pages": [
                {
                    "title": "Beelden",
                    "title_en": "Images",
                    "images": [
                        {"item": m.items[c], "caption": f"bijschrift {c}", "caption_en": f"caption {c}"}
                        for c in m.items  # every case of this matrix (the held-back matrix has one)
                    ],
                }
            ],
        }
        with m.runtime.transaction() as session:
            save(session, spec, agent="leak matrix")
        _EXHIBITIONS.add(id(m))
    return "lekproef"


def _exhibition_object(m: Matrix, client: FlaskClient, case: str) -> bool:
    html = client.get(f"/exhibitions/{_exhibition(m)}").get_data(as_text=True)
    return f"label{ACCESS_WORDS[case]}" in html


def _exhibition_image(m: Matrix, client: FlaskClient, case: str) -> bool:
    html = client.get(f"/exhibitions/{_exhibition(m)}").get_data(as_text=True)
    return f"/iiif/image/3/{m.images[case]}/" in html and f"/items/{m.items[case]}" in html


def _exhibition_embed(m: Matrix, client: FlaskClient, case: str) -> bool:
    html = client.get(f"/exhibitions/{_exhibition(m)}/embed").get_data(as_text=True)
    return f"/iiif/image/3/{m.images[case]}/" in html


def _exhibition_iiif(m: Matrix, client: FlaskClient, case: str) -> bool:
    response = client.get(f"/iiif/presentation/3/exhibition/{_exhibition(m)}/page/1/manifest")
    assert response.status_code in (200, 404)
    return f"/iiif/image/3/{m.images[case]}/" in response.get_data(as_text=True)


def _exhibition_api(m: Matrix, client: FlaskClient, case: str) -> bool:
    _exhibition(m)
    body = client.get("/api/exhibitions").get_json()
    return any(m.items[case] in e["objects"] for e in body["exhibitions"])


_LOANS: dict[int, tuple[int, int]] = {}


def _loans(m: Matrix) -> tuple[int, int]:
    """Two loans out of every case's item, made once per matrix: one requested (its pages, agreement and checks),
    one with its objects away (the reports of objects on loan today and due back). Made through the loan service;
    the second is set away directly, since the way there (approval, condition checks) is not what is tested."""
    from datetime import date, timedelta

    from heritage.models import Loan
    from heritage.museum import loans
    from tests.heritage.policy.builders import location

    if id(m) not in _LOANS:
        start = date.today() + timedelta(days=5)
        made = []
        with m.runtime.transaction() as session:
            location(session, "LEK-ZAAL", kind="room", functions=["exhibition"], security_level="S3")
            for party in ("Lekmuseum", "Tweede lekmuseum"):
                loan = loans.create(
                    session,
                    direction="out",
                    party=party,
                    venue="LEK-ZAAL",
                    date_from=start,
                    date_to=start + timedelta(days=10),
                    items=list(m.items.values()),
                    agent="ua",
                )
                made.append(loan.id)
                start += timedelta(days=20)  # one object is on one loan at a time
            session.get(Loan, made[1]).state = "on_loan"
        _LOANS[id(m)] = (made[0], made[1])
    return _LOANS[id(m)]


def _staff_page(client: FlaskClient, url: str, unknown: str) -> str | None:
    """A staff page's text (None: not shown). Not shown is a 404, or the refusal the same request about a loan or
    object that does not exist gets (sign in first, or 403 for a role that may not see loans at all): a 403 that
    only this item gets would tell that it exists."""
    response = client.get(url)
    if response.status_code == 200:
        return response.get_data(as_text=True)
    assert response.status_code in (302, 401, 403, 404), f"{url}: {response.status_code}"
    if response.status_code != 404:
        assert client.get(unknown).status_code == response.status_code, f"{url}: {response.status_code} tells"
    return None


def _loan_shows(m: Matrix, client: FlaskClient, case: str, path: str, *, away: bool = False) -> bool:
    loan = _loans(m)[1 if away else 0]
    page = _staff_page(client, path.format(loan=loan), path.format(loan=999_999))
    return page is not None and (m.items[case] in page)


def _loan_list(m: Matrix, client: FlaskClient, case: str) -> bool:
    """The loans page lists the loan with its objects counted: the count is of the objects this viewer may know."""
    page = _staff_page(client, "/loans", "/loans")
    if page is None:
        return False
    body = client.get("/api/loans").get_json()
    mine = [row for row in body["loans"] if row["id"] == _loans(m)[0]]
    return bool(mine) and m.items[case] in mine[0]["objects"]


def _loan_api(m: Matrix, client: FlaskClient, case: str) -> bool:
    response = client.get(f"/api/loans/{_loans(m)[0]}")
    assert response.status_code in (200, 401, 403, 404), response.status_code
    if response.status_code != 200:
        return False
    body = response.get_json()
    return m.items[case] in body["objects"] and (
        not body["checks"] or all(c["item"] in body["objects"] for c in body["checks"])
    )


def _object_loans(m: Matrix, client: FlaskClient, case: str) -> bool:
    """An object's museum history (its loans, checks and movements)."""
    page = _staff_page(client, f"/loans/objects/{m.items[case]}", "/loans/objects/zzzzzzzzzzzz")
    return page is not None


def _loan_page(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _loan_shows(m, client, case, "/loans/{loan}")


def _loan_agreement(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _loan_shows(m, client, case, "/loans/{loan}/agreement")


def _loan_condition_report(m: Matrix, client: FlaskClient, case: str) -> bool:
    return _loan_shows(m, client, case, "/loans/{loan}/condition-report")


def _loan_reports(m: Matrix, client: FlaskClient, case: str) -> bool:
    """Objects on loan today and due back: the away loan's objects."""
    _loans(m)
    page = _staff_page(client, "/loans/reports", "/loans/reports")
    return page is not None and m.items[case] in page


def sees_loans(role: str, status: str) -> bool:
    """Loans are staff records: staff see a loan's objects they may know of (another unit's closed one is not
    there for them); the public and readers see no loan."""
    return role in STAFF or (role == "archivist_other_unit" and sees_description(role, status))


def sees_history(role: str, _status: str) -> bool:
    """An object's museum history (loans, checks, movements) is its own unit's staff's: to others it is not there."""
    return role in STAFF


Surface = Callable[[Matrix, FlaskClient, str], bool]
Rule = Callable[[str, str], bool]
SURFACES: dict[str, tuple[Surface, Rule]] = {
    "search page": (_search_html, sees_description),
    "API search": (_search_api, sees_description),
    "did you mean (API)": (_suggestion_api, sees_description),
    "did you mean (search page)": (_suggestion_html, sees_description),
    "suggestions as one types (API)": (_typed_suggestion, sees_description),
    "subjects as one types, counts (API)": (_typed_subject, sees_description),
    "facet counts (API)": (_facet_count, sees_description),
    "facet counts (search page)": (_facet_html, sees_description),
    "collection counts (API)": (_collection_count, sees_description),
    "full-text search with page link (API)": (_text_search_api, sees_images),
    "full-text snippet (search page)": (_text_snippet_html, sees_images),
    "full-text facet counts (API)": (_text_facet, sees_images),
    "did you mean a page word (API)": (_text_suggestion, _never),
    "record page": (_record, sees_description),
    "citation": (_citation, sees_description),
    "API item": (_api_item, sees_description),
    "API children of the fonds": (_api_children, sees_description),
    "browse tree of the fonds": (_browse, sees_description),
    "browse node": (_browse_node, sees_description),
    "IIIF manifest": (_manifest, sees_description),  # a restricted one too: its images ask for access
    "IIIF info.json": (_info, sees_images),
    "IIIF tile": (_tile, sees_images),
    "IIIF full image": (_full, sees_images),
    "IIIF thumbnail": (_thumbnail, sees_images),
    "IIIF info.json, access token only": (_token_info, sees_images),
    "IIIF tile, access token only": (_token_tile, sees_images),
    "IIIF probe, access token only": (_token_probe, sees_images),
    "IIIF collection of the fonds": (_iiif_collection, sees_images),
    "IIIF ALTO of a page": (_alto, sees_images),
    "IIIF text annotations of a page": (_text_annotations, sees_images),
    "IIIF Content Search": (_content_search, sees_images),
    "IIIF Content Search autocomplete": (_autocomplete, sees_images),
    "embed page": (_embed, sees_description),  # a restricted one shows how to get access
    "item PDF": (_pdf, sees_images),
    "sitemap": (_sitemap, public_view),
    "OAI-PMH GetRecord": (_oai_get_record, public_view),
    "OAI-PMH ListIdentifiers": (_oai_list_identifiers, public_view),
    "exhibition page, objects": (_exhibition_object, sees_description),
    "exhibition page, images": (_exhibition_image, sees_images),
    "exhibition embed": (_exhibition_embed, sees_images),
    "exhibition IIIF page manifest": (_exhibition_iiif, sees_images),
    "API exhibitions": (_exhibition_api, sees_description),
    "loans page and API list": (_loan_list, sees_loans),
    "loan page": (_loan_page, sees_loans),
    "loan (API)": (_loan_api, sees_loans),
    "loan agreement": (_loan_agreement, sees_loans),
    "loan condition report": (_loan_condition_report, sees_loans),
    "loan reports (on loan today, due back)": (_loan_reports, sees_loans),
    "object's loans and condition page": (_object_loans, sees_history),
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("role", ROLES)
def test_leak_matrix(matrix: Matrix, role: str, surface: str, status: str) -> None:
    ask, rule = SURFACES[surface]
    expected = rule(role, status)
    shown = ask(matrix, matrix.clients[role], status)
    assert shown == expected, f"{role} {'should' if expected else 'should not'} see the {status} item on the {surface}"


def test_the_public_cannot_tell_a_closed_item_from_one_that_never_existed(matrix: Matrix) -> None:
    client = matrix.clients["public"]
    templates = (
        "/items/{}",
        "/items/{}/citation.json",
        "/api/items/{}",
        "/api/items/{}/children",
        "/iiif/presentation/3/{}/manifest",
        "/iiif/presentation/3/{}/collection",
        "/iiif/presentation/3/{}/alto/p1",
        "/iiif/presentation/3/{}/annotations/p1",
        "/iiif/presentation/3/{}/search?q=pedel",
        "/iiif/presentation/3/{}/autocomplete?q=ped",
        "/embed/{}",
        "/items/{}/pdf",
        "/browse/{}",
    )
    for template in templates:
        closed = client.get(template.format(matrix.items["closed"]))
        unknown = client.get(template.format("zzzzzzzzzzzz"))
        assert closed.status_code == unknown.status_code == 404
        assert closed.get_data(as_text=True).replace(matrix.items["closed"], "X") == unknown.get_data(
            as_text=True
        ).replace("zzzzzzzzzzzz", "X")


def test_an_access_change_reaches_every_surface_at_once(matrix: Matrix) -> None:
    client = matrix.clients["public"]
    item, image = matrix.items["public"], matrix.images["public"]
    tile = f"/iiif/image/3/{image}/0,0,256,256/256,/0/default.jpg"
    assert client.get(tile).status_code == 200 and client.get(tile).status_code == 200  # the fast path knows it
    try:
        result = matrix.runner.invoke(main, ["access", "set", item, "closed", "--reason", "leak matrix"])
        assert result.exit_code == 0, result.output
        assert client.get(tile).status_code == 404  # no 5-second window
        assert client.get(f"/items/{item}").status_code == 404
        assert not _search_api(matrix, client, "public") and not _facet_count(matrix, client, "public")
        assert not _suggestion_api(matrix, client, "public")
        assert not _oai_list_identifiers(matrix, client, "public") and not _sitemap(matrix, client, "public")
        assert matrix.clients["archivist_own_unit"].get(tile).status_code == 200
    finally:
        assert matrix.runner.invoke(main, ["access", "set", item, "public"]).exit_code == 0
    assert client.get(tile).status_code == 200 and _search_api(matrix, client, "public")


def test_staff_views_of_closed_items_are_in_the_audit_trail(matrix: Matrix) -> None:
    from heritage.models import Event

    matrix.clients["archivist_own_unit"].get(f"/items/{matrix.items['closed']}")
    with matrix.runtime.sessions() as s:
        seen = s.scalars(
            select(Event.agent).where(Event.type == "closed item viewed", Event.item_id == matrix.items["closed"])
        )
        assert "ua" in set(seen)
