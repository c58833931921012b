"""Security headers on every response of the demo catalogue: a Content-Security-Policy that allows only our own
scripts and styles, nosniff, a referrer policy, frame options (the embed page and IIIF may be framed by any
site, nothing else), HSTS only over HTTPS; and templates with no inline script or style for the CSP to block."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import html

from heritage.runtime import Runtime

pytestmark = pytest.mark.slow


def directives(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.fixture(scope="module")
def ids(demo_client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with_images = demo_client.get("/api/items?has_images=yes&per_page=1").get_json()["items"][0]
    fonds = demo_client.get("/api/items?level=fonds&per_page=1").get_json()["items"][0]
    manifest = demo_client.get(f"/iiif/presentation/3/{with_images['id']}/manifest").get_json()
    service = manifest["items"][0]["items"][0]["items"][0]["body"]["service"][0]["id"]
    return {"item": with_images["id"], "fonds": fonds["id"], "image": service.rsplit("/", 1)[1]}


def pages(ids: dict[str, str]) -> list[str]:
    return [
        "/",
        "/search?q=reglement",
        f"/items/{ids['item']}",
        f"/browse/{ids['fonds']}",
        f"/browse/{ids['fonds']}/children",
        "/masterplan",
        "/masterplan/review",
        "/archivist/",
        "/archivist/upload",
        "/api/items?q=x",
        f"/api/items/{ids['item']}",
        "/api/openapi.json",
        f"/items/{ids['item']}/citation.bib",
        "/sitemap.xml",
        "/oai?verb=Identify",
        "/static/style.css",
        "/no/such/page",
        "/api/items/nosuchitem0",
    ]


def test_every_page_has_the_strict_policy_and_refuses_framing(demo_client, ids) -> None:  # type: ignore[no-untyped-def]
    for url in pages(ids):
        response = demo_client.get(url)
        assert response.status_code < 500, url  # staff pages may answer 403 or send to the login
        csp = directives(response)
        assert csp["script-src"] == "'self'", url  # no inline script, no eval, no other origin
        assert "'unsafe-inline'" not in csp["style-src"] and csp["style-src"].startswith("'self'"), url
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'self'" and csp["form-action"] == "'self'", url
        assert csp["frame-ancestors"] == "'none'", url
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert "Strict-Transport-Security" not in response.headers, url  # plain HTTP: no HSTS


def test_the_embed_page_and_iiif_may_be_framed_by_any_site(demo_client, ids) -> None:  # type: ignore[no-untyped-def]
    framable = [
        f"/embed/{ids['item']}",
        f"/iiif/presentation/3/{ids['item']}/manifest",
        "/iiif/presentation/3/collections",
        f"/iiif/image/3/{ids['image']}/info.json",
        f"/iiif/image/3/{ids['image']}/full/max/0/default.jpg",
        "/iiif/image/3/nosuchimage/info.json",
        "/iiif/discovery/activity/all-changes",
    ]
    for url in framable:
        response = demo_client.get(url)
        assert response.status_code in (200, 404), url
        assert "X-Frame-Options" not in response.headers, url
        assert directives(response)["frame-ancestors"] == "*", url
        assert directives(response)["script-src"] == "'self'", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        if url.startswith("/iiif/"):
            assert response.headers["Access-Control-Allow-Origin"] == "*", url


def test_hsts_only_over_https(demo_client, demo_runtime: Runtime, ids) -> None:  # type: ignore[no-untyped-def]
    secure = demo_client.get("/", base_url="https://heritage.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    tile = demo_client.get(f"/iiif/image/3/{ids['image']}/full/max/0/default.jpg", base_url="https://heritage.example")
    assert "max-age=" in tile.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in demo_client.get("/").headers

    from web import create_app

    behind_proxy = Runtime.open(dataclasses.replace(demo_runtime.settings, base_url="https://heritage.example"))
    try:
        app = create_app(runtime=behind_proxy)
        assert "max-age=" in app.test_client().get("/").headers["Strict-Transport-Security"]
    finally:
        behind_proxy.close()


def inline_code(doc) -> list[str]:  # type: ignore[no-untyped-def]
    """What a strict CSP would block in a page: inline scripts, style elements, style and event attributes."""
    found = [
        f"inline <script>: {(s.text or '')[:60]!r}"
        for s in doc.iter("script")
        if not s.get("src") and s.get("type") != "application/ld+json"
    ]
    found += ["<style> element" for _ in doc.iter("style")]
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name == "style" or name.startswith("on") or value.strip().lower().startswith("javascript:"):
                found.append(f"<{element.tag} {name}={value[:40]!r}>")
    return found


def test_templates_hold_no_inline_script_or_style(demo_runtime: Runtime, ids, viewer_assets_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """With the viewers installed (their pages carry the most markup), no page needs 'unsafe-inline'."""
    from web import create_app

    with_viewers = Runtime.open(dataclasses.replace(demo_runtime.settings, assets_dir=viewer_assets_dir))
    try:
        client = create_app(runtime=with_viewers).test_client()
        urls = [u for u in pages(ids) if not u.startswith(("/api/", "/oai", "/sitemap", "/static"))]
        urls += [f"/embed/{ids['item']}", f"/embed/{ids['item']}?viewer=mirador", "/search?q=universiteit"]
        for url in urls:
            response = client.get(url)
            if response.mimetype != "text/html":
                continue
            assert inline_code(html.fromstring(response.data)) == [], url
        record = client.get(f"/items/{ids['item']}").get_data(as_text=True)
        assert "/static/viewer.js" in record and "/static/copy.js" in record
        assert "/static/tree.js" in client.get(f"/browse/{ids['fonds']}").get_data(as_text=True)
        mirador = client.get(f"/embed/{ids['item']}?viewer=mirador")
        assert "/static/mirador-embed.js" in mirador.get_data(as_text=True)
        # Mirador (Material UI) injects style elements: that page alone allows inline styles, never scripts
        assert directives(mirador)["style-src"] == "'self' 'unsafe-inline'"
        assert directives(mirador)["script-src"] == "'self'"
    finally:
        with_viewers.close()
