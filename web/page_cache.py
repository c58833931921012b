"""Rendered search pages and API search answers for anonymous visitors, kept per web process.

A public catalogue is asked the same searches over and over (the home page's collections, popular
words, facet clicks); rendering one costs a search with every facet counted plus a template, tens of
milliseconds of one interpreter, which is what limits a two-core server under many users. The public
all see the same page for the same URL, so a page is kept under its URL, host and language, the index
version (which changes with every index write, by any process), the access stamp (which changes with
every access change, `heritage.access_changes`) and the day (closures lapse by date). Entries also
expire after `MAX_AGE` seconds, for labels that come from the database (collection titles, unit names).
Anyone signed in, or presenting a token or a session cookie, is never served nor served from this cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, current_app, g, make_response, request
from flask import session as cookie

from heritage.access import PUBLIC
from web.context import runtime, viewer
from web.i18n import current_language

MAX_AGE = 60.0


class PageCache:
    """A bounded, thread-safe map from key to (time stored, status, mimetype, body), oldest out first."""

    def __init__(self, size: int, max_age: float = MAX_AGE) -> None:
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[tuple[Any, ...], tuple[float, int, str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[int, str, bytes] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1:]

    def put(self, key: tuple[Any, ...], status: int, mimetype: str, body: bytes) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), status, mimetype, body)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def page_cache() -> PageCache | None:
    """This app's cache, made on first use; None when `HERITAGE_SEARCH_PAGE_CACHE` is 0."""
    size = runtime().settings.search_page_cache
    if size <= 0:
        return None
    cache = current_app.extensions.get("search_page_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("search_page_cache", PageCache(size))
    return cache


def _anonymous() -> bool:
    return viewer() == PUBLIC and not g.get("bearer") and "Authorization" not in request.headers and "uid" not in cookie


def cached_for_the_public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a GET view's successful answers to anonymous visitors from the page cache."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cache = page_cache()
        if cache is None or request.method != "GET" or not _anonymous():
            return view(*args, **kwargs)
        key = (
            request.endpoint,
            request.host_url,
            request.full_path,
            current_language(),
            runtime().index.version(),
            runtime().access_stamp.current(),
            date.today().isoformat(),
        )
        hit = cache.get(key)
        if hit is not None:
            status, mimetype, body = hit
            return Response(body, status=status, mimetype=mimetype)
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200 and not response.direct_passthrough and "Set-Cookie" not in response.headers:
            cache.put(key, response.status_code, response.mimetype or "text/html", response.get_data())
        return response

    return wrapper
