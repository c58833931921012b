"""At the end of a batch every item it described is handed to the policy engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from heritage.models import Item, PolicyDecision
from heritage.runtime import Runtime
from ingest.pipeline import ingest
from tests.helpers import small_batch

pytestmark = pytest.mark.db


def test_every_item_of_the_batch_gets_a_policy_decision(runtime: Runtime, tmp_path: Path) -> None:
    ingest(runtime, small_batch(tmp_path / "batch"), "pedel")
    with runtime.sessions() as s:
        items = set(s.scalars(select(Item.id)))
        decided = set(s.scalars(select(PolicyDecision.item_id)))
        assert len(items) == 4 and decided == items  # the fonds and series without scans too
