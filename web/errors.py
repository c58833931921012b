"""One error map for the web: our exceptions become 4xx pages or one JSON error shape, never a 500."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from heritage.errors import HeritageError
from iiif.errors import IIIFError
from web.context import close_session


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/iiif/"))


def error_response(status: int, message: str) -> Any:
    if wants_json():
        response = jsonify({"error": {"status": status, "message": message}})
        response.status_code = status
        return response
    return render_template("error.html", status=status, message=message), status


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
        return error_response(exc.code or 500, exc.description or exc.name)
