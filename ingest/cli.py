"""`heritage ingest`: a batch (scans with a sheet or standard metadata file, folder conventions, or a
BagIt bag) into a collection. Exit 0 when every file went in, 1 when some failed, 2 for usage errors.

Besides the failures, the summary names what needs an archivist's eye: doubtful dates (FILE:LINE), files
the metadata does not name, quality checks a master failed, and items held back from the public."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from heritage.cli import open_runtime
from heritage.runtime import Runtime
from ingest.batches import IngestReport, Progress
from ingest.dry_run import check_batch
from ingest.pipeline import plan_batch, run_batch
from metadata_schemas import registry


class _ProgressBar:
    """Files done, failed and remaining, on stderr."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.text = ""

    def update(self, state: Progress, last: str | None) -> None:
        if self.bar is None:
            self.bar = click.progressbar(
                length=max(state.total, 1),
                label="ingesting",
                file=sys.stderr,
                item_show_func=lambda _item: self.text,
            )
            self.bar.__enter__()
        self.text = f"{state.done} done, {state.failed} failed, {state.remaining} remaining"
        if last:
            self.text += f"  {last if len(last) < 40 else '…' + last[-39:]}"
        self.bar.length = max(state.total, 1)
        self.bar.update(state.done + state.failed - self.bar.pos, last)

    def notice(self, text: str) -> None:
        """A line of its own above the bar (a worker died, a file was queued again)."""
        click.echo(("\n" if self.bar is not None else "") + text, err=True)

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
    help="Metadata format of the batch: auto detects it by content; 'folder' ignores metadata files; "
    "'bagit' requires a bag; or a standard's name (csv, ead, marcxml, mods, lido, dwc, mets, ...).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a JSON report listing every file.",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 32),
    help="Without REDIS_URL: files ingested at the same time (default: one per core, at most 4).",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="With REDIS_URL: enqueue the files and return at once (the web page shows the progress).",
)
@click.option(
    "--include-unlisted",
    is_flag=True,
    help="Take in files of the folder that the metadata file does not name, as items of their own "
    "(without it they are reported and left out).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse a metadata file that breaks its schema (default: take it in, each problem a warning).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check everything (metadata, files, formats, duplicates) and write the report; store nothing.",
)
def ingest(
    path: Path,
    collection: str,
    unit: str | None,
    domain: str | None,
    fmt: str,
    report_path: Path | None,
    parallel: int | None,
    no_wait: bool,
    include_unlisted: bool,
    strict: bool,
    dry_run: bool,
) -> None:
    """Ingest the scans, born-digital files and metadata in PATH into a collection.

    Running the same command again resumes the batch: files already in stay in, the rest is finished.
    """
    if not path.exists():
        raise click.UsageError(f"{path}: no such file or folder")
    known = ["auto", "folder", "bagit", *sorted(s.name for s in registry.standards())]
    if fmt not in known:
        raise click.UsageError(f"--format {fmt!r}: one of {', '.join(known)}")
    if report_path is not None and not report_path.parent.is_dir():
        raise click.UsageError(f"--report {report_path}: folder {report_path.parent} does not exist")
    runtime = open_runtime()
    try:
        if dry_run:
            report = check_batch(
                runtime, path, collection, fmt=fmt, domain=domain, include_unlisted=include_unlisted, strict=strict
            )
        else:
            report = _run(runtime, path, collection, unit, domain, fmt, parallel, no_wait, include_unlisted, strict)
    finally:
        runtime.close()  # give the database connections back (the command may run inside a longer process)
    _summarise(report)
    if report_path:
        report_path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    sys.exit(report.exit_code)


def _run(
    runtime: Runtime,
    path: Path,
    collection: str,
    unit: str | None,
    domain: str | None,
    fmt: str,
    parallel: int | None,
    no_wait: bool,
    include_unlisted: bool,
    strict: bool,
) -> IngestReport:
    batch_id = plan_batch(
        runtime,
        path,
        collection,
        unit=unit,
        fmt=fmt,
        domain=domain,
        include_unlisted=include_unlisted,
        strict=strict,
    )
    bar = _ProgressBar()
    try:
        return run_batch(
            runtime, batch_id, on_progress=bar.update, wait=not no_wait, parallel=parallel, on_notice=bar.notice
        )
    finally:
        bar.close()


def _summarise(report: IngestReport) -> None:
    """Every finding on stderr (each naming the file, and the metadata line and identifier where there is one),
    then one line of counts on stdout."""
    say = lambda text: click.echo(text, err=True)  # noqa: E731
    for problem in report.problems:
        say(f"problem: {problem}")
    for warning in report.warnings:
        say(f"warning: {warning}")
    missing_from = "the sheet" if report.kind == "sheet" else "the metadata file"
    then = "taken in as an item of its own" if report.unlisted_included else "left out; --include-unlisted takes it in"
    for path in report.unlisted:
        say(f"not in {missing_from}: {path} ({then})")
    for f in report.failed:
        where = report.location(f.line, f.identifier)
        say(f"failed: {f.path}: {f.reason}" + (f" ({where})" if where else ""))
    for f in report.files:
        if f.quality_reasons:
            where = report.location(f.line, f.identifier)
            say(f"quality: {f.path}: {'; '.join(f.quality_reasons)}" + (f" ({where})" if where else ""))
    for held in report.held_back:
        where = report.location(held.line, held.identifier) or f"item {held.item}"
        verb = "would be held back" if report.dry_run else "held back"
        say(f"{verb}: {held.title} ({where}): not public until its files arrive: {held.reason}")
    for handoff in report.failed_handoffs:
        say(f"failed: {handoff.kind} of item {handoff.item}: {handoff.reason}")
    for page in report.ocr_low:
        say(f"ocr: {page['name']}: mean word confidence {page['confidence']:.1f}, below the threshold: review its text")
    counts = report.as_dict()["counts"]
    if report.dry_run:
        line = (
            f"{report.collection} (dry run, nothing stored): {report.items_created} items would be created, "
            f"{report.items_updated} updated; files: {counts['checked']} checked, "
        )
    else:
        line = f"{report.collection}: {report.items_created} items created, {report.items_updated} updated; files: "
        line += f"{counts['stored']} stored, "
    line += f"{counts['already_ingested']} already ingested, {counts['failed']} failed"
    if counts.get("remaining"):
        line += f", {counts['remaining']} queued (batch {report.batch})"
    extra = [
        (len(report.held_back), "items held back" if not report.dry_run else "items would be held back"),
        (len(report.unlisted), f"files not in {missing_from}"),
        (sum(1 for f in report.files if f.quality_reasons), "files failed quality checks"),
        (len(report.warnings), "warnings"),
        (len(report.ocr_low), "pages of text to review (heritage ocr status)"),
    ]
    line += "".join(f"; {n} {what}" for n, what in extra if n)
    if report.failed_handoffs:
        kinds = sorted({h.kind for h in report.failed_handoffs})
        line += f"; after the files, {len(report.failed_handoffs)} items failed ({', '.join(kinds)})"
    click.echo(line)
