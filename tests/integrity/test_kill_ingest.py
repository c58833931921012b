"""`heritage ingest` (inline, on SQLite and PostgreSQL) killed with SIGKILL at seeded random moments, several
runs in a row, then run to the end: exactly the batch, once, and a store in step with the catalogue.

README (A batch): "Killing the command or a worker at any moment (even `kill -9`) and running the same
command again finishes the batch: nothing is stored twice, and what a killed process left half-made ...
is removed."
"""

from __future__ import annotations

import random

import pytest

from tests.integrity import invariants
from tests.integrity.conftest import SiteFactory, seeds
from tests.integrity.harness import ALL_CODE, make_batch, verdict, within
from tests.integrity.ingest_runs import SCANS, calibrate, ingest_command, ingest_progress

pytestmark = [pytest.mark.db, pytest.mark.slow]
PROGRESS = ("planned", "touched", "done", "finished", "objects")


@pytest.mark.parametrize("identifiers", [True, False], ids=["identifiers", "no-identifiers"])
@pytest.mark.parametrize("seed", seeds(1))
def test_ingest_killed_at_random_moments_ends_with_exactly_the_batch(
    seed: int, identifiers: bool, make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    calibrated = calibrate(make_site)
    calibration = calibrated.calibration
    rng = random.Random(f"ingest-{identifiers}-{seed}")
    site = make_site("site")
    spec = make_batch(site.folder / "batch", scans=SCANS, identifiers=identifiers)
    command = ingest_command(spec, site)
    site.note(
        f"a clean run: {calibration.seconds:.2f} s, {calibration.calls_into(within(*ALL_CODE))} calls into our code"
    )
    unkilled: list[str] = []
    for _ in range(rng.randint(2, 4)):
        ran = site.run_killed(*command, moment=calibration.moment(rng, ingest_progress(spec, PROGRESS)))
        if not ran.killed and ran.returncode != 0:
            unkilled.append(f"a run that was not killed exited {ran.returncode}: {ran.stderr.strip()[-400:]}")
    final = site.run(*command, name="ingest (final)")
    with site.runtime() as runtime:
        checks = {
            "final run": invariants.final_run(final, len(spec.paths), site.folder / "report.json"),
            "runs that ended by themselves": unkilled,
            "a clean run of the same batch": calibrated.problems,
            "events as in a clean run": invariants.events_as_in(
                runtime, spec, calibrated.events[identifiers], replica=False
            ),
            **invariants.everything(runtime, site, spec),
        }
    failure = verdict(site, checks, seed, request.node.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
    print("\n".join(site.journal))
