"""Run `heritage` commands as real subprocesses, optionally killed (SIGKILL) at a chosen call.

See `sitecustomize.py` in this folder for how a moment is named (HERITAGE_TEST_KILL_AT).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def heritage(
    *args: str, env: dict[str, str], kill_at: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run `heritage ARGS` to its end, or to the kill point (returncode -9)."""
    extra = {}
    if kill_at:
        path = os.pathsep.join(filter(None, [str(FOLDER), os.environ.get("PYTHONPATH")]))
        extra = {"HERITAGE_TEST_KILL_AT": kill_at, "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-m", "heritage", *args],
        env={**os.environ, **env, **extra},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def killed(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == -signal.SIGKILL
