"""Two `heritage worker` processes on Redis and PostgreSQL, and a waiting `heritage ingest`: a worker, the
command, or all of them (a power cut) killed with SIGKILL at seeded random moments, the dead workers started
again, then the command run to the end; the batch goes in once and the store (and replica) follow.

README (A batch): "with it each file is an rq job that any number of `heritage worker` processes share, and
the command waits and shows the progress ... Killing the command or a worker at any moment (even `kill -9`)
and running the same command again finishes the batch".
"""

from __future__ import annotations

import random
import subprocess
import time
from collections import Counter
from typing import Any

import pytest
from redis import Redis
from rq import Queue, Worker
from sqlalchemy import func, select

from heritage.models import BatchFile, utcnow
from tests.integrity import invariants
from tests.integrity.conftest import SiteFactory, needs_postgres, seeds, with_ocr
from tests.integrity.harness import Calibration, Ran, Running, Site, make_batch, verdict, wait_until
from tests.integrity.ingest_runs import SCANS, ingest_command, ingest_progress

pytestmark = [pytest.mark.db, pytest.mark.redis, pytest.mark.slow]
PROGRESS = ("planned", "touched", "done", "finished", "objects", "replica_files")
HANG = 120  # seconds a waiting command may take beyond a clean run before it counts as hung
_calibrated: dict[str, tuple[Calibration, Counter[tuple[Any, ...]], list[str]]] = {}


class Workers:
    """The site's `heritage worker` processes: killed one by one or all at once, started again."""

    def __init__(self, site: Site, count: int = 2) -> None:
        self.site = site
        self.running: list[Running | None] = [None] * count
        self.started = 0

    def ensure(self) -> None:
        for n, worker in enumerate(self.running):
            if worker is None or not worker.alive():
                self.started += 1
                self.running[n] = self.site.start("worker", name=f"worker-{self.started}")
                self.site.note(f"worker-{self.started} started")

    def kill(self, n: int) -> None:
        worker = self.running[n]
        if worker is not None and worker.alive():
            worker.kill()
            self.site.note(f"{worker.name}: killed")

    def stop(self) -> None:
        for worker in self.running:
            if worker is not None:
                worker.stop()

    def drained(self) -> bool:
        """Nothing queued and every live worker idle (jobs a killed worker held are lost to the queue)."""
        connection = Redis.from_url(self.site.redis_url or "")
        queue = Queue(self.site.queue or "", connection=connection)
        if queue.count:
            return False
        live = {w.proc.pid for w in self.running if w is not None and w.alive()}
        return all(w.get_state() == "idle" for w in Worker.all(queue=queue) if w.pid in live)


def _settled(workers: Workers) -> bool:
    """Drained three times in a row, half a second apart (a finished job may enqueue the next one)."""
    for _ in range(3):
        if not workers.drained():
            return False
        time.sleep(0.5)
    return True


def calibrate(
    make_site: SiteFactory, ocr: bool | None = None
) -> tuple[Calibration, Counter[tuple[Any, ...]], list[str]]:
    """A clean run with two workers: how long the waiting command takes, and the events it writes."""
    key = "rq, ocr" if with_ocr(ocr) else "rq"
    if key not in _calibrated:
        site = make_site("clean-timed", replica=True, redis=True, ocr=ocr)
        spec = make_batch(site.folder / "batch", scans=SCANS, identifiers=True, text=site.ocr)
        workers = Workers(site)
        workers.ensure()
        try:
            ran = site.run(*ingest_command(spec, site), timeout=300)
            settled = wait_until(lambda: _settled(workers), 120)
        finally:
            workers.stop()
        if ran.returncode != 0 or not settled:
            pytest.fail(f"a clean ingest with two workers fails: {ran.summary()} (jobs settled: {settled})")
        with site.runtime() as runtime:
            events = invariants.event_keys(runtime, spec)
            problems = invariants.clean_run(runtime, site, spec)
        _calibrated[key] = (Calibration(ran.seconds, {}), events, problems)
    return _calibrated[key]


@pytest.mark.timeout(900)  # a hung waiting command (issue 14, item 6) costs minutes before it is given up
@pytest.mark.parametrize("seed", seeds(1))
@pytest.mark.parametrize("ocr", [None, True], ids=["", "ocr"])
def test_workers_and_the_waiting_command_killed_at_random_moments_end_with_exactly_the_batch(
    seed: int, ocr: bool | None, make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """`[ocr]`: the batch's text (ALTO beside each scan) is read by OCR jobs on the workers after it, each with
    a version of its own (or in the batch's version, when both wait in the outbox together)."""
    needs_postgres()
    calibration, reference, clean = calibrate(make_site, ocr)
    rng = random.Random(f"workers-{seed}")
    site = make_site("site", replica=True, redis=True, ocr=ocr)
    spec = make_batch(site.folder / "batch", scans=SCANS, identifiers=True, text=site.ocr)
    command = ingest_command(spec, site)
    site.note(f"a clean run with two workers: {calibration.seconds:.2f} s")
    workers = Workers(site)
    problems: list[str] = []
    waiting: Running | None = None

    def ended(running: Running) -> None:
        ran = running.result(False)
        site.note(ran.summary())
        if ran.returncode != 0:
            problems.append(f"a waiting `ingest`, not killed, exited {ran.returncode}: {ran.stderr.strip()[-400:]}")

    try:
        for _ in range(rng.randint(3, 5)):
            workers.ensure()
            if waiting is None:
                waiting = site.start(*command, name="ingest")
            # the moment falls in what is left of the batch: two workers go on while the command is dead
            done = site.count(select(func.count()).select_from(BatchFile).where(BatchFile.state == "done"))
            left = max(len(spec.paths) - done, 1)
            share = Calibration(calibration.seconds * max(left / len(spec.paths), 0.2), {})
            moment = share.moment(rng, ingest_progress(spec, PROGRESS, files=left), kinds=("time", "progress"))
            target = rng.choice(["a worker", "the command", "everything"])
            start, since = time.monotonic(), utcnow()
            busy = lambda w=waiting: w.alive() or not workers.drained()  # noqa: E731
            reached = site.wait_for(moment, start, since, start + 1.5 * calibration.seconds + 5, busy)
            site.note(f"kill {target} {moment}" + ("" if reached else " [the moment never came]"))
            if not waiting.alive():
                ended(waiting)
                waiting = None
            if target in ("a worker", "everything"):
                for n in [rng.randrange(2)] if target == "a worker" else [0, 1]:
                    workers.kill(n)
            if target in ("the command", "everything") and waiting is not None:
                waiting.kill()
                site.note(f"{waiting.name}: killed")
                waiting = None
        workers.ensure()
        if waiting is None:
            waiting = site.start(*command, name="ingest (final)")
        final = _wait(site, waiting, calibration.seconds + HANG)
        if final.killed:
            problems.append(
                f"the waiting `ingest` did not end within {calibration.seconds + HANG:.0f} s with two live "
                "workers; run again to go on with the checks"
            )
            final = site.run(*command, name="ingest (after the hang)", timeout=calibration.seconds + HANG)
        if not wait_until(lambda: _settled(workers), HANG):
            problems.append(f"the queue did not settle within {HANG} s after the final run")
    finally:
        workers.stop()
    with site.runtime() as runtime:
        checks = {
            "final run": invariants.final_run(final, len(spec.paths), site.folder / "report.json"),
            "commands and jobs": problems,
            "a clean run of the same batch": clean,
            "events as in a clean run": invariants.events_as_in(runtime, spec, reference),
            **invariants.everything(runtime, site, spec),
        }
    failure = verdict(site, checks, seed, request.node.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
    print("\n".join(site.journal))


def _wait(site: Site, running: Running, timeout: float) -> Ran:
    try:
        running.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        running.kill()
        ran = running.result(True, f"by the test: still waiting after {timeout:.0f} s")
    else:
        ran = running.result(False)
    site.note(ran.summary())
    return ran
