"""Editing over the JSON API: ETag and If-Match (428, 412 with the current values), PATCH, POST, history
and revert; 401 without a token, 403 for a token or user that may not edit, 404 where the item is invisible;
a saved change found by search at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage import auth
from heritage.models import Item
from heritage.runtime import Runtime
from tests.helpers import pedel_catalogue

pytestmark = pytest.mark.db


@pytest.fixture
def catalogue(runner, runtime: Runtime, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return pedel_catalogue(runner, runtime, tmp_path)


def _token(runtime: Runtime, username: str, *scopes: str) -> dict[str, str]:
    with runtime.transaction() as session:
        _row, token = auth.create_token(session, username, scopes, None)
    return {"Authorization": f"Bearer {token}"}


def test_get_patch_and_search_at_once(client, runtime: Runtime, catalogue: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    item_id = catalogue["F1.1.1"]
    els = _token(runtime, "els", "read", "edit")
    got = client.get(f"/api/items/{item_id}", headers=els)
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert got.get_json()["version"] == 1 and got.get_json()["fields"]["title"] == "Règlement van de pedel"
    assert "fields" not in client.get(f"/api/items/{item_id}").get_json()  # the public reads, it does not edit
    patched = client.patch(
        f"/api/items/{item_id}",
        json={"title": "Reglement van de pedel", "dates": ["31-02-1921"], "reason": "typo"},
        headers={**els, "If-Match": '"1"'},
    )
    assert patched.status_code == 200, patched.get_json()
    body = patched.get_json()
    assert patched.headers["ETag"] == '"2"' and body["version"] == 2 and body["revision"] == 1
    assert body["changes"][0] == {
        "field": "title",
        "before": "Règlement van de pedel",
        "after": "Reglement van de pedel",
    }
    assert body["warnings"] == ["dates: date '31-02-1921' does not exist: month 2 of 1921 has no day 31"]
    found = client.get("/api/items?q=Reglement").get_json()
    assert item_id in [hit["id"] for hit in found["items"]]
    history = client.get(f"/api/items/{item_id}/history", headers=els).get_json()
    assert history == {
        "revisions": [
            {
                "number": 1,
                "kind": "update",
                "by": "els",
                "at": history["revisions"][0]["at"],
                "reason": "typo",
                "changes": body["changes"],
            }
        ]
    }


def test_if_match_is_required_and_a_stale_one_refused(client, runtime: Runtime, catalogue: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    item_id = catalogue["F1.1.2"]
    els = _token(runtime, "els", "edit")
    missing = client.patch(f"/api/items/{item_id}", json={"extent": "2 bladen"}, headers=els)
    assert missing.status_code == 428 and "If-Match" in missing.get_json()["error"]["message"]
    assert (
        client.patch(
            f"/api/items/{item_id}", json={"extent": "2 bladen"}, headers={**els, "If-Match": '"1"'}
        ).status_code
        == 200
    )
    stale = client.patch(f"/api/items/{item_id}", json={"extent": "3 bladen"}, headers={**els, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.get_json()["version"] == 2 and stale.get_json()["fields"]["extent"] == "2 bladen"
    garbage = client.patch(
        f"/api/items/{item_id}", json={"extent": "3 bladen"}, headers={**els, "If-Match": "nonsense"}
    )
    assert garbage.status_code == 412
    bad = client.patch(f"/api/items/{item_id}", json={"access": "secret"}, headers={**els, "If-Match": '"2"'})
    assert bad.status_code == 400 and "access" in bad.get_json()["error"]["message"]
    with runtime.sessions() as s:
        item = s.get(Item, item_id)
        assert item.version == 2 and item.access == "public"


def test_who_may_edit_over_the_api(client, runtime: Runtime, catalogue: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    item_id = catalogue["F1.1.1"]
    change = {"json": {"extent": "x"}}
    assert client.patch(f"/api/items/{item_id}", headers={"If-Match": '"1"'}, **change).status_code == 401
    assert client.post("/api/items", json={"collection": "pedel", "fields": {"title": "x"}}).status_code == 401
    assert client.get(f"/api/items/{item_id}/history").status_code == 401
    read_only = _token(runtime, "els", "read")
    assert client.patch(f"/api/items/{item_id}", headers={**read_only, "If-Match": '"1"'}, **change).status_code == 403
    other_unit = _token(runtime, "piet", "read", "edit")
    assert client.patch(f"/api/items/{item_id}", headers={**other_unit, "If-Match": '"1"'}, **change).status_code == 403
    assert client.get(f"/api/items/{item_id}/history", headers=other_unit).status_code == 403
    els = _token(runtime, "els", "edit")
    closed = client.patch(f"/api/items/{item_id}", json={"access": "closed"}, headers={**els, "If-Match": '"1"'})
    assert closed.status_code == 200
    for path in (f"/api/items/{item_id}", f"/api/items/{item_id}/history"):  # invisible: 404, as for no item at all
        assert client.get(path, headers=other_unit).status_code == 404
    assert client.patch(f"/api/items/{item_id}", headers={**other_unit, "If-Match": '"2"'}, **change).status_code == 404
    revert = client.post(f"/api/items/{item_id}/revert", json={"revision": 1}, headers=other_unit)
    assert revert.status_code == 404
    assert client.get(f"/api/items/{item_id}", headers=els).status_code == 200  # an edit token reads its unit's items


def test_create_and_revert(client, runtime: Runtime, catalogue: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    els = _token(runtime, "els", "edit")
    created = client.post(
        "/api/items",
        json={"parent": catalogue["F1.1"], "fields": {"title": "Brief aan de rector", "level": "file"}},
        headers=els,
    )
    assert created.status_code == 201, created.get_json()
    new_id = created.get_json()["id"]
    assert created.headers["Location"] == f"/api/items/{new_id}" and created.headers["ETag"] == '"1"'
    assert new_id in [h["id"] for h in client.get("/api/items?q=rector").get_json()["items"]]
    for body, status in [
        ({"fields": {"title": "x"}}, 400),  # neither parent nor collection
        ({"collection": "pedel", "fields": {"title": "x"}, "extra": 1}, 400),
        ({"collection": "nergens", "fields": {"title": "x"}}, 404),
        ({"parent": catalogue["F1"], "fields": {"nonsense": "x"}}, 400),
    ]:
        assert client.post("/api/items", json=body, headers=els).status_code == status, body
    assert (
        client.post(
            "/api/items",
            json={"collection": "pedel", "fields": {"title": "x"}},
            headers=_token(runtime, "piet", "edit"),
        ).status_code
        == 403
    )
    headers = {**els, "If-Match": '"1"'}
    assert (
        client.patch(
            f"/api/items/{new_id}", json={"title": "Brief aan de rector magnificus"}, headers=headers
        ).status_code
        == 200
    )
    reverted = client.post(f"/api/items/{new_id}/revert", json={"revision": 1, "reason": "te lang"}, headers=els)
    assert reverted.status_code == 200, reverted.get_json()
    assert reverted.get_json()["changes"] == [
        {"field": "title", "before": "Brief aan de rector magnificus", "after": "Brief aan de rector"}
    ]
    revisions = client.get(f"/api/items/{new_id}/history", headers=els).get_json()["revisions"]
    assert [(r["number"], r["kind"], r["reason"]) for r in revisions] == [
        (3, "revert", "te lang"),
        (2, "update", None),
        (1, "create", None),
    ]
    for body in ({"revision": 9}, {"revision": "1"}, {"revision": True}, {}):
        assert client.post(f"/api/items/{new_id}/revert", json=body, headers=els).status_code in (400, 404), body
    stale = client.post(f"/api/items/{new_id}/revert", json={"revision": 1}, headers={**els, "If-Match": '"2"'})
    assert stale.status_code == 412 and stale.get_json()["version"] == 3


def test_a_withdrawn_public_item_is_gone(client, runtime: Runtime, catalogue: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    from heritage.editing import reindex, withdraw_item
    from tests.heritage.editing.conftest import viewer

    item_id = catalogue["F1.1.1"]
    with runtime.transaction() as s:
        saved = withdraw_item(s, item_id, viewer=viewer(runtime, "els"), agent="els", base_version=1, reason="dubbel")
    reindex(runtime, saved)
    gone = client.get(f"/api/items/{item_id}")
    assert gone.status_code == 410 and "withdrawn" in gone.get_json()["error"]["message"]
    oai = client.get(f"/oai?verb=GetRecord&identifier=oai:localhost:{item_id}&metadataPrefix=oai_dc")
    assert oai.status_code == 200 and b'<header status="deleted">' in oai.data  # harvesters learn it is gone
    assert item_id not in [h["id"] for h in client.get("/api/items?q=pedel").get_json()["items"]]
