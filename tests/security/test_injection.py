"""SQL and Whoosh query injection in every search and API parameter: each answer is a 4xx with a message or a
normal result, never a 500, and never shows a closed item (not its title, its id, its words in a "did you
mean" suggestion, nor a facet count)."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest

from tests.helpers import csrf_token
from tests.security.hostile import SECRET, Hostile

pytestmark = pytest.mark.db

SQL = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE items; --",
    "x' UNION SELECT id, title FROM items --",
    "%' AND access='closed' --",
    "\\'; SELECT pg_sleep(5); --",
    "x\x00y",
]
WHOOSH = [
    "*",
    "*:*",
    "title:*",
    "id:*",
    "access:closed",
    "access:*",
    "stored:*",
    "parent:*",
    "Zwartboek",
    "geheimdossier",
    "Zwartbok~2",
    "Geheimd*",
    "subject:Zwartboek",
    "text:Zwartboek OR title:*",
    "NOT nothingatall",
    "title:[a TO z]",
    "{a TO z}",
    "((((x))))",
    "(((",
    '"unterminated',
    "x^1000000",
    "~~~",
    ":::",
    "title:",
    "a" * 5000,
    " OR ".join(["x"] * 500),
    "\u202e\ufeff\U0001f600",
]
DANGLING_OPERATORS = [
    "NOT NOT NOT",
    "NIET NIET NIET",
    "NOT OR NOT",
    "NOT AND x",
    "x ANDNOT ANDNOT y",
    "x ANDMAYBE ANDMAYBE y",
]
WHOOSH += DANGLING_OPERATORS
PARAMETERS = ["page", "per_page", "sort", "from", "to", "lang", "collection", "unit", "level", "century", "decade"]
PARAMETERS += ["creator", "subject", "place", "language", "has_images", "domain", "custody", "taxon", "access", "x"]
VALUES = [*SQL[:5], "-1", "0", "99999999999999999999", "1e9", "NaN", "abc", "closed", "Zwartboek", "", "%00"]


def assert_no_leak(response, site: Hostile, *asked: str) -> None:  # type: ignore[no-untyped-def]
    """No 500, and nothing of the closed item (what the request itself said aside: pages repeat the query)."""
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    body = response.get_data(as_text=True).lower()  # a suggestion is the folded word: "zwartboek"
    for secret in (site.closed, "Zwartboek", "Geheimdossier"):
        if not any(secret.lower() in said.lower() for said in asked):
            assert secret.lower() not in body, (secret, asked)


@pytest.mark.parametrize("q", SQL + WHOOSH)
def test_query_injection_in_the_search_box(public, site: Hostile, q: str) -> None:  # type: ignore[no-untyped-def]
    for path in ("/search", "/api/items"):
        response = public.get(f"{path}?{urlencode({'q': q})}")
        assert_no_leak(response, site, q)
        assert response.status_code in (200, 400), (q, response.status_code)
        if path == "/api/items" and response.status_code == 400:
            assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("q", DANGLING_OPERATORS)
def test_an_operator_without_its_word_is_searched_as_plain_words(public, staff, site: Hostile, q: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 18: a query the syntax cannot read is searched as its words, never an error page (it was a 400)."""
    for client in (public, staff):
        api = client.get(f"/api/items?{urlencode({'q': q})}")
        assert api.status_code == 200 and isinstance(api.get_json(), dict), (q, api.status_code)
        page = client.get(f"/search?{urlencode({'q': q})}")
        assert page.status_code == 200 and "without a word" not in page.get_data(as_text=True), q
        if client is public:
            assert_no_leak(api, site, q)
            assert_no_leak(page, site, q)


def test_every_parameter_takes_hostile_values(public, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    for name in PARAMETERS:
        for value in VALUES:
            for path in ("/search", "/api/items"):
                response = public.get(f"{path}?{urlencode({name: value, 'q': 'xss'})}")
                assert_no_leak(response, site, value)
                assert response.status_code in (200, 400), (path, name, value, response.status_code)
    api = public.get("/api/items?" + urlencode({"q": "' OR '1'='1", "access": "closed"}))
    assert api.status_code == 400  # the access facet is for staff only


def test_item_ids_and_pages_with_injection_are_not_found(public, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    for bad in [*SQL, f"{site.closed}' OR '1'='1", f"{site.file}'--", "*", "%", "_" * 12]:
        for pattern in ("/items/{}", "/api/items/{}", "/api/items/{}/children", "/api/items/{}/record",
                        "/browse/{}", "/embed/{}", "/iiif/presentation/3/{}/manifest", "/items/{}/citation.bib",
                        "/archivist/batches/{}", "/iiif/image/3/{}/info.json", "/iiif/presentation/3/collection/{}",
                        "/iiif/presentation/3/{}/collection", "/masterplan/figures/{}.csv"):  # fmt: skip
            response = public.get(pattern.format(bad.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")))
            assert_no_leak(response, site, bad)
            if response.status_code == 302:  # staff pages send the public to the sign-in form first
                assert "/login?next=" in response.headers["Location"], response.headers["Location"]
                continue
            assert response.status_code in (400, 401, 403, 404), (pattern, bad, response.status_code)
    for url in (f"/api/items/{site.closed}", f"/items/{site.closed}", f"/iiif/presentation/3/{site.closed}/manifest"):
        assert public.get(url).status_code == 404  # the closed item does not exist for the public
    children = public.get(f"/api/items/{site.fonds}/children?page=' OR 1=1 --")
    assert children.status_code == 400 and SECRET not in children.get_data(as_text=True)


def test_oai_arguments_with_injection_are_protocol_errors(public, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    for args in (
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:localhost:' OR '1'='1"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": f"oai:localhost:{site.closed}"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "collection:' OR 1=1 --"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01' OR '1'='1"},
        {"verb": "ListIdentifiers", "resumptionToken": "' OR 1=1 --"},
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:localhost:x\x00y"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "collection:x\x00y"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "unit:x\x00y"},
        {"verb": "' OR 1=1 --"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "9999-12-31", "until": "9999-12-31"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "0001-01-01T00:00:00Z"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "until": "10000-01-01"},
    ):
        response = public.get("/oai?" + urlencode(args))
        assert response.status_code == 200 and b"<error code=" in response.data, args
        assert_no_leak(response, site, *args.values())


@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59Z"])
def test_oai_until_the_end_of_the_calendar_lists_the_public_records(
    public, site: Hostile, verb: str, until: str
) -> None:  # type: ignore[no-untyped-def]
    response = public.get("/oai?" + urlencode({"verb": verb, "metadataPrefix": "oai_dc", "until": until}))
    assert response.status_code == 200 and b"<error" not in response.data
    assert site.file.encode() in response.data
    assert_no_leak(response, site, until)


def test_the_staff_sees_the_closed_item_the_public_never(public, staff, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    """The same queries find the closed item for staff: the tests above would see it if it leaked."""
    assert SECRET in staff.get("/api/items?q=Zwartboek").get_data(as_text=True)
    assert SECRET in staff.get("/search?q=geheimdossier").get_data(as_text=True)
    assert public.get("/api/items?q=Zwartboek").get_json()["total"] == 0
    assert_no_leak(public.get("/search?q=Zwartbok"), site, "Zwartbok")  # no "did you mean Zwartboek"
    assert_no_leak(public.get("/api/items?q=geheimdosier"), site, "geheimdosier")


@pytest.mark.parametrize("q", ["Zwartbok", "geheimdosier", "Geheimdossier Zwartbok", "title:zwartbok", "zwartboek"])
def test_did_you_mean_offers_only_words_the_asker_may_find(public, staff, site: Hostile, q: str) -> None:  # type: ignore[no-untyped-def]
    """Only the closed item holds these words: staff are offered them, the public never (not even the word
    itself typed right, which the public must not be able to tell from a word nobody wrote)."""
    answer = public.get(f"/api/items?{urlencode({'q': q})}").get_json()
    assert answer["total"] == 0 and "suggestion" not in answer, answer.get("suggestion")
    assert_no_leak(public.get(f"/search?{urlencode({'q': q})}"), site, q)
    if ":" not in q and q != "zwartboek":  # words of the box are corrected; one that is there needs none
        assert staff.get(f"/api/items?{urlencode({'q': q})}").get_json().get("suggestion")


def test_a_nul_byte_anywhere_is_a_clear_400(public, staff) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL cannot even compare a string holding NUL: such requests stop before any lookup."""
    for url in (
        "/items/abc%00def",
        "/search?q=a%00b",
        "/api/items?subject=a%00",
        "/iiif/presentation/3/collection/x%00",
    ):
        response = public.get(url)
        assert response.status_code == 400 and "NUL" in response.get_data(as_text=True), url
    token = public.post("/api/token", json={"username": "beheerder\x00", "password": "x"})
    assert token.status_code == 400 and "NUL" in token.get_json()["error"]["message"]
    form = public.post("/login", data={"username": "beheerder\x00", "password": "x", "csrf_token": csrf_token(public)})
    assert form.status_code in (400, 401)
    upload = staff.post(
        "/archivist/upload",
        data={"collection": "x\x00y", "unit": "u\x00", "csrf_token": csrf_token(staff),
              "files": [(io.BytesIO(b"identifier,title\nA,B\n"), "b/sheet.csv")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 400
