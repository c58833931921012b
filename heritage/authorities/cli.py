"""`heritage authorities`: merge, rename, update from a CSV, export as EAC-CPF, and list."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from heritage.authorities import bulk, eac, service
from heritage.cli import open_runtime
from heritage.errors import BadRequest
from heritage.runtime import Runtime


def _reindex(runtime: Runtime, ids: list[str]) -> None:
    """Search follows the change at once (the outbox catches what a kill leaves)."""
    if ids:
        from heritage.search.indexer import index_items

        index_items(runtime, ids)


def _show(value: Any) -> str:
    if value in (None, "", []):
        return "(empty)"
    return " | ".join(value) if isinstance(value, list) else str(value)


def _echo_changes(prefix: str, changes: list[service.Change]) -> None:
    for change in changes:
        click.echo(f"{prefix}{change.field}: {_show(change.before)} -> {_show(change.after)}")


@click.group("authorities")
def authorities_group() -> None:
    """Authority records: persons, corporate bodies, families, places, subjects and taxa."""


@authorities_group.command("merge")
@click.argument("merged")
@click.argument("survivor")
@click.option("--reason", help="Why (kept in the event).")
@click.option("--by", "agent", default="cli", show_default=True, help="Who merges (kept in the event).")
def merge_cmd(merged: str, survivor: str, reason: str | None, agent: str) -> None:
    """Merge authority MERGED into SURVIVOR: its items, names and external ids go to SURVIVOR, and MERGED
    redirects to it from then on."""
    runtime = open_runtime()
    with runtime.transaction() as session:
        changed = service.merge(session, merged, survivor, agent=agent, reason=reason)
    _reindex(runtime, changed.reindex)
    click.echo(f"merged {merged} into {survivor}; {len(changed.reindex)} linked items")
    _echo_changes(f"{survivor}: ", changed.changes)


@authorities_group.command("rename")
@click.argument("authority_id", metavar="ID")
@click.argument("name")
@click.option("--reason", help="Why (kept in the event).")
@click.option("--by", "agent", default="cli", show_default=True, help="Who renames (kept in the event).")
def rename_cmd(authority_id: str, name: str, reason: str | None, agent: str) -> None:
    """Give authority ID the preferred name NAME (the former one stays as a variant); its items are re-indexed."""
    runtime = open_runtime()
    with runtime.transaction() as session:
        changed = service.rename(session, authority_id, name, agent=agent, reason=reason)
    _reindex(runtime, changed.reindex)
    if not changed.changes:
        click.echo(f"{authority_id}: already named {name!r}")
    _echo_changes(f"{authority_id}: ", changed.changes)


@authorities_group.command("update")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--by", "agent", default="cli", show_default=True, help="Who changes them (kept in the events).")
def update_cmd(file: Path, dry_run: bool, agent: str) -> None:
    """Change authorities from a CSV (columns id, type, name, variants, dates, note, ids; lists separated by |;
    an empty id makes a new one). Shows per row what changes; a file with any error changes nothing."""
    runtime = open_runtime()
    try:
        with runtime.transaction() as session:
            outcomes, reindex = bulk.apply_file(session, file, agent=agent)
            if dry_run:
                session.rollback()
    except bulk.FileErrors as exc:
        for line in exc.errors:
            click.echo(line, err=True)
        click.echo(f"{file}: {len(exc.errors)} errors; nothing was changed", err=True)
        sys.exit(1)
    for outcome in outcomes:
        what = "new" if outcome.created else ("changes" if outcome.changes else "unchanged")
        click.echo(f"{file}:{outcome.line}: {outcome.authority_id} {what}")
        _echo_changes("    ", outcome.changes)
    changed = sum(1 for o in outcomes if o.created or o.changes)
    if dry_run:
        click.echo(f"dry run: {changed} of {len(outcomes)} rows would change; nothing was changed", err=True)
        return
    _reindex(runtime, reindex)
    click.echo(f"{changed} of {len(outcomes)} rows changed", err=True)


@authorities_group.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(["eac-cpf"]), help="eac-cpf: EAC-CPF 2010.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Folder to write (one file an "
              "agent), or a file with --id.")  # fmt: skip
@click.option("--id", "authority_id", help="Only this person, corporate body or family.")
@click.option(
    "--scope",
    type=click.Choice(["public", "all"]),
    default="public",
    show_default=True,
    help="public: the relations name only items the public may see; all: every linked item.",
)
def export_cmd(fmt: str, output: Path, authority_id: str | None, scope: str) -> None:
    """Export persons, corporate bodies and families as EAC-CPF records (written aside, moved into place)."""
    from heritage.access import PUBLIC, Viewer

    if output.exists():
        raise BadRequest(f"{output} exists; choose another path (an export never overwrites)")
    if not output.parent.is_dir():
        raise BadRequest(f"{output.parent} is not a folder")
    viewer = PUBLIC if scope == "public" else Viewer("export", frozenset({("administrator", None)}))
    runtime = open_runtime()
    agency = runtime.settings.oai_name
    base = runtime.settings.base_url
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        with runtime.sessions() as session:
            if authority_id:
                found = service.resolve(session, authority_id)
                if found.type not in eac.agent_types():
                    raise BadRequest(f"authority {authority_id} is a {found.type}: EAC-CPF describes persons, "
                                     "corporate bodies and families")  # fmt: skip
                xml = eac.record(session, found, agency=agency, base_url=base, viewer=viewer)
                (staging / "out.xml").write_bytes(eac.serialise(xml))
                os.replace(staging / "out.xml", output)
                count = 1
            else:
                folder = staging / "out"
                folder.mkdir()
                histories = service.histories(session)
                count = 0
                for agent in eac.agents(session):
                    events = histories.get(agent.id, [])
                    xml = eac.record(session, agent, agency=agency, base_url=base, viewer=viewer, events=events)
                    (folder / f"{agent.id}.xml").write_bytes(eac.serialise(xml))
                    count += 1
                os.replace(folder, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    click.echo(f"exported {count} agents as {fmt} to {output}")


@authorities_group.command("list")
@click.option("--type", "kind", help="Only this type.")
@click.option("-q", "query", default="", help="Names with a word starting with this.")
@click.option("--limit", type=click.IntRange(1, service.MAX_SUGGESTIONS), default=20, show_default=True)
def list_cmd(kind: str | None, query: str, limit: int) -> None:
    """Authorities by name (id, type, preferred name, external ids), tab-separated."""
    runtime = open_runtime()
    with runtime.sessions() as session:
        for found in service.suggest(session, query, kind, limit):
            click.echo("\t".join([found.id, found.type, found.name, " ".join(i.uri for i in found.ids)]))
