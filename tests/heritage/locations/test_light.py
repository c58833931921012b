"""The light budget: dose from the stays in lit exhibition rooms, rotation proposed before it runs out."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from heritage.cli import main
from heritage.locations.movements import move
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


def test_exhibited_objects_get_their_dose_and_a_rotation_date(runner: CliRunner, runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with runtime.transaction() as session:
        places = builders.tree(session)
        ids = {}
        for name, material, days in (
            ("drawing", "manuscript_fugitive_media", 30),
            ("painting", "oil_painting", 30),
            ("print", "paper_archive", 200),
            ("bronze", "metal", 300),
        ):
            item = builders.item(session, "museum", name, domain="museum", material=material, location=places["paper"])
            move(session, item.id, "LEU-WET-ZAAL", agent="curator", reason="exhibition", at=now - timedelta(days=days))
            ids[name] = item.id
    result = runner.invoke(main, ["locations", "light", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["item"]: r for r in json.loads(result.stdout)}
    assert ids["bronze"] not in rows  # irresponsive material: no budget
    drawing = rows[ids["drawing"]]
    # 50 lux x 4000 lit hours a year = 200,000 lx·h; 30 days of it = 16,438 > the high budget of 15,000
    assert (drawing["light_category"], drawing["budget_lxh"], drawing["status"]) == ("high", 15000, "rotate")
    assert abs(drawing["used_lxh"] - 16438) <= 2 and drawing["rotate_by"] == date.today().isoformat()
    painting = rows[ids["painting"]]
    assert (painting["status"], painting["rotate_by"]) == ("ok", None)
    print_ = rows[ids["print"]]  # 109,589 of 150,000 used: about 73 days left
    assert print_["status"] == "warn"
    assert 72 <= (date.fromisoformat(print_["rotate_by"]) - date.today()).days <= 74
