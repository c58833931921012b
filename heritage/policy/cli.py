"""`heritage policy ...`: check a policy file, put one in force, evaluate items, override, approve or refuse
(as accounts), record an external permission, lift a legal hold, carry out an approved disposal, list them."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import date
from pathlib import Path

import click

from heritage.errors import BadRequest


def default_agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


@click.group()
def policy() -> None:
    """The collection policy: check, apply, evaluate, override and approve."""


@policy.command("check")
@click.argument("file", type=click.Path(path_type=Path))
def check_cmd(file: Path) -> None:
    """Check a policy file against the schema: exit 0, or 1 with every problem as FILE:LINE: message."""
    from heritage.policy.loader import PolicyFileError, check, read_file

    try:
        problems = check(read_file(file))
    except PolicyFileError as exc:
        problems = exc.problems
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{file}: {len(problems)} problem(s); nothing applied", err=True)
        sys.exit(1)
    click.echo(f"{file}: valid policy")


@policy.command("apply")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--unit", help="Override for one custodial unit (slug).")
@click.option("--collection", help="Override for one collection (slug).")
@click.option("--by", "agent", default=default_agent, help="Who puts this policy in force.")
def apply_cmd(file: Path, unit: str | None, collection: str | None, agent: str) -> None:
    """Put a policy file in force (globally, or as an override per unit or collection); it is versioned."""
    from heritage.cli import open_runtime
    from heritage.policy.store import apply_file

    runtime = open_runtime()
    with runtime.transaction() as session:
        row, new = apply_file(session, file, unit=unit, collection=collection, agent=agent)
        click.echo(
            f"policy {row.policy_id} {row.version} {'now in force' if new else 'already in force'} for {row.scope}"
            " (run heritage policy evaluate to apply it)"
        )


@policy.command("versions")
def versions_cmd() -> None:
    """List the recorded policy versions, newest first."""
    from sqlalchemy import select

    from heritage.cli import open_runtime
    from heritage.models import PolicyVersion
    from heritage.policy.store import ensure_default

    runtime = open_runtime()
    with runtime.transaction() as session:
        ensure_default(session)
        for row in session.scalars(select(PolicyVersion).order_by(PolicyVersion.id.desc())):
            click.echo(
                f"{row.created_at:%Y-%m-%d %H:%M}  {row.scope:<28} {row.policy_id} {row.version}  "
                f"{row.sha256[:12]}  {row.agent}"
            )


@policy.command("evaluate")
@click.option("--collection", help="Only this collection (slug).")
@click.option("--item", "item_id", help="Only this item (id).")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of decisions.")
@click.option("--today", help="Evaluate as on this date (YYYY-MM-DD); default today.")
def evaluate_cmd(collection: str | None, item_id: str | None, as_json: bool, today: str | None) -> None:
    """Evaluate items against the policy in force, store and print each decision with its explanation."""
    from heritage.cli import open_runtime
    from heritage.policy.service import evaluate

    if collection and item_id:
        raise BadRequest("give --collection or --item, not both")
    runtime = open_runtime()
    with (
        runtime.transaction() as session,
        click.progressbar(length=1, label="evaluating", file=sys.stderr) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        decisions = evaluate(
            session,
            collection=collection,
            item_id=item_id,
            today=parse_day(today, "--today"),
            progress=progress,
        )
    if as_json:
        click.echo(json.dumps([d.as_json() for d in decisions], ensure_ascii=False, indent=1))
        return
    for d in decisions:
        click.echo(f"{d.item}  {d.decision:<22} {d.rule:<34} {d.explanation}")
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.decision] = counts.get(d.decision, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    click.echo(
        f"{len(decisions)} decisions ({summary}); policy {decisions[0].policy_version if decisions else '-'}", err=True
    )


@policy.command("override")
@click.argument("item_id")
@click.argument("decision")
@click.option("--reason", required=True, help="Why (kept with the event).")
@click.option("--due", help="Date the new decision falls due (YYYY-MM-DD).")
@click.option("--by", "agent", default=default_agent, help="Who overrides.")
def override_cmd(item_id: str, decision: str, reason: str, due: str | None, agent: str) -> None:
    """Replace the engine's decision for ITEM_ID with DECISION, giving a reason (an event)."""
    from heritage.cli import open_runtime
    from heritage.policy.service import override

    runtime = open_runtime()
    with runtime.transaction() as session:
        override(session, item_id, decision, reason=reason, agent=agent, due=parse_day(due, "--due"))
    click.echo(f"{item_id}: decision overridden to {decision} by {agent}")


@policy.command("approve")
@click.argument("item_id")
@click.option("--role", required=True, help="The role you approve in (as the policy names it).")
@click.option("--by", "person", default=default_agent, help="The approving account (default: your OS user name).")
@click.option("--comment", help="A note kept with the approval.")
def approve_cmd(item_id: str, role: str, person: str, comment: str | None) -> None:
    """Approve ITEM_ID's proposed destruction or deaccession in one role, as an account holding it."""
    from heritage.cli import open_runtime
    from heritage.policy.service import approve

    runtime = open_runtime()
    with runtime.transaction() as session:
        state = approve(session, item_id, role=role, person=person, comment=comment)
    if state.approved:
        click.echo(f"{item_id}: {state.kind} approved by every role ({', '.join(state.required)})")
    else:
        needed = state.missing + [f"the external permission of {a}" for a in state.external_needed]
        click.echo(f"{item_id}: {role} approved {state.kind}; still needed: {', '.join(needed)}")


@policy.command("refuse")
@click.argument("item_id")
@click.option("--role", required=True, help="The role you refuse in (as the policy names it).")
@click.option("--reason", required=True, help="Why (kept with the refusal).")
@click.option("--by", "person", default=default_agent, help="The refusing account (default: your OS user name).")
def refuse_cmd(item_id: str, role: str, reason: str, person: str) -> None:
    """Refuse ITEM_ID's proposed destruction or deaccession in one role: the proposal is refused."""
    from heritage.cli import open_runtime
    from heritage.policy.service import refuse

    runtime = open_runtime()
    with runtime.transaction() as session:
        state = refuse(session, item_id, role=role, person=person, reason=reason)
    click.echo(f"{item_id}: {state.kind} refused by {role} ({person})")


@policy.command("external-approval")
@click.argument("item_id")
@click.option("--authority", required=True, help="Who permitted it (e.g. the Flemish minister for culture).")
@click.option("--reference", required=True, help="The decision's reference (decree, letter, file number).")
@click.option("--date", "granted_on", required=True, help="The day it was granted (YYYY-MM-DD).")
@click.option("--kind", default="deaccession_candidate", show_default=True, help="The proposal it permits.")
@click.option("--by", "person", default=default_agent, help="The recording account (default: your OS user name).")
def external_approval_cmd(
    item_id: str, authority: str, reference: str, granted_on: str, kind: str, person: str
) -> None:
    """Record the outside permission the policy names for a protected piece (a listed topstuk)."""
    from heritage.cli import open_runtime
    from heritage.policy.service import record_external_approval

    day = parse_day(granted_on, "--date")
    assert day is not None
    runtime = open_runtime()
    with runtime.transaction() as session:
        row = record_external_approval(
            session, item_id, authority=authority, reference=reference, granted_on=day, person=person, kind=kind
        )
        flags = ", ".join(row.flags)
    click.echo(f"{item_id}: external approval of {kind} recorded ({authority}, {reference}; answers {flags})")


@policy.command("lift-hold")
@click.argument("item_id")
@click.option("--reason", required=True, help="Why the hold ends (kept with the event).")
@click.option("--by", "person", default=default_agent, help="The administrator's account (default: your OS user name).")
def lift_hold_cmd(item_id: str, reason: str, person: str) -> None:
    """Lift ITEM_ID's legal hold (legal_hold, litigation) as an administrator; the item is evaluated again."""
    from heritage.cli import open_runtime
    from heritage.policy.service import lift_legal_hold

    runtime = open_runtime()
    with runtime.transaction() as session:
        decisions = lift_legal_hold(session, item_id, person=person, reason=reason)
        now = decisions[0].decision if decisions else "-"
    click.echo(f"{item_id}: legal hold lifted by {person}; its decision is now {now}")


@policy.command("carry-out")
@click.argument("item_id")
@click.option(
    "--route",
    required=True,
    type=click.Choice(["transfer", "return", "sale", "destruction"]),
    help="How it leaves the collection (a destruction proposal: destruction only).",
)
@click.option(
    "--document",
    "documents",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A document kept with the record (repeatable; required for transfer, return and sale).",
)
@click.option("--note", help="A note kept with the record.")
@click.option("--by", "person", default=default_agent, help="The account carrying it out (default: your OS user name).")
def carry_out_cmd(item_id: str, route: str, documents: tuple[Path, ...], note: str | None, person: str) -> None:
    """Carry out ITEM_ID's fully approved destruction or deaccession: the record (a certificate of destruction
    for the route destruction) is kept permanently and the item becomes a tombstone."""
    from heritage.cli import open_runtime
    from heritage.editing.service import Saved, reindex
    from heritage.policy.service import carry_out

    files = [(p.name, p.read_bytes()) for p in documents]
    runtime = open_runtime()
    with runtime.transaction() as session:
        row = carry_out(session, item_id, route=route, person=person, note=note, documents=files)
        disposal_id = row.id
    reindex(runtime, Saved(item_id, 0, None, [], [], [item_id], False))
    what = f"certificate of destruction {disposal_id}" if route == "destruction" else f"disposal record {disposal_id}"
    click.echo(f"{item_id}: carried out by {route}; {what}; the item is withdrawn (a tombstone)")


@policy.command("destruction-list")
@click.option("--from", "start", help="First day (YYYY-MM-DD) the items were destroyed.")
@click.option("--to", "end", help="Last day (YYYY-MM-DD).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (UTF-8, a header row) instead of a table.")
def destruction_list_cmd(start: str | None, end: str | None, as_csv: bool) -> None:
    """The destruction list: what was destroyed when, by whose decision, with its certificate number."""
    import csv

    from heritage.cli import open_runtime
    from heritage.policy.service import DESTRUCTION_LIST_COLUMNS, destruction_list

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if first and last and first > last:
        raise BadRequest(f"--from {first} is after --to {last}")
    runtime = open_runtime()
    with runtime.sessions() as session:
        rows = destruction_list(session, first, last)
    if as_csv:
        writer = csv.DictWriter(
            sys.stdout, fieldnames=DESTRUCTION_LIST_COLUMNS, lineterminator="\n", extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
        return
    for r in rows:
        click.echo(f"{r['certificate']:>5}  {r['destroyed_at']}  {r['item']}  {r['title'][:60]}  ({r['approved_by']})")
    click.echo(f"{len(rows)} destroyed", err=True)


@policy.command("digitisation")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1))
@click.option("--json", "as_json", is_flag=True)
def digitisation_cmd(limit: int, as_json: bool) -> None:
    """The digitisation queue: items ranked by priority score (after heritage policy evaluate)."""
    from heritage.cli import open_runtime
    from heritage.policy.reports import digitisation_queue

    runtime = open_runtime()
    with runtime.sessions() as session:
        queue = digitisation_queue(session, limit=limit)
    if as_json:
        click.echo(json.dumps(queue, ensure_ascii=False, indent=1))
        return
    for row in queue:
        action = "" if row["action"] == "digitise" else f"  ({row['action'].replace('_', ' ')})"
        click.echo(f"{row['priority']:5.1f}  {row['item']}  {row['title'][:70]}{action}")
