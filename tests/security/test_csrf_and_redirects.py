"""CSRF on every state-changing route, found by walking the app's URL map (a new route is covered the day it
is added), and no open redirect: `next=` after signing in, and every other redirect, stays on this site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.helpers import PASSWORD, csrf_token, sign_in
from tests.security.hostile import Hostile

pytestmark = pytest.mark.db

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# POSTs that change nothing a forged request could abuse, each with its reason (the list is kept short on purpose):
NOT_CSRF = {
    "oai.oai": "OAI-PMH allows POST for reading; it changes nothing",
    "auth.api_token": "takes the password itself in a JSON body, which a cross-site form cannot send",
}


def state_changing_routes(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(method, URL, endpoint) of every state-changing route, path parameters filled with a plausible value."""
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & STATE_CHANGING):
            url = re.sub(r"<[^<>]+>", lambda m: "1" if "int:" in m.group(0) else "abcdefghijkl", rule.rule)
            routes.append((method, url, rule.endpoint))
    return routes


def test_the_walk_finds_the_known_forms(site_app) -> None:  # type: ignore[no-untyped-def]
    endpoints = {endpoint for _, _, endpoint in state_changing_routes(site_app)}
    assert {"archivist.upload", "auth.login", "auth.logout"} <= endpoints


def test_every_state_changing_route_refuses_a_request_without_a_csrf_token(site_app, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import add_user

    add_user(site.runtime, "csrf-archivist", "administrator")
    for method, url, endpoint in state_changing_routes(site_app):
        if endpoint in NOT_CSRF:
            continue
        signed_in = site_app.test_client()
        assert sign_in(signed_in, "csrf-archivist").status_code == 303
        token = csrf_token(signed_in)
        for label, data in (("no token", {}), ("a wrong token", {"csrf_token": token[:-4] + "AAAA"})):
            response = signed_in.open(url, method=method, data={**data, "collection": "forged"})
            assert response.status_code in (400, 403), (method, url, label, response.status_code)
            assert "CSRF" in response.get_data(as_text=True), (url, label)
        # a token of another session does not do either
        other = site_app.test_client()
        response = signed_in.open(url, method=method, data={"csrf_token": csrf_token(other), "collection": "forged"})
        assert response.status_code in (400, 403), (method, url, "another session's token")
    with site.runtime.sessions() as s:
        from sqlalchemy import select

        from heritage.models import Collection

        assert s.scalar(select(Collection).where(Collection.slug == "forged")) is None  # nothing was made


def test_a_bearer_token_stands_in_for_the_csrf_token(site_app, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    """Scripts authenticate with a token in a header, which no cross-site form can send."""
    client = site_app.test_client()
    made = client.post("/api/token", json={"username": "beheerder", "password": PASSWORD, "scopes": ["ingest"]})
    assert made.status_code == 201
    response = client.post(
        "/archivist/upload", data={}, headers={"Authorization": f"Bearer {made.get_json()['token']}"}
    )
    assert response.status_code == 400 and "CSRF" not in response.get_data(as_text=True)  # past CSRF: no files
    forged = client.post("/archivist/upload", data={}, headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401


HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "\\/evil.example",
    "http:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "%2F%2Fevil.example",
    "/%09/evil.example",
    "evil.example",
    "@evil.example",
    "https://localhost@evil.example/",
]


def stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return False
    return not location.startswith(("//", "/\\")) and "\\" not in location and "evil.example" not in parts.netloc


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_after_signing_in_stays_on_site(site_app, target: str) -> None:  # type: ignore[no-untyped-def]
    client = site_app.test_client()
    response = sign_in(client, "beheerder", next=target)
    assert response.status_code == 303
    assert stays_on_site(response.headers["Location"]), (target, response.headers["Location"])
    form = client.get("/login", query_string={"next": target})  # signed in, with next: the form again
    assert form.status_code == 200 or stays_on_site(form.headers["Location"])


def test_a_path_on_site_is_kept(site_app, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(site_app.test_client(), "beheerder", next=f"/items/{site.file}?lang=en")
    assert response.headers["Location"].endswith(f"/items/{site.file}?lang=en")


def test_other_redirects_stay_on_site(public, staff, site: Hostile) -> None:  # type: ignore[no-untyped-def]
    for url in ("/iiif/image/3/abc", "/?lang=en", "/search?q=x&lang=nl"):
        response = public.get(url, headers={"Referer": "https://evil.example/", "Host": "localhost"})
        if 300 <= response.status_code < 400:
            assert stays_on_site(response.headers["Location"]), url
    logout = staff.post("/logout", data={"csrf_token": csrf_token(staff), "next": "https://evil.example/"})
    assert logout.status_code == 303 and stays_on_site(logout.headers["Location"])
