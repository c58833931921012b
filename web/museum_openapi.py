"""The OpenAPI description of `/api/museum` (object entry and exit, acquisition; staff only: a bearer token or a
signed-in session of staff; the public gets 401, a reader 403). Included in the document by web/openapi.py."""

from __future__ import annotations

from typing import Any

from heritage.museum.vocabulary import values
from web.loans_openapi import BEARER, DATE, ERROR, TEXT


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PASSAGE = {
    "type": "object",
    "required": ["receipt", "direction", "reason", "party", "objects", "date", "notes", "by"],
    "properties": {
        "receipt": {"type": "string", "description": "ENT-<year>-<n> or EXI-<year>-<n>."},
        "direction": {"type": "string", "enum": ["entry", "exit"]},
        "reason": {"type": "string"},
        "party": {"type": "string", "description": "The depositor, enquirer or recipient."},
        "objects": {"type": "array", "items": {"type": "string"}, "description": "Item ids."},
        "date": DATE,
        "notes": {"type": ["string", "null"]},
        "by": {"type": "string"},
    },
}
NEW_PASSAGE = {
    "type": "object",
    "required": ["direction", "reason", "party", "objects"],
    "additionalProperties": False,
    "properties": {
        "direction": {"type": "string", "enum": ["entry", "exit"]},
        "reason": {
            "type": "string",
            "enum": sorted({*values("entry_reason"), *values("exit_reason")}),
            "description": "entry: "
            + ", ".join(values("entry_reason"))
            + "; exit: "
            + ", ".join(values("exit_reason")),
        },
        "party": {**TEXT, "minLength": 1},
        "objects": {"type": "array", "items": TEXT, "minItems": 1},
        "date": {**DATE, "description": "Today when left out."},
        "notes": TEXT,
    },
}
ACQUISITION = {
    "type": "object",
    "required": ["item", "accession_number", "method", "source", "date", "documents", "by"],
    "properties": {
        "item": {"type": "string"},
        "accession_number": {"type": "string"},
        "method": {"type": "string", "enum": values("acquisition_method")},
        "source": {"type": "string"},
        "date": DATE,
        "documents": {"type": "array", "items": {"type": "string"}},
        "by": {"type": "string"},
    },
}
NEW_ACQUISITION = {
    "type": "object",
    "required": ["item", "accession_number", "method", "source", "documents"],
    "additionalProperties": False,
    "properties": {
        "item": {**TEXT, "minLength": 1},
        "accession_number": {**TEXT, "minLength": 1},
        "method": {"type": "string", "enum": values("acquisition_method")},
        "source": {**TEXT, "minLength": 1},
        "date": {**DATE, "description": "Today when left out."},
        "documents": {"type": "array", "items": TEXT, "minItems": 1},
    },
}
ERRORS = {
    "400": _json(ERROR, "A bad value (the input and the reason named), or an accession number in use."),
    "401": _json(ERROR, "No credentials, or the bearer token is unknown, revoked or expired."),
    "403": _json(ERROR, "Not staff, or (to record) not a collection manager or administrator, or not of their unit."),
    "404": _json(ERROR, "No such item."),
}


def museum_paths() -> dict[str, Any]:
    return {
        "/api/museum/entries": {
            "get": {
                "operationId": "listObjectEntries",
                "summary": "Object entries and exits with their receipts, newest first (staff)",
                "parameters": [
                    {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["entry", "exit"]}}
                ],
                "security": BEARER,
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["entries"],
                            "properties": {"entries": {"type": "array", "items": PASSAGE}},
                        },
                        "The entries and exits.",
                    ),
                    **ERRORS,
                },
            },
            "post": {
                "operationId": "recordObjectEntry",
                "summary": "Record an object entry or exit with its receipt (collection managers and administrators)",
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_PASSAGE}}},
                "responses": {"201": _json(PASSAGE, "The entry or exit with its receipt number."), **ERRORS},
            },
        },
        "/api/museum/acquisitions": {
            "post": {
                "operationId": "recordAcquisition",
                "summary": "Record an object's acquisition with its documents and accession number (registrars)",
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_ACQUISITION}}},
                "responses": {"201": _json(ACQUISITION, "The acquisition."), **ERRORS},
            }
        },
    }
