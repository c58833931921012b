"""The OpenAPI document is a contract: schemathesis generates requests from it (queries of every shape,
facet values, pages, ids, bodies, undeclared methods) and checks every answer against it with all its
checks: never a 500, the documented status, the documented JSON, schema-valid requests accepted and
schema-violating ones refused, a 405 with Allow for a method the document does not declare."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.warnings import SchemathesisWarning

from heritage.search import facets_for
from tests.helpers import PASSWORD, add_user
from tests.iiif.live_server import live_server

pytestmark = pytest.mark.slow


def test_the_api_does_what_its_openapi_document_says(demo_app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", demo_app)
    # The JSON API; IIIF and OAI-PMH in the document are held to their own standards' tests (web/openapi_more.py)
    operations = [op for op in (result.ok() for result in schema.get_all_operations()) if op.path.startswith("/api/")]
    assert {op.label for op in operations} >= {"GET /api/items", "GET /api/items/{item_id}", "GET /api/collections"}
    for operation in operations:
        conforms(operation)()


def conforms(operation: Any) -> Any:
    """A hypothesis test of one operation: generated requests, every answer checked against the document."""

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        case.call_and_validate()  # every check: the document states what is refused (the pattern of q too)

    return check


def test_the_document_lists_exactly_the_facets_the_public_may_use(demo_client) -> None:  # type: ignore[no-untyped-def]
    document = demo_client.get("/api/openapi.json").get_json()
    params = {p["name"] for p in document["paths"]["/api/items"]["get"]["parameters"]}
    assert params == {"q", "page", "per_page", "sort", "from", "to", "lang", *facets_for(False)}
    assert document["servers"] == [{"url": "http://localhost"}]


def test_schemathesis_run_with_all_checks_finds_nothing(demo_runtime, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`schemathesis run --checks all` against `heritage serve` over HTTP: every phase (examples, coverage of
    each parameter's edges and wrong types, fuzzing, stateful), a fixed seed so a failure can be replayed."""
    env = {**demo_runtime.settings.as_env(), "REDIS_URL": ""}
    token = _fuzzing_token(demo_runtime)
    with live_server(env, tmp_path / "server.log") as base:
        run = subprocess.run(
            [str(Path(sys.executable).with_name("schemathesis")), "--no-color", "run", f"{base}/api/openapi.json",
             "--checks", "all", "--include-path-regex", "^/api/", "--max-examples", "60", "--seed", "14",
             *(arg for op in PLANNING for arg in ("--exclude-operation-id", op)),
             "--report-dir", str(tmp_path / "report"),
             "-H", f"Authorization: Bearer {token}", "--warnings", WARNINGS],
            capture_output=True, text=True, timeout=900, cwd=tmp_path,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "No issues found" in run.stdout, run.stdout[-6000:]


# Planning exhibitions may be done by any collection manager (an exhibition online only needs no objects of one's
# own), so a fuzzed request would change the shared demo: they are fuzzed on a catalogue of their own instead
# (tests/web/test_exhibitions_api.py).
PLANNING = ("createExhibition", "replaceExhibition", "installOrCloseExhibition")
# Every warning but `missing_test_data`: the fuzzing user may edit no item (so that no generated request changes
# the shared demo catalogue), so the editing operations answer real ids 403 and made-up ones 404 by design;
# what they do past that is tested with real editors in tests/web/test_api_editing.py.
WARNINGS = ",".join(w.value for w in SchemathesisWarning if w.value not in ("missing_test_data", "low_valid_rate"))


def _fuzzing_token(runtime) -> str:  # type: ignore[no-untyped-def]
    """A token (read, edit) of a collection manager of a unit that holds nothing: the editing and loan operations
    are fuzzed past authentication (bodies, If-Match, ids) without a generated request changing the shared demo
    catalogue (a loan names objects, and every object is another unit's)."""
    from heritage import auth
    from heritage.catalogue import ensure_unit

    with runtime.transaction() as session:
        ensure_unit(session, "openapi-fuzz")
    add_user(runtime, "openapi-fuzz", "collection_manager", "openapi-fuzz")
    with runtime.transaction() as session:
        _row, token = auth.create_token(session, "openapi-fuzz", ("read", "edit"), None)
    return token


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"lang": "fr"}, "lang"),  # the document's enum: nl, en
        ({"subject": ["x"] * 21}, "subject"),  # maxItems counts what is sent, repeated values too
        ({"per_page": ["", "5"]}, "per_page"),  # a single value given twice
        ({"q": ["a", "b"]}, "q"),
    ],
)
def test_what_the_document_refuses_the_api_refuses_naming_it(demo_client, query: dict[str, Any], named: str) -> None:  # type: ignore[no-untyped-def]
    response = demo_client.get(f"/api/items?{urlencode(query, doseq=True)}")
    assert response.status_code == 400 and named in response.get_json()["error"]["message"]


def test_what_the_document_allows_the_api_answers(demo_client) -> None:  # type: ignore[no-untyped-def]
    for q in ("NOT NOT NOT", "raad " * 65, "(" * 9 + "raad" + ")" * 9, '"academische raad', "x OR OR y"):
        assert demo_client.get(f"/api/items?{urlencode({'q': q})}").status_code == 200  # read as plain words
    reversed_range = demo_client.get("/api/items?from=1900&to=1800&per_page=1").get_json()
    assert reversed_range == demo_client.get("/api/items?from=1800&to=1900&per_page=1").get_json()
    assert reversed_range["total"] > 0
    deep = demo_client.get("/api/items?page=100000&per_page=100")  # past the results any search pages through
    assert deep.status_code == 200 and deep.get_json()["items"] == [] and deep.get_json()["total"] > 0
    assert demo_client.get("/api/items?lang=en&q=raad").status_code == 200


@pytest.mark.parametrize("path", ["/api/items", "/api/items/x", "/api/items/x/children", "/api/items/x/record",
                                  "/api/collections", "/api/token",
                                  "/api/authorities", "/api/authorities/x"])  # fmt: skip
def test_an_undeclared_method_is_a_405_naming_the_methods_there_are(demo_app, path: str) -> None:  # type: ignore[no-untyped-def]
    client = demo_app.test_client()  # no session, no CSRF token: the method is refused before either matters
    declared = {"/api/items": {"POST"}, "/api/items/x": {"PATCH"}}.get(path, set())
    for method in {"PUT", "PATCH", "DELETE", "TRACE", "POST" if path != "/api/token" else "GET"} - declared:
        response = client.open(path, method=method)
        assert response.status_code == 405, (method, path, response.status_code)
        assert response.headers["Allow"] and method not in response.headers["Allow"].split(", ")
        assert response.get_json()["error"]["status"] == 405


def test_a_token_request_holds_only_the_documented_fields(demo_runtime, demo_client) -> None:  # type: ignore[no-untyped-def]
    add_user(demo_runtime, "openapi-tokens", "reader")
    extra = demo_client.post("/api/token", json={"username": "openapi-tokens", "password": PASSWORD, "x": 1})
    assert extra.status_code == 400 and "'x'" in extra.get_json()["error"]["message"]
    forever = demo_client.post(
        "/api/token", json={"username": "openapi-tokens", "password": PASSWORD, "expires": "9999-12-31"}
    )  # the last day there is (the day after it was a 500)
    assert forever.status_code == 201 and forever.get_json()["expires"] is None
