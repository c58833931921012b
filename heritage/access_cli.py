"""`heritage access`: set an item's access, apply the closure rules, grant readers restricted items."""

from __future__ import annotations

from datetime import date, datetime

import click

from heritage import access_changes, closure
from heritage.cli import open_runtime
from heritage.models import Access
from heritage.runtime import Runtime


def _reindex(runtime: Runtime, ids: list[str]) -> None:
    """Search results, facet counts and hierarchy paths follow the change at once."""
    if ids:
        from heritage.search.indexer import index_items

        index_items(runtime, ids, descendants=True)


def _show(change: access_changes.AccessChange) -> str:
    def text(state: tuple[str, date | None]) -> str:
        return state[0] + (f" until {state[1].isoformat()}" if state[1] else "")

    if not change.changed:
        return f"{change.item_id}: already {text(change.after)}"
    return f"{change.item_id}: {text(change.before)} -> {text(change.after)}"


@click.group("access")
def access_group() -> None:
    """Who may see what: access status per item, closure rules, readers' grants."""


@access_group.command("set")
@click.argument("item")
@click.argument("status", type=click.Choice([a.value for a in Access]))
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="With closed: the day the item opens (YYYY-MM-DD).")
@click.option("--reason", help="Why (kept in the event).")
@click.option("--by", "agent", default="cli", show_default=True, help="Who decides (kept in the event).")
def access_set(item: str, status: str, until: datetime | None, reason: str | None, agent: str) -> None:
    """Set ITEM's access to public, restricted or closed (an event; every surface follows at once)."""
    runtime = open_runtime()
    with runtime.transaction() as session:
        change = access_changes.set_access(
            session, item, status, until=until.date() if until else None, reason=reason, agent=agent
        )
    if change.changed:
        _reindex(runtime, [change.item_id])
    click.echo(_show(change))


@access_group.command("apply-rules")
@click.option("--collection", help="Only this collection (slug).")
@click.option("--item", "item_id", help="Only this item.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Reckon as on this day (default today).")
def access_apply_rules(collection: str | None, item_id: str | None, today: datetime | None) -> None:
    """Close the items the closure rules match until their date (strictest wins); each an event."""
    runtime = open_runtime()
    rules = closure.load_rules(runtime.settings.access_rules)
    with runtime.transaction() as session:
        if collection:
            from heritage.catalogue import get_collection

            get_collection(session, collection)  # NotFound names the slug
        changes = closure.apply_rules(
            session, rules, collection=collection, item_id=item_id, today=today.date() if today else None
        )
    _reindex(runtime, [c.item_id for c in changes])
    for change in changes:
        click.echo(_show(change))
    click.echo(f"{len(changes)} items closed by the rules in {rules.source}", err=True)


@access_group.command("grant")
@click.argument("username")
@click.argument("item")
@click.option("--by", "agent", default="cli", show_default=True, help="Who approves (kept in the event).")
def access_grant(username: str, item: str, agent: str) -> None:
    """Let a registered reader see a restricted item's images (approves their request, if any)."""
    runtime = open_runtime()
    with runtime.transaction() as session:
        access_changes.decide(session, username, item, True, agent=agent)
    click.echo(f"granted {username} access to {item}")


@access_group.command("refuse")
@click.argument("username")
@click.argument("item")
@click.option("--by", "agent", default="cli", show_default=True, help="Who refuses (kept in the event).")
def access_refuse(username: str, item: str, agent: str) -> None:
    """Refuse (or withdraw) a reader's access to a restricted item."""
    runtime = open_runtime()
    with runtime.transaction() as session:
        access_changes.decide(session, username, item, False, agent=agent)
    click.echo(f"refused {username} access to {item}")


@access_group.command("requests")
def access_requests() -> None:
    """Readers' requests waiting for a decision: when, who, which item, why."""
    runtime = open_runtime()
    with runtime.sessions() as session:
        for row, username in access_changes.pending_requests(session):
            click.echo(f"{row.requested_at:%Y-%m-%d %H:%M}\t{username}\t{row.item_id}\t{row.reason or ''}")
