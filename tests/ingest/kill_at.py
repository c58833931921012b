"""Run `heritage` and kill it (SIGKILL, as `kill -9` does) at a chosen point of its own code.

    python -m tests.ingest.kill_at MODULE:ATTR[.ATTR] N before|after [TYPE] -- heritage arguments...

The process sends itself SIGKILL on the Nth call of the named function (only calls whose second argument
is TYPE when given, as `events.record(session, TYPE, ...)`), before the call runs or once it returned.
Nothing is replaced but the moment of death: the code runs as always up to it, so a test can put a kill
exactly where a race with a timer would land only now and then (in the middle of planning, between two
commits of one file).
"""

from __future__ import annotations

import functools
import importlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any


def arm(target: str, nth: int, when: str, kind: str | None) -> None:
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for part in parents:
        owner = getattr(owner, part)
    original: Callable[..., Any] = getattr(owner, name)
    calls = 0

    @functools.wraps(original)
    def deadly(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if kind is None or (len(args) > 1 and args[1] == kind):
            calls += 1
        if calls == nth and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls == nth and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, deadly)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    target, nth, when, *kind = argv[:split]
    arm(target, int(nth), when, kind[0] if kind else None)
    from heritage.cli import main as heritage

    heritage(argv[split + 1 :], prog_name="heritage")


if __name__ == "__main__":
    main(sys.argv[1:])
