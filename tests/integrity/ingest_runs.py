"""What the ingest scenarios share: the command, its progress kill moments, and a calibration by clean runs."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import POSTGRES_URL
from tests.integrity import invariants
from tests.integrity.conftest import SiteFactory, with_ocr
from tests.integrity.harness import COLLECTION, AtProgress, BatchSpec, Calibration, Site, count_calls, make_batch

SCANS = 12


def ingest_command(spec: BatchSpec, site: Site) -> tuple[str, ...]:
    return ("ingest", str(spec.folder), "--collection", COLLECTION, "--report", str(site.folder / "report.json"))


def ingest_progress(spec: BatchSpec, states: tuple[str, ...], files: int | None = None) -> Any:
    """Progress kill moments of an ingest among `states`: planned, the Nth file taken (`touched`) or `done`
    (of `files`, by default all), `finished`, the Nth OCFL object, the Nth file in the replica."""
    files, items = files or len(spec.paths), len(spec.rows)
    top = {"objects": items, "replica_files": 4 * items}

    def pick(rng: random.Random) -> AtProgress:
        state = rng.choice(states)
        return AtProgress(state, rng.randint(1, top.get(state, files)))

    return pick


@dataclass(frozen=True)
class Calibrated:
    """A clean run's duration and calls, the events a clean run writes (by sheet variant), and what the clean
    runs themselves got wrong (they are the measure of the killed ones)."""

    calibration: Calibration
    events: dict[bool, Counter[tuple[Any, ...]]]
    problems: list[str]


_done: dict[tuple[str | None, bool], Calibrated] = {}


def calibrate(make_site: SiteFactory, *, ocr: bool | None = None) -> Calibrated:
    """Two clean runs with a replica, once per session, database and OCR setting: one timed (a sheet with
    identifiers), one counting calls into our code (a sheet without). With `ocr`, the sites read text (the
    ALTO delivered beside each scan)."""
    ocr = with_ocr(ocr)
    if (POSTGRES_URL, ocr) in _done:
        return _done[POSTGRES_URL, ocr]
    events: dict[bool, Counter[tuple[Any, ...]]] = {}
    problems: list[str] = []
    timed = make_site("clean-timed", replica=True, ocr=ocr)
    spec = make_batch(timed.folder / "batch", scans=SCANS, identifiers=True, text=ocr)
    ran = timed.run(*ingest_command(spec, timed))
    if ran.returncode != 0:
        pytest.fail(f"a clean ingest of the generated batch fails: {ran.summary()}\n{ran.stderr[-2000:]}")
    seconds = ran.seconds
    with timed.runtime() as runtime:
        events[True] = invariants.event_keys(runtime, spec)
        problems += invariants.clean_run(runtime, timed, spec)
    counted = make_site("clean-counted", replica=True, ocr=ocr)
    spec = make_batch(counted.folder / "batch", scans=SCANS, identifiers=False, text=ocr)
    calls, ran = count_calls(counted, *ingest_command(spec, counted))
    if ran.returncode != 0 or not calls:
        pytest.fail(f"a clean ingest with the call counter fails: {ran.summary()}\n{ran.stderr[-2000:]}")
    with counted.runtime() as runtime:
        events[False] = invariants.event_keys(runtime, spec)
        problems += invariants.clean_run(runtime, counted, spec)
    _done[POSTGRES_URL, ocr] = Calibrated(Calibration(seconds, calls), events, problems)
    return _done[POSTGRES_URL, ocr]
