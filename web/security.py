"""Security headers on every response: a strict Content-Security-Policy, nosniff, a referrer policy,
frame options, and HSTS when served over HTTPS.

Pages load only our own scripts and styles (`/static/`, the viewer assets under `/assets/`): templates hold
no inline script, style element or style attribute, so an injected `<script>` would not run even if
escaping failed somewhere. Everything refuses to be framed except what partner sites are meant to frame:
the embed page and the IIIF resources (which also stay CORS-open). The IIIF fast path
(`web/iiif_fastpath.py`) sends the same headers through `headers_for`.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from heritage.errors import BadRequest
from web.assets import viewer_assets
from web.errors import error_response

# Framed by any site: the embed page and every IIIF resource (images, manifests, collections, discovery).
FRAMABLE_ENDPOINTS = frozenset({"catalogue.embed", "exhibitions.embed"})
FRAMABLE_PREFIXES = ("/iiif/",)
# Except the IIIF Authorization Flow's own windows, where a person signs in and out: never in a frame.
UNFRAMABLE_ENDPOINTS = frozenset(
    {"iiif_auth.access", "iiif_auth.access_post", "iiif_auth.logout", "iiif_auth.logout_post"}
)
HSTS = "max-age=31536000; includeSubDomains"
NUL_CHECKED_ELSEWHERE = frozenset({"oai.oai"})


@cache
def _viewer_style_hashes() -> str:
    """The style elements the pinned viewer packages inject, by hash (`style_hashes` in viewer_assets.json)."""
    return "".join(f" '{h}'" for asset in viewer_assets().values() for h in asset.style_hashes)


def content_security_policy(*, framable: bool, inline_styles: bool = False) -> str:
    """The policy: our own origin only, no plugins, no base or form hijacking; `frame-ancestors` by page."""
    styles = "'self' 'unsafe-inline'" if inline_styles else "'self'" + _viewer_style_hashes()
    ancestors = "*" if framable else "'none'"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
        )
    )


def headers_for(
    path: str, endpoint: str | None = None, *, https: bool = False, inline_styles: bool = False
) -> list[tuple[str, str]]:
    """The security headers of one response (CORS for IIIF included), in the order they are sent."""
    framable = (endpoint in FRAMABLE_ENDPOINTS or path.startswith(FRAMABLE_PREFIXES)) and (
        endpoint not in UNFRAMABLE_ENDPOINTS
    )
    headers = [
        ("Content-Security-Policy", content_security_policy(framable=framable, inline_styles=inline_styles)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]
    if not framable:
        headers.append(("X-Frame-Options", "DENY"))
    if path.startswith(FRAMABLE_PREFIXES):
        headers.append(("Access-Control-Allow-Origin", "*"))
    if https:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


def allow_inline_styles() -> None:
    """For a page whose third-party viewer injects style elements (Mirador): styles only, never scripts."""
    g.csp_inline_styles = True


def served_over_https(base_url: str | None) -> bool:
    return request.is_secure or bool(base_url and base_url.startswith("https://"))


def web_link(value: object) -> str | None:
    """A URL from metadata (authority id, rights statement) fit for an href: http(s) only, else None.

    Escaping keeps a value inside its attribute; this keeps `javascript:` and `data:` URLs out of links.
    """
    text = str(value or "").strip()
    return text if urlsplit(text).scheme.lower() in ("http", "https") and urlsplit(text).netloc else None


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_nul_bytes() -> None:
    """A NUL byte belongs in no path, parameter, form or JSON field (PostgreSQL cannot even compare one): 400.

    OAI-PMH answers its own `badArgument` for control characters.
    """
    if request.endpoint in NUL_CHECKED_ELSEWHERE:
        return
    texts: list[object] = [request.path, *request.args.values(), *request.args.keys()]
    if request.method in ("POST", "PUT", "PATCH"):
        if request.is_json:
            texts.append(request.get_json(silent=True))
        else:
            texts += [*request.form.keys(), *request.form.values(), *(f.filename or "" for f in request.files.values())]
    if any(_has_nul(text) for text in texts):
        raise BadRequest("the request holds a NUL byte (%00), which no path, parameter or field may contain")


MAX_FORM_PARTS = 50_000  # files and fields of one upload: a folder of scans may hold thousands


def init_app(app: Flask) -> None:
    settings = app.extensions["heritage"].settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_mb * 1024 * 1024
    app.config["MAX_FORM_PARTS"] = MAX_FORM_PARTS
    app.jinja_env.filters["web_link"] = web_link

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge) -> Any:
        size = f"{request.content_length / 1024 / 1024:,.1f} MB" if request.content_length else "the request"
        return error_response(
            413,
            f"{size} is more than this server accepts in one request: at most {settings.max_upload_mb:,} MB "
            f"(HERITAGE_MAX_UPLOAD_MB) and {MAX_FORM_PARTS:,} files; upload the batch in parts or ingest it "
            "with `heritage ingest` on the server",
        )

    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)

    @app.after_request
    def _security_headers(response: Any) -> Any:
        settings = app.extensions["heritage"].settings
        for name, value in headers_for(
            request.path,
            request.endpoint,
            https=served_over_https(settings.base_url),
            inline_styles=bool(g.get("csp_inline_styles")),
        ):
            response.headers[name] = value
        return response
