"""`heritage ingest`: a batch folder (scans with a sheet or standard metadata file, or folder
conventions) into a collection. Exit 0 when every file went in, 1 when some failed, 2 for usage errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from heritage.cli import open_runtime
from ingest.pipeline import FileReport
from ingest.pipeline import ingest as run_ingest


class _ProgressBar:
    """Files done out of files planned, on stderr."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        self.bar = click.progressbar(
            length=max(total, 1), label="ingesting", file=sys.stderr, item_show_func=lambda name: name or ""
        )
        self.bar.__enter__()

    def step(self, reference: str, _report: FileReport) -> None:
        if self.bar is not None:
            self.bar.update(1, reference if len(reference) < 40 else "…" + reference[-39:])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--collection", required=True, help="Collection slug; created when it does not exist.")
@click.option("--unit", help="Custodial unit slug of a new collection (default: central-archive).")
@click.option(
    "--domain",
    type=click.Choice(["archive", "library", "science", "museum"]),
    help="Domain of a new collection (default: archive).",
)
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    help="Metadata format of the batch (auto detects it by content; 'folder' ignores sheets).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a JSON report listing every file.",
)
def ingest(
    path: Path, collection: str, unit: str | None, domain: str | None, fmt: str, report_path: Path | None
) -> None:
    """Ingest the scans and metadata in PATH into a collection."""
    if not path.exists():
        raise click.UsageError(f"{path}: no such file or folder")
    runtime = open_runtime()
    bar = _ProgressBar()
    try:
        report = run_ingest(
            runtime, path, collection, unit=unit, fmt=fmt, domain=domain, progress=bar.step, on_plan=bar.start
        )
    finally:
        bar.close()
    for failure in report.failed:
        click.echo(f"failed: {failure.path}: {failure.reason}", err=True)
    counts = report.as_dict()["counts"]
    click.echo(
        f"{report.collection}: {report.items_created} items created, {report.items_updated} updated; "
        f"files: {counts['stored']} stored, {counts['already_ingested']} already ingested, "
        f"{counts['failed']} failed"
    )
    if report_path:
        report_path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    sys.exit(report.exit_code)
