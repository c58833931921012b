"""`heritage access set ITEM STATUS` killed at seeded random moments (start-up, before its commit, right after
it), then a next command (the same again, another item's change, or a rerun of the ingest): the catalogue,
the events, the search index and the OCFL store (and its replica) all tell the same access, once.

README (Preservation): "A version is written ... after every move, custody, access or metadata change";
(Command line) "`heritage access set` ... search, facet counts, hierarchy paths, IIIF ... follow at once".
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from heritage.models import Item
from tests.integrity import invariants
from tests.integrity.conftest import SiteFactory, seeds
from tests.integrity.harness import (
    AtProgress,
    Calibration,
    Ran,
    Site,
    count_calls,
    make_batch,
    verdict,
)
from tests.integrity.ingest_runs import ingest_command

pytestmark = [pytest.mark.db, pytest.mark.slow]
STATUSES = ("public", "restricted", "closed")
UNTIL = (None, "2999-12-31", "2001-01-01")  # closed for good, closed until far away, a closure that has lapsed


def _access(site: Site, item_id: str) -> str:
    with site.runtime() as runtime, runtime.sessions() as session:
        return session.scalar(select(Item.access).where(Item.id == item_id)) or ""


def _change(site: Site, rng: random.Random, items: list[str], why: str) -> tuple[str, ...]:
    """`access set` of a random item to a status it does not have."""
    item = rng.choice(items)
    status = rng.choice([s for s in STATUSES if s != _access(site, item)])
    args = ("access", "set", item, status, "--reason", why)
    until = rng.choice(UNTIL) if status == "closed" else None
    return (*args, "--until", until) if until else args


@pytest.mark.parametrize("seed", seeds(1))
def test_access_set_killed_at_random_moments_leaves_catalogue_search_and_store_in_step(
    seed: int, make_site: SiteFactory, request: pytest.FixtureRequest
) -> None:
    site = make_site("site", replica=True)
    spec = make_batch(site.folder / "batch", scans=6, identifiers=True, fonds=False, size=(600, 400))
    ingest = ingest_command(spec, site)
    first = site.run(*ingest)
    if first.returncode != 0:
        pytest.fail(f"a clean ingest of the generated batch fails: {first.summary()}\n{first.stderr[-2000:]}")
    with site.runtime() as runtime:
        items = [i.id for i in invariants.items_of(runtime)]
    rng = random.Random(f"access-{seed}")
    # a clean change timed, another counted: the range of the kill moments (both stay in the history)
    timed = site.run(*_change(site, rng, items, "calibration"))
    calls, counted = count_calls(site, *_change(site, rng, items, "calibration"))
    calibration = Calibration(timed.seconds, calls)
    unkilled = [f"`{r.name}` exited {r.returncode}: {r.stderr[-300:]}" for r in (timed, counted) if r.returncode]
    for n in range(1, rng.randint(3, 5) + 1):
        args = _change(site, rng, items, f"round {n}")
        progress = AtProgress("access", item=args[2], access=args[3])
        site.run_killed(*args, moment=calibration.moment(rng, lambda _rng, p=progress: p))
        then = rng.choice(["the same again", "another change", "the ingest again"])
        if then == "the same again":
            ran: Ran = site.run(*args, name="access set (again)")
        elif then == "another change":
            ran = site.run(*_change(site, rng, items, f"after round {n}"), name="access set (another)")
        else:
            ran = site.run(*ingest, name="ingest (again)")
        if ran.killed or ran.returncode != 0:
            unkilled.append(f"`{ran.name}` exited {ran.returncode}: {ran.stderr.strip()[-400:]}")
    with site.runtime() as runtime:
        checks = {
            "runs that ended by themselves": unkilled,
            "access history told once": invariants.access_story(runtime, {}),
            **invariants.everything(runtime, site, spec),
        }
    failure = verdict(site, checks, seed, request.node.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
    print("\n".join(site.journal))
