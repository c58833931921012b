"""What every kill case must end with, checked from the outside: each check returns the problems it
found (an empty list when it holds), so one failing case reports everything that is wrong at once.

The catalogue is read with the models, the store as files (an object's head `item.json` and
`events.jsonl`), the public view through the JSON API, the audits and the rebuild as `heritage` commands.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select

from heritage.access import effective_access
from heritage.errors import NotFound
from heritage.models import Access, BatchFile, Collection, Event, File, Item, PolicyDecision
from heritage.preservation import hooks, package
from heritage.preservation.service import store_of
from heritage.preservation.store import OcflStore
from heritage.runtime import Runtime
from tests.conftest import fresh_database_url
from tests.integrity.harness import COLLECTION, BatchSpec, Moment, Ran, Site

# Events of the steps every file goes through; each is written once per outcome.
FILE_STEPS = (
    "message_digest_calculation",
    "format_identification",
    "metadata_extraction",
    "validation",
    "creation",
    "ingestion",
)
# Events that come after the version that would hold them (README: "events recorded after a version (its
# replication, a fixity check) enter the object with the next one").
AFTER_THE_VERSION = frozenset({"replication", "fixity_check"})
# Events a version is written for, or written before it: never absent from the store.
KEPT = frozenset(hooks.TRIGGERS | set(FILE_STEPS) | {"description"})


def may_lack(event: dict[str, Any], newest_kept: int) -> bool:
    """Whether an object's head may lack this event: one recorded after the version (a replication, a fixity
    check, or another event the store does not wait for, such as an appraisal by a job running beside it)."""
    if event["type"] in AFTER_THE_VERSION:
        return True
    return event["type"] not in KEPT and event["id"] > newest_kept


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(row: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {c.key: _plain(getattr(row, c.key)) for c in inspect(type(row)).column_attrs if c.key not in exclude}


def items_of(runtime: Runtime) -> list[Item]:
    """The items of the kill tests' collection (detached: read their columns only)."""
    with runtime.sessions() as session:
        return list(
            session.scalars(select(Item).join(Collection).where(Collection.slug == COLLECTION).order_by(Item.id))
        )


def _key_of(item: Item, spec: BatchSpec) -> str:
    return item.local_id if spec.identifiers else item.title


# -- the final command ---------------------------------------------------------------------------------


def final_run(ran: Ran, expected_files: int | None = None, report: Path | None = None) -> list[str]:
    """The last command ends by itself, exit 0, without a duplicate or any failed file."""
    problems = []
    if ran.killed:
        problems.append(f"the final `{ran.name}` did not end by itself: killed {ran.where}")
        return problems
    if ran.returncode != 0:
        problems.append(f"the final `{ran.name}` exited {ran.returncode}: {ran.stdout.strip()[-300:]}")
    said = dict.fromkeys(
        line.strip()[:300]
        for line in (ran.stdout + ran.stderr).splitlines()
        if "duplicate" in line or line.startswith(("failed:", "problem:", "Traceback", "error:"))
    )
    problems += [f"the final `{ran.name}` said: {line}" for line in said]
    if report is not None and expected_files is not None:
        try:
            counts = json.loads(report.read_text())["counts"]
        except (OSError, ValueError, KeyError) as exc:
            return [*problems, f"the final report {report} cannot be read: {exc}"]
        if counts.get("failed") or counts.get("stored", 0) + counts.get("already_ingested", 0) != expected_files:
            problems.append(f"the final report counts {counts} for {expected_files} files")
    return problems


# -- the catalogue ---------------------------------------------------------------------------------------


def one_item_per_row(runtime: Runtime, spec: BatchSpec) -> list[str]:
    """Exactly one item per sheet row, in its place in the tree, with exactly the files the row names."""
    problems = []
    items = items_of(runtime)
    by_key: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_key[_key_of(item, spec)].append(item)
    expected = {row.key: row for row in spec.rows}
    if len(items) != len(spec.rows):
        problems.append(f"{len(items)} items for {len(spec.rows)} sheet rows")
    for key, found in sorted(by_key.items()):
        if key not in expected:
            problems.append(f"item {found[0].id} ({key!r}) answers to no sheet row")
        elif len(found) > 1:
            problems.append(f"row {key!r} has {len(found)} items: {', '.join(i.id for i in found)}")
    for key in sorted(set(expected) - set(by_key)):
        problems.append(f"row {key!r} has no item")
    with runtime.sessions() as session:
        for key, row in expected.items():
            if len(by_key.get(key, [])) != 1:
                continue
            item = session.get(Item, by_key[key][0].id)
            parent = item.parent.local_id if item.parent is not None else None
            if parent != row.parent:
                problems.append(f"row {key!r}: parent {parent!r}, the sheet says {row.parent!r}")
            names = sorted(f.original_name for f in item.files)
            if names != sorted(row.files):
                problems.append(f"row {key!r}: files {names}, the sheet names {sorted(row.files)}")
        rows = Counter(session.scalars(select(BatchFile.path)))
        states = Counter(session.scalars(select(BatchFile.state)))
    for path in spec.paths:
        if rows[path] != 1:
            problems.append(f"batch_files holds {rows[path]} rows for {path}")
    if set(states) - {"done"}:
        problems.append(f"batch files not done: {dict(states)}")
    return problems


def masters_identical(runtime: Runtime, spec: BatchSpec) -> list[str]:
    """Every stored master is byte for byte its source scan (SHA-256), read-only."""
    problems = []
    with runtime.sessions() as session:
        files = list(session.scalars(select(File).where(File.page == 0)))
        pairs = [(runtime.storage.master_path(f.storage_key), spec.folder / f.original_name, f.sha256) for f in files]
    for stored, source, sha256 in pairs:
        if not stored.is_file():
            problems.append(f"master of {source.name} is missing: {stored}")
            continue
        if _sha256(stored) != _sha256(source) or sha256 != _sha256(source):
            problems.append(f"master {stored.name} is not byte-identical to {source.name}")
        if stored.stat().st_mode & 0o222:
            problems.append(f"master {stored.name} is writable")
    return problems


def no_leftovers(runtime: Runtime, site: Site) -> list[str]:
    """Nothing half-made anywhere: incoming copies, partial masters and pyramids, replica partials, staging."""
    problems = []
    data = site.data
    masters = data / "masters"
    incoming = masters / ".incoming"
    if incoming.is_dir():
        problems += [f"incoming copy left: {p.name}" for p in sorted(incoming.iterdir())]
    stored = [p for p in masters.rglob("*") if p.is_file() and ".incoming" not in p.parts] if masters.is_dir() else []
    problems += [f"half-copied master left: {p.relative_to(data)}" for p in stored if p.name.startswith(".")]
    with runtime.sessions() as session:
        files = list(session.scalars(select(File)))
    shas = {f.sha256 for f in files}
    names = {p.name for p in stored if not p.name.startswith(".")}
    problems += [f"master {n} is stored but no file refers to it" for n in sorted(names - shas)]
    problems += [f"master {n} is referred to but not stored" for n in sorted(shas - names)]
    expected = {f.sha256 if f.page == 0 else f"{f.sha256}-p{f.page}" for f in files if f.derivatives_ready}
    derivatives = data / "derivatives"
    folders = {p.name for p in derivatives.glob("*/*")} if derivatives.is_dir() else set()
    problems += [f"half-made derivatives left: {n}" for n in sorted(folders) if n.startswith(".")]
    folders = {n for n in folders if not n.startswith(".")}
    problems += [f"derivatives of no file: {n}" for n in sorted(folders - expected)]
    problems += [f"derivatives missing for {n}" for n in sorted(expected - folders)]
    if site.replica and site.replica_dir.is_dir():
        for dirpath, _dirs, filenames in os.walk(site.replica_dir):
            problems += [
                f"replica leftover: {(Path(dirpath) / n).relative_to(site.replica_dir)}"
                for n in filenames
                if n.endswith(".partial") or n.startswith(".")
            ]
    work = site.ocfl.parent / f".{site.ocfl.name}-work"
    if work.is_dir():
        problems += [f"store staging left: {p.relative_to(data)}" for p in sorted(work.glob("stage-*"))]
    return problems


def _event_path(event: Event, files: dict[str, File], paths: set[str]) -> tuple[str | None, int | None]:
    if event.file_id and event.file_id in files:
        return files[event.file_id].original_name, files[event.file_id].page
    head = (event.detail or "").split(": ", 1)[0]
    return (head, None) if head in paths else (None, None)


def content_versions(store: OcflStore, item_id: str) -> dict[str, str]:
    """Each OCFL version of the item's object by the change it holds: `content N` for the Nth version that
    changed more than `events.jsonl`, `content N + events` for one that only brought events in after it.

    A replication event is keyed by this rather than by the version's number: a `preservation sync --all`
    after a kill writes a version of the events recorded since the last one (README: "events recorded after
    a version enter the object with the next one"), so the OCR's text may come as v3 where a clean run has
    it in v2, the same change replicated once either way."""
    try:
        versions = store.inventory(item_id).get("versions", {})
    except (NotFound, OSError, ValueError):
        return {}
    out: dict[str, str] = {}
    before: dict[str, str] = {}
    n = 0
    for name in sorted(versions, key=lambda v: int(v.lstrip("v"))):
        state = {path: digest for digest, paths in versions[name]["state"].items() for path in paths}
        changed = {p for p in set(state) | set(before) if state.get(p) != before.get(p)}
        if changed - {package.EVENTS}:
            n += 1
            out[name] = f"content {n}"
        else:
            out[name] = f"content {n} + events"
        before = state
    return out


def event_keys(runtime: Runtime, spec: BatchSpec) -> Counter[tuple[Any, ...]]:
    """Every event that must be written once per outcome, by what it is about: the row's item, the step,
    the file (path and page), the OCFL version (by the change it holds: `content_versions`), the decision;
    then the outcome."""
    keys: Counter[tuple[Any, ...]] = Counter()
    paths = set(spec.paths)
    store = store_of(runtime)
    versions: dict[str, dict[str, str]] = {}
    with runtime.sessions() as session:
        items = {i.id: i for i in items_of(runtime)}
        files = {f.id: f for f in session.scalars(select(File))}
        for event in session.scalars(select(Event).order_by(Event.id)):
            item = items.get(event.item_id or "")
            if item is None:
                continue
            key = _key_of(item, spec)
            if event.type in FILE_STEPS:
                path, page = _event_path(event, files, paths)
                keys[(key, event.type, path, page, event.outcome)] += 1
            elif event.type == "description":
                keys[(key, event.type, event.outcome)] += 1
            elif event.type == "appraisal":
                keys[(key, event.type, (event.data or {}).get("decision"), event.outcome)] += 1
            elif event.type == "replication":
                if item.id not in versions:
                    versions[item.id] = content_versions(store, item.id)
                version = (event.data or {}).get("version")
                keys[(key, event.type, versions[item.id].get(version, version), event.outcome)] += 1
    return keys


def events_once(runtime: Runtime, spec: BatchSpec) -> list[str]:
    """Each step's event once per outcome per file (and each item described, appraised, replicated once)."""
    return [
        f"{n} events {key[1]} for {key[0]!r} {' '.join(str(k) for k in key[2:] if k is not None)}"
        for key, n in sorted(event_keys(runtime, spec).items(), key=str)
        if n > 1
    ]


def events_as_in(
    runtime: Runtime, spec: BatchSpec, reference: Counter[tuple[Any, ...]], *, replica: bool = True
) -> list[str]:
    """The same events (by what they are about and their outcome) as a clean run of the batch wrote;
    replication events aside, whatever `replica` says (`replication_recorded` checks them against the store)."""
    mine = event_keys(runtime, spec)
    # Replication is checked against the store (`replication_recorded`), not against a clean run: how many
    # versions hold a batch's changes depends on when the outbox is drained (the OCR's text in a version of its
    # own, or in the batch's version when both waited), and every one is copied.
    mine = Counter({k: n for k, n in mine.items() if k[1] != "replication"})
    reference = Counter({k: n for k, n in reference.items() if k[1] != "replication"})
    problems = [f"missing event: {key}" for key in sorted(set(reference) - set(mine), key=str)]
    problems += [f"event a clean run does not write: {key}" for key in sorted(set(mine) - set(reference), key=str)]
    return problems


def replication_recorded(runtime: Runtime) -> list[str]:
    """The newest version of each object that changed more than its events was copied to the replica with a
    successful replication event (for it, or for a later version of events alone that carried it along)."""
    problems = []
    store = store_of(runtime)
    with runtime.sessions() as session:
        for item in items_of(runtime):
            versions = content_versions(store, item.id)
            if not versions:
                continue
            newest = max((v for v, label in versions.items() if not label.endswith("events")), key=lambda v: int(v[1:]))
            later = {v for v in versions if int(v[1:]) >= int(newest[1:])}
            recorded = {
                (e.data or {}).get("version")
                for e in session.scalars(
                    select(Event).where(
                        Event.item_id == item.id, Event.type == "replication", Event.outcome == "success"
                    )
                )
            }
            if not recorded & later:
                problems.append(
                    f"item {item.id} ({item.local_id or item.title}): no replication event for {newest} "
                    f"({versions[newest]}) or after it (events for {sorted(v for v in recorded if v)})"
                )
    return problems


def decided(runtime: Runtime) -> list[str]:
    """Every item has the policy engine's decision (README: "Every ingested item is evaluated by a job")."""
    with runtime.sessions() as session:
        decided = set(session.scalars(select(PolicyDecision.item_id)))
    return [
        f"item {i.id} ({i.local_id or i.title}) has no policy decision"
        for i in items_of(runtime)
        if i.id not in decided
    ]


def preservation_failures(runtime: Runtime) -> list[str]:
    """A version that could not be written or replicated is an event; none may be left unexplained."""
    with runtime.sessions() as session:
        failed = session.scalars(
            select(Event).where(
                Event.type.in_(("information_package_creation", "replication")), Event.outcome != "success"
            )
        ).all()
        return [f"{e.type} failed for {e.item_id}: {(e.detail or '')[:300]}" for e in failed]


# -- the store in step with the catalogue ------------------------------------------------------------------


def _head(store: OcflStore, item_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    files = store.head_files(item_id)
    core = json.loads(files[package.ITEM_JSON].read_text(encoding="utf-8"))
    lines = files[package.EVENTS].read_text(encoding="utf-8").splitlines()
    return core, [json.loads(line) for line in lines if line]


def store_in_step(runtime: Runtime, site: Site) -> list[str]:
    """Every item has an object whose head holds what the catalogue holds now (access, description, files)
    and every event recorded before it; no object belongs to no item."""
    problems = []
    store = OcflStore(site.ocfl)
    objects = dict(store.objects()) if store.exists else {}
    with runtime.sessions() as session:
        items = list(session.scalars(select(Item).order_by(Item.id)))
        for item in items:
            if item.id not in objects:
                problems.append(f"item {item.id} ({item.local_id or item.title}) has no object in the store")
                continue
            try:
                core, history = _head(store, item.id)
            except (OSError, ValueError, KeyError) as exc:
                problems.append(f"item {item.id}: the head of its object cannot be read: {exc}")
                continue
            stage = site.folder / "expected" / item.id
            stage.mkdir(parents=True, exist_ok=True)
            _, now = package.build(session, item, stage, runtime.storage)
            now = json.loads(json.dumps(now))
            if (core.get("access"), core.get("closed_until")) != (now["access"], now["closed_until"]):
                problems.append(
                    f"item {item.id}: the store says access {core.get('access')}"
                    f"{' until ' + core['closed_until'] if core.get('closed_until') else ''}, "
                    f"the catalogue {now['access']}{' until ' + now['closed_until'] if now['closed_until'] else ''}"
                )
            differ = sorted(k for k in set(core) | set(now) if core.get(k) != now.get(k) and k != "access")
            if differ:
                problems.append(f"item {item.id}: the store's item.json differs from the catalogue in {differ}")
            stored = {e["id"] for e in history}
            behind = session.scalars(
                select(Event).where(Event.item_id == item.id, Event.id.not_in(stored)).order_by(Event.id)
            ).all()
            for event in behind:
                if not may_lack({"type": event.type, "id": event.id}, max(stored, default=0)):
                    problems.append(
                        f"item {item.id}: event {event.id} {event.type} ({event.detail}) is not in the store"
                    )
        known = {i.id for i in items}
    problems += [f"object {item_id} belongs to no item of the catalogue" for item_id in sorted(set(objects) - known)]
    if site.replica:
        problems += replica_in_step(store, OcflStore(site.replica_dir), sorted(known & set(objects)))
    return problems


def replica_in_step(store: OcflStore, replica: OcflStore, item_ids: list[str]) -> list[str]:
    """Every object of the store is in the replica at the same version (the same root inventory)."""
    problems = []
    for item_id in item_ids:
        mine = store.object_dir(item_id) / "inventory.json"
        theirs = replica.object_dir(item_id) / "inventory.json"
        if not theirs.is_file():
            problems.append(f"item {item_id}: the replica has no (whole) object for it")
        elif theirs.read_bytes() != mine.read_bytes():
            head = json.loads(theirs.read_text())["head"], json.loads(mine.read_text())["head"]
            problems.append(f"item {item_id}: the replica is at {head[0]}, the store at {head[1]}")
    return problems


def access_story(runtime: Runtime, initial: dict[str, str]) -> list[str]:
    """Each item's access_change events tell its history once: each starts where the last ended, none is
    repeated, and the last ends where the catalogue is now."""
    problems = []
    with runtime.sessions() as session:
        for item in session.scalars(select(Item).order_by(Item.id)):
            state = initial.get(item.id, "public")
            events = session.scalars(
                select(Event).where(Event.item_id == item.id, Event.type == "access_change").order_by(Event.id)
            ).all()
            for event in events:
                data = event.data or {}
                before = data.get("before")
                after = data.get("access")
                if isinstance(before, dict):  # a re-ingest's event: {"access", "closed_until"} before and after
                    before, after = before.get("access"), (data.get("after") or {}).get("access")
                if before != state:
                    problems.append(f"item {item.id}: event {event.id} changes access from {before}, it was {state}")
                state = after
            if state != item.access:
                problems.append(f"item {item.id}: its events end at access {state}, the catalogue says {item.access}")
    return problems


def search_agrees(runtime: Runtime) -> list[str]:
    """The public finds exactly the items that are not closed; staff find every item (nothing lost, nothing
    leaked through the index)."""
    from heritage.search import SearchQuery
    from web import create_app

    problems = []
    items = items_of(runtime)
    visible = {i.id for i in items if effective_access(i.access, i.closed_until) is not Access.CLOSED}
    app = create_app(runtime=runtime)
    app.testing = True
    response = app.test_client().get(f"/api/items?collection={COLLECTION}&per_page=100")
    if response.status_code != 200:
        return [f"GET /api/items answered {response.status_code}"]
    found = {hit["id"] for hit in response.get_json()["items"]}
    problems += [f"the public search shows closed item {i}" for i in sorted(found - visible)]
    problems += [f"the public search misses item {i}" for i in sorted(visible - found)]
    staff = runtime.index.search(SearchQuery(filters={"collection": [COLLECTION]}, access=None, per_page=100))
    indexed = {hit["id"] for hit in staff.hits}
    problems += [f"item {i} is not in the search index" for i in sorted({i.id for i in items} - indexed)]
    problems += [
        f"the index holds item {i}, which the catalogue does not" for i in sorted(indexed - {i.id for i in items})
    ]
    return problems


# -- audits and rebuild, as commands -------------------------------------------------------------------


def audits_clean(site: Site) -> tuple[list[str], dict[str, int]]:
    """`heritage fixity audit --all` (and `--replica`) exit 0 with no problems; the store validates.
    Also returns how many problems each audit named (`store`, `replica`)."""
    problems = []
    named: dict[str, int] = {}
    for copy, args in [("store", ["--all"]), ("replica", ["--all", "--replica"])][: 2 if site.replica else 1]:
        command = f"fixity audit {' '.join(args)}"
        ran = site.run("fixity", "audit", *args, "--json", name=command)
        try:
            report = json.loads(ran.stdout)
        except ValueError:
            problems.append(f"`{command}` exit {ran.returncode}: {ran.stderr.strip()[-400:]}")
            continue
        named[copy] = len(report["problems"])
        for p in report["problems"]:
            problems.append(f"`{command}`: {p['item']}: {p['path']}: {p['problem']} {p.get('detail', '')}")
        if ran.returncode != 0 and not report["problems"]:
            problems.append(f"`{command}` exit {ran.returncode} without a problem named")
    ran = site.run("preservation", "validate", name="preservation validate")
    if ran.returncode != 0:
        problems.append(f"`preservation validate` exit {ran.returncode}: {ran.stdout.strip()[-600:]}")
    return problems, named


def audit_sees(store_problems: list[str], named: dict[str, int]) -> list[str]:
    """What the store check finds behind the catalogue (or the replica behind the store), the audit names too
    (README: "every mismatch, missing and unexpected file ... exit 1 on any problem")."""
    replica = [p for p in store_problems if "the replica" in p]
    store = [p for p in store_problems if p not in replica and "belongs to no item" not in p]
    problems = []
    if store and not named.get("store"):
        problems.append(f"`fixity audit --all` names no problem, while the store is behind the catalogue: {store[0]}")
    if replica and "replica" in named and not named["replica"]:
        problems.append(f"`fixity audit --all --replica` names no problem, while: {replica[0]}")
    return problems


@contextmanager
def rebuilt(site: Site, kill: Moment | None = None) -> Iterator[tuple[Runtime, Ran]]:
    """`heritage rebuild-from-store` into an empty database and data directory, from the site's store (killed
    once at `kill` first, when given, then run again)."""
    folder = site.folder / "rebuilt"
    (folder / "data").mkdir(parents=True)
    with fresh_database_url(folder) as url:
        other = Site(folder, url, journal=site.journal)
        env = {"HERITAGE_OCFL_ROOT": str(site.ocfl)}
        if kill is not None:
            first = other.run_killed("rebuild-from-store", moment=kill, env=env)
            if not first.killed:
                raise AssertionError(f"the kill point ({kill}) was never reached: {first.summary()}")
        ran = other.run("rebuild-from-store", env=env)
        with other.runtime() as runtime:
            yield runtime, ran
        other.close()


def _differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [f"{k}: {a.get(k)!r} / {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _same_item(x: Item, y: Item, other: Runtime) -> list[str]:
    """An item and its rebuilt twin: columns, records, files (and their restored masters)."""
    skip = ("updated_at", "collection_id", "unit_id", "location_id")
    problems = [f"rebuilt item {x.id}: {d}" for d in _differences(_columns(x, skip), _columns(y, skip))]
    if x.collection.slug != y.collection.slug:
        problems.append(f"rebuilt item {x.id}: in collection {y.collection.slug}, not {x.collection.slug}")
    records = [sorted(json.dumps(_columns(r, ("id", "item_id")), sort_keys=True) for r in i.records) for i in (x, y)]
    if records[0] != records[1]:
        problems.append(f"rebuilt item {x.id}: its records differ")
    files = [{f.id: _columns(f) for f in i.files} for i in (x, y)]
    if files[0] != files[1]:
        problems.append(f"rebuilt item {x.id}: its files differ ({sorted(set(files[0]) ^ set(files[1])) or 'columns'})")
    for f in y.files:
        path = other.storage.master_path(f.storage_key)
        if not path.is_file() or _sha256(path) != f.sha256:
            problems.append(f"rebuilt item {x.id}: master {f.original_name} not restored intact")
    return problems


def _same_events(item_id: str, mine: dict[int, dict[str, Any]], theirs: dict[int, dict[str, Any]]) -> list[str]:
    """The rebuilt item's events are the catalogue's (those recorded after its last version aside)."""
    problems = [
        f"rebuilt item {item_id} lacks event {n} {mine[n]['type']}"
        for n in sorted(set(mine) - set(theirs))
        if not may_lack(mine[n], max(theirs, default=0))
    ]
    problems += [
        f"rebuilt item {item_id} has event {n}, the catalogue has not" for n in sorted(set(theirs) - set(mine))
    ]
    problems += [
        f"rebuilt item {item_id}: event {n} differs" for n in sorted(set(mine) & set(theirs)) if mine[n] != theirs[n]
    ]
    return problems


def rebuild_gives_back(runtime: Runtime, site: Site, kill: Moment | None = None) -> list[str]:
    """The catalogue rebuilt from the store alone is this catalogue: items, records, files, events; masters."""
    problems = []
    with rebuilt(site, kill) as (other, ran):
        if ran.returncode != 0:
            return [f"`rebuild-from-store` exit {ran.returncode}: {ran.stderr.strip()[-600:]}"]
        with runtime.sessions() as a, other.sessions() as b:
            mine = {i.id: i for i in a.scalars(select(Item))}
            theirs = {i.id: i for i in b.scalars(select(Item))}
            problems += [f"the rebuilt catalogue lacks item {i}" for i in sorted(set(mine) - set(theirs))]
            problems += [f"the rebuilt catalogue has item {i} too" for i in sorted(set(theirs) - set(mine))]
            for item_id in sorted(set(mine) & set(theirs)):
                problems += _same_item(mine[item_id], theirs[item_id], other)
                events = [
                    {e.id: _columns(e) for e in s.scalars(select(Event).where(Event.item_id == item_id))}
                    for s in (a, b)
                ]
                problems += _same_events(item_id, *events)
    return problems


def clean_run(runtime: Runtime, site: Site, spec: BatchSpec) -> list[str]:
    """What a clean run (no kill) must already get right, for it to be the measure of the others."""
    found = [
        *one_item_per_row(runtime, spec),
        *events_once(runtime, spec),
        *preservation_failures(runtime),
        *decided(runtime),
        *store_in_step(runtime, site),
    ]
    return [f"{site.folder.name}: {problem}" for problem in found]


def everything(runtime: Runtime, site: Site, spec: BatchSpec | None) -> dict[str, list[str]]:
    """Every check after the final command, by name (the audits add events, so they come after the store's)."""
    checks: dict[str, list[str]] = {}
    if spec is not None:
        checks["one item per row"] = one_item_per_row(runtime, spec)
        checks["masters identical"] = masters_identical(runtime, spec)
        checks["events once per outcome"] = events_once(runtime, spec)
    checks["no leftovers"] = no_leftovers(runtime, site)
    checks["preservation events"] = preservation_failures(runtime)
    checks["policy decisions"] = decided(runtime)
    checks["store in step"] = store_in_step(runtime, site)
    if site.replica:
        checks["replication recorded"] = replication_recorded(runtime)
    checks["search agrees"] = search_agrees(runtime)
    checks["rebuild gives the catalogue back"] = rebuild_gives_back(runtime, site)
    checks["audits clean"], named = audits_clean(site)
    checks["the audit sees what is behind"] = audit_sees(checks["store in step"], named)
    return checks
