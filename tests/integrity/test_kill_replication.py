"""Replication (HERITAGE_REPLICA set) killed mid-copy, at seeded random moments of the end of an ingest batch,
then the ingest run again or `heritage preservation sync --all`: the replica ends whole and audits clean.

README (Replica): "every new version is copied into a second OCFL storage root there and each copied file is
read back and checked against the inventory before the replica's inventory is replaced".
"""

from __future__ import annotations

import random

import pytest

from tests.integrity import invariants
from tests.integrity.conftest import SiteFactory, seeds
from tests.integrity.harness import make_batch, verdict, within
from tests.integrity.ingest_runs import SCANS, calibrate, ingest_command, ingest_progress

pytestmark = [pytest.mark.db, pytest.mark.slow]
# Writing versions and copying them into the replica (the calls a clean run makes there are few: each is a
# moment of its own).
PRESERVATION = within("heritage/preservation/store.py", "heritage/preservation/replica.py")
PROGRESS = ("finished", "objects", "replica_files")


@pytest.mark.parametrize("seed", seeds(1))
def test_replication_killed_mid_copy_ends_with_a_whole_replica(
    seed: int, make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    calibrated = calibrate(make_site)
    calibration = calibrated.calibration
    rng = random.Random(f"replication-{seed}")
    site = make_site("site", replica=True)
    spec = make_batch(site.folder / "batch", scans=SCANS, identifiers=True)
    command = ingest_command(spec, site)
    site.note(f"a clean run: {calibration.calls_into(PRESERVATION)} calls into the store and replica code")
    unkilled: list[str] = []
    for _ in range(rng.randint(2, 4)):
        moment = calibration.moment(rng, ingest_progress(spec, PROGRESS), ("call", "progress"), PRESERVATION)
        ran = site.run_killed(*command, moment=moment)
        if rng.random() < 0.5:
            ran = site.run("preservation", "sync", "--all", name="preservation sync --all")
        if not ran.killed and ran.returncode != 0:
            unkilled.append(f"`{ran.name}`, not killed, exited {ran.returncode}: {ran.stderr.strip()[-400:]}")
    final = site.run(*command, name="ingest (final)")
    with site.runtime() as runtime:
        checks = {
            "final run": invariants.final_run(final, len(spec.paths), site.folder / "report.json"),
            "runs that ended by themselves": unkilled,
            "a clean run of the same batch": calibrated.problems,
            "events as in a clean run": invariants.events_as_in(runtime, spec, calibrated.events[True]),
            **invariants.everything(runtime, site, spec),
        }
    failure = verdict(site, checks, seed, request.node.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
    print("\n".join(site.journal))
