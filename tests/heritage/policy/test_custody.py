"""Central and decentral custody: a due series is proposed, listed and accepted, each step an event."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.models import Event, Item, Transfer
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


def test_a_faculty_series_moves_to_the_central_archive(runner: CliRunner, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        builders.tree(session)
        minutes = builders.item(
            session,
            "faculty",
            "F.1",
            level="series",
            date_from=1930,
            date_to=1990,
            unit="faculty-science",
            series="GOV-01",
        )
        part = builders.item(
            session, "faculty", "F.1.1", parent=minutes, date_from=1930, date_to=1933, unit="faculty-science"
        )
        recent = builders.item(
            session,
            "faculty",
            "F.2",
            level="series",
            date_from=2020,
            date_to=2024,
            unit="faculty-science",
            series="GOV-01",
        )
        ids = (minutes.id, part.id, recent.id)
    due = json.loads(runner.invoke(main, ["transfers", "due", "--json"]).stdout)
    assert [d["item"] for d in due] == [ids[0]]
    assert due[0]["reason"] == "selection list GOV-01 (B): transfer P10Y after closing (1990-12-31), due 2000-12-31"
    not_due = runner.invoke(main, ["transfers", "propose", ids[2]])
    assert not_due.exit_code == 1 and "not due for transfer" in not_due.output
    proposed = runner.invoke(main, ["transfers", "propose", ids[0], "--by", "records-officer"])
    assert proposed.exit_code == 0 and "transfer 1 proposed" in proposed.output
    early = runner.invoke(main, ["transfers", "accept", "1"])
    assert early.exit_code == 1 and "draw up its list first" in early.output
    listing = runner.invoke(main, ["transfers", "list", "1", "--by", "records-officer"])
    assert listing.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(listing.stdout)))
    assert [r["item"] for r in rows] == [ids[0], ids[1]]
    wrong = runner.invoke(main, ["transfers", "accept", "1", "--role", "conservator"])
    assert wrong.exit_code == 1 and "university_archivist" in wrong.output
    accepted = runner.invoke(main, ["transfers", "accept", "1", "--by", "archivist"])
    assert accepted.exit_code == 0 and "2 items now in central custody" in accepted.output
    with runtime.sessions() as session:
        transfer = session.get(Transfer, 1)
        assert transfer is not None and (transfer.status, transfer.accepted_by) == ("accepted", "archivist")
        assert session.get(Item, ids[1]).unit.slug == "central-archive"
        types = [e.type for e in session.scalars(select(Event).where(Event.item_id == ids[0]).order_by(Event.id))]
        assert types == ["transfer proposal", "transfer list", "custody change", "transfer accepted"]
    assert json.loads(runner.invoke(main, ["transfers", "due", "--json"]).stdout) == []
    report = json.loads(runner.invoke(main, ["report", "central-archive", "--json"]).stdout)
    assert report["holdings"]["items"] == 2 and report["central"] is True
    faculty = json.loads(runner.invoke(main, ["report", "faculty-science", "--json"]).stdout)
    assert faculty["holdings"]["items"] == 1 and faculty["capacity"][0] == {
        "location": "LEU-WET-ARCH",
        "measure": "linear_m",
        "capacity": 20.0,
        "used": 5.0,
    }
    assert runner.invoke(main, ["report", "nope"]).exit_code == 1
