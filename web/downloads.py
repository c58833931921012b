"""Downloads of an item's images where its rights allow them: the whole item as one PDF of its access copies.

The PDF is made by img2pdf, which embeds each access JPEG as it is (no re-encoding, never the master); a
page is scaled down (and only then re-encoded) when the rights allow a smaller edge than the access copy.
It is cached in the data directory under a key of everything it shows (pages and their derivatives, rights,
allowed edge, title), so a change of any of these makes a new one, and sent from disk in chunks.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import img2pdf
from flask import Blueprint, Response, send_file
from PIL import Image

from heritage.access import PUBLIC, Visibility, download_edge, visibility
from heritage.catalogue import get_item
from heritage.closure import current_rules
from heritage.errors import Forbidden, NotFound
from heritage.models import File, Item
from iiif import urls
from iiif.presentation import image_files
from ingest.derivatives import ACCESS_NAME
from web.context import base_url, runtime, session, viewer

bp = Blueprint("downloads", __name__)
PDF_FOLDER = "pdf"  # under the data directory: one folder per item, its current PDF in it
RESIZED_QUALITY = 90


def download_edge_for(item: Item) -> int:
    """How large a download the rights statement allows this viewer (the rules file says, per statement)."""
    rules = current_rules(runtime().settings.access_rules)
    rights = item.rights or item.collection.rights
    return download_edge(viewer(), item, rights, rules.download_limits, rules.download_default)


def _access_copies(item: Item, files: list[File]) -> list[Path]:
    storage = runtime().storage
    copies = [storage.derivative_dir(f.sha256, f.page) / ACCESS_NAME for f in files]
    for n, path in enumerate(copies, start=1):
        if not path.is_file():
            raise NotFound(f"item {item.id!r}: the access copy of page {n} is missing (heritage derivatives makes it)")
    return copies


def _key(item: Item, copies: list[Path], edge: int, subject: str) -> str:
    """Changes whenever the PDF would: another page, rebuilt derivatives, other rights, edge or title."""
    digest = hashlib.sha256()
    for part in (item.id, item.title, subject, str(edge)):
        digest.update(part.encode("utf-8") + b"\0")
    for path in copies:
        stat = path.stat()
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size}\0".encode())
    return digest.hexdigest()[:32]


def _page_image(path: Path, edge: int) -> str | bytes:
    """The access copy as it is, or scaled down to `edge` when the rights allow less."""
    with Image.open(path) as image:
        if max(image.size) <= edge:
            return str(path)
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=RESIZED_QUALITY)
        return out.getvalue()


def _write_pdf(target: Path, copies: list[Path], edge: int, title: str, subject: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            img2pdf.convert([_page_image(p, edge) for p in copies], outputstream=out, title=title, subject=subject)
        os.replace(tmp, target)  # a reader never sees half a file; two writers of one key write the same
    finally:
        tmp.unlink(missing_ok=True)
    for old in target.parent.glob("*.pdf"):
        if old != target:
            old.unlink(missing_ok=True)


@bp.get("/items/<item_id>/pdf")
def item_pdf(item_id: str) -> Response:
    """The item's pages as one PDF, where the rights let this viewer download its images."""
    try:
        item = get_item(session(), item_id)
    except NotFound:
        item = None
    # 404 as the IIIF images and the embed page answer: an unknown, closed or restricted item has no images here
    if item is None or visibility(viewer(), item) < Visibility.FULL or not (files := image_files(item)):
        raise NotFound(f"item {item_id!r} has no images to download")
    edge = download_edge_for(item)
    if edge <= 0:
        raise Forbidden(f"item {item_id!r}: its rights statement allows no download")
    copies = _access_copies(item, files)
    rights = item.rights or item.collection.rights
    subject = " · ".join(x for x in (urls.item_page(base_url(), item.id), rights) if x)
    key = _key(item, copies, edge, subject)
    target = runtime().settings.data_dir / PDF_FOLDER / item.id / f"{key}.pdf"
    if not target.is_file():
        _write_pdf(target, copies, edge, item.title, subject)
    response = send_file(
        target, mimetype="application/pdf", as_attachment=True, download_name=f"{item.id}.pdf", etag=key, max_age=3600
    )
    # a shared cache may keep only what anyone gets: staff may get larger pages, restricted items are theirs alone
    response.cache_control.public = not viewer().signed_in and visibility(PUBLIC, item) >= Visibility.FULL
    response.cache_control.private = not response.cache_control.public
    return response
