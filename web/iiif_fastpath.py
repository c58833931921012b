"""The stored-tile fast path: a thin WSGI layer in front of Flask for the requests viewers make by the hundred.

A GET for a tile that `info.json` declares, of an image that anyone may see (or that the request's IIIF
access token opens, `heritage.iiif_tokens`, asked of the one access function) and that the resolver looked up
moments ago, is answered here with the stored file and the same headers the IIIF route gives (a test holds
the two to each other). Anything else (a first lookup, an image that is not public and no token that opens
it, a render, an error) goes on to Flask unchanged, so access rules and error shapes stay in one place.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.util import FileWrapper

from flask import Flask

from heritage import iiif_tokens
from heritage.access import Visibility, visibility
from heritage.auth import TokenRejected
from iiif import urls
from iiif.errors import IIIFError
from iiif.image_service import ResolvedImage, image_headers, plan
from iiif.parameters import ImageRequest
from web.iiif_routes import encoding_of, image_resolver, limits_of
from web.security import headers_for

PREFIX = urls.IMAGE_PREFIX + "/"
StartResponse = Callable[..., Any]


class StoredTileFastPath:
    """WSGI middleware: stored tiles of public images without Flask; everything else to the app."""

    def __init__(self, app: Flask, wsgi_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.next = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.startswith(PREFIX):
            answer = self._answer(environ, path[len(PREFIX) :])
            if answer is not None:
                status, headers, body = answer
                start_response(status, headers)
                return body
        return self.next(environ, start_response)

    def _answer(self, environ: dict[str, Any], rest: str) -> tuple[str, list[tuple[str, str]], Iterable[bytes]] | None:
        parts = rest.split("/")
        if len(parts) != 5:
            return None
        image = image_resolver(self.app).peek(parts[0])
        if image is None:
            return None
        private = not image.public
        if private and not self._token_opens(environ, image):
            return None
        settings = self.app.extensions["heritage"].settings
        try:
            planned = plan(image, ImageRequest.parse(*parts[1:]), limits_of(settings), encoding=encoding_of(settings))
        except IIIFError:
            return None
        if planned.tile is None:
            return None
        base = (
            settings.base_url or f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST') or environ['SERVER_NAME']}"
        )
        https = environ["wsgi.url_scheme"] == "https" or (settings.base_url or "").startswith("https://")
        headers = headers_for(PREFIX, https=https) + image_headers(
            image, planned, urls.image_service(base + environ.get("SCRIPT_NAME", ""), parts[0])
        )
        if private:  # as `web.auth` marks what a signed-in person (or a token) sees: never for shared caches
            headers = [(k, v) for k, v in headers if k != "Cache-Control"]
            headers += [("Cache-Control", "private, no-store"), ("Vary", "Cookie, Authorization")]
        if f'"{planned.etag}"' in environ.get("HTTP_IF_NONE_MATCH", ""):
            return "304 NOT MODIFIED", headers, []
        try:
            handle = planned.tile.open("rb")
        except OSError:
            return None
        size = os.fstat(handle.fileno()).st_size
        headers += [("Content-Type", planned.media_type), ("Content-Length", str(size))]
        wrapper = environ.get("wsgi.file_wrapper", FileWrapper)
        return "200 OK", headers, wrapper(handle, 65536)

    def _token_opens(self, environ: dict[str, Any], image: ResolvedImage) -> bool:
        """Whether the request's IIIF access token (Authorization Flow 2.0) lets its user see `image`, by the
        one access function; False for no token or a bad one (Flask then answers, 401 or 404)."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() != "bearer " or not iiif_tokens.is_access_token(header[7:]):
            return False
        session = self.app.extensions["heritage"].sessions()
        try:
            who = iiif_tokens.viewer_for(session, header[7:])
        except TokenRejected:
            return False
        finally:
            session.close()
        return visibility(who, image.access) >= Visibility.FULL
