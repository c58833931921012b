"""The ingest hands each item to the policy: `heritage.policy.jobs.evaluate_item` runs inline and on rq."""

from __future__ import annotations

import pytest

from heritage.models import PolicyDecision
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


def test_the_job_evaluates_and_stores_one_item(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        builders.tree(session)
        item_id = builders.item(session, "c", "A1", series="EDU-08").id
    handle = runtime.jobs.enqueue("heritage.policy.jobs.evaluate_item", item_id)
    assert handle.status == "finished" and handle.result["decision"] == "retain_permanent"
    with runtime.sessions() as session:
        stored = session.get(PolicyDecision, item_id)
        assert stored is not None and stored.rule == "selection_list.B"
