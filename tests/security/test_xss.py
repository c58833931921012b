"""Stored and reflected XSS: a payload in every metadata field that a page renders (title, description,
creator, subject, place, rights, dates, identifiers, collection and unit names, ...), ingested from a CSV
sheet or set on the models, is shown as text on every page, parsed as a browser would (lxml), and never
becomes an element, an attribute or a `javascript:` link; payloads in the query, the path and `lang` too."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from lxml import etree, html

from tests.security.hostile import IMG, PAYLOAD, SCRIPT, Hostile

pytestmark = pytest.mark.db

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "xlink:href"}


def injected(doc) -> list[str]:  # type: ignore[no-untyped-def]
    """Everything in a parsed page that a payload would have made had it escaped its text."""
    found = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script" and "xss" in (element.text or "") and element.get("type") != "application/ld+json":
            found.append(f"<script>{element.text[:50]}")
        if element.tag == "img" and element.get("src") == "x":
            found.append(f"<{element.tag} {dict(element.attrib)}>")
        for name, value in element.attrib.items():
            if name.startswith("on") or name == "data-xss":
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith(("javascript:", "data:text")):
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
    return found


def check_page(client, url: str, *, expect: str | None = "xss-script", status: int = 200):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html", url
    doc = html.fromstring(response.data)
    assert injected(doc) == [], url
    if expect:
        assert expect in doc.text_content(), f"{url} does not show the field at all (the test would prove nothing)"
    return doc


def hostile_pages(site: Hostile) -> list[str]:
    return [
        "/",
        f"/items/{site.file}",
        f"/items/{site.file}?lang=en",
        f"/items/{site.fonds}",
        f"/items/{site.page_item}",
        f"/browse/{site.fonds}",
        f"/browse/{site.fonds}?lang=en",
        f"/browse/{site.fonds}/children",
        f"/embed/{site.file}",
        f"/embed/{site.file}?viewer=mirador",
        "/search?q=xss",
        "/search?q=xss&lang=en",
        "/search?collection=hostile",
        f"/search?creator={quote('file-creator ' + PAYLOAD)}",
        f"/search?q={quote(SCRIPT)}",
    ]


def test_every_rendered_field_is_escaped_for_the_public(public, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    for url in hostile_pages(site):
        check_page(public, url)
    record = html.fromstring(public.get(f"/items/{site.file}?lang=nl").data).text_content()
    for name in ("file-title", "file-description", "file-creator", "subject", "place", "extent", "collection-title"):
        assert f"{name} {SCRIPT}" in record, f"the record page shows {name} as text"


def test_staff_pages_escape_every_field(staff, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    for url in hostile_pages(site):
        check_page(staff, url)
    check_page(staff, f"/items/{site.closed}", expect=None)
    check_page(staff, "/masterplan")  # the queues name the items
    for url in ("/masterplan/review", "/masterplan?lang=en"):
        check_page(staff, url, expect=None)
    check_page(staff, "/archivist/", expect="hostile")
    check_page(staff, f"/archivist/batches/{site.batch}", expect=None)


def test_the_json_ld_block_holds_the_payload_as_data(public, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    doc = html.fromstring(public.get(f"/items/{site.file}").data)
    blocks = doc.xpath("//script[@type='application/ld+json']")
    assert len(blocks) == 1
    assert "<" not in blocks[0].text and ">" not in blocks[0].text  # cannot close its element or open a comment
    data = json.loads(blocks[0].text)
    assert data["name"].startswith("file-title " + SCRIPT)
    assert len(doc.xpath("//script")) == len(doc.xpath("//script[@src]")) + 1  # nothing else became a script


def test_machine_formats_carry_the_payload_in_their_own_syntax(public, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    """JSON and XML are never served as HTML; XML parses with the payload as text, not markup."""
    for url in (
        f"/api/items/{site.file}",
        "/api/items?q=xss",
        f"/iiif/presentation/3/{site.file}/manifest",
        f"/items/{site.file}/citation.json",
    ):
        response = public.get(url)
        assert response.status_code == 200 and response.is_json, url
        assert "xss-script" in response.get_data(as_text=True)
    bib = public.get(f"/items/{site.file}/citation.bib")
    assert bib.mimetype == "application/x-bibtex" and bib.headers["X-Content-Type-Options"] == "nosniff"
    for url in ("/oai?verb=ListRecords&metadataPrefix=oai_dc", "/sitemap.xml"):
        response = public.get(url)
        assert response.mimetype.endswith("xml"), url
        tree = etree.fromstring(response.data)
        assert not tree.xpath("//*[local-name()='script' or local-name()='img']"), url
    oai = etree.fromstring(public.get("/oai?verb=ListRecords&metadataPrefix=oai_dc").data)
    assert any(SCRIPT in (t or "") for t in oai.xpath("//text()"))


@pytest.mark.parametrize(
    "url",
    [
        f"/items/{quote(PAYLOAD, safe='')}",
        f"/no/such/{quote(SCRIPT, safe='')}",
        f"/browse/{quote(IMG, safe='')}",
        f"/embed/{quote(IMG, safe='')}",
        f"/search?lang={quote(PAYLOAD, safe='')}",
        f"/search?q=x&page={quote(IMG, safe='')}",
        f"/search?q=x&sort={quote(SCRIPT, safe='')}",
        f"/search?q=x&from={quote(SCRIPT, safe='')}",
        f"/?lang={quote(PAYLOAD, safe='')}",
        f"/login?next={quote(PAYLOAD, safe='')}",
        f"/masterplan?lang={quote(IMG, safe='')}",
        f"/archivist/batches/{quote(IMG, safe='')}",
    ],
)
def test_reflected_payloads_are_escaped(public, url: str) -> None:  # type: ignore[no-untyped-def]
    response = public.get(url)
    assert response.status_code < 500, url
    if response.mimetype == "text/html":
        assert injected(html.fromstring(response.data)) == [], url
    for cookie in response.headers.getlist("Set-Cookie"):
        assert "<" not in cookie and "script" not in cookie.lower(), cookie  # an unknown lang is not remembered
