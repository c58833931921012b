"""/api: the OpenAPI document as a page for people (every operation of the document on it, the interface in the
reader's language) and the document itself for clients that ask for JSON; the footer leads there."""

from __future__ import annotations

import html

import pytest

from web.openapi import document


@pytest.mark.parametrize(("lang", "heading"), [("nl", "De API van de catalogus"), ("en", "The catalogue's API")])
def test_the_page_shows_every_operation_of_the_document(client, lang: str, heading: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api?lang={lang}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = html.unescape(response.get_data(as_text=True))
    assert f"<h1>{heading}</h1>" in page and f'<html lang="{lang}">' in page
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            assert f"<code>{method.upper()} {path}</code>" in page, (method, path)
            assert operation["summary"] in page
    assert 'href="/api/openapi.json"' in page
    assert "<code>[Hit]</code>" in page  # the shape of an answer, not only its status


def test_a_json_client_gets_the_document(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == client.get("/api/openapi.json").get_json()
    assert "Accept" in response.headers["Vary"]


def test_the_footer_leads_to_the_page_and_every_page_names_the_icon(client) -> None:  # type: ignore[no-untyped-def]
    home = client.get("/").get_data(as_text=True)
    assert '<a href="/api">' in home and 'rel="icon"' in home
    icon = client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
