"""Preservation jobs: they take ids and run the same inline and on an rq worker."""

from __future__ import annotations

from heritage.runtime import current_runtime


def preserve_item(item_id: str, message: str | None) -> dict[str, object]:
    """Write the version holding the item's waiting changes (and replicate it); nothing when none wait."""
    from heritage.preservation.outbox import drain_item

    done = drain_item(current_runtime(), item_id, message=message)
    return {"item": item_id, "version": done.version, "waiting": done.error}


def drain_outbox() -> dict[str, object]:
    """Queue a `preserve_item` job for every item whose changes wait in the outbox (what crashed processes left)."""
    from heritage.preservation.outbox import dispatch

    return {"queued": dispatch(current_runtime())}


AUDIT_JOB = "heritage-fixity-audit"


def schedule_audits(runtime, delay_days: float | None = None):  # type: ignore[no-untyped-def]
    """Put the next due-audit on rq's scheduler, a twelfth of the cycle from now; returns when it runs."""
    from datetime import timedelta

    from heritage.models import utcnow
    from heritage.preservation.fixity import RUNS_PER_CYCLE

    days = delay_days if delay_days is not None else runtime.settings.fixity_cycle_days / RUNS_PER_CYCLE
    delay = timedelta(days=days)
    runtime.jobs.enqueue_in(delay.total_seconds(), "heritage.preservation.jobs.audit_due", job_id=AUDIT_JOB)
    return utcnow() + delay


def audit_due() -> dict[str, object]:
    """Drain the outbox, audit the objects due in the cycle, then schedule the next run (the audits roll on)."""
    from heritage.preservation.fixity import audit, plan
    from heritage.preservation.outbox import drain

    runtime = current_runtime()
    drain(runtime)
    chosen = plan(runtime, mode="due")
    report = audit(runtime, chosen.objects, absent=chosen.absent)
    if runtime.settings.redis_url:
        schedule_audits(runtime)
    return {"objects": report.objects, "files": report.files, "problems": len(report.problems)}
