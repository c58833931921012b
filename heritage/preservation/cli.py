"""`heritage preservation ...`: the OCFL store from the command line."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from heritage.errors import ConfigurationError


@click.group("preservation")
def preservation() -> None:
    """The preservation store (OCFL 1.1): versions, validation, format risks."""


@preservation.command("sync")
@click.option("--item", "item_id", metavar="ID", help="Only this item.")
@click.option("--all", "all_items", is_flag=True, help="Every item of the catalogue.")
def sync(item_id: str | None, all_items: bool) -> None:
    """Write a new OCFL version of every item whose state (metadata, files, events) changed since its last one."""
    from heritage.cli import open_runtime
    from heritage.models import Item
    from heritage.preservation.outbox import drain
    from heritage.preservation.service import preserve

    if bool(item_id) == all_items:
        raise click.UsageError("give --item ID or --all")
    runtime = open_runtime()
    drained = drain(runtime)  # the changes that wait first (this command waits for another drain to end)
    if drained.stopped:
        raise ConfigurationError(drained.stopped)
    if item_id:
        ids = [item_id]
    else:
        with runtime.sessions() as session:
            ids = list(session.scalars(select(Item.id).order_by(Item.id)))
    written = caught_up = behind = 0
    with click.progressbar(ids, label="preserving", file=sys.stderr) as bar:
        for one in bar:
            done = preserve(runtime, one, message="heritage preservation sync")
            written += done.version is not None
            caught_up += done.replicated and done.version is None
            behind += not done.in_step
    click.echo(
        f"{written} new versions, {len(ids) - written} objects already current"
        + (f"; {drained.versions} versions of changes that waited in the outbox" if drained.versions else "")
        + (f"; {caught_up} replicas brought up to date" if caught_up else "")
    )
    if behind:
        click.echo(f"error: {behind} replicas could not be brought up to date (see their replication events)", err=True)
        sys.exit(1)


@preservation.command("validate")
@click.option("--no-digests", is_flag=True, help="Check structure and inventories only, not every file's digest.")
def validate(no_digests: bool) -> None:
    """Validate the whole storage root with the OCFL validator of ocfl-py, and check it holds every item of the
    catalogue as it is now (exit 1 on any problem)."""
    from heritage.cli import open_runtime
    from heritage.preservation import behind
    from heritage.preservation.outbox import waiting
    from heritage.preservation.service import store_of

    runtime = open_runtime()
    store = store_of(runtime)
    problems = store.validate(check_digests=not no_digests)
    objects = list(store.objects())
    with runtime.sessions() as session:
        gaps = behind.absent(session, {item for item, _ in objects})
        pending = waiting(session)
    for item, folder in objects:
        with runtime.sessions() as session:
            gaps += behind.object_behind(session, item, folder, pending)
    problems += [f"{g.item}: {g.path}: {g.problem} ({g.detail})" for g in gaps]
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo(f"{store.root}: valid OCFL 1.1 storage root, in step with the catalogue ({len(objects)} objects)")


CRON_LINE = "0 3 1 * * HERITAGE_DATA=/path/to/data heritage fixity audit --due"


@click.group("fixity")
def fixity() -> None:
    """Fixity of the preservation store: audits (scheduled or by hand) and repair from the replica."""


@fixity.command("audit")
@click.option("--all", "mode", flag_value="all", help="Every object (the default).")
@click.option("--due", "mode", flag_value="due", help="The objects due in the cycle (HERITAGE_FIXITY_CYCLE_DAYS).")
@click.option("--item", "item_id", metavar="ID", help="Only this item's object.")
@click.option("--sample", type=click.FloatRange(0, 1, min_open=True), help="Audit this fraction of the objects.")
@click.option("--json", "as_json", is_flag=True, help='Print {"problems": [{"item", "path", "problem"}], ...}.')
@click.option("--by", "agent", default=None, help="Who runs the audit (the events' agent).")
@click.option("--replica", is_flag=True, help="Audit the replica (HERITAGE_REPLICA) instead of the store.")
def audit_cmd(
    mode: str | None, item_id: str | None, sample: float | None, as_json: bool, agent: str | None, replica: bool
) -> None:
    """Recompute every stored file's SHA-512 and compare it with the OCFL inventory; report items without an object
    and objects behind the catalogue (or a replica behind the store) too (exit 1 on any problem)."""
    import json

    from heritage import events
    from heritage.cli import open_runtime
    from heritage.preservation.fixity import audit, plan

    runtime = open_runtime()
    chosen = plan(runtime, mode=mode or "all", sample=sample, item_id=item_id, replica=replica)
    with click.progressbar(length=max(len(chosen.objects), 1), label="auditing", file=sys.stderr) as bar:
        report = audit(
            runtime,
            chosen.objects,
            agent=agent or events.SOFTWARE_AGENT,
            on_object=lambda _r: bar.update(1),
            replica=replica,
            absent=chosen.absent,
        )
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=1))
    else:
        for p in report.problems:
            click.echo(f"{p.item}: {p.path}: {p.problem}" + (f" ({p.detail})" if p.detail else ""))
        mb = report.bytes / 1e6
        click.echo(
            f"audited {report.objects} objects, {report.files} files, {mb:.1f} MB in {report.seconds:.1f} s: "
            + (f"{len(report.problems)} problems" if report.problems else "no problems"),
            err=bool(report.problems),
        )
    if report.problems:
        sys.exit(1)


@fixity.command("repair")
@click.argument("item_id", metavar="ITEM")
@click.option("--by", "agent", default=None, help="Who repairs (the event's agent).")
def repair_cmd(item_id: str, agent: str | None) -> None:
    """Restore an object's damaged or missing files from the replica (checked first); quarantine extra files."""
    from heritage import events
    from heritage.cli import open_runtime
    from heritage.preservation.repair import repair

    result = repair(open_runtime(), item_id, agent=agent or events.SOFTWARE_AGENT)
    for path in result.restored:
        click.echo(f"restored {path}")
    for path in result.quarantined:
        click.echo(f"quarantined {path}")
    for problem in result.remaining:
        click.echo(f"not repaired: {problem.path}: {problem.problem} (the replica has no good copy)", err=True)
    if result.remaining:
        sys.exit(1)
    whole = result.restored or result.quarantined
    click.echo(f"{item_id}: the object is whole again" if whole else f"{item_id}: nothing to repair")


@fixity.command("schedule")
def schedule_cmd() -> None:
    """Schedule `audit --due` every twelfth of the cycle on rq (REDIS_URL; workers run with the scheduler)."""
    from heritage.cli import open_runtime
    from heritage.preservation.jobs import schedule_audits

    runtime = open_runtime()
    if not runtime.settings.redis_url:
        click.echo(f"without REDIS_URL, schedule the audit with cron, for example:\n  {CRON_LINE}")
        return
    when = schedule_audits(runtime)
    click.echo(f"fixity audit of the due objects scheduled for {when:%Y-%m-%d %H:%M} UTC, then every cycle/12")


@click.command("rebuild-from-store")
def rebuild_from_store() -> None:
    """Fill an empty catalogue database from the OCFL store alone: items, records, files and events.

    A rebuild that stopped midway (killed, a power cut) is resumed by running this again.
    """
    from heritage.cli import open_runtime
    from heritage.preservation.rebuild import rebuild
    from heritage.search.indexer import reindex_all

    runtime = open_runtime()
    with click.progressbar(length=1, label="rebuilding", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        result = rebuild(runtime, progress)
    reindex_all(runtime)
    click.echo(
        f"rebuilt {result.items} items, {result.records} records, {result.files} files and {result.events} events "
        f"from the store ({result.masters_restored} masters restored to the working store)"
        + (f"; {result.resumed} items were restored by the earlier run that stopped" if result.resumed else "")
    )
    for missing in result.unknown_locations:
        click.echo(f"warning: location not in the catalogue, left empty: {missing}", err=True)


@preservation.command("risks")
@click.option("--json", "as_json", is_flag=True, help='Print {"files", "at_risk", "groups", "files_at_risk"}.')
def risks(as_json: bool) -> None:
    """Files not in a preferred preservation format (masterplan 3c), by collection and unit."""
    import json

    from heritage.cli import open_runtime
    from heritage.preservation.risks import report

    runtime = open_runtime()
    with runtime.sessions() as session:
        found = report(session)
    if as_json:
        click.echo(json.dumps(found, indent=1, ensure_ascii=False))
        return
    for group in found["groups"]:
        click.echo(f"{group['collection']} ({group['unit']}): {group['at_risk']} of {group['files']} files at risk")
        for fmt in group["formats"]:
            puid = fmt["puid"] or "-"
            click.echo(f"  {fmt['files']:>6}  {fmt['risk']:<7} {fmt['status']:<13} {puid:<10} {fmt['format']}")
    click.echo(f"{found['at_risk']} of {found['files']} stored files are not in a preferred or accepted format")
