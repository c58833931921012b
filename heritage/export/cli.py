"""`heritage export`: a collection, or the tree under one item, in one of the registered formats."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import click

from heritage.catalogue import get_collection, get_item
from heritage.errors import BadRequest, NotFound
from heritage.export.formats import EXPORTS
from heritage.export.source import ExportSource, Scope


@click.command("export", epilog="Formats: " + "; ".join(f"{n}: {f.label}" for n, f in EXPORTS.items()) + ".")
@click.option("--collection", "slug", metavar="SLUG", help="The collection to export.")
@click.option("--item", "item_id", metavar="ID", help="Export this item (and, for tree formats, what lies under it).")
@click.option("--format", "fmt", required=True, metavar="FORMAT", help="One of the formats below.")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="File (or folder, for bagit) to write."
)
@click.option(
    "--scope",
    type=click.Choice([s.value for s in Scope]),
    default=Scope.PUBLIC.value,
    show_default=True,
    help="public: what the public may see (closed items left out, masters only of public items); all: everything.",
)
def export(slug: str | None, item_id: str | None, fmt: str, output: Path, scope: str) -> None:
    """Export a collection or an item's tree, streamed, with a progress bar on stderr.

    The output is written aside and moved into place when complete, so a failed export leaves nothing.
    """
    from heritage.cli import open_runtime

    chosen = EXPORTS.get(fmt)
    if chosen is None:
        raise click.UsageError(f"--format {fmt!r}: one of {', '.join(EXPORTS)}")
    if bool(slug) == bool(item_id):
        raise click.UsageError("give exactly one of --collection SLUG or --item ID")
    if chosen.scope == "item" and not item_id:
        raise click.UsageError(f"--format {fmt} exports one item: give --item ID")
    if output.exists() and not (output.is_dir() and not any(output.iterdir()) and chosen.write_folder):
        raise BadRequest(f"{output} exists; choose another path (an export never overwrites)")
    if not output.parent.is_dir():
        raise BadRequest(f"{output.parent} is not a folder")
    runtime = open_runtime()
    with runtime.sessions() as session:
        if item_id:
            root = get_item(session, item_id)
            collection = root.collection
        else:
            root = None
            collection = get_collection(session, slug or "")
        source = ExportSource(session, collection, root=root, scope=Scope(scope))
        if root is not None and scope == Scope.PUBLIC and source.seen(root) == 0:
            raise NotFound(f"item {item_id!r} does not exist")
        total = source.count() * chosen.passes
        with click.progressbar(length=max(total, 1), label=f"export {fmt}", file=sys.stderr) as bar:
            source.progress = bar.update
            count = _write(chosen, source, output, runtime.storage)
    click.echo(f"exported {count} items from {collection.slug} as {fmt} to {output}")


def _write(chosen, source: ExportSource, output: Path, storage) -> int:  # type: ignore[no-untyped-def]
    """Write beside the target, then move into place: never a half-written export at `output`."""
    if chosen.write_folder is not None:
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
        try:
            count = chosen.write_folder(source, staging / "bag", storage)
            if output.exists():
                output.rmdir()
            os.replace(staging / "bag", output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return count
    fd, name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            count = chosen.write_file(source, out)
        os.replace(name, output)
    finally:
        if os.path.exists(name):
            os.unlink(name)
    return count
