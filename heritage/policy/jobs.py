"""The policy job the ingest enqueues per ingested item: it takes an id, so it runs inline or on rq."""

from __future__ import annotations

from typing import Any

from heritage.policy.service import evaluate
from heritage.runtime import current_runtime


def evaluate_item(item_id: str) -> dict[str, Any]:
    """Evaluate one item against the policy in force and store its decision; apply the closure rules."""
    from heritage.closure import apply_rules, load_rules

    runtime = current_runtime()
    with runtime.transaction() as session:
        decisions = evaluate(session, item_id=item_id)
        closed = apply_rules(session, load_rules(runtime.settings.access_rules), item_id=item_id)
    if closed:  # a closure rule matched: search and facets must not show it a moment longer
        from heritage.search.indexer import index_items

        index_items(runtime, [item_id], descendants=True)
    return decisions[0].as_json() if decisions else {"item": item_id, "status": "gone"}
