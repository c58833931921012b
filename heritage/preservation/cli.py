"""`heritage preservation ...`: the OCFL store from the command line."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select


@click.group("preservation")
def preservation() -> None:
    """The preservation store (OCFL 1.1): versions, validation, format risks."""


@preservation.command("sync")
@click.option("--item", "item_id", metavar="ID", help="Only this item.")
@click.option("--all", "all_items", is_flag=True, help="Every item of the catalogue.")
def sync(item_id: str | None, all_items: bool) -> None:
    """Write a new OCFL version of every item whose state (metadata, files, events) changed since its last one."""
    from heritage.cli import open_runtime
    from heritage.models import Item
    from heritage.preservation.service import preserve

    if bool(item_id) == all_items:
        raise click.UsageError("give --item ID or --all")
    runtime = open_runtime()
    if item_id:
        ids = [item_id]
    else:
        with runtime.sessions() as session:
            ids = list(session.scalars(select(Item.id).order_by(Item.id)))
    written = 0
    with click.progressbar(ids, label="preserving", file=sys.stderr) as bar:
        for one in bar:
            written += preserve(runtime, one, message="heritage preservation sync").version is not None
    click.echo(f"{written} new versions, {len(ids) - written} objects already current")


@preservation.command("validate")
@click.option("--no-digests", is_flag=True, help="Check structure and inventories only, not every file's digest.")
def validate(no_digests: bool) -> None:
    """Validate the whole storage root with the OCFL validator of ocfl-py (exit 1 on any problem)."""
    from heritage.cli import open_runtime
    from heritage.preservation.service import store_of

    store = store_of(open_runtime())
    problems = store.validate(check_digests=not no_digests)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{store.root}: valid OCFL 1.1 storage root")
