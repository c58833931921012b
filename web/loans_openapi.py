"""The OpenAPI description of `/api/loans` (staff only: a bearer token or a signed-in session of staff; the public
gets 401, a reader 403). Included in the document by web/openapi.py."""

from __future__ import annotations

from typing import Any

from heritage.museum.vocabulary import loan_states

ERROR = {"$ref": "#/components/schemas/Error"}
BEARER: list[dict[str, list[str]]] = [{"bearerToken": []}]
NO_NUL = "^[^\u0000]*$"
TEXT = {"type": "string", "pattern": NO_NUL}
DATE = {"type": "string", "format": "date"}
LOAN_ID = {"name": "loan_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


SUMMARY = {
    "type": "object",
    "required": ["id", "direction", "state", "venue", "from", "to", "objects"],
    "properties": {
        "id": {"type": "integer"},
        "direction": {"type": "string", "enum": ["out", "in"]},
        "state": {"type": "string"},
        "venue": {"type": "string", "description": "The venue's location code."},
        "from": DATE,
        "to": DATE,
        "objects": {"type": "array", "items": {"type": "string"}, "description": "Item ids."},
    },
}
DETAILS = {
    **SUMMARY,
    "required": [*SUMMARY["required"], "party", "history", "next_action"],
    "properties": {
        **SUMMARY["properties"],  # type: ignore[dict-item]
        "party": {"type": "string"},
        "terms": {"type": ["string", "null"]},
        "insurance": {"type": "object"},
        "courier": {"type": ["string", "null"]},
        "facility_report": {"type": ["string", "null"]},
        "override_reason": {"type": ["string", "null"]},
        "next_action": {"type": ["string", "null"]},
        "history": {"type": "array", "items": {"type": "object"}},
        "checks": {"type": "array", "items": {"type": "object"}},
    },
}
NEW_LOAN = {
    "type": "object",
    "required": ["party", "venue", "from", "to", "objects"],
    "additionalProperties": False,
    "properties": {
        "direction": {"type": "string", "enum": ["out", "in"]},
        "party": {**TEXT, "minLength": 1},
        "venue": TEXT,
        "from": DATE,
        "to": DATE,
        "objects": {"type": "array", "items": TEXT, "minItems": 1},
        "terms": TEXT,
        "insurance_kind": {"type": "string", "enum": ["insurance", "indemnity"]},
        "insurance_value": TEXT,
        "courier": TEXT,
        "facility_report": TEXT,
    },
}
ACTION_BODY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "override": {**TEXT, "description": "approve: go ahead over failed checks, for this reason"},
        "scanned": {"type": "array", "items": TEXT, "description": "return: the audit's scan"},
    },
}
ERRORS = {
    "400": _json(ERROR, "A bad value, or a step the loan cannot take (the failed checks or missing records named)."),
    "401": _json(ERROR, "No credentials, or the bearer token is unknown, revoked or expired."),
    "403": _json(
        ERROR,
        "Not staff, or (to change a loan) not a collection manager or administrator; to approve, not one of the "
        "roles the policy names for every object (approvals.loan_out / loan_in), named in the message.",
    ),
    "404": _json(ERROR, "No such loan, venue or item."),
}


def loan_paths() -> dict[str, Any]:
    return {
        "/api/loans": {
            "get": {
                "operationId": "listLoans",
                "summary": "Loans out and in, newest first (staff)",
                "parameters": [
                    {"name": "state", "in": "query", "schema": {"type": "string", "enum": loan_states()}},
                    {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["out", "in"]}},
                ],
                "security": BEARER,
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["loans"],
                            "properties": {"loans": {"type": "array", "items": SUMMARY}},
                        },
                        "The loans.",
                    ),
                    **ERRORS,
                },
            },
            "post": {
                "operationId": "requestLoan",
                "summary": "Request a loan (collection managers and administrators, token scope edit)",
                "security": BEARER,
                "requestBody": {"required": True, "content": {"application/json": {"schema": NEW_LOAN}}},
                "responses": {"201": _json(DETAILS, "The requested loan."), **ERRORS},
            },
        },
        "/api/loans/{loan_id}": {
            "get": {
                "operationId": "getLoan",
                "summary": "A loan with its terms, history and (while requested) its checks",
                "parameters": [LOAN_ID],
                "security": BEARER,
                "responses": {"200": _json(DETAILS, "The loan."), **ERRORS},
            }
        },
        "/api/loans/{loan_id}/{action}": {
            "post": {
                "operationId": "moveLoanOn",
                "summary": "Take a loan to its next state: approve, agree, dispatch, receive, return or close",
                "parameters": [
                    LOAN_ID,
                    {
                        "name": "action",
                        "in": "path",
                        "required": True,
                        "schema": {
                            "type": "string",
                            "enum": ["approve", "agree", "dispatch", "receive", "return", "close"],
                        },
                    },
                ],
                "security": BEARER,
                "requestBody": {"required": False, "content": {"application/json": {"schema": ACTION_BODY}}},
                "responses": {"200": _json(DETAILS, "The loan in its new state."), **ERRORS},
            }
        },
    }
