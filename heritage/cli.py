"""The `heritage` command. Commands of the upper layers (serve, demo, ingest) arrive through the
`heritage.commands` entry points, so this layer never imports them.

Every error a user can cause becomes one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from typing import Any

import click

from heritage.errors import HeritageError
from heritage.runtime import Runtime
from heritage.settings import SETTINGS, Settings
from metadata_schemas.errors import MetadataError


class HeritageGroup(click.Group):
    """A click group that loads plugin commands lazily and maps our errors to one clear line."""

    def _plugins(self) -> dict[str, Any]:
        return {ep.name: ep for ep in entry_points(group="heritage.commands")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugins()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in self._plugins():
            command = self._plugins()[cmd_name].load()
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (HeritageError, MetadataError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


def open_runtime(**overrides: Any) -> Runtime:
    """Settings from the environment (plus overrides), checked, migrated; closed when the command ends.

    Closing gives pooled database connections back at once, which matters when commands run inside a
    longer-lived process (tests, a scheduler) rather than as their own process. Changes that a killed
    process committed and the preservation store never got are written first, and (without `REDIS_URL`)
    what the command itself left waiting when it ends (see `drain_waiting`).
    """
    runtime = _closing(Runtime.open(Settings.load(overrides)))
    drain_waiting(runtime)
    ctx = click.get_current_context(silent=True)
    if ctx is not None and not runtime.settings.redis_url:
        ctx.call_on_close(lambda: drain_waiting(runtime))  # runs before the runtime closes (last in, first out)
    return runtime


def drain_waiting(runtime: Runtime) -> None:
    """Drain the search and preservation outboxes (one query each when empty); say so when changes are left
    waiting."""
    from heritage.preservation.outbox import drain_at_start
    from heritage.search import outbox as search_outbox

    try:
        search_outbox.drain(runtime)
    except Exception as exc:  # the command the user asked for still runs; the next one tries again
        click.echo(f"warning: the search index could not be brought up to date: {type(exc).__name__}: {exc}", err=True)

    try:
        report = drain_at_start(runtime)
    except Exception as exc:  # the command the user asked for still runs; the next one tries again
        click.echo(f"warning: the preservation outbox could not be drained: {type(exc).__name__}: {exc}", err=True)
        return
    warning = report.warning(runtime) if report else None
    if warning:
        click.echo(f"warning: {warning}", err=True)


def _closing(runtime: Runtime) -> Runtime:
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(runtime.close)
    return runtime


_settings_help = "\n".join(f"  {s.env:<26} {s.help}" for s in SETTINGS)


@click.group(
    cls=HeritageGroup,
    epilog=f"Settings (environment variables):\n{_settings_help}",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.version_option(package_name="heritage")
def main() -> None:
    """Heritage collection management and digitisation: ingest, catalogue, IIIF and masterplan policy."""


@main.command()
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run background jobs from Redis (needs REDIS_URL)."""
    from heritage.errors import ConfigurationError
    from heritage.jobs import run_worker

    runtime = open_runtime()
    if not runtime.settings.redis_url:
        raise ConfigurationError("heritage worker needs REDIS_URL: without it jobs run inline")
    click.echo(f"worker on queue {runtime.settings.queue_name!r} at {runtime.settings.redis_url}", err=True)
    run_worker(runtime, burst=burst)


@main.group()
def db() -> None:
    """Database schema: migrations on SQLite and PostgreSQL."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from heritage import db as database

    runtime = _closing(Runtime.open(Settings.load(), migrate=False))
    database.upgrade(runtime.engine, revision)
    click.echo(f"database at revision {database.current_revision(runtime.engine)}")


@db.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    from heritage import db as database

    runtime = _closing(Runtime.open(Settings.load(), migrate=False))
    current = database.current_revision(runtime.engine)
    head = database.head_revision()
    click.echo(f"{current or '(empty)'}" + ("" if current == head else f" (newest is {head})"))


@main.command()
@click.option(
    "--procs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes that analyse and write the new index side by side (one per free core).",
)
def reindex(procs: int) -> None:
    """Rebuild the search index from the database."""
    from heritage.search.indexer import reindex_all

    runtime = open_runtime()
    with click.progressbar(length=1, label="indexing", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        count = reindex_all(runtime, progress, procs=procs)
    click.echo(f"indexed {count} items")


@main.command("settings")
def show_settings() -> None:
    """Show every setting, its environment variable and the value in force."""
    settings = Settings.load()
    for s in SETTINGS:
        click.echo(f"{s.env}={getattr(settings, s.name)!s}    # {s.help}")


# Commands of the heritage layer defined in their own modules.
from heritage.metadata_cli import metadata, schemas_group  # noqa: E402

main.add_command(metadata)
main.add_command(schemas_group)


def _add_layer_commands() -> None:
    """The masterplan commands of this layer (policy, locations, transfers) live in their own packages."""
    from heritage.authorities.cli import authorities_group
    from heritage.export.cli import export
    from heritage.fulltext.cli import ocr_group
    from heritage.locations.cli import locations, report_cmd, transfers
    from heritage.museum.exhibitions_cli import exhibitions_group
    from heritage.policy.cli import policy
    from heritage.preservation.cli import fixity, preservation, rebuild_from_store

    for command in (policy, locations, transfers, report_cmd, export, preservation, fixity, rebuild_from_store,
                    authorities_group, ocr_group, exhibitions_group):  # fmt: skip
        main.add_command(command)


_add_layer_commands()


def _add_account_commands() -> None:
    """Accounts, API tokens, access and cataloguing (`heritage user`, `token`, `access`, `catalogue`)."""
    from heritage.access_cli import access_group
    from heritage.editing.cli import catalogue_group
    from heritage.users_cli import token_group, user_group

    main.add_command(user_group)
    main.add_command(token_group)
    main.add_command(access_group)
    main.add_command(catalogue_group)


_add_account_commands()


def _add_museum_commands() -> None:
    """The registrar's procedures (`heritage loans`, `condition`, `objects`) live in heritage/museum/."""
    from heritage.museum.cli import condition_group, loans_group, objects_group

    for command in (loans_group, condition_group, objects_group):
        main.add_command(command)


_add_museum_commands()
