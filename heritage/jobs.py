"""One job interface: inline in the caller without `REDIS_URL`, enqueued on rq with it.

Job functions are named by dotted path and take ids (str or int), never objects, so that the same
call runs in this process or on any `heritage worker`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from heritage.errors import ConfigurationError

if TYPE_CHECKING:
    from heritage.runtime import Runtime

JobArg = str | int | float | bool | None


@dataclass(frozen=True)
class JobHandle:
    """What the caller gets back: the job's id, and for inline jobs its status and result at once."""

    id: str
    status: str
    result: Any = None
    error: str | None = None


@runtime_checkable
class JobQueue(Protocol):
    def enqueue(
        self, func: str, *args: JobArg, job_id: str | None = None, description: str | None = None
    ) -> JobHandle: ...

    def status(self, job_id: str) -> JobHandle: ...

    def statuses(self, job_ids: list[str]) -> dict[str, str]:
        """The status of many jobs at once (`unknown` for a job the queue does not know)."""
        ...

    def fail_abandoned(self) -> None:
        """Fail the jobs whose worker died (it stopped sending heartbeats) so that their status says so."""
        ...

    def enqueue_in(self, seconds: float, func: str, *args: JobArg, job_id: str | None = None) -> JobHandle:
        """Run the job after `seconds` (rq's scheduler; workers run with it)."""
        ...


def current_job_id() -> str | None:
    """The id of the rq job this code runs in; None when run inline."""
    from rq import get_current_job

    job = get_current_job()
    return job.id if job is not None else None


def resolve(func: str) -> Callable[..., Any]:
    """Import a job function from its dotted path (`package.module.function`)."""
    module_name, _, attr = func.rpartition(".")
    if not module_name:
        raise ValueError(f"job function {func!r} is not a dotted path")
    return getattr(importlib.import_module(module_name), attr)


def _check_args(func: str, args: tuple[Any, ...]) -> None:
    for arg in args:
        if not isinstance(arg, JobArg):
            raise TypeError(f"job {func}: arguments must be ids or plain values, got {type(arg).__name__}")


class InlineQueue:
    """Runs each job at once, in the caller, with the caller's runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._done: dict[str, JobHandle] = {}
        self._count = 0

    def enqueue(self, func: str, *args: JobArg, job_id: str | None = None, description: str | None = None) -> JobHandle:
        from heritage.runtime import use_runtime

        _check_args(func, args)
        self._count += 1
        job_id = job_id or f"inline-{self._count}"
        with use_runtime(self.runtime):
            result = resolve(func)(*args)
        handle = JobHandle(job_id, "finished", result)
        self._done[job_id] = handle
        return handle

    def status(self, job_id: str) -> JobHandle:
        return self._done.get(job_id, JobHandle(job_id, "unknown"))

    def statuses(self, job_ids: list[str]) -> dict[str, str]:
        return {job_id: self.status(job_id).status for job_id in job_ids}

    def fail_abandoned(self) -> None:
        """Nothing to do: an inline job dies with its caller."""

    def enqueue_in(self, seconds: float, func: str, *args: JobArg, job_id: str | None = None) -> JobHandle:
        raise ConfigurationError("jobs run inline without REDIS_URL: schedule them with cron instead")


def redis_connection(url: str) -> Any:
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=3)


def check_redis(url: str) -> None:
    """Ping Redis once so that a wrong or unreachable `REDIS_URL` fails with one clear line.

    Raises:
        ConfigurationError: Redis cannot be reached.
    """
    from redis.exceptions import RedisError

    try:
        redis_connection(url).ping()
    except (RedisError, ValueError, OSError) as exc:
        raise ConfigurationError(f"Redis at REDIS_URL={url} is unreachable: {exc}") from None


def _status(job: Any) -> str:
    status = job.get_status()
    return str(getattr(status, "value", status))


class RqQueue:
    """Enqueues on rq; `heritage worker` processes run the jobs."""

    def __init__(self, redis_url: str, name: str) -> None:
        from rq import Queue

        self.connection = redis_connection(redis_url)
        self.queue = Queue(name, connection=self.connection)

    def enqueue(self, func: str, *args: JobArg, job_id: str | None = None, description: str | None = None) -> JobHandle:
        _check_args(func, args)
        job = self.queue.enqueue_call(
            func,
            args=args,
            job_id=job_id,
            description=description,
            result_ttl=86400,
            failure_ttl=7 * 86400,
            timeout=3600,
        )
        return JobHandle(job.id, _status(job))

    def enqueue_in(self, seconds: float, func: str, *args: JobArg, job_id: str | None = None) -> JobHandle:
        from datetime import timedelta

        _check_args(func, args)
        job = self.queue.enqueue_in(timedelta(seconds=seconds), func, *args, job_id=job_id, result_ttl=86400)
        return JobHandle(job.id, _status(job))

    def status(self, job_id: str) -> JobHandle:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(job_id, connection=self.connection)
        except NoSuchJobError:
            return JobHandle(job_id, "unknown")
        if job.origin != self.queue.name:
            # job ids are global in Redis: a job of another queue (another deployment, a killed test run) with
            # the same id is not ours, and waiting for it would wait for a job no worker of ours will run
            return JobHandle(job_id, "unknown")
        status = _status(job)
        error = None
        if status == "failed":
            latest = job.latest_result()
            error = latest.exc_string if latest else None
        return JobHandle(job_id, status, job.return_value(), error)

    def statuses(self, job_ids: list[str]) -> dict[str, str]:
        from rq.job import Job

        with self.connection.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.hget(Job.key_for(job_id), "status")
            values = pipe.execute()
        return {job_id: value.decode() if value else "unknown" for job_id, value in zip(job_ids, values, strict=True)}

    def fail_abandoned(self) -> None:
        """rq's abandoned-job handling, now rather than at a worker's next maintenance (every 10 minutes):
        a started job whose heartbeat expired (its worker died) is moved to the failed jobs."""
        self.queue.started_job_registry.cleanup()


def make_queue(runtime: Runtime) -> JobQueue:
    if runtime.settings.redis_url:
        return RqQueue(runtime.settings.redis_url, runtime.settings.queue_name)
    return InlineQueue(runtime)


def run_worker(runtime: Runtime, *, burst: bool = False) -> None:
    """Run an rq worker on the runtime's queue until stopped (or until the queue is empty with `burst`).

    Raises:
        ConfigurationError: no `REDIS_URL` is set, so there is no queue to work on.
    """
    from rq import Worker

    from heritage.runtime import set_process_runtime

    if not runtime.settings.redis_url:
        raise ConfigurationError("heritage worker needs REDIS_URL: without it jobs run inline")
    set_process_runtime(runtime)
    connection = redis_connection(runtime.settings.redis_url)
    # with the scheduler: jobs put off to a later time (the rolling fixity audits) are moved to the queue when due
    Worker([runtime.settings.queue_name], connection=connection).work(burst=burst, with_scheduler=True)
