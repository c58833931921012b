"""Deterministic kill points for the kill-test suite, without a line of product code.

A `heritage` subprocess started with this folder on PYTHONPATH counts every call into the project's
modules (the paths in HERITAGE_KILL_IN; only calls of the function HERITAGE_KILL_FUNCTION, when set; a
module's own body counts as a call when it is imported) and kills itself with SIGKILL at the Nth (HERITAGE_KILL_AT), as
`kill -9` from outside would, after noting where in HERITAGE_KILL_LOG. With HERITAGE_KILL_COUNT instead,
nothing is killed: the calls of a whole clean run, per source file, are written there (JSON) when the
process exits; they are the range the seeded N is drawn from. Python 3.11 has no sys.monitoring, so a
profile function counts (it roughly doubles the run's time; only the runs of this strategy pay it).

Shadowing the system's sitecustomize is deliberate: Debian's only installs apport's crash hook.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

_PREFIXES = tuple(p for p in os.environ.get("HERITAGE_KILL_IN", "").split(os.pathsep) if p)
_KILL_AT = int(os.environ.get("HERITAGE_KILL_AT") or 0)
_FUNCTION = os.environ.get("HERITAGE_KILL_FUNCTION") or None
_COUNT_FILE = os.environ.get("HERITAGE_KILL_COUNT")
_LOG = os.environ.get("HERITAGE_KILL_LOG")
_calls = 0
_per_file: dict[str, int] = {}


def _kill(frame) -> None:  # type: ignore[no-untyped-def]
    if _LOG:
        code = frame.f_code
        where = f"{os.getpid()} {_calls} {code.co_filename}:{frame.f_lineno} {code.co_name}\n"
        fd = os.open(_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.write(fd, where.encode())
        os.close(fd)
    os.kill(os.getpid(), signal.SIGKILL)


def _profile(frame, event, _arg):  # type: ignore[no-untyped-def]
    global _calls
    code = frame.f_code
    if event == "call" and code.co_filename.startswith(_PREFIXES) and (_FUNCTION is None or code.co_name == _FUNCTION):
        _calls += 1
        if _calls == _KILL_AT:
            _kill(frame)


def _count(frame, event, _arg):  # type: ignore[no-untyped-def]
    if event == "call":
        name = frame.f_code.co_filename
        if name.startswith(_PREFIXES):
            _per_file[name] = _per_file.get(name, 0) + 1


def _write_counts() -> None:
    import json

    assert _COUNT_FILE is not None
    with open(_COUNT_FILE, "w", encoding="utf-8") as fh:
        json.dump(_per_file, fh)


if _PREFIXES and _KILL_AT:
    sys.setprofile(_profile)
    threading.setprofile(_profile)
elif _PREFIXES and _COUNT_FILE:
    import atexit

    sys.setprofile(_count)
    threading.setprofile(_count)
    atexit.register(_write_counts)
