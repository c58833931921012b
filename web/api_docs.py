"""`/api`: the OpenAPI document as a page people read, drawn on the server from the same document the API is
held to (web/openapi.py), so the page cannot drift from the API and needs no script. The interface text is in
the reader's language; the document's summaries and descriptions stay as written. A client that asks for JSON
(`Accept: application/json`) gets the document itself, as `/api/openapi.json` answers it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, render_template, request

from web.openapi import document

bp = Blueprint("api_docs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Operation:
    """One method of one path, as the page shows it."""

    method: str
    path: str
    summary: str
    description: str
    parameters: list[dict[str, str]] = field(default_factory=list)
    body: list[tuple[str, str]] = field(default_factory=list)  # media type, shape
    responses: list[tuple[str, str, str]] = field(default_factory=list)  # status, description, shape

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "").lower()


def shape(schema: dict[str, Any] | None) -> str:
    """A schema in a few characters: `Hit`, `[Hit]`, `string | null`, `object`."""
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "oneOf" in schema:
        return " | ".join(shape(s) for s in schema["oneOf"])
    kind = schema.get("type", "object")
    kinds = kind if isinstance(kind, list) else [kind]
    shown = [f"[{shape(schema.get('items')) or 'any'}]" if k == "array" else str(k) for k in kinds]
    text = " | ".join(shown)
    if "enum" in schema:
        text += " (" + ", ".join(str(v) for v in schema["enum"]) + ")"
    return text


def _content(content: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(media, shape(spec.get("schema"))) for media, spec in (content or {}).items()]


def _operation(path: str, method: str, spec: dict[str, Any]) -> Operation:
    params = [
        {
            "name": p["name"],
            "in": p["in"],
            "required": bool(p.get("required")),
            "shape": shape(p.get("schema")),
            "description": p.get("description", ""),
        }
        for p in spec.get("parameters", [])
    ]
    responses = []
    for status, answer in spec.get("responses", {}).items():
        shapes = ", ".join(f"{media}: {s}" if s else media for media, s in _content(answer.get("content")))
        responses.append((status, answer.get("description", ""), shapes))
    return Operation(
        method=method.upper(),
        path=path,
        summary=spec.get("summary", ""),
        description=spec.get("description", ""),
        parameters=params,
        body=_content(spec.get("requestBody", {}).get("content")),
        responses=responses,
    )


def groups(doc: dict[str, Any]) -> list[tuple[str, list[Operation]]]:
    """Operations by tag, in the order the document first names each tag."""
    out: dict[str, list[Operation]] = {}
    for path, operations in doc["paths"].items():
        for method in METHODS:
            if method in operations:
                spec = operations[method]
                out.setdefault(spec.get("tags", ["Other"])[0], []).append(_operation(path, method, spec))
    return list(out.items())


def schemas(doc: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, bool, str]]]]:
    """Each named schema with its properties: name, shape, required, description."""
    out = []
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        rows = [
            (prop, shape(spec), prop in required, spec.get("description", ""))
            for prop, spec in schema.get("properties", {}).items()
        ]
        out.append((name, rows))
    return out


@bp.get("/api")
def page() -> Any:
    """The API described for people; the document itself for JSON clients."""
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        from web.api import openapi

        response: Response = openapi()
    else:
        doc = document()
        response = Response(render_template("api.html", info=doc["info"], groups=groups(doc), schemas=schemas(doc)))
    response.vary.add("Accept")
    return response
