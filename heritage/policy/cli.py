"""`heritage policy ...`: check a policy file, put one in force, evaluate items, override, approve."""

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
@click.option("--by", "person", default=default_agent, help="Who approves.")
@click.option("--comment", help="A note kept with the approval.")
def approve_cmd(item_id: str, role: str, person: str, comment: str | None) -> None:
    """Approve ITEM_ID's proposed destruction or deaccession in one role."""
    from heritage.cli import open_runtime
    from heritage.policy.service import approve

    runtime = open_runtime()
    with runtime.transaction() as session:
        state = approve(session, item_id, role=role, person=person, comment=comment)
    if state.approved:
        click.echo(f"{item_id}: {state.kind} approved by every role ({', '.join(state.required)})")
    else:
        click.echo(f"{item_id}: {role} approved {state.kind}; still needed: {', '.join(state.missing)}")


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
