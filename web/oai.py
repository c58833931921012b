"""The OAI-PMH 2.0 endpoint at /oai (GET and POST). The protocol lives in `heritage.harvest.oai`;
this blueprint hands it the arguments and sends back its XML (errors are OAI errors, status 200)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from heritage.harvest.oai import Repository, respond
from web.context import base_url, runtime, session

bp = Blueprint("oai", __name__)


def repository() -> Repository:
    settings = runtime().settings
    site = base_url()
    host = site.split("://", 1)[-1].split("/")[0].split(":")[0]
    return Repository(
        base_url=f"{site}/oai",
        site_url=site,
        name=settings.oai_name,
        admin_email=settings.oai_admin_email or default_admin_email(host),
        secret=str(current_app.config["SECRET_KEY"]).encode("utf-8"),
        page_size=settings.oai_page_size,
    )


def default_admin_email(host: str) -> str:
    """heritage@ the host; a host without a dot (localhost) gets `.localdomain`, as the schema wants one."""
    host = host or "localhost"
    return f"heritage@{host}" if "." in host else f"heritage@{host}.localdomain"


@bp.route("/oai", methods=["GET", "POST"])
def oai() -> Response:
    """Answer one OAI-PMH request."""
    args = request.form if request.method == "POST" else request.args
    db = session()
    body = respond(db, args.to_dict(flat=False), repository())
    db.commit()  # the ledger may have noticed closures that lapsed
    return Response(body, mimetype="text/xml", headers={"Access-Control-Allow-Origin": "*"})
