"""A rebuild's progress covers the whole build: the bar does not stand at 100 % while the processes still
write their segments and make the search arrays (`heritage.search.build_meter`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heritage.search.build_meter import ANALYSIS, BuildMeter
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

N = 2500


def _documents(ended: list[bool]) -> Iterator[dict[str, Any]]:
    for i in range(N):
        yield doc(
            f"m{i:05d}",
            f"notulen van de vergadering {i} brief aan de rector",
            description="verslag " * (i % 7),
            pages=((1, f"pagina tekst {i} register akte"),) if i % 5 == 0 else (),
        )
    ended.append(True)


@pytest.mark.parametrize("procs", [1, 2])
def test_the_progress_of_a_rebuild_reaches_its_end_only_when_everything_is_written(tmp_path: Path, procs: int) -> None:
    ended: list[bool] = []
    reports: list[tuple[bool, int]] = []
    index = WhooshIndex(tmp_path / "index")
    assert index.rebuild(_documents(ended), progress=lambda done: reports.append((bool(ended), done)), procs=procs) == N

    values = [done for _ended, done in reports]
    assert values == sorted(values), "progress never goes back"
    assert values[-1] == N
    while_the_documents_came = [done for was_ended, done in reports if not was_ended]
    assert all(done <= ANALYSIS * N + 1 for done in while_the_documents_came), (
        "handing over (or analysing) the documents is not the whole build"
    )
    assert len(values) >= 2 and values[-2] >= N - 1, (
        "before the swap the writing processes have told of their postings and arrays"
    )


def test_the_meter_reports_only_in_the_process_that_made_it_and_not_too_often() -> None:
    reports: list[int] = []
    meter = BuildMeter(reports.append, every=3600)
    meter.add(10)
    meter.add(5)  # within the hour: not reported
    assert reports == [10] and meter.done == 15
    meter.poll(force=True)
    assert reports == [10, 15]
    meter._owner = -1  # as a forked writing process sees it
    meter.add(1)
    meter.poll(force=True)
    assert reports == [10, 15] and meter.done == 16
