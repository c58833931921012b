"""`heritage metadata validate|convert` and `heritage schemas install`: the standards on the command line.

Validation answers with one line naming the standard (exit 0) or every problem as `FILE:LINE: message`
(exit 1); without a schemas folder it says once, on stderr, that XSD validation was skipped and how to
enable it. Nothing here downloads unless the user runs `heritage schemas install` without `--from`.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from heritage import standards
from heritage.errors import BadRequest
from heritage.runtime import ensure_data_dir
from heritage.settings import Settings
from metadata_schemas import checking, registry, same_standard, schemas, xmlsafe
from metadata_schemas.errors import InvalidMetadata
from metadata_schemas.report import losses

BINARY_TARGETS = {"dwc", "marc"}


def _formats() -> list[str]:
    return ["auto", *sorted(s.name for s in registry.standards())]


def _activate() -> Settings:
    settings = Settings.load()
    standards.activate(settings)
    if schemas.active() is None:
        notice = schemas.notice_once()
        if notice:
            click.echo(f"notice: {notice}", err=True)
    return settings


PROGRESS_FROM_BYTES = 10 * 1024 * 1024


@contextmanager
def _progress(file: Path, label: str) -> Iterator[None]:
    """A progress bar on stderr while a large file streams through the parser."""
    size = file.stat().st_size if file.is_file() else 0
    if size < PROGRESS_FROM_BYTES:
        yield
        return
    with click.progressbar(length=size, label=f"{label} {file.name}", file=sys.stderr) as bar:

        def advance(count: int) -> None:
            bar.update(min(count, size - bar.pos))

        with xmlsafe.reporting(advance):
            yield


@click.group()
def metadata() -> None:
    """Metadata standards: validate a file, convert it to another standard."""


@metadata.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", default="auto", show_default=True, type=click.Choice(_formats()), help="Standard.")
def validate(file: Path, fmt: str) -> None:
    """Validate FILE: one line naming its standard, or every problem as FILE:LINE: message (exit 1)."""
    _activate()
    with _progress(file, "validating"):
        report = checking.check(file, fmt)
    if report.valid and report.standard is not None:
        how = "against its XSD" if report.xsd else "structure only"
        click.echo(f"{file}: valid {report.standard.label} ({report.standard.name}; {how})")
        return
    for problem in report.problems:
        click.echo(str(problem))
    label = report.standard.label if report.standard else "no known standard"
    click.echo(f"{file}: {len(report.problems)} problem(s) ({label})", err=True)
    sys.exit(1)


@metadata.command("convert")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--to", "to", required=True, type=click.Choice(sorted(checking.TARGETS)), help="Target standard.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@click.option("--format", "fmt", default="auto", show_default=True, type=click.Choice(_formats()), help="Source.")
@click.option("--strict", is_flag=True, help="Refuse a source that breaks its schema (default: warn and convert).")
@click.option("--report", is_flag=True, help="List on stderr every value the target cannot hold.")
def convert(file: Path, to: str, output: Path | None, fmt: str, strict: bool, report: bool) -> None:
    """Convert FILE to another standard (--to json: {"records": [...]}); the output is validated first.

    FILE in its own standard comes back as it came. A source that breaks its schema is converted with
    each problem printed as a warning (--strict refuses it), as `heritage ingest` does."""
    _activate()
    if not file.exists():
        raise BadRequest(f"{file}: no such file or folder")
    stdout = sys.stdout.buffer
    if output is None and to in BINARY_TARGETS and stdout.isatty():
        raise click.UsageError(
            f"--to {to} writes binary data (a {'zip' if to == 'dwc' else 'MARC'} file): give -o PATH"
        )
    checked = checking.check(file, fmt)
    if checked.standard is not None and checked.problems:
        refuse = strict or any(p.lost for p in checked.problems)
        for problem in checked.problems:
            click.echo(f"{'error' if refuse else 'warning'}: {problem}", err=True)
        if strict:
            click.echo(f"{file}: {len(checked.problems)} problem(s); --strict converts only a valid file", err=True)
        elif refuse:
            click.echo(f"{file}: text of its records is missing (entities that are never expanded)", err=True)
        if refuse:
            sys.exit(1)
    cores = []
    kept = []
    skipped = 0
    with _progress(file, "reading"):
        records = list(checking.records(file, fmt))
    for record in records:
        if not record.core.to_dict().keys() - {"title"} and not record.core.title:
            skipped += 1
            for problem in record.problems:
                click.echo(f"skipped: {problem}", err=True)
            continue
        cores.append(record.core)
        kept.append(record)
    if not cores:
        raise InvalidMetadata([p for p in checked.problems] or [])
    source = checked.standard.name if checked.standard is not None else None
    try:
        data = _convert(cores, to, file, source)
    except InvalidMetadata as exc:  # the output would not be valid: say every reason, write nothing
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    if report and to != "json" and checking.TARGETS[to] != same_standard.OWN.get(source or "", source):
        for problem in losses(file, kept, data, checking.TARGETS[to]):
            click.echo(f"lost: {problem}", err=True)
    _write(data, output, stdout)
    target = to if to == "json" else registry.get(checking.TARGETS[to]).label
    note = f" ({skipped} unreadable skipped)" if skipped else ""
    click.echo(f"converted {len(cores)} record(s) to {target}{note}", err=True)


def _convert(cores: list, to: str, file: Path, source: str | None) -> bytes:  # type: ignore[type-arg]
    buffer = io.BytesIO()
    for warning in checking.convert(cores, to, buffer, file, source):
        click.echo(f"warning: {warning}", err=True)
    return buffer.getvalue()


def _write(data: bytes, output: Path | None, stdout) -> None:  # type: ignore[no-untyped-def]
    if output is None:
        stdout.write(data)
        stdout.flush()
        return
    output = output.absolute()
    with tempfile.NamedTemporaryFile(dir=output.parent, prefix=f".{output.name}.", delete=False) as tmp:
        try:
            tmp.write(data)
        except BaseException:
            tmp.close()
            os.unlink(tmp.name)
            raise
    os.replace(tmp.name, output)


@click.group("schemas")
def schemas_group() -> None:
    """The official XSD schemas for offline validation."""


@schemas_group.command("install")
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, file_okay=False),
    help="Copy a schemas folder (XSDs with a catalog.xml) instead of downloading.",
)
def install(source: Path | None) -> None:
    """Put the official XSDs into <data>/schemas: from a folder, or downloaded from their publishers."""
    settings = Settings.load()
    ensure_data_dir(settings.data_dir)
    dest = settings.data_dir / "schemas"
    if source is not None:
        if not source.is_dir():
            raise BadRequest(f"{source}: no such folder")
        keys = schemas.copy_folder(source, dest)
    else:
        for item in schemas.sources().values():
            click.echo(f"{item.key}: {item.url} ({item.publisher})", err=True)
        keys = schemas.download(dest, progress=lambda url: click.echo(f"downloading {url}", err=True))
    missing = sorted(set(schemas.sources()) - set(keys))
    click.echo(
        f"installed schemas in {dest}: {', '.join(keys)}" + (f" (missing: {', '.join(missing)})" if missing else "")
    )
    if settings.schemas_dir is not None:
        click.echo(f"note: HERITAGE_SCHEMAS={settings.schemas_dir} is set and takes precedence", err=True)
