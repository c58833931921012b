"""The Flask application: catalogue pages, JSON API, IIIF routes. `create_app` builds it."""

from web.app import create_app

__all__ = ["create_app"]
