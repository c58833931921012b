"""Policy jobs on several rq workers, and a whole-catalogue evaluation beside them, write the same derived
rows (the policy version in force, an item's decision) at the same moment: every one of them must succeed,
with one row each and one appraisal event per decision."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import delete, func, select

from heritage.models import Event, PolicyDecision, PolicyVersion
from heritage.runtime import Runtime, use_runtime
from heritage.settings import Settings
from tests.heritage.policy import builders

pytestmark = [pytest.mark.db, pytest.mark.slow]
PROCESSES = 4
ROUNDS = 3  # the window is narrow: a few rounds make the race all but certain without the fix


def _at_once(settings: Settings, barrier, results, work: str, item_id: str) -> None:  # type: ignore[no-untyped-def]
    runtime = Runtime.open(settings, migrate=False)
    try:
        barrier.wait()
        with use_runtime(runtime):
            if work == "job":
                from heritage.policy.jobs import evaluate_item

                evaluate_item(item_id)
            else:  # the masterplan step of `heritage demo`, `heritage policy evaluate`
                from heritage.policy.service import evaluate

                with runtime.transaction() as session:
                    evaluate(session)
        results.put(None)
    except Exception as exc:  # the test reports what each process met
        results.put(f"{work} {item_id}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        runtime.close()


def _race(settings: Settings, work: list[tuple[str, str]]) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(work))
    results = context.Queue()
    processes = [context.Process(target=_at_once, args=(settings, barrier, results, w, i)) for w, i in work]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return [outcome for outcome in outcomes if outcome is not None]


def _items(runtime: Runtime, count: int) -> list[str]:
    with runtime.transaction() as session:
        builders.tree(session)
        return [builders.item(session, "c", f"A{n}", series="EDU-08").id for n in range(count)]


def test_first_evaluations_on_a_fresh_database_record_the_default_policy_once(
    runtime: Runtime, settings: Settings
) -> None:
    items = _items(runtime, PROCESSES)
    for _ in range(ROUNDS):
        with runtime.transaction() as session:  # a fresh database as far as the policy knows
            session.execute(delete(PolicyDecision))
            session.execute(delete(PolicyVersion))
        assert _race(settings, [("job", item_id) for item_id in items]) == []
        with runtime.sessions() as session:
            assert session.scalar(select(func.count()).select_from(PolicyVersion)) == 1
            assert set(session.scalars(select(PolicyDecision.item_id))) == set(items)


def test_a_policy_job_and_a_whole_evaluation_deciding_the_same_item_at_once_both_succeed(
    runtime: Runtime, settings: Settings
) -> None:
    (item_id,) = _items(runtime, 1)
    with runtime.transaction() as session:
        from heritage.policy.store import ensure_default

        ensure_default(session)
    for _ in range(ROUNDS):
        with runtime.transaction() as session:  # the item has not been decided yet
            session.execute(delete(PolicyDecision))
            session.execute(delete(Event).where(Event.type == "appraisal"))
        work = [("job", item_id), ("evaluate", item_id), ("job", item_id), ("evaluate", item_id)]
        assert _race(settings, work) == []
        with runtime.sessions() as session:
            assert session.get(PolicyDecision, item_id) is not None
            appraisals = session.scalar(
                select(func.count()).select_from(Event).where(Event.type == "appraisal", Event.item_id == item_id)
            )
            assert appraisals == 1  # one decision, recorded once: the others found it made
