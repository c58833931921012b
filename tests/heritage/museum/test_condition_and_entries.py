"""Condition checks (controlled list, hazards, the item's own files as images), conservation treatments with their
materials, object entries and exits with receipt numbers, acquisitions with documents and accession numbers:
each in the item's history, each bad input named and nothing stored."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from heritage.cli import main
from heritage.errors import BadRequest
from heritage.models import Event, File
from heritage.museum import condition, entries
from heritage.runtime import Runtime
from tests.heritage.museum.builders import World, world

pytestmark = pytest.mark.db


@pytest.fixture
def w(runtime: Runtime) -> World:
    with runtime.transaction() as session:
        return world(session)


def _history(runtime: Runtime, item_id: str) -> list[str]:
    with runtime.sessions() as session:
        return [e.type for e in session.scalars(select(Event).where(Event.item_id == item_id).order_by(Event.id))]


def test_condition_checks_and_treatments_go_into_the_history(runner: CliRunner, runtime: Runtime, w: World) -> None:
    result = runner.invoke(
        main,
        [
            "condition",
            "record",
            w.painting,
            "--condition",
            "fair",
            "--notes",
            "craquelure lower left",
            "--hazard",
            "fragile",
            "--by",
            "conservator",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    check = json.loads(result.stdout)
    assert (check["condition"], check["hazards"], check["stage"], check["loan"]) == (
        "fair",
        ["fragile"],
        "routine",
        None,
    )
    treated = runner.invoke(
        main,
        [
            "condition",
            "treat",
            w.painting,
            "--treatment",
            "surface cleaning",
            "--material",
            "deionised water",
            "--material",
            "cotton swabs",
            "--by",
            "conservator",
        ],
    )
    assert treated.exit_code == 0, treated.output
    assert _history(runtime, w.painting) == ["condition check", "conservation treatment"]
    for args, message in (
        (["--condition", "shiny"], "condition 'shiny' is not one of: excellent, good"),
        (["--condition", "good", "--hazard", "ghosts"], "hazard 'ghosts'"),
        (["--condition", "good", "--file", "nosuchfile"], f"file nosuchfile is not a file of item {w.painting}"),
        (["--condition", "good", "--date", "2999-01-01"], "cannot be dated in the future"),
    ):
        bad = runner.invoke(main, ["condition", "record", w.painting, *args])
        assert bad.exit_code == 1 and message in bad.stderr, bad.output
    assert _history(runtime, w.painting) == ["condition check", "conservation treatment"]
    with runtime.transaction() as session, pytest.raises(BadRequest, match="names the materials"):
        condition.treat(session, w.painting, treatment="x", materials=[" "], by="c")


def test_a_check_shows_the_items_own_files(runtime: Runtime, w: World) -> None:
    with runtime.transaction() as session:
        session.add(
            File(
                id="f" * 32,
                item_id=w.model,
                role="master",
                original_name="front.tif",
                sha256="0" * 64,
                size=1,
                md5="0" * 32,
                storage_key="x",
            )
        )
        check = condition.record(session, w.model, condition="good", by="c", file_ids=["f" * 32])
        assert check.file_ids == ["f" * 32]
        with pytest.raises(BadRequest, match=f"is not a file of item {w.drawing}"):
            condition.record(session, w.drawing, condition="good", by="c", file_ids=["f" * 32])


def test_entries_exits_and_acquisitions_have_receipts_and_numbers(
    runner: CliRunner, runtime: Runtime, w: World
) -> None:
    def run(*args: str) -> dict:  # type: ignore[type-arg]
        result = runner.invoke(main, ["objects", *args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    first = run("entry", "--reason", "deposit", "--party", "Familie Janssens", "--item", f"{w.drawing},{w.model}")
    second = run("entry", "--reason", "enquiry", "--party", "Dr. Maes", "--item", w.painting)
    year = first["date"][:4]
    assert (first["receipt"], second["receipt"]) == (f"ENT-{year}-0001", f"ENT-{year}-0002")
    out = run("exit", "--reason", "return_to_owner", "--party", "Familie Janssens", "--item", w.model)
    assert out["receipt"] == f"EXI-{year}-0001"
    acquired = run(
        "acquire",
        w.drawing,
        "--accession",
        "KUL-2026-0007",
        "--method",
        "gift",
        "--source",
        "Familie Janssens",
        "--document",
        "deed of gift 2026-03",
        "--document",
        "provenance note",
    )
    assert acquired["documents"] == ["deed of gift 2026-03", "provenance note"]
    assert _history(runtime, w.drawing) == ["object entry", "acquisition"]
    assert _history(runtime, w.model) == ["object entry", "object exit"]
    taken = runner.invoke(
        main,
        [
            "objects",
            "acquire",
            w.model,
            "--accession",
            "KUL-2026-0007",
            "--method",
            "gift",
            "--source",
            "x",
            "--document",
            "y",
        ],
    )
    assert taken.exit_code == 1 and f"accession number KUL-2026-0007 is item {w.drawing}'s already" in taken.stderr
    bad = runner.invoke(main, ["objects", "entry", "--reason", "found it", "--party", "x", "--item", w.model])
    assert bad.exit_code == 1 and "--reason 'found it' is not one of: deposit" in bad.stderr
    listed = run("list")["passages"]
    assert [p["receipt"] for p in listed] == [f"EXI-{year}-0001", f"ENT-{year}-0002", f"ENT-{year}-0001"]
    with runtime.transaction() as session, pytest.raises(BadRequest, match="needs its documents"):
        entries.acquire(session, w.painting, accession_number="K-1", method="purchase", source="s", agent="a")
