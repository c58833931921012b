"""`heritage rebuild-from-store`: the catalogue database deleted, then rebuilt from the OCFL store alone,
with the same items, records, files and events."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from heritage.cli import main
from heritage.locations.movements import move
from heritage.models import Authority, AuthorityLink, Base, Collection, Event, File, Item, Location, MetadataRecord
from heritage.preservation.package import row_json
from heritage.preservation.service import store_of
from heritage.runtime import Runtime
from tests.heritage.policy import builders

pytestmark = pytest.mark.db


def _snapshot(runtime: Runtime) -> dict[str, Any]:
    with runtime.sessions() as session:
        location = {loc.id: loc.code for loc in session.scalars(select(Location))}
        return {
            "collections": sorted(
                (c.slug, c.title, c.domain, c.unit.slug, c.unit.name) for c in session.scalars(select(Collection))
            ),
            "items": sorted(
                (
                    row_json(i, ("collection_id", "location_id", "unit_id", "updated_at"))
                    | {"collection": i.collection.slug, "location": location.get(i.location_id or 0)}
                    for i in session.scalars(select(Item))
                ),
                key=lambda d: d["id"],
            ),
            "records": sorted(
                (row_json(r, ("id",)) for r in session.scalars(select(MetadataRecord))),
                key=lambda d: (d["item_id"], d["created_at"], d["standard"]),
            ),
            "files": sorted((row_json(f) for f in session.scalars(select(File))), key=lambda d: d["id"]),
            "events": [
                row_json(e) for e in session.scalars(select(Event).where(Event.item_id.is_not(None)).order_by(Event.id))
            ],
            "authority links": sorted(
                tuple(row)
                for row in session.execute(
                    select(
                        AuthorityLink.item_id, AuthorityLink.role, Authority.id, Authority.type, Authority.name
                    ).join(Authority, Authority.id == AuthorityLink.authority_id)
                )
            ),
        }


def _drop_everything(runtime: Runtime) -> None:
    Base.metadata.drop_all(runtime.engine)
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


def _runner(runtime: Runtime) -> CliRunner:
    return CliRunner(env={**runtime.settings.as_env(), "REDIS_URL": ""})


def test_the_catalogue_is_rebuilt_from_the_store_alone(preserved: Runtime) -> None:
    runner = _runner(preserved)
    assert runner.invoke(main, ["preservation", "sync", "--all"]).exit_code == 0  # the last events into the store
    before = _snapshot(preserved)
    assert before["events"] and before["files"] and before["records"]
    masters = {p: p.read_bytes() for p in (preserved.settings.data_dir / "masters").rglob("*") if p.is_file()}

    _drop_everything(preserved)  # the catalogue is lost
    for path in masters:
        path.unlink()  # and the working masters with it
    preserved.engine.dispose()
    result = runner.invoke(main, ["rebuild-from-store"])  # migrates the empty database, then fills it
    assert result.exit_code == 0, result.output
    assert "rebuilt 4 items, 4 records, 3 files" in result.output and "(3 masters restored" in result.output
    after = _snapshot(preserved)
    assert before["authority links"]  # the small batch names a person and a subject
    for part in ("collections", "items", "records", "files", "events", "authority links"):
        assert after[part] == before[part], part
    assert {p: p.read_bytes() for p in masters} == masters
    found = runner.invoke(main, ["preservation", "sync", "--all"])
    assert "0 new versions" in found.output  # the rebuilt catalogue is exactly what the store holds
    assert store_of(preserved).validate() == []
    search = runner.invoke(main, ["reindex"])
    assert search.exit_code == 0 and "indexed 4 items" in search.output
    again = runner.invoke(main, ["rebuild-from-store"])
    assert again.exit_code == 1 and "not empty" in again.output


def test_an_item_goes_back_to_its_place_when_the_places_are_registered(preserved: Runtime) -> None:
    runner = _runner(preserved)
    with preserved.transaction() as session:
        builders.tree(session)
    with preserved.sessions() as session:
        item = session.scalar(select(Item.id).where(Item.local_id == "F1.1.1"))
    with preserved.transaction() as session:
        move(session, item, "LEU-CD-R1", agent="kim", reason="to the reading room store")
    _drop_everything(preserved)
    preserved.engine.dispose()
    lost = runner.invoke(main, ["rebuild-from-store"])
    assert (
        lost.exit_code == 0 and f"warning: location not in the catalogue, left empty: {item}: LEU-CD-R1" in lost.output
    )
    _drop_everything(preserved)
    preserved.engine.dispose()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    with preserved.transaction() as session:
        builders.tree(session)  # the places come back from their own register
    assert runner.invoke(main, ["rebuild-from-store"]).exit_code == 0
    with preserved.sessions() as session:
        rebuilt = session.get(Item, item)
        assert rebuilt is not None and session.get(Location, rebuilt.location_id).code == "LEU-CD-R1"
        moves = session.scalars(select(Event).where(Event.item_id == item, Event.type == "movement")).all()
        assert [m.data["to_location"] for m in moves] == ["LEU-CD-R1"]
