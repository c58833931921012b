"""Kill this process with SIGKILL (what `kill -9` does) at a chosen call, for the tests of crashes.

A test puts this folder first on the PYTHONPATH of a `heritage` subprocess and names the moment in
HERITAGE_TEST_KILL_AT:
- `module:qualname#N`: when the Python function is called for the Nth time
  (`heritage.preservation.service:preserve#1`, `heritage.jobs:RqQueue.enqueue#1`);
- `module:qualname/cmodule.name#N`: when that function calls the built-in for the Nth time
  (`heritage.preservation.replica:_copy/posix.replace#2`: a copy written, not yet renamed).
Calls are counted over every thread. Without the variable this module does nothing.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

SPEC = os.environ.get("HERITAGE_TEST_KILL_AT", "")


def _install(spec: str) -> None:
    target, _, count = spec.rpartition("#")
    where, _, builtin = target.partition("/")
    module, _, qualname = where.partition(":")
    c_module, _, c_name = builtin.rpartition(".")
    left = [int(count)]
    lock = threading.Lock()

    def here(frame: FrameType) -> bool:
        return frame.f_code.co_qualname == qualname and frame.f_globals.get("__name__") == module

    def hit() -> None:
        with lock:
            left[0] -= 1
            if left[0] == 0:
                os.kill(os.getpid(), signal.SIGKILL)

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if builtin:
            if event != "c_call" or getattr(arg, "__name__", None) != c_name:
                return
            if getattr(arg, "__module__", None) == c_module and here(frame):
                hit()
        elif event == "call" and here(frame):
            hit()

    threading.setprofile(profile)
    sys.setprofile(profile)


if SPEC:
    _install(SPEC)
