"""`heritage ingest` killed (SIGKILL) while it links names to authorities, and two ingests naming the same
people at once: run to the end, there is one authority per name, one link per name and role, and one
creation event per authority."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from heritage.models import Authority, AuthorityLink, Event
from heritage.runtime import Runtime
from tests.helpers import write_sheet

pytestmark = [pytest.mark.db, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[3]
PEOPLE = ["Peeters, Jan", "Jan Peeters", "Claes, Anna", "Vesalius, Andreas", "Universiteit Leuven"]


def _batch(folder: Path, rows: int = 12) -> Path:
    folder.mkdir(parents=True)
    write_sheet(
        folder / "sheet.csv",
        [
            {"identifier": f"R{i}", "title": f"Akte {i}", "creator": PEOPLE[i % len(PEOPLE)],
             "subject": f"Onderwerp {i % 3}", "place": "Leuven", "files": ""}
            for i in range(rows)
        ],
    )  # fmt: skip
    return folder


def _heritage(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _counts(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.sessions() as s:
        return (
            s.scalar(select(func.count()).select_from(Authority)) or 0,
            s.scalar(select(func.count()).select_from(AuthorityLink)) or 0,
            s.scalar(select(func.count()).select_from(Event).where(Event.type == "authority_creation")) or 0,
        )


def test_killed_while_linking_then_run_again(runtime: Runtime, cli_env: dict[str, str], tmp_path: Path) -> None:
    batch = _batch(tmp_path / "batch")
    ingest = ["ingest", str(batch), "--collection", "doden"]
    for nth in (3, 17):  # a few names in; most of the way through the batch's names
        killed = _heritage(["-m", "tests.ingest.kill_at", "heritage.authorities.linking:find_or_create", str(nth),
                            "after", "--", *ingest], cli_env)  # fmt: skip
        _, err = killed.communicate(timeout=240)
        assert killed.returncode == -signal.SIGKILL, err
    final = _heritage(["-m", "heritage", *ingest], cli_env)
    out, err = final.communicate(timeout=240)
    assert final.returncode == 0, out + err
    # 3 people (two spellings of one meet), the university, 3 subjects, 1 place; 12 rows x 3 names each
    assert _counts(runtime) == (8, 36, 8)
    again = _heritage(["-m", "heritage", *ingest], cli_env)
    assert again.wait(timeout=240) == 0
    assert _counts(runtime) == (8, 36, 8)


def test_two_transactions_linking_the_same_names_at_once(runtime: Runtime) -> None:
    """Two sessions (as two ingests) link the same new names at the same moment, each for items of its own;
    the later one finds the authorities the first wrote (on PostgreSQL: waits on the same derived id)."""
    from heritage import catalogue
    from metadata_schemas.core import Agent, CoreRecord, Term

    with runtime.transaction() as s:
        for slug in ("links", "rechts"):
            catalogue.ensure_collection(s, slug)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def ingest(slug: str) -> None:
        try:
            with runtime.transaction() as s:
                collection = catalogue.get_collection(s, slug)
                start.wait(timeout=30)
                for i in range(12):
                    core = CoreRecord(title=f"Akte {i}", agents=[Agent(PEOPLE[i % len(PEOPLE)], "creator")],
                                      subjects=[Term(f"Onderwerp {i % 3}")], places=[Term("Leuven")])  # fmt: skip
                    catalogue.upsert_item(s, collection, core, local_id=f"R{i}", parent=None, position=i,
                                          standard="csv", original=None, source="test")  # fmt: skip
        except BaseException as exc:  # reported below, with the thread's own traceback
            errors.append(exc)

    threads = [threading.Thread(target=ingest, args=(slug,)) for slug in ("links", "rechts")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert _counts(runtime) == (8, 72, 8)
