"""The WSGI entry point for production servers, configured by the environment like every command:

    gunicorn --config python:web.gunicorn_conf web.wsgi:app

The app is built and warmed once in gunicorn's master (`preload_app`), so workers forked from it answer
their first request as fast as their thousandth: the ORM mappers are configured, the image service's
queries compiled and Pillow's codecs loaded before any client waits.
"""

from __future__ import annotations

import contextlib
import gc

from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import configure_mappers

from heritage.access import PUBLIC
from heritage.models import File, FileRole
from heritage.runtime import Runtime
from iiif.errors import ImageNotFound
from iiif.image_service import resolve_image
from web import create_app
from web.i18n import LANGUAGES


def warm_up(app: Flask) -> None:
    """Do once what every worker's first request would otherwise pay for; changes no state."""
    runtime: Runtime = app.extensions["heritage"]
    configure_mappers()
    Image.init()
    with runtime.sessions() as session:
        published = (File.derivatives_ready.is_(True), File.role == FileRole.MASTER.value)
        image_id = session.scalars(select(File.id).where(*published).limit(1)).first()
        if image_id is not None:
            with contextlib.suppress(ImageNotFound):  # not public: the queries are compiled all the same
                resolve_image(session, runtime.storage, image_id, PUBLIC)
    runtime.index.warm()  # the facet columns, read once here, are shared by the forked workers
    client = app.test_client()
    for language in LANGUAGES:  # templates compiled and message catalogues read once, for every worker
        for path in ("/", "/search?q=warm"):
            client.get(path, headers={"Accept-Language": language})
    runtime.engine.dispose()  # no connection crosses the fork into the workers
    # what the master holds now (index columns, vocabularies, lexicon, templates) lives as long as the
    # workers do: out of the collector's sight, its generations are not walked nor its pages copied
    gc.collect()
    gc.freeze()


app = create_app()
warm_up(app)
