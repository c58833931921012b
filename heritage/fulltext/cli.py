"""`heritage ocr run` and `heritage ocr status`: read the pages that have no text yet, and show how far it got."""

from __future__ import annotations

import json
import sys

import click
from sqlalchemy import func, select

from heritage.errors import InvalidInput
from heritage.models import Collection, File, FileRole, Item
from heritage.runtime import use_runtime


@click.group("ocr")
def ocr_group() -> None:
    """Full text: OCR of image pages (Tesseract, ALTO 4) and its progress."""


@ocr_group.command("run")
@click.option("--collection", "collection", help="Read the pages of every item of this collection (slug).")
@click.option("--item", "item", help="Read the pages of this item (id).")
@click.option("--lang", help="Tesseract models to use instead of the record's languages, e.g. nld+lat or Fraktur.")
@click.option("--force", is_flag=True, help="Read again the pages that have text already.")
def run_cmd(collection: str | None, item: str | None, lang: str | None, force: bool) -> None:
    """Read by OCR the pages that have no text yet (a rerun finishes what is missing)."""
    from heritage.cli import open_runtime
    from heritage.fulltext.jobs import read_item

    if bool(collection) == bool(item):
        raise InvalidInput("give --collection SLUG or --item ID (one of them)")
    runtime = open_runtime()
    with runtime.sessions() as session:
        if item:
            if session.get(Item, item) is None:
                raise InvalidInput(f"no item {item!r}")
            ids = [item]
        else:
            if session.scalar(select(Collection.id).where(Collection.slug == collection)) is None:
                raise InvalidInput(f"no collection {collection!r}")
            ids = list(
                session.scalars(
                    select(Item.id)
                    .join(Collection, Collection.id == Item.collection_id)
                    .where(
                        Collection.slug == collection,
                        Item.files.any(File.width.is_not(None) & (File.role == FileRole.MASTER.value)),
                    )
                    .order_by(Item.id)
                )
            )
        derived = (
            File.item_id.in_(ids),
            File.role == FileRole.MASTER.value,
            File.width.is_not(None),
            File.derivatives_ready.is_(True),
        )
        pages = session.scalar(select(func.count()).select_from(File).where(*derived)) or 0
    totals = {"read": 0, "kept": 0, "skipped": 0, "failed": 0}
    failures: list[str] = []
    with use_runtime(runtime), click.progressbar(length=max(pages, 1), label="OCR", file=sys.stderr) as bar:
        for item_id in ids:
            done = read_item(runtime, item_id, lang=lang, force=force, progress=bar.update)
            totals["read"] += done.read
            totals["kept"] += done.kept
            totals["skipped"] += done.skipped
            totals["failed"] += len(done.failed)
            failures += [f"{item_id} {file_id}: {reason}" for file_id, reason in done.failed.items()]
    for line in failures:
        click.echo(f"failed: {line}", err=True)
    click.echo(
        f"{totals['read']} pages read, {totals['kept']} had text already, {totals['skipped']} skipped by the "
        f"collection's rule, {totals['failed']} failed"
    )
    if failures:
        sys.exit(1)


@ocr_group.command("status")
@click.option("--collection", help="Only this collection (slug).")
@click.option("--json", "as_json", is_flag=True, help="Answer in JSON.")
def status_cmd(collection: str | None, as_json: bool) -> None:
    """Pages done, waiting, failed and skipped, and the mean confidence, by collection; pages below the
    confidence threshold are listed for review."""
    from heritage.cli import open_runtime
    from heritage.fulltext.status import status

    report = status(open_runtime(), collection=collection)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
        return
    row = "{:<24} {:>6} {:>6} {:>8} {:>7} {:>8} {:>6} {:>5}"
    click.echo(row.format("collection", "pages", "done", "waiting", "failed", "skipped", "conf", "low"))
    for c in report.collections:
        conf = f"{c.mean_confidence:.1f}" if c.mean_confidence is not None else "-"
        click.echo(row.format(c.collection, c.pages, c.done, c.waiting, c.failed, c.skipped, conf, c.low))
    if report.low_pages:
        click.echo(f"pages below confidence {report.threshold:g} (to review):")
        for page in report.low_pages[:50]:
            click.echo(f"  {page.item}  {page.name}  {page.confidence:.1f}")
        if len(report.low_pages) > 50:
            click.echo(f"  ... and {len(report.low_pages) - 50} more (--json lists them all)")
