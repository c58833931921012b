"""Fixed kill points, one per defect of issue 14 that a kill (or a rerun) shows: each kills a real command with
SIGKILL at a named place, runs what a user runs next, and checks what that place puts at risk. A kill point
that a run never reaches fails the test (the code moved: the point must follow it), so none passes idly.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.integrity import invariants
from tests.integrity.conftest import SiteFactory, needs_postgres
from tests.integrity.harness import AtCall, AtProgress, BatchSpec, Moment, Ran, Site, make_batch, verdict, within
from tests.integrity.ingest_runs import ingest_command

pytestmark = [pytest.mark.db, pytest.mark.slow]
HANG = 120  # seconds a waiting ingest of four scans may take, a dead worker's file included


def _batch(site: Site, scans: int = 4, identifiers: bool = True) -> BatchSpec:
    return make_batch(site.folder / "batch", scans=scans, identifiers=identifiers, fonds=False, size=(600, 400))


def _killed(site: Site, *args: str, moment: Moment) -> Ran:
    ran = site.run_killed(*args, moment=moment)
    if not ran.killed:
        pytest.fail(f"the kill point ({moment}) was never reached: {ran.summary()}; move it to where the code is now")
    return ran


def _judge(site: Site, checks: dict[str, list[str]], request: pytest.FixtureRequest) -> None:
    failure = verdict(site, checks, None, request.node.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
    print("\n".join(site.journal))


def test_a_sheet_without_identifiers_ingested_twice_gives_one_item_per_row(
    make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """Issue 14, item 1 (no kill needed): the same command again resumes the batch."""
    site = make_site("site")
    spec = _batch(site, scans=3, identifiers=False)
    site.run(*ingest_command(spec, site))
    final = site.run(*ingest_command(spec, site), name="ingest (again)")
    with site.runtime() as runtime:
        checks = {
            "final run": invariants.final_run(final, len(spec.paths), site.folder / "report.json"),
            "one item per row": invariants.one_item_per_row(runtime, spec),
        }
    _judge(site, checks, request)


def test_a_file_killed_after_its_checksum_is_described_once(
    make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """Issue 14, item 7: killed as the first file's derivatives begin (its checksum, format and technical
    metadata recorded), then run again: each step's event once per outcome per file."""
    site = make_site("site")
    spec = _batch(site)
    command = ingest_command(spec, site)
    _killed(site, *command, moment=AtCall(1, None, within("ingest/derivatives.py"), "build_derivatives"))
    final = site.run(*command, name="ingest (final)")
    with site.runtime() as runtime:
        checks = {
            "final run": invariants.final_run(final, len(spec.paths), site.folder / "report.json"),
            "one item per row": invariants.one_item_per_row(runtime, spec),
            "events once per outcome": invariants.events_once(runtime, spec),
            "no leftovers": invariants.no_leftovers(runtime, site),
        }
    _judge(site, checks, request)


def test_replication_killed_mid_copy_is_finished_by_the_rerun(
    make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """Issue 14, item 2: killed inside the first object's replication (as it copies its second file), then
    the same ingest: the replica is whole."""
    site = make_site("site", replica=True)
    spec = _batch(site)
    command = ingest_command(spec, site)
    _killed(site, *command, moment=AtCall(2, None, within("heritage/preservation/replica.py"), "_copy"))
    final = site.run(*command, name="ingest (final)")
    with site.runtime() as runtime:
        audits, _ = invariants.audits_clean(site)
        checks = {
            "final run": invariants.final_run(final, len(spec.paths), site.folder / "report.json"),
            "no leftovers": invariants.no_leftovers(runtime, site),
            "preservation events": invariants.preservation_failures(runtime),
            "store (and replica) in step": invariants.store_in_step(runtime, site),
            "audits clean": audits,
        }
    _judge(site, checks, request)


def test_a_batch_killed_before_its_versions_is_named_by_the_audit(
    make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """Issue 14, item 4: killed as the finished batch writes its first OCFL version, then `fixity audit --all`
    at once: when items are left without an object (or behind) the audit says so, exit 1."""
    site = make_site("site")
    spec = _batch(site)
    _killed(
        site,
        *ingest_command(spec, site),
        moment=AtCall(1, None, within("heritage/preservation/store.py"), "write_version"),
    )
    audit = site.run("fixity", "audit", "--all", "--json", name="fixity audit --all")
    with site.runtime() as runtime:
        behind = invariants.store_in_step(runtime, site)
    named = len(json.loads(audit.stdout)["problems"]) if audit.stdout.strip().startswith("{") else 0
    checks = {"the audit sees what is behind": invariants.audit_sees(behind, {"store": named})}
    if named and audit.returncode == 0:
        checks["the audit sees what is behind"].append(f"`fixity audit --all` named {named} problems, exit 0")
    _judge(site, checks, request)


def test_access_set_killed_right_after_its_commit_reaches_the_store_and_the_search(
    make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """Issue 14, item 5 (and the search index, which follows the same commit): `access set ITEM closed` killed
    as soon as its change is committed, then the same command again: the store, its rebuild and the public
    search all have the item closed."""
    site = make_site("site", replica=True)
    spec = _batch(site, scans=3)
    ran = site.run(*ingest_command(spec, site))
    assert ran.returncode == 0, ran.summary()
    with site.runtime() as runtime:
        item = invariants.items_of(runtime)[0].id
    command = ("access", "set", item, "closed", "--reason", "kill point")
    _killed(site, *command, moment=AtProgress("access", item=item, access="closed"))
    again = site.run(*command, name="access set (again)")
    with site.runtime() as runtime:
        checks = {
            "the same again": [] if again.returncode == 0 else [again.summary()],
            "access history told once": invariants.access_story(runtime, {}),
            "store in step": invariants.store_in_step(runtime, site),
            "search agrees": invariants.search_agrees(runtime),
            "rebuild gives the catalogue back": invariants.rebuild_gives_back(runtime, site),
        }
    _judge(site, checks, request)


def test_rebuild_from_store_killed_midway_then_run_again_gives_the_catalogue_back(
    make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """Not among the issue's items: `heritage rebuild-from-store` commits item by item, so a kill leaves a part
    of the catalogue, and the command refuses to fill a catalogue that is not empty."""
    site = make_site("site")
    spec = _batch(site)
    ran = site.run(*ingest_command(spec, site))
    assert ran.returncode == 0, ran.summary()
    second_item = AtCall(2, None, within("heritage/preservation/rebuild.py"), "_restore_item")
    with site.runtime() as runtime:
        checks = {"rebuild gives the catalogue back": invariants.rebuild_gives_back(runtime, site, second_item)}
    _judge(site, checks, request)


@pytest.mark.redis
def test_a_worker_killed_mid_file_does_not_leave_the_waiting_ingest_hanging(
    make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    """Issue 14, item 6: the worker that holds a file killed (its process group: a power cut) while `heritage
    ingest` waits, a new worker started beside the other: the command ends, exit 0, the batch complete."""
    needs_postgres()
    from redis import Redis
    from rq import Queue, Worker

    site = make_site("site", redis=True)
    spec = _batch(site)
    workers = [site.start("worker", name=f"worker-{n}") for n in (1, 2)]
    waiting = site.start(*ingest_command(spec, site), name="ingest")
    try:
        if not site.wait_for(
            AtProgress("touched"), time.monotonic(), waiting.since, time.monotonic() + 120, waiting.alive
        ):
            pytest.fail(f"no file was taken by a worker: {waiting.result(False).summary()}")
        queue = Queue(site.queue or "", connection=Redis.from_url(site.redis_url or ""))
        busy = {w.pid for w in Worker.all(queue=queue) if w.get_state() == "busy"}
        victim = next((w for w in workers if w.proc.pid in busy), None)
        if victim is None:
            states = [(w.pid, w.get_state()) for w in Worker.all(queue=queue)]
            pytest.fail(f"a file was taken, yet no worker of ours is busy: {states}")
        victim.kill()
        site.note(f"{victim.name}: killed while busy")
        workers.append(site.start("worker", name="worker-3"))
        try:
            waiting.proc.wait(HANG)
            final = waiting.result(False)
        except subprocess.TimeoutExpired:
            waiting.kill()
            final = waiting.result(True, f"by the test: still waiting {HANG} s after the worker died")
        site.note(final.summary())
    finally:
        for worker in workers:
            worker.stop()
    with site.runtime() as runtime:
        checks = {
            "final run": invariants.final_run(final, len(spec.paths), site.folder / "report.json"),
            "one item per row": invariants.one_item_per_row(runtime, spec),
        }
    _judge(site, checks, request)
