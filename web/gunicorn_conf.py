"""gunicorn settings for the catalogue and IIIF server (`gunicorn --config python:web.gunicorn_conf web.wsgi:app`).

Any of them can be overridden on the command line (`--workers 4 --bind 0.0.0.0:8000`).
"""

from __future__ import annotations

from typing import Any

bind = "127.0.0.1:8000"
workers = 2
# Threads with keep-alive: a viewer fetches tiles over a few kept-alive connections; a sync worker would close
# each one after a response and serve one client at a time (6x fewer tiles/s in bench/iiif_tiles.py).
# Pillow releases the GIL while it decodes and encodes, so a render does not stall the tiles beside it.
worker_class = "gthread"
threads = 4
keepalive = 10
preload_app = True  # build and warm the app once, fork ready workers (see web.wsgi)
timeout = 60
accesslog = None


def post_fork(server: Any, worker: Any) -> None:
    """Each worker opens its own database connections (the master's pool is dropped, not closed)."""
    from web.wsgi import app

    app.extensions["heritage"].engine.dispose(close=False)
