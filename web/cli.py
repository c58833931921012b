"""`heritage serve` and `heritage demo`: the catalogue on a development server, and the demo data set."""

from __future__ import annotations

import errno
import socket
import sys
import time

import click

from heritage.cli import open_runtime
from heritage.errors import ConfigurationError
from heritage.runtime import Runtime


def check_port(host: str, port: int) -> None:
    """Raises: ConfigurationError: the port is taken or the address cannot be used."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigurationError(f"port {port} on {host} is in use; choose another with --port") from None
            raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def run_server(runtime: Runtime, host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    from web import create_app

    check_port(host, port)
    app = create_app(runtime=runtime)
    click.echo(f"catalogue at http://{host}:{port}/  (data: {runtime.settings.data_dir}; Ctrl+C stops)", err=True)
    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve the catalogue, the API and IIIF (development server; use gunicorn in production)."""
    check_port(host, port)
    run_server(open_runtime(), host, port)


@click.command()
@click.option("--no-serve", is_flag=True, help="Only build the demo data set.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def demo(no_serve: bool, host: str, port: int) -> None:
    """Build the demo catalogue (idempotent) and serve it."""
    from ingest.demo.dataset import build_demo, demo_users

    if not no_serve:
        check_port(host, port)
    runtime = open_runtime()
    for user in demo_users():  # documented demo accounts, to try the roles at /login
        click.echo(f"demo user {user['username']} / {user['password']} ({user['role']})", err=True)
    started = time.monotonic()
    reports = build_demo(runtime, log=lambda line: click.echo(line, err=True))
    failed = sum(len(r.failed) for r in reports)
    click.echo(
        f"demo ready in {time.monotonic() - started:.0f} s "
        f"({runtime.index.count()} records indexed{', ' + str(failed) + ' files failed' if failed else ''})",
        err=True,
    )
    if failed:
        sys.exit(1)
    if not no_serve:
        run_server(runtime, host, port)
