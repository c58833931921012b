"""The OpenAPI document is a contract: schemathesis generates requests from it (queries of every shape,
facet values, pages, ids) and checks every answer against it: never a 500, the documented status, the
documented JSON."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from heritage.search import facets_for

pytestmark = pytest.mark.slow


def test_the_api_does_what_its_openapi_document_says(demo_app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", demo_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"GET /api/items", "GET /api/items/{item_id}", "GET /api/collections"}
    for operation in operations:
        conforms(operation)()


def conforms(operation: Any) -> Any:
    """A hypothesis test of one operation: generated requests, every answer checked against the document."""

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        # A query can be valid JSON Schema-wise and still unreadable (an unpaired quote), or ask for
        # page 9,000 of 20 items: those are documented 400s, so valid input may be refused with one.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    return check


def test_the_document_lists_exactly_the_facets_the_public_may_use(demo_client) -> None:  # type: ignore[no-untyped-def]
    document = demo_client.get("/api/openapi.json").get_json()
    params = {p["name"] for p in document["paths"]["/api/items"]["get"]["parameters"]}
    assert params == {"q", "page", "per_page", "sort", "from", "to", "lang", *facets_for(False)}
    assert document["servers"] == [{"url": "http://localhost"}]


def test_the_document_covers_every_api_route(demo_app, demo_client) -> None:  # type: ignore[no-untyped-def]
    """A new /api/ route must be documented (and so fuzzed above) before this passes."""
    import re

    document = demo_client.get("/api/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    routed = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method)
        for rule in demo_app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule != "/api/openapi.json"  # the document itself
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routed == documented
