"""`heritage derivatives rebuild`: derivatives and tiles are a cache that the preservation store can refill.

A master missing from the working store is first put back from the item's OCFL object (checked against
its recorded SHA-256); then the tile pyramid, access copy and thumbnail are made again from it.
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from heritage.errors import NotFound
from heritage.models import File


@click.group("derivatives")
def derivatives() -> None:
    """Derivatives and IIIF tiles: a cache rebuilt from the masters (and the preservation store)."""


@derivatives.command("rebuild")
@click.option("--item", "item_id", metavar="ID", help="Only the files of this item.")
@click.option("--all", "all_items", is_flag=True, help="Every image of the catalogue.")
def rebuild(item_id: str | None, all_items: bool) -> None:
    """Make the tiles, access copy and thumbnail of every image again (masters restored from OCFL when missing)."""
    from heritage.cli import open_runtime
    from heritage.preservation.service import restore_master
    from heritage.runtime import use_runtime
    from ingest.derivatives import clear
    from ingest.jobs import derive_file

    if bool(item_id) == all_items:
        raise click.UsageError("give --item ID or --all")
    runtime = open_runtime()
    query = select(File.id, File.item_id, File.sha256, File.storage_key, File.page).where(File.width.is_not(None))
    if item_id:
        query = query.where(File.item_id == item_id)
    with runtime.sessions() as session:
        rows = session.execute(query.order_by(File.item_id, File.sequence)).all()
    if item_id and not rows:
        raise NotFound(f"item {item_id!r} has no images (or does not exist)")
    restored = failed = 0
    # the job function asks for the current runtime: this command's, never one a process opened before
    with use_runtime(runtime), click.progressbar(rows, label="rebuilding", file=sys.stderr) as bar:
        for file_id, owner, sha256, key, page in bar:
            restored += restore_master(runtime, owner, sha256, key)
            clear(runtime.storage.derivative_dir(sha256, page))
            failed += derive_file(file_id)["status"] != "done"
    click.echo(f"rebuilt the derivatives of {len(rows) - failed} images ({restored} masters restored from OCFL)")
    if failed:
        click.echo(f"{failed} images could not be decoded (see their events)", err=True)
        sys.exit(1)
