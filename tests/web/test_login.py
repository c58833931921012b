"""Signing in and out, the login rate limit, safe redirects, API tokens over HTTP and the CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from heritage.catalogue import ensure_unit
from heritage.cli import main
from heritage.models import ApiToken, Event, LoginAttempt, User
from heritage.runtime import Runtime
from tests.helpers import PASSWORD, add_user, csrf_token, sign_in

pytestmark = pytest.mark.db


@pytest.fixture
def alice(runtime: Runtime) -> str:
    add_user(runtime, "alice", "administrator")
    return "alice"


def test_sign_in_starts_a_session_with_safe_cookie_and_sign_out_ends_it(client, runtime: Runtime, alice: str) -> None:  # type: ignore[no-untyped-def]
    form = client.get("/login")
    assert form.status_code == 200 and 'name="csrf_token"' in form.get_data(as_text=True)
    response = sign_in(client, alice, next="/search?q=x")
    assert response.status_code == 303 and response.headers["Location"] == "/search?q=x"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/")
    html = home.get_data(as_text=True)
    assert "alice" in html and "Afmelden" in html
    assert home.headers["Cache-Control"] == "private, no-store"
    out = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert out.status_code == 303
    assert "alice" not in client.get("/").get_data(as_text=True)
    with runtime.sessions() as s:
        kinds = [
            (e.type, e.outcome, e.agent) for e in s.scalars(select(Event).where(Event.type.in_(["login", "logout"])))
        ]
    assert kinds == [("login", "success", "alice"), ("logout", "success", "alice")]


def test_a_wrong_password_is_401_and_an_event_and_the_same_for_an_unknown_user(
    client, runtime: Runtime, alice: str
) -> None:  # type: ignore[no-untyped-def]
    wrong = sign_in(client, alice, "not the password")
    unknown = sign_in(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "wrong username or password" in wrong.get_data(as_text=True)
    assert "wrong username or password" in unknown.get_data(as_text=True)
    with runtime.sessions() as s:
        failed = list(s.scalars(select(Event).where(Event.type == "login", Event.outcome == "failure")))
    assert [e.agent for e in failed] == ["alice", "nobody"]


def test_repeated_failures_get_429_even_with_the_right_password_then_other_users_still_sign_in(  # type: ignore[no-untyped-def]
    client, runtime: Runtime, alice: str
) -> None:
    add_user(runtime, "bert", "reader")
    for _ in range(5):
        assert sign_in(client, alice, "guess guess guess").status_code == 401
    blocked = sign_in(client, alice)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert sign_in(client, "bert").status_code == 303  # the limit is per username and address
    with runtime.sessions() as s:  # kept in the database: every process counts the same failures
        assert s.query(LoginAttempt).filter_by(username="alice").count() == 5


def test_a_disabled_user_cannot_sign_in_and_loses_the_session(client, runtime: Runtime, runner, alice: str) -> None:  # type: ignore[no-untyped-def]
    assert sign_in(client, alice).status_code == 303
    assert "alice" in client.get("/").get_data(as_text=True)
    result = runner.invoke(main, ["user", "disable", alice])
    assert result.exit_code == 0, result.output
    assert "alice" not in client.get("/").get_data(as_text=True)
    assert sign_in(client, alice).status_code == 401


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/evil", "/\x00x"],
)
def test_next_never_leaves_the_site(client, alice: str, target: str) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(client, alice, next=target)
    if "\x00" in target:  # web/security.py refuses a NUL byte in any field before the form is read
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 303 and response.headers["Location"] == "/archivist/"  # alice's work


@pytest.mark.parametrize(
    ("role", "unit", "lands"),
    [
        ("reader", None, "/"),
        ("archivist", "archief", "/archivist/"),
        ("collection_manager", "archief", "/archivist/"),
        ("board_member", None, "/masterplan/review"),
    ],
)
def test_with_nowhere_to_return_to_one_lands_on_ones_work(  # type: ignore[no-untyped-def]
    client, runtime: Runtime, role: str, unit: str | None, lands: str
) -> None:
    if unit:
        with runtime.transaction() as s:
            ensure_unit(s, unit)
    add_user(runtime, "wim", role, unit)
    response = sign_in(client, "wim", next="")
    assert response.status_code == 303 and response.headers["Location"] == lands
    again = client.get("/login")  # signed in already: the form sends one on to the same place
    assert again.status_code == 302 and again.headers["Location"] == lands


def test_one_returns_to_the_page_one_signed_in_from_with_its_query(client, alice: str) -> None:  # type: ignore[no-untyped-def]
    def unescaped(pattern: str, html: str) -> str:
        found = re.search(pattern, html)
        assert found, pattern
        return found.group(1).replace("&amp;", "&")

    link = unescaped(r'href="(/login\?next=[^"]+)"', client.get("/search?q=raad&lang=en").get_data(as_text=True))
    target = unescaped(r'name="next" value="([^"]*)"', client.get(link).get_data(as_text=True))
    assert target == "/search?q=raad&lang=en"  # the query and the language too, not only the path
    assert sign_in(client, alice, next=target).headers["Location"] == target


def test_state_changing_requests_need_the_csrf_token(client, alice: str) -> None:  # type: ignore[no-untyped-def]
    missing = client.post("/login", data={"username": alice, "password": PASSWORD})
    assert missing.status_code == 400 and "CSRF" in missing.get_data(as_text=True)
    assert sign_in(client, alice).status_code == 303
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400


def test_api_token_from_password_works_as_bearer_and_is_rate_limited(client, runtime: Runtime, alice: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/token", json={"username": alice, "password": PASSWORD, "scopes": ["read", "ingest"]})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("hrt_") and body["scopes"] == ["read", "ingest"] and body["expires"]
    with runtime.sessions() as s:
        row = s.scalar(select(ApiToken))
        assert body["token"] not in row.token_hash and row.prefix == body["token"][:12]  # only the hash is kept
    ok = client.get("/api/collections", headers={"Authorization": f"Bearer {body['token']}"})
    assert ok.status_code == 200 and ok.headers["Cache-Control"] == "private, no-store"
    bad = client.get("/api/collections", headers={"Authorization": "Bearer hrt_not-a-token"})
    assert bad.status_code == 401 and bad.get_json()["error"]["message"] == "the bearer token is unknown or revoked"
    assert client.post("/api/token", data="username=alice").status_code == 400
    for _ in range(5):
        assert client.post("/api/token", json={"username": alice, "password": "nope"}).status_code == 401
    limited = client.post("/api/token", json={"username": alice, "password": PASSWORD})
    assert limited.status_code == 429 and limited.get_json()["error"]["status"] == 429


def test_token_cli_create_list_revoke(client, runner, runtime: Runtime, alice: str) -> None:  # type: ignore[no-untyped-def]
    created = runner.invoke(main, ["token", "create", alice, "--scope", "ingest", "--expires", "2099-12-31"])
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[0]
    assert re.fullmatch(r"hrt_[A-Za-z0-9_-]{43}", token)
    listing = runner.invoke(main, ["token", "list"]).output
    assert f"{token[:12]}...\talice\tingest\t2099-12-31\tactive" in listing
    # an ingest-only token reads as the public, but it is a valid token
    assert client.get("/api/collections", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = runner.invoke(main, ["token", "revoke", token[:10]])
    assert revoked.exit_code == 0 and "revoked token 1" in revoked.output
    assert client.get("/api/collections", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    past = runner.invoke(main, ["token", "create", alice, "--expires", "2000-01-01"])
    assert past.exit_code == 1 and "lies in the past" in past.output
    nobody = runner.invoke(main, ["token", "create", "nobody"])
    assert nobody.exit_code == 1 and "no user 'nobody'" in nobody.output


def test_user_cli_add_list_and_errors(runner, runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    with runtime.transaction() as s:
        ensure_unit(s, "bib", "Bibliotheek")
    ok = runner.invoke(
        main, ["user", "add", "els", "--role", "archivist", "--unit", "bib", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert ok.exit_code == 0 and "added els (archivist@bib)" in ok.output
    no_unit = runner.invoke(
        main, ["user", "add", "jan", "--role", "archivist", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert no_unit.exit_code == 1 and "give --unit" in no_unit.output
    bad_unit = runner.invoke(
        main, ["user", "add", "jan", "--role", "reader", "--unit", "nope", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert bad_unit.exit_code == 1 and "unknown unit 'nope'" in bad_unit.output
    short = runner.invoke(main, ["user", "add", "jan", "--role", "reader", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    again = runner.invoke(main, ["user", "add", "ELS", "--role", "reader", "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code == 1 and "exists already" in again.output
    prompted = runner.invoke(main, ["user", "add", "piet", "--role", "reader"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    listing = runner.invoke(main, ["user", "list"]).output.splitlines()
    assert listing == ["els\tactive\tarchivist@bib", "piet\tactive\treader"]
    with runtime.sessions() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "els"))
    assert stored.startswith("scrypt:") and PASSWORD not in stored
