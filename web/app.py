"""`create_app`: the application factory. Each area is a blueprint registered here."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request, url_for

from heritage.runtime import Runtime
from heritage.settings import Settings


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def create_app(config: Settings | Mapping[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app on the given settings (or the environment); the runtime is opened and checked here."""
    if runtime is None:
        settings = config if isinstance(config, Settings) else Settings.load(config)
        runtime = Runtime.open(settings)
    app = Flask(
        __name__,
        template_folder=str(Path(__file__).parent / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config["SECRET_KEY"] = _secret_key(runtime.settings)
    app.config["JSON_SORT_KEYS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["heritage"] = runtime

    from iiif import urls as iiif_urls
    from web import (
        api,
        api_docs,
        archivist,
        assets,
        auth,
        authorities,
        catalogue,
        cataloguing,
        decisions,
        discovery,
        downloads,
        editing,
        editing_tree,
        errors,
        exhibitions,
        exhibitions_api,
        exhibitions_editing,
        getting_around,
        i18n,
        iiif_auth,
        iiif_routes,
        loans,
        locations,
        masterplan,
        museum_entries,
        oai,
        security,
        viewer,
    )
    from web.context import base_url

    i18n.init_app(app, i18n.compile_catalogs(runtime.settings.data_dir / "cache" / "translations"))

    auth.init_app(app)  # who is asking, sessions and CSRF, before any area's routes
    app.register_blueprint(catalogue.bp)
    app.register_blueprint(archivist.bp)
    app.register_blueprint(authorities.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(iiif_routes.bp)
    app.register_blueprint(iiif_auth.bp)  # the IIIF Authorization Flow 2.0 services
    app.register_blueprint(assets.bp)
    app.register_blueprint(masterplan.bp)
    app.register_blueprint(locations.bp)
    app.register_blueprint(loans.bp)
    app.register_blueprint(loans.api_bp)
    app.register_blueprint(museum_entries.bp)  # object entry, exit and acquisition
    app.register_blueprint(museum_entries.api_bp)
    app.register_blueprint(decisions.bp)
    app.register_blueprint(oai.bp)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(editing.bp)
    app.register_blueprint(editing_tree.bp)
    app.register_blueprint(cataloguing.bp)
    app.register_blueprint(api_docs.bp)  # /api, the readable page of the OpenAPI document
    app.register_blueprint(getting_around.bp)  # /browse (the archive trees), /favicon.ico
    app.register_blueprint(downloads.bp)
    app.register_blueprint(viewer.bp)
    app.register_blueprint(exhibitions.bp)  # /exhibitions, /api/exhibitions, /museum/exhibitions
    app.register_blueprint(exhibitions_editing.bp)  # /museum/exhibitions/new, .../<slug>/edit, install, close
    app.register_blueprint(exhibitions_api.api_bp)  # POST /api/exhibitions, GET and PUT .../<slug>
    app.jinja_env.globals.update(asset_url=assets.asset_url, iiif_urls=iiif_urls, base_url=base_url)
    errors.register(app)
    security.init_app(app)
    from web.iiif_fastpath import StoredTileFastPath

    app.wsgi_app = StoredTileFastPath(app, app.wsgi_app)  # type: ignore[method-assign]

    @app.context_processor
    def _language() -> dict[str, Any]:
        def lang_url(code: str) -> str:
            args = request.args.to_dict(flat=False)
            args["lang"] = [code]
            return url_for(request.endpoint or "catalogue.home", **(request.view_args or {}), **args)

        return {"lang": i18n.current_language(), "current_lang": i18n.current_language, "lang_url": lang_url}

    return app
