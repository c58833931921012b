"""Replication (HERITAGE_REPLICA set) killed mid-copy, at seeded random moments of the end of an ingest batch,
then the ingest run again or `heritage preservation sync --all` (itself killed, at times): the replica ends
whole and audits clean.

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
@pytest.mark.parametrize("ocr", [None, True], ids=["", "ocr"])
def test_replication_killed_mid_copy_ends_with_a_whole_replica(
    seed: int, ocr: bool | None, make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """`[ocr]`: the batch's text (ALTO beside each scan) is taken in after it, with a version of its own: the
    kills land in the OCR's versions and copies too."""
    calibrated = calibrate(make_site, ocr=ocr)
    calibration = calibrated.calibration
    rng = random.Random(f"replication-{seed}")
    site = make_site("site", replica=True, ocr=ocr)
    spec = make_batch(site.folder / "batch", scans=SCANS, identifiers=True, text=site.ocr)
    command = ingest_command(spec, site)
    site.note(f"a clean run: {calibration.calls_into(PRESERVATION)} calls into the store and replica code")
    unkilled: list[str] = []
    progress = ingest_progress(spec, PROGRESS)
    for _ in range(rng.randint(2, 4)):
        ran = [site.run_killed(*command, moment=calibration.moment(rng, progress, ("call", "progress"), PRESERVATION))]
        then = rng.choice(["the ingest again", "sync", "sync, killed"])
        if then == "sync":
            ran.append(site.run("preservation", "sync", "--all", name="preservation sync --all"))
        elif then == "sync, killed":
            moment = calibration.moment(rng, progress, ("call", "progress"), PRESERVATION)
            ran.append(site.run_killed("preservation", "sync", "--all", moment=moment, name="preservation sync --all"))
        unkilled += [
            f"`{r.name}`, not killed, exited {r.returncode}: {r.stderr.strip()[-400:]}"
            for r in ran
            if not r.killed and r.returncode != 0
        ]
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
