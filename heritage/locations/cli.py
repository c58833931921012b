"""`heritage locations ...`, `heritage transfers ...` and `heritage report UNIT`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from heritage.policy.cli import default_agent, parse_day


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


@click.group()
def locations() -> None:
    """Locations: suggestions, environment readings, moves, inventory checks, light doses."""


@locations.command("suggest")
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True)
def suggest_cmd(item_id: str, as_json: bool) -> None:
    """The best locations for ITEM_ID with reasons, and why the others fail."""
    from heritage.cli import open_runtime
    from heritage.locations.matching import suggest_for

    runtime = open_runtime()
    with runtime.sessions() as session:
        result = suggest_for(session, item_id)
    if as_json:
        _echo_json(result)
        return
    if not result["candidates"]:
        click.echo("no location meets every hard rule; the least bad are listed below", err=True)
    for c in result["candidates"]:
        click.echo(f"{c['score']:.3f}  {c['location']:<18} {'; '.join(c['reasons'])}")
    for r in result["rejected"]:
        click.echo(f"  no   {r['location']:<18} {'; '.join(r['reasons'])}")


@locations.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--by", "agent", default=default_agent)
def import_cmd(file: Path, agent: str) -> None:
    """Create or update locations from a CSV FILE, by code (columns: code, name, name_en, kind, parent, building,
    unit, functions, capacity, capacity_unit, used, floor_load, area_m2, t, rh, flags, security_level, max_lux,
    lit_hours_<function>). A file with any problem changes nothing (each printed as FILE:LINE: message; exit 1)."""
    from heritage.cli import open_runtime
    from heritage.locations.service import import_file

    runtime = open_runtime()
    with runtime.transaction() as session:
        counts = import_file(session, file, agent=agent)
    click.echo(f"{file}: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")


@locations.command("import-readings")
@click.argument("location")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--by", "agent", default=default_agent)
def import_readings_cmd(location: str, file: Path, agent: str) -> None:
    """Import a logger CSV file (time, T, RH[, lux]) for LOCATION; its measured P5-P95 range is updated."""
    from heritage.cli import open_runtime
    from heritage.locations.environment import import_readings

    runtime = open_runtime()
    with runtime.transaction() as session:
        result = import_readings(session, location, file, agent=agent)
    m = result["measured"]
    click.echo(
        f"{location}: {result['added']} readings added ({result['skipped']} already known); "
        f"P5-P95 T {m['t_p5']}-{m['t_p95']} °C, RH {m['rh_p5']}-{m['rh_p95']} %, "
        f"largest daily RH swing {m['rh_daily_max_swing']} %"
    )


@locations.command("move")
@click.argument("item_id")
@click.argument("location")
@click.option("--reason", required=True, help="Why the object moves (kept with the event).")
@click.option("--by", "agent", default=default_agent)
def move_cmd(item_id: str, location: str, reason: str, agent: str) -> None:
    """Move ITEM_ID to LOCATION (an event with who, when, from, to and why)."""
    from heritage.cli import open_runtime
    from heritage.locations.movements import move

    runtime = open_runtime()
    with runtime.transaction() as session:
        _movement, warnings = move(session, item_id, location, agent=agent, reason=reason)
    click.echo(f"{item_id} moved to {location}")
    for warning in warnings:
        click.echo(f"warning: {location} breaks a rule for {item_id}: {warning}", err=True)


@locations.command("history")
@click.argument("item_id")
@click.option("--json", "as_json", is_flag=True)
def history_cmd(item_id: str, as_json: bool) -> None:
    """The current and past locations of ITEM_ID."""
    from heritage.cli import open_runtime
    from heritage.locations.movements import history

    runtime = open_runtime()
    with runtime.sessions() as session:
        result = history(session, item_id)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"{item_id} is in {result['current'] or '(no location)'}")
    for m in result["moves"]:
        click.echo(f"{m['at'][:16]}  {m['from'] or '-'} -> {m['to']}  by {m['by']}: {m['reason']}")


@locations.command("inventory")
@click.argument("location")
@click.argument("scanned", type=click.File("r", encoding="utf-8"))
@click.option("--by", "agent", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def inventory_cmd(location: str, scanned: click.utils.LazyFile, agent: str, as_json: bool) -> None:
    """Check LOCATION against SCANNED (a file of item ids or local ids, one a line; - for stdin)."""
    from heritage.cli import open_runtime
    from heritage.locations.movements import inventory

    runtime = open_runtime()
    with runtime.transaction() as session:
        check = inventory(session, location, scanned.read().splitlines(), agent=agent)
        result = {
            "location": location,
            "scanned": len(check.scanned),
            "missing": check.missing,
            "unexpected": check.unexpected,
            "unknown": check.unknown,
        }
    if as_json:
        _echo_json(result)
    else:
        click.echo(f"{location}: {result['scanned']} scanned")
        for key in ("missing", "unexpected", "unknown"):
            for value in result[key]:
                click.echo(f"{key:<10} {value}")
    if result["missing"] or result["unexpected"] or result["unknown"]:
        sys.exit(1)


@locations.command("check")
@click.option("--json", "as_json", is_flag=True)
def check_cmd(as_json: bool) -> None:
    """Flag current placements that break a hard rule (exit 1 when there are any)."""
    from heritage.cli import open_runtime
    from heritage.locations.matching import placement_violations

    runtime = open_runtime()
    with runtime.sessions() as session:
        found = placement_violations(session)
    if as_json:
        _echo_json(found)
    else:
        for v in found:
            click.echo(f"{v['item']}  {v['location']:<16} {'; '.join(v['reasons'])}")
        click.echo(f"{len(found)} placement(s) break a hard rule", err=True)
    if found:
        sys.exit(1)


@locations.command("light")
@click.option("--json", "as_json", is_flag=True)
def light_cmd(as_json: bool) -> None:
    """Light dose of every exhibited object against its annual budget, with rotation proposals."""
    from heritage.cli import open_runtime
    from heritage.locations.light import exposures

    runtime = open_runtime()
    with runtime.sessions() as session:
        rows = [e.as_json() for e in exposures(session)]
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        when = f"rotate by {r['rotate_by']}" if r["rotate_by"] else ""
        click.echo(
            f"{r['item']}  {r['location']:<14} {r['light_category']:<6} "
            f"{r['used_lxh']:>9,} / {r['budget_lxh']:>9,} lx·h  {r['status']:<6} {when}"
        )


@click.group()
def transfers() -> None:
    """Custody transfers of series from faculties and campuses to the central archive."""


@transfers.command("due")
@click.option("--today", help="As on this date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True)
def due_cmd(today: str | None, as_json: bool) -> None:
    """Series due for transfer to the central archive."""
    from heritage.cli import open_runtime
    from heritage.policy.custody import due_transfers

    runtime = open_runtime()
    with runtime.sessions() as session:
        rows = due_transfers(session, parse_day(today, "--today"))
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['item']}  {r['unit']:<16} {r['reason']}")


@transfers.command("propose")
@click.argument("item_id")
@click.option("--by", "agent", default=default_agent)
def propose_cmd(item_id: str, agent: str) -> None:
    """Propose the transfer of a due series (ITEM_ID) to the central archive."""
    from heritage.cli import open_runtime
    from heritage.policy.custody import propose

    runtime = open_runtime()
    with runtime.transaction() as session:
        transfer = propose(session, item_id, agent=agent)
        click.echo(f"transfer {transfer.id} proposed: {transfer.reason}")


@transfers.command("list")
@click.argument("transfer_id", type=int)
@click.option("--by", "agent", default=default_agent)
def list_cmd(transfer_id: int, agent: str) -> None:
    """Draw up the transfer list of TRANSFER_ID (CSV on stdout)."""
    from heritage.cli import open_runtime
    from heritage.policy.custody import make_list

    runtime = open_runtime()
    with runtime.transaction() as session:
        listing = make_list(session, transfer_id, agent=agent)
    writer = csv.DictWriter(sys.stdout, fieldnames=["item", "local_id", "level", "title", "date"])
    writer.writeheader()
    writer.writerows(listing)


@transfers.command("accept")
@click.argument("transfer_id", type=int)
@click.option("--role", default="university_archivist", show_default=True)
@click.option("--by", "agent", default=default_agent)
def accept_cmd(transfer_id: int, role: str, agent: str) -> None:
    """Accept TRANSFER_ID: custody of the listed items moves to the central archive."""
    from heritage.cli import open_runtime
    from heritage.policy.custody import accept

    runtime = open_runtime()
    with runtime.transaction() as session:
        transfer = accept(session, transfer_id, agent=agent, role=role)
        click.echo(f"transfer {transfer.id} accepted: {transfer.item_count} items now in central custody")


@click.command("report")
@click.argument("unit")
@click.option("--json", "as_json", is_flag=True)
def report_cmd(unit: str, as_json: bool) -> None:
    """Report for one custodial UNIT: holdings, due transfers, capacity, digitisation progress."""
    from heritage.cli import open_runtime
    from heritage.policy.figures import unit_report

    runtime = open_runtime()
    with runtime.sessions() as session:
        report = unit_report(session, unit)
    if as_json:
        _echo_json(report)
        return
    click.echo(f"{report['unit']} ({report['name']}), {'central' if report['central'] else 'decentral'}")
    click.echo(
        f"holdings: {report['holdings']['items']} items in {len(report['holdings']['collections'])} collection(s)"
    )
    for c in report["holdings"]["collections"]:
        click.echo(f"  {c['collection']:<28} {c['items']:>6} items  ({c['domain']})")
    click.echo(f"due transfers: {len(report['due_transfers'])}")
    for t in report["due_transfers"]:
        click.echo(f"  {t['item']}  {t['reason']}")
    click.echo("capacity:")
    for c in report["capacity"]:
        click.echo(f"  {c['location']:<18} {c['used']:>8g} / {c['capacity']:<8g} {c['measure']}")
    d = report["digitisation"]
    click.echo(
        f"digitisation: {d['with_images']} of {d['items']} items have images ({d['percent']} %), {d['queued']} queued"
    )
