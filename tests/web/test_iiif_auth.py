"""IIIF Authorization Flow 2.0 over HTTP: the services declared in info.json and manifests, the probe, the
access service (sign in, confirm a viewer), the token service and every error profile, bearer tokens on the
image service, and logout, disabling and expiry withdrawing access."""

from __future__ import annotations

import hashlib
import json
import re
import time
from html import unescape
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from heritage import auth
from heritage.cli import main
from heritage.models import File, IIIFAccessToken, Item
from heritage.runtime import Runtime
from tests.helpers import PASSWORD, access_batch, add_user, sign_in

pytestmark = pytest.mark.db
ORIGIN = "http://partner.example:8123"
AUTH_CONTEXT = "http://iiif.io/api/auth/2/context.json"


@pytest.fixture
def lek(app, runner, runtime: Runtime, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The leak catalogue: item and image per access case; `lezer2` granted every item, `lezer` none."""
    from heritage.access_changes import decide

    result = runner.invoke(
        main, ["ingest", str(access_batch(tmp_path / "b")), "--collection", "lek", "--unit", "archief"]
    )
    assert result.exit_code == 0, result.output
    ids: dict[str, str] = {}
    with runtime.sessions() as s:
        for n, case in enumerate(("public", "restricted", "closed"), 1):
            item = s.scalar(select(Item.id).where(Item.local_id == f"LEK.{n}"))
            ids[case] = item
            ids[f"{case}_image"] = s.scalar(select(File.id).where(File.item_id == item))
    for name, role, unit in (("lezer", "reader", None), ("lezer2", "reader", None), ("ua", "archivist", "archief")):
        add_user(runtime, name, role, unit)
    with runtime.transaction() as s:
        decide(s, "lezer2", ids["restricted"], True, agent="ua")
    return ids


def _form_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _posted(response) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    """The message the token service's page posts, and the origin it posts it to."""
    html = response.get_data(as_text=True)
    found = re.search(r"<div id=\"iiif-auth-message\" data-target=\"([^\"]*)\" data-message='([^']*)'", html)
    assert found, html
    return json.loads(unescape(found.group(2))), found.group(1)


def _token(client, origin: str = ORIGIN, message_id: str = "m1") -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    return _posted(client.get(f"/iiif/auth/2/token?messageId={message_id}&origin={origin}"))


def _sign_in_through_access(client, username: str, origin: str = ORIGIN):  # type: ignore[no-untyped-def]
    page = client.get(f"/iiif/auth/2/access?origin={origin}")
    assert page.status_code == 200 and page.headers["X-Frame-Options"] == "DENY"
    return client.post(
        "/iiif/auth/2/access",
        data={
            "origin": origin,
            "username": username,
            "password": PASSWORD,
            "csrf_token": _form_csrf(page.get_data(as_text=True)),
        },
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _probe(client, image: str, token: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(f"/iiif/auth/2/probe/{image}", headers=_bearer(token) if token else {})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["@context"] == AUTH_CONTEXT and body["type"] == "AuthProbeResult2"
    return body


def test_info_json_and_manifest_declare_the_flow_for_restricted_images_only(app, lek) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    public = client.get(f"/iiif/image/3/{lek['public_image']}/info.json").get_json()
    assert "service" not in public and public["@context"] == "http://iiif.io/api/image/3/context.json"
    denied = client.get(f"/iiif/image/3/{lek['restricted_image']}/info.json")
    assert denied.status_code == 401
    info = denied.get_json()
    assert info["@context"] == [AUTH_CONTEXT, "http://iiif.io/api/image/3/context.json"]
    assert "tiles" not in info and "sizes" not in info and info["width"] > 0
    probe = info["service"][0]
    assert probe["type"] == "AuthProbeService2" and probe["id"].endswith(
        f"/iiif/auth/2/probe/{lek['restricted_image']}"
    )
    access = probe["service"][0]
    assert access["type"] == "AuthAccessService2" and access["profile"] == "active"
    assert access["id"].endswith("/iiif/auth/2/access")
    for key in ("label", "heading", "note", "confirmLabel"):
        assert set(access[key]) == {"nl", "en"} and all(access[key][lang][0] for lang in ("nl", "en"))
    token_service, logout_service = access["service"]
    assert token_service["type"] == "AuthAccessTokenService2" and token_service["id"].endswith("/iiif/auth/2/token")
    assert logout_service["type"] == "AuthLogoutService2" and set(logout_service["label"]) == {"nl", "en"}

    manifest = client.get(f"/iiif/presentation/3/{lek['restricted']}/manifest")
    assert manifest.status_code == 200  # its description is public; the images ask for access
    doc = manifest.get_json()
    assert doc["@context"] == [AUTH_CONTEXT, "http://iiif.io/api/presentation/3/context.json"]
    service = doc["items"][0]["items"][0]["items"][0]["body"]["service"][0]
    assert service["service"] == info["service"]  # the same declaration in both places
    granted = app.test_client()
    sign_in(granted, "lezer2")
    assert granted.get(f"/iiif/presentation/3/{lek['restricted']}/manifest").get_json() == doc  # not per asker
    full = granted.get(f"/iiif/image/3/{lek['restricted_image']}/info.json")
    assert full.status_code == 200 and full.get_json()["service"] == info["service"] and "tiles" in full.get_json()
    public_manifest = client.get(f"/iiif/presentation/3/{lek['public']}/manifest").get_json()
    assert public_manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert "service" not in public_manifest["items"][0]["items"][0]["items"][0]["body"]["service"][0]
    # a closed item stays unknown to the public, its manifest and info.json alike
    assert client.get(f"/iiif/presentation/3/{lek['closed']}/manifest").status_code == 404
    assert client.get(f"/iiif/image/3/{lek['closed_image']}/info.json").status_code == 404


def test_an_approved_reader_signs_in_through_the_access_service_and_the_token_opens_the_images(
    app, runtime, lek
) -> None:  # type: ignore[no-untyped-def]
    image = lek["restricted_image"]
    tile = f"/iiif/image/3/{image}/0,0,256,256/256,/0/default.jpg"
    assert _probe(app.test_client(), image)["status"] == 401
    browser = app.test_client()
    done = _sign_in_through_access(browser, "lezer2")
    assert done.status_code == 200 and "iiif-auth-pages.js" in done.get_data(as_text=True)
    assert "data-iiif-auth-close" in done.get_data(as_text=True)
    assert "heritage_iiif=" in done.headers["Set-Cookie"] and "HttpOnly" in done.headers["Set-Cookie"]
    message, target = _token(browser, message_id="abc-1")
    assert target == ORIGIN
    assert set(message) == {"@context", "type", "accessToken", "expiresIn", "messageId"}
    assert (
        message["type"] == "AuthAccessToken2" and message["messageId"] == "abc-1" and 0 < message["expiresIn"] <= 3600
    )
    token = message["accessToken"]
    with runtime.sessions() as s:
        row = s.scalar(select(IIIFAccessToken).order_by(IIIFAccessToken.id.desc()))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and row.origin == ORIGIN
    viewer_elsewhere = app.test_client()  # another site's viewer: no cookie, the token only
    assert _probe(viewer_elsewhere, image, token) == {
        "@context": AUTH_CONTEXT,
        "type": "AuthProbeResult2",
        "status": 200,
    }
    assert viewer_elsewhere.get(f"/iiif/image/3/{image}/info.json", headers=_bearer(token)).status_code == 200
    for _ in range(2):  # the second time the stored-tile fast path may answer
        response = viewer_elsewhere.get(tile, headers=_bearer(token))
        assert response.status_code == 200 and response.headers["Cache-Control"].startswith("private")
    assert (
        viewer_elsewhere.get(f"/iiif/image/3/{image}/full/max/0/default.jpg", headers=_bearer(token)).status_code == 200
    )
    assert viewer_elsewhere.get(tile).status_code == 404  # without the token: nothing
    # the token opens only what its user may see, and only the image service
    assert (
        viewer_elsewhere.get(f"/iiif/image/3/{lek['closed_image']}/info.json", headers=_bearer(token)).status_code
        == 404
    )
    assert viewer_elsewhere.get(f"/api/items/{lek['restricted']}", headers=_bearer(token)).status_code == 401


def test_a_reader_without_approval_and_the_public_get_the_401_probe_with_the_request_form(app, lek) -> None:  # type: ignore[no-untyped-def]
    image = lek["restricted_image"]
    public = _probe(app.test_client(), image)
    assert public["status"] == 401 and set(public["heading"]) == {"nl", "en"}
    assert (
        f"/items/{lek['restricted']}" in public["note"]["en"][0]
        and f"/items/{lek['restricted']}" in public["note"]["nl"][0]
    )
    assert "location" not in public  # no smaller public version: the access rules allow none for restricted items
    reader = app.test_client()
    _sign_in_through_access(reader, "lezer")
    message, _ = _token(reader)
    assert message["type"] == "AuthAccessToken2"
    token = message["accessToken"]
    assert _probe(app.test_client(), image, token) == public
    assert (
        app.test_client()
        .get(f"/iiif/image/3/{image}/0,0,256,256/256,/0/default.jpg", headers=_bearer(token))
        .status_code
        == 404
    )
    assert _probe(app.test_client(), lek["public_image"])["status"] == 200


def test_the_probe_tells_a_closed_image_from_an_unknown_one_in_no_way(app, lek) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert _probe(client, lek["closed_image"]) == _probe(client, "zzzzzzzzzzzz")
    assert _probe(client, lek["closed_image"])["status"] == 401
    staff = app.test_client()
    _sign_in_through_access(staff, "ua")
    token = _token(staff)[0]["accessToken"]
    assert _probe(client, lek["closed_image"], token)["status"] == 200  # staff of its unit see it
    assert _probe(client, lek["restricted_image"], "hia_not-a-token")["status"] == 401


def test_token_service_error_profiles(app, runtime, lek) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    no_id, target = _posted(client.get(f"/iiif/auth/2/token?origin={ORIGIN}"))
    assert (no_id["type"], no_id["profile"], target) == ("AuthAccessTokenError2", "invalidRequest", ORIGIN)
    assert set(no_id) == {"@context", "type", "profile", "heading", "note", "messageId"}
    bad_origin, target = _token(client, origin="javascript:alert(1)")
    assert (bad_origin["profile"], target) == ("invalidOrigin", "*") and "accessToken" not in bad_origin
    missing, _ = _token(client)  # nobody signed in
    assert (missing["profile"], missing["messageId"]) == ("missingAspect", "m1")
    signed_in = app.test_client()
    assert sign_in(signed_in, "lezer2").status_code == 303
    assert _token(signed_in)[0]["profile"] == "missingAspect"  # signed in, but never let this site show images
    assert _token(signed_in, origin="http://localhost")[0]["type"] == "AuthAccessToken2"  # our own pages may
    forged = app.test_client()
    forged.set_cookie("heritage_iiif", "not-signed", path="/iiif/auth/2")
    assert _token(forged)[0]["profile"] == "invalidAspect"

    class _Yesterday(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 13 * 3600

    with runtime.sessions() as s:
        uid = auth.get_user(s, "lezer2").id
    old = URLSafeTimedSerializer(app.secret_key, salt="iiif-auth-2", signer=_Yesterday).dumps(
        {"uid": uid, "origins": {ORIGIN: 0}}
    )
    expired = app.test_client()
    expired.set_cookie("heritage_iiif", old, path="/iiif/auth/2")
    assert _token(expired)[0]["profile"] == "expiredAspect"
    disabled = app.test_client()
    _sign_in_through_access(disabled, "lezer")
    with runtime.transaction() as s:
        auth.set_active(s, "lezer", False)
    assert _token(disabled)[0]["profile"] == "invalidAspect"


def test_access_service_refuses_a_wrong_password_and_a_missing_origin(app, lek) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    missing = client.get("/iiif/auth/2/access")
    assert missing.status_code == 400 and "origin" in missing.get_data(as_text=True)
    page = client.get(f"/iiif/auth/2/access?origin={ORIGIN}&lang=en")
    assert "partner.example:8123" in page.get_data(as_text=True)  # the person sees which site asks
    wrong = client.post(
        "/iiif/auth/2/access",
        data={
            "origin": ORIGIN,
            "username": "lezer2",
            "password": "wrong wrong",
            "csrf_token": _form_csrf(page.get_data(as_text=True)),
        },
    )
    assert wrong.status_code == 401 and "heritage_iiif" not in wrong.headers.get("Set-Cookie", "")
    assert _token(client)[0]["profile"] == "missingAspect"
    no_csrf = client.post("/iiif/auth/2/access", data={"origin": ORIGIN, "username": "lezer2", "password": PASSWORD})
    assert no_csrf.status_code == 400
    signed_in = app.test_client()
    sign_in(signed_in, "lezer2")
    confirm = signed_in.get(f"/iiif/auth/2/access?origin={ORIGIN}&lang=en").get_data(as_text=True)
    assert 'name="confirm"' in confirm and "lezer2" in confirm
    done = signed_in.post(
        "/iiif/auth/2/access", data={"origin": ORIGIN, "confirm": "1", "csrf_token": _form_csrf(confirm)}
    )
    assert done.status_code == 200 and _token(signed_in)[0]["type"] == "AuthAccessToken2"


def test_logout_and_signing_out_revoke_the_tokens(app, runtime, lek) -> None:  # type: ignore[no-untyped-def]
    image = lek["restricted_image"]
    tile = f"/iiif/image/3/{image}/0,0,256,256/256,/0/default.jpg"
    browser = app.test_client()
    _sign_in_through_access(browser, "lezer2")
    first = _token(browser)[0]["accessToken"]
    second = _token(browser, message_id="m2")[0]["accessToken"]
    assert app.test_client().get(tile, headers=_bearer(first)).status_code == 200
    page = browser.get("/iiif/auth/2/logout")
    assert page.status_code == 200 and page.headers["X-Frame-Options"] == "DENY"
    out = browser.post("/iiif/auth/2/logout", data={"csrf_token": _form_csrf(page.get_data(as_text=True))})
    assert out.status_code == 200 and "data-iiif-auth-close" in out.get_data(as_text=True)
    assert "heritage_iiif=;" in out.headers["Set-Cookie"]
    for token in (first, second):
        assert _probe(app.test_client(), image, token)["status"] == 401
        assert app.test_client().get(tile, headers=_bearer(token)).status_code == 401
    assert _token(browser)[0]["profile"] == "missingAspect"
    # the site's own sign-out does the same
    again = app.test_client()
    _sign_in_through_access(again, "lezer2")
    third = _token(again)[0]["accessToken"]
    home = again.get("/login?next=/")
    again.post("/logout", data={"csrf_token": _form_csrf(home.get_data(as_text=True))})
    assert _probe(app.test_client(), image, third)["status"] == 401


def test_expired_tokens_open_nothing(app, runtime, lek) -> None:  # type: ignore[no-untyped-def]
    from heritage import iiif_tokens

    with runtime.transaction() as s:
        token, _ = iiif_tokens.issue(s, auth.get_user(s, "lezer2"), ORIGIN, seconds=-1)
    assert _probe(app.test_client(), lek["restricted_image"], token)["status"] == 401
    tile = f"/iiif/image/3/{lek['restricted_image']}/0,0,256,256/256,/0/default.jpg"
    response = app.test_client().get(tile, headers=_bearer(token))
    assert response.status_code == 401 and "expired" in response.get_json()["error"]["message"]


def test_cors_lets_any_site_send_the_token(app, lek) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    ask = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    for url in (f"/iiif/auth/2/probe/{lek['restricted_image']}", f"/iiif/image/3/{lek['restricted_image']}/info.json"):
        response = client.options(url, headers=ask)
        assert response.status_code in (200, 204), url
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    token_page = client.get(f"/iiif/auth/2/token?messageId=x&origin={ORIGIN}")
    assert "X-Frame-Options" not in token_page.headers  # the token service lives in the viewer's hidden frame


def test_the_fast_path_serves_tiles_to_a_token_that_opens_them_and_to_no_other(app, lek) -> None:  # type: ignore[no-untyped-def]
    granted, reader = app.test_client(), app.test_client()
    _sign_in_through_access(granted, "lezer2")
    _sign_in_through_access(reader, "lezer")
    token, other = _token(granted)[0]["accessToken"], _token(reader)[0]["accessToken"]
    tile = f"/iiif/image/3/{lek['restricted_image']}/0,0,256,256/256,/0/default.jpg"
    client = app.test_client()
    through_flask = client.get(tile, headers=_bearer(token))
    fast = client.get(tile, headers=_bearer(token))
    assert through_flask.status_code == fast.status_code == 200
    assert "Last-Modified" in through_flask.headers and "Last-Modified" not in fast.headers  # two paths taken
    compared = ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Link", "Access-Control-Allow-Origin")
    assert {h: fast.headers.get(h) for h in compared} == {h: through_flask.headers.get(h) for h in compared}
    assert fast.headers["Cache-Control"] == "private, no-store" and fast.data == through_flask.data
    assert set(fast.vary) >= {"Authorization"} and set(through_flask.vary) >= {"Authorization"}
    assert client.get(tile, headers=_bearer(other)).status_code == 404  # the image was just looked up: still no
    assert client.get(tile).status_code == 404
    assert client.get(tile, headers=_bearer("hia_forged")).status_code == 401


def test_manifests_with_the_auth_services_validate_against_the_presentation_3_schema(app, lek) -> None:  # type: ignore[no-untyped-def]
    from jsonschema import Draft7Validator

    from tests.conftest import shared_path

    validator = Draft7Validator(
        json.loads(shared_path("fixtures", "iiif", "iiif_3_0.json").read_text(encoding="utf-8"))
    )
    staff = app.test_client()
    sign_in(staff, "ua")
    for case in ("restricted", "closed", "public"):
        document = staff.get(f"/iiif/presentation/3/{lek[case]}/manifest").get_json()
        errors = [
            f"{list(c.absolute_path)}: {c.message}" for e in validator.iter_errors(document) for c in (e.context or [e])
        ]
        assert not errors, f"{case}: {errors[:10]}"
        declared = "service" in document["items"][0]["items"][0]["items"][0]["body"]["service"][0]
        assert declared == (case != "public")
