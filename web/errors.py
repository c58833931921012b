"""One error map for the web: our exceptions become 4xx pages or one JSON error shape, never a 500."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from heritage.errors import HeritageError
from iiif.errors import IIIFError
from web.context import close_session


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/iiif/"))


def error_response(status: int, message: str, headers: list[tuple[str, str]] | None = None) -> Any:
    if wants_json():
        response = jsonify({"error": {"status": status, "message": message}})
        response.status_code = status
    else:
        response = make_response(render_template("error.html", status=status, message=message), status)
    for name, value in headers or ():
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    app.teardown_appcontext(close_session)

    @app.errorhandler(HeritageError)
    def _heritage(exc: HeritageError) -> Any:
        return error_response(exc.status, str(exc))

    @app.errorhandler(IIIFError)
    def _iiif(exc: IIIFError) -> Any:
        return error_response(exc.status, str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        # the exception's own headers stay (a 405 names the methods there are in Allow, as RFC 9110 asks)
        kept = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
        return error_response(exc.code or 500, exc.description or exc.name, kept)
