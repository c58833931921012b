"""`heritage catalogue update FILE`: change many items from a sheet, through the one editing service."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from heritage.access import Viewer
from heritage.cli import open_runtime
from heritage.editing.fields import field_named
from heritage.editing.masterplan_facts import fact_cell, is_fact
from heritage.editing.service import reindex
from heritage.editing.sheet import SheetPlan, apply, plan
from heritage.export.tabular import field_cell
from heritage.models import Role

# The command line acts for whoever runs it on the server (as `heritage access set` does); --by names a user
# whose rights are checked instead.
OPERATOR = Viewer(username="cli", roles=frozenset({(Role.ADMINISTRATOR.value, None)}))


def _shown(name: str, value: Any) -> str:
    spec = field_named(name)
    if is_fact(name):
        text = fact_cell(name, value)
    else:
        text = field_cell(spec, value) if spec is not None else ("" if value is None else str(value))
    return repr(text) if text else "(empty)"


def show(sheet: SheetPlan) -> None:
    """Per row that changes: its line, item and each field before -> after; warnings on stderr."""
    for row in sheet.changed:
        click.echo(f"{sheet.name}:{row.line}: {row.item_id} {row.title!r}")
        for change in row.changes:
            click.echo(
                f"  {change.field}: {_shown(change.field, change.before)} -> {_shown(change.field, change.after)}"
            )
        for warning in row.warnings:
            click.echo(f"{sheet.name}:{row.line}: warning: {warning}", err=True)
    if sheet.ignored:
        click.echo(f"columns left alone (an update does not change them): {', '.join(sheet.ignored)}", err=True)


@click.group("catalogue")
def catalogue_group() -> None:
    """Change the catalogue's descriptions (every change a revision, like the web form's)."""


@catalogue_group.command("update")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--by", "username", metavar="USERNAME", help="Act as this user (their right to edit each item is checked)."
)
@click.option("--reason", help="Why (kept in every revision; default: the sheet and its line).")
def update(file: Path, dry_run: bool, username: str | None, reason: str | None) -> None:
    """Change items from FILE: the CSV `heritage export --format csv` writes, or any of its columns with
    heritage_id. Every row is checked first; a sheet with any problem changes nothing."""
    from heritage import auth

    runtime = open_runtime()
    with runtime.transaction() as session:
        if username:
            user = auth.get_user(session, username)
            if not user.active:
                raise click.ClickException(f"user {username!r} is disabled")
            viewer = auth.viewer_of(session, user)
        else:
            viewer = OPERATOR
        sheet = plan(session, file.read_bytes(), name=str(file), viewer=viewer)
        if not sheet.ok:
            for problem in sheet.problems:
                click.echo(problem, err=True)
            click.echo(f"{file}: {len(sheet.problems)} problem(s); nothing was changed", err=True)
            session.rollback()
            sys.exit(1)
        show(sheet)
        if dry_run:
            session.rollback()
            click.echo(f"dry run: {len(sheet.changed)} item(s) would change; nothing was changed")
            return
        saved = apply(session, sheet, viewer=viewer, agent=username or "cli", reason=reason)
    reindex(runtime, saved)
    click.echo(f"updated {sum(1 for s in saved if s.revision)} item(s)")
