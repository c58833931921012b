"""Fixed kill points of a condition check with photographs (`heritage condition record --photo`, through
`ingest.adding`): killed while a photo is decoded into its derivatives (nothing stored yet) and after the first
master is stored but before the check is committed, then the same command run again. Afterwards: one check,
its photographs once each as condition files, and nothing half-made or unreferenced in the store."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.helpers import make_image
from tests.integrity import invariants
from tests.integrity.conftest import SiteFactory
from tests.integrity.harness import AtCall, Moment, make_batch, verdict, within
from tests.integrity.ingest_runs import ingest_command

pytestmark = [pytest.mark.db, pytest.mark.slow]

POINTS = {
    "decoding": AtCall(2, None, within("ingest/derivatives.py"), "build_derivatives"),  # the second photo
    "stored, not committed": AtCall(1, None, within("ingest/derivatives.py"), "install"),
}


@pytest.mark.parametrize("where", list(POINTS))
def test_a_check_killed_while_adding_its_photos_is_whole_after_the_rerun(
    make_site: SiteFactory, request: pytest.FixtureRequest, where: str
) -> None:
    from heritage.models import ConditionCheck, File, FileRole, Item

    site = make_site("site")
    spec = make_batch(site.folder / "batch", scans=2, fonds=False, size=(500, 400))
    assert site.run(*ingest_command(spec, site)).returncode == 0
    with site.runtime() as runtime, runtime.sessions() as session:
        item_id = session.scalars(select(Item.id).order_by(Item.id)).first()
    assert item_id is not None
    photos = [make_image(site.folder / "photos" / f"damage-{n}.jpg", (900, 700), seed=40 + n) for n in (1, 2)]
    command = ["condition", "record", item_id, "--condition", "poor", "--by", "registrar", "--json"]
    for photo in photos:
        command += ["--photo", str(photo)]
    moment: Moment = POINTS[where]
    killed = site.run_killed(*command, moment=moment, name="condition (killed)")
    if not killed.killed:
        pytest.fail(f"the kill point ({moment}) was never reached: {killed.summary()}; move it to the code")
    with site.runtime() as runtime, runtime.sessions() as session:
        assert list(session.scalars(select(ConditionCheck))) == []  # the killed check never committed
    final = site.run(*command, name="condition (again)")
    problems = [] if final.returncode == 0 else [f"the rerun failed: {final.summary()}"]
    with site.runtime() as runtime:
        with runtime.sessions() as session:
            checks = list(session.scalars(select(ConditionCheck)))
            added = list(session.scalars(select(File).where(File.role == FileRole.CONDITION.value)))
        if final.returncode == 0:
            shown = json.loads(final.stdout)
            if sorted(shown["files"]) != sorted(f.id for f in added):
                problems.append(f"the check names {shown['files']}, the item has {[f.id for f in added]}")
        if len(checks) != 1 or len(added) != 2:
            problems.append(f"{len(checks)} checks and {len(added)} condition files (1 and 2 wanted)")
        for f in added:
            if not runtime.storage.master_path(f.storage_key).is_file():
                problems.append(f"{f.original_name} is not stored")
        checks_by_name = {
            "one whole check": problems,
            "no leftovers": invariants.no_leftovers(runtime, site)
            + [f"upload copy left: {p.name}" for p in (site.data / "uploads").glob("added-*")]
            + [f"journal left: {p.name}" for p in (site.data / "locks" / "added").glob("*.lock")],
        }
    failure = verdict(site, checks_by_name, None, request.node.nodeid)
    if failure:
        pytest.fail(failure, pytrace=False)
