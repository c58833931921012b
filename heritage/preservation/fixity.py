"""Fixity audits of the OCFL store: every content file's SHA-512 recomputed and compared with the inventory.

An audit names every problem by item and path: a content file whose digest differs (`mismatch`), one the
inventory lists that is gone (`missing`), a file in the object that no inventory lists (`unexpected`),
an inventory whose own digest differs from its sidecar (`inventory`); and what the store lacks
(`behind.py`): an item of the catalogue without an object (`absent`), an object whose head is older than
its catalogue row (`behind`), and in a replica audit an object the replica lacks or holds at an older
version. Each audited object, and each absent item, gets a `fixity_check` event. Which objects are due:
every object within `HERITAGE_FIXITY_CYCLE_DAYS`, a rolling twelfth of them (the longest unchecked first)
at each run, so a monthly run covers a year; absent items are looked for in the whole catalogue at every
run (one query of the ids beside the walk of the store).
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from heritage import events
from heritage.errors import ConfigurationError, NotFound
from heritage.models import Event, Item, Outcome, utcnow
from heritage.preservation import behind
from heritage.preservation.store import OcflStore, sha512_of
from heritage.runtime import Runtime

RUNS_PER_CYCLE = 12
OBJECT_FILES = {"0=ocfl_object_1.1", "inventory.json", "inventory.json.sha512"}


@dataclass(frozen=True)
class Problem:
    item: str
    path: str
    problem: str  # mismatch, missing, unexpected, inventory, absent, behind
    detail: str = ""

    @classmethod
    def of(cls, gap: behind.Gap) -> Problem:
        return cls(gap.item, gap.path, gap.problem, gap.detail)


@dataclass
class ObjectAudit:
    item: str
    files: int = 0
    bytes: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class AuditReport:
    objects: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "objects": self.objects,
            "files": self.files,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "problems": [{k: v for k, v in asdict(p).items() if k != "detail" or v} for p in self.problems],
        }


def _sidecar_ok(inventory: Path) -> bool:
    sidecar = inventory.with_name(inventory.name + ".sha512")
    try:
        expected = sidecar.read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return False
    return sha512_of(inventory) == expected


def audit_object(store: OcflStore, item_id: str, folder: Path | None = None, *, workers: int = 1) -> ObjectAudit:
    """Recompute every content file's digest of one object; every problem, by path."""
    folder = folder or store.object_dir(item_id)
    result = ObjectAudit(item_id)
    root_inventory = folder / "inventory.json"
    try:
        inventory = json.loads(root_inventory.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        result.problems.append(Problem(item_id, "inventory.json", "inventory", f"unreadable: {exc}"))
        return result
    if not _sidecar_ok(root_inventory):
        result.problems.append(Problem(item_id, "inventory.json", "inventory", "does not match its sidecar digest"))
    expected = {path: digest for digest, paths in inventory.get("manifest", {}).items() for path in paths}
    versions = set(inventory.get("versions", {}))
    for version in sorted(versions):
        copy = folder / version / "inventory.json"
        if copy.is_file() and not _sidecar_ok(copy):
            result.problems.append(
                Problem(item_id, f"{version}/inventory.json", "inventory", "does not match its sidecar digest")
            )
    present: set[str] = set()
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            relative = (Path(dirpath) / name).relative_to(folder).as_posix()
            present.add(relative)
    for relative in sorted(present - set(expected)):
        top, _, rest = relative.partition("/")
        if relative in OBJECT_FILES or (top in versions and rest in ("inventory.json", "inventory.json.sha512")):
            continue
        result.problems.append(Problem(item_id, relative, "unexpected", "not listed in the inventory"))
    for relative in sorted(set(expected) - present):
        result.problems.append(Problem(item_id, relative, "missing", "listed in the inventory, not in the store"))

    def check(relative: str) -> tuple[str, int, str]:
        path = folder / relative
        return relative, path.stat().st_size, sha512_of(path)

    todo = sorted(set(expected) & present)
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for relative, size, digest in pool.map(check, todo):
            result.files += 1
            result.bytes += size
            if digest != expected[relative]:
                detail = f"SHA-512 {digest[:16]}…, inventory {expected[relative][:16]}…"
                result.problems.append(Problem(item_id, relative, "mismatch", detail))
    return result


def last_checks(runtime: Runtime) -> dict[str, datetime]:
    with runtime.sessions() as session:
        rows = session.execute(
            select(Event.item_id, func.max(Event.at)).where(Event.type == "fixity_check").group_by(Event.item_id)
        ).all()
    return {item: at for item, at in rows if item}


def _created(folder: Path) -> datetime:
    try:
        inventory = json.loads((folder / "inventory.json").read_text(encoding="utf-8"))
        return datetime.fromisoformat(inventory["versions"]["v1"]["created"].replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError):
        return datetime.min.replace(tzinfo=utcnow().tzinfo)


def due(runtime: Runtime, objects: list[tuple[str, Path]], now: datetime | None = None) -> list[tuple[str, Path]]:
    """The objects this run checks: every overdue one, and at least a twelfth of all, longest unchecked first."""
    now = now or utcnow()
    cycle = timedelta(days=runtime.settings.fixity_cycle_days)
    checked = last_checks(runtime)
    order = sorted(objects, key=lambda o: (checked.get(o[0]) or _created(o[1]), o[0]))
    share = math.ceil(len(objects) / RUNS_PER_CYCLE)
    chosen = []
    for n, (item, folder) in enumerate(order):
        last = checked.get(item) or _created(folder)
        if n < share or last + cycle <= now:
            chosen.append((item, folder))
    return chosen


def audit(
    runtime: Runtime,
    objects: Iterable[tuple[str, Path]],
    *,
    agent: str = events.SOFTWARE_AGENT,
    on_object: Callable[[ObjectAudit], None] | None = None,
    workers: int | None = None,
    replica: bool = False,
    absent: Iterable[Problem] = (),
) -> AuditReport:
    """Audit these objects (of the store, or of its replica), record a `fixity_check` event for each, report.

    Each object is also compared with what it should hold: the catalogue's row (the store), or the store's
    object (the replica). `absent` (from `plan`) are reported and recorded too.
    """
    from heritage.preservation import outbox

    store = store_for(runtime, replica=replica)
    primary = store_for(runtime) if replica else store
    report = AuditReport()
    started = datetime.now()
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    with runtime.sessions() as session:
        waiting = {} if replica else outbox.waiting(session)
    for problem in absent:
        report.problems.append(problem)
        _record(runtime, problem.item, [problem], agent=agent, replica=replica)
    for item_id, folder in objects:
        result = audit_object(store, item_id, folder, workers=workers)
        if replica:
            gaps = behind.replica_behind(primary, store, item_id)
        else:
            with runtime.sessions() as session:
                gaps = behind.object_behind(session, item_id, folder, waiting)
        result.problems += [Problem.of(g) for g in gaps]
        report.objects += 1
        report.files += result.files
        report.bytes += result.bytes
        report.problems += result.problems
        _record(runtime, item_id, result.problems, agent=agent, replica=replica, result=result)
        if on_object:
            on_object(result)
    report.seconds = (datetime.now() - started).total_seconds()
    return report


def _record(
    runtime: Runtime,
    item_id: str,
    problems: list[Problem],
    *,
    agent: str,
    replica: bool,
    result: ObjectAudit | None = None,
) -> None:
    """The `fixity_check` event of one object (or of an item found without one)."""
    with runtime.transaction() as session:
        events.record(
            session,
            "fixity_check",
            item_id=item_id,
            agent=agent,
            outcome=Outcome.FAILURE if problems else Outcome.SUCCESS,
            detail=(
                "; ".join(f"{p.path}: {p.problem}" for p in problems[:20])
                if problems
                else f"{result.files if result else 0} files match their SHA-512 in the OCFL inventory"
            )
            + (" (replica)" if replica else ""),
            copy="replica" if replica else "store",
            files=result.files if result else 0,
            bytes=result.bytes if result else 0,
            problems=[asdict(p) for p in problems],
        )


def store_for(runtime: Runtime, *, replica: bool = False) -> OcflStore:
    """The preservation store, or its replica (`HERITAGE_REPLICA`)."""
    from heritage.preservation.service import store_of

    if not replica:
        return store_of(runtime)
    if runtime.settings.replica is None:
        raise ConfigurationError("--replica audits the replica: set HERITAGE_REPLICA")
    return OcflStore(runtime.settings.replica)


def select_objects(
    runtime: Runtime,
    *,
    mode: str,
    sample: float | None = None,
    item_id: str | None = None,
    seed: int | None = None,
    replica: bool = False,
) -> list[tuple[str, Path]]:
    """The objects an audit covers: `all`, `due` or one item; `sample` keeps that fraction of them (at least one)."""
    return plan(runtime, mode=mode, sample=sample, item_id=item_id, seed=seed, replica=replica).objects


@dataclass
class AuditPlan:
    objects: list[tuple[str, Path]]  # (item id, object folder) to audit
    absent: list[Problem]  # items that should have an object there and have none


def plan(
    runtime: Runtime,
    *,
    mode: str,
    sample: float | None = None,
    item_id: str | None = None,
    seed: int | None = None,
    replica: bool = False,
) -> AuditPlan:
    """What an audit covers: the objects of `all`, `due` or one item (`sample` keeps that fraction of them, at least
    one), and the items without an object (of the whole catalogue, or of the one item).

    Raises:
        NotFound: the one item is neither in the catalogue nor in the store.
    """
    store = store_for(runtime, replica=replica)
    where = "the replica" if replica else "the preservation store"
    if item_id is not None:
        if store.object_dir(item_id).is_dir():
            return AuditPlan([(item_id, store.object_dir(item_id))], [])
        with runtime.sessions() as session:
            known = session.get(Item, item_id) is not None
        if not known and not (replica and store_for(runtime).object_dir(item_id).is_dir()):
            raise NotFound(f"item {item_id!r} has no object in the preservation store ({store.root})")
        return AuditPlan([], [Problem(item_id, behind.INVENTORY, behind.ABSENT, f"no object in {where}")])
    everything = list(store.objects())
    present = {item for item, _ in everything}
    with runtime.sessions() as session:
        gaps = behind.absent(session, present, where=where)
    if replica:  # objects of the store that the replica lacks, the catalogue's or not
        listed = {g.item for g in gaps}
        gaps += [
            behind.Gap(item, behind.INVENTORY, behind.ABSENT, f"the store's object has no copy in {where}")
            for item, _ in store_for(runtime).objects()
            if item not in present and item not in listed
        ]
    objects = due(runtime, everything) if mode == "due" else everything
    if sample is not None and objects:
        rng = random.Random(seed)
        objects = sorted(rng.sample(objects, max(1, round(len(objects) * sample))))
    return AuditPlan(objects, [Problem.of(g) for g in gaps])
