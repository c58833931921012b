"""The OpenAPI document covers every route a machine uses, so that /api (the readable page) and scripts find
them all, and a new one cannot be added without describing it.

The rule, for every route of `app.url_map` and each of its methods (HEAD and OPTIONS aside):
- every route under `/api/` (the JSON API, the token, the document itself), `/iiif/` (Image, Presentation,
  Change Discovery) and `/oai` (OAI-PMH, GET and POST);
- every route whose path ends in `.json` (JSON beside the pages: citations, batch reports, figures);
- the routes scripts call with a bearer token although a page uses them too: `POST /archivist/upload` (the
  token upload, scope ingest).
Pages for people (HTML), their forms, the sitemaps, robots.txt, static files and viewer assets are not in it.
And the other way round: the document describes no route that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

from web.openapi import document

MACHINE_PREFIXES = ("/api/", "/api", "/iiif/", "/oai")
SCRIPTED = frozenset({("/archivist/upload", "POST")})


def _openapi_path(rule: str) -> str:
    """`/items/<item_id>` as OpenAPI writes it: `/items/{item_id}` (converters dropped)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _is_for_machines(path: str, method: str) -> bool:
    if path == "/api":
        return False  # the readable page of this document (it answers the document itself to JSON clients)
    return path.startswith(MACHINE_PREFIXES) or path.endswith(".json") or (path, method) in SCRIPTED


def _routed(app: Any) -> set[tuple[str, str]]:
    return {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_every_route_for_machines_is_in_the_openapi_document(app) -> None:  # type: ignore[no-untyped-def]
    documented = {(path, method.upper()) for path, ops in document()["paths"].items() for method in ops}
    wanted = {(path, method) for path, method in _routed(app) if _is_for_machines(path, method)}
    missing = sorted(wanted - documented)
    assert missing == [], f"routes for machines missing from web/openapi.py: {missing}"


def test_the_document_describes_only_routes_there_are(app) -> None:  # type: ignore[no-untyped-def]
    documented = {(path, method.upper()) for path, ops in document()["paths"].items() for method in ops}
    assert sorted(documented - _routed(app)) == []


def test_the_token_upload_is_documented_with_its_scope(app) -> None:  # type: ignore[no-untyped-def]
    upload = document()["paths"]["/archivist/upload"]["post"]
    assert upload["security"] == [{"bearerToken": []}] and "ingest" in upload["description"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_every_operation_has_a_group_and_a_summary(app) -> None:  # type: ignore[no-untyped-def]
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"] and operation["tags"] and operation["tags"] != ["Other"], (path, method)
