"""`heritage user` and `heritage token`: accounts, roles per unit, and API tokens for scripts."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta

import click

from heritage import auth
from heritage.cli import open_runtime
from heritage.models import Role


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(click.prompt("password", hide_input=True, confirmation_prompt=True, err=True))


@click.group("user")
def user_group() -> None:
    """Accounts: add, list, disable (roles: administrator, collection_manager, archivist, reader)."""


@user_group.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role.")
@click.option("--unit", help="Slug of the custodial unit (required for archivists and collection managers).")
@click.option("--name", "display_name", help="Full name shown on pages.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def user_add(username: str, role: str, unit: str | None, display_name: str | None, password_stdin: bool) -> None:
    """Add a user with a role (for one unit); the password is asked for, or read from stdin."""
    password = _password(password_stdin)
    runtime = open_runtime()
    with runtime.transaction() as session:
        user = auth.add_user(session, username, password, role, unit, display_name=display_name)
        click.echo(f"added {user.username} ({', '.join(auth.role_labels(session, user))})")


@user_group.command("list")
def user_list() -> None:
    """Every user with their roles and whether they may sign in."""
    runtime = open_runtime()
    with runtime.sessions() as session:
        for user in auth.list_users(session):
            state = "active" if user.active else "disabled"
            click.echo(f"{user.username}\t{state}\t{' '.join(auth.role_labels(session, user))}")


@user_group.command("disable")
@click.argument("username")
def user_disable(username: str) -> None:
    """Disable a user: their sessions and tokens stop working at once (an event)."""
    runtime = open_runtime()
    with runtime.transaction() as session:
        user = auth.set_active(session, username, False)
        click.echo(f"disabled {user.username}")


@click.group("token")
def token_group() -> None:
    """API tokens for scripts that read, harvest, ingest or edit (sent as `Authorization: Bearer TOKEN`)."""


@token_group.command("create")
@click.argument("username")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(list(auth.SCOPES)),
    help="What the token may do (repeatable; default read).",
)
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="Last day the token works (YYYY-MM-DD).")
def token_create(username: str, scopes: tuple[str, ...], expires: datetime | None) -> None:
    """Create a token for USERNAME and print it once (only its hash is kept)."""
    runtime = open_runtime()
    expiry: date | None = expires.date() if expires else None
    with runtime.transaction() as session:
        row, token = auth.create_token(session, username, scopes or ("read",), auth.expiry_of(expiry))
        click.echo(token)
        until = f", until {expiry.isoformat()}" if expiry else ""
        click.echo(f"token {row.id} ({row.prefix}...) for {username}: {row.scopes}{until}", err=True)


@token_group.command("revoke")
@click.argument("id_or_prefix")
def token_revoke(id_or_prefix: str) -> None:
    """Revoke a token by its number or its first characters (an event)."""
    runtime = open_runtime()
    with runtime.transaction() as session:
        row = auth.revoke_token(session, id_or_prefix)
        click.echo(f"revoked token {row.id} ({row.prefix}...)")


@token_group.command("list")
def token_list() -> None:
    """Every token: number, prefix, user, scopes, expiry, state."""
    runtime = open_runtime()
    with runtime.sessions() as session:
        for row in auth.list_tokens(session):
            state = "revoked" if row.revoked_at else "active"
            expiry = (row.expires_at - timedelta(seconds=1)).date().isoformat() if row.expires_at else "-"
            click.echo(f"{row.id}\t{row.prefix}...\t{row.user.username}\t{row.scopes}\t{expiry}\t{state}")
