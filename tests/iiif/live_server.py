"""A real HTTP server for tests that need one (the official validator, the browser): `heritage serve`
in a subprocess on a free port of 127.0.0.1, stopped when the block ends."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(env: dict[str, str], log: Path, timeout: float = 30) -> Iterator[str]:
    """Serve the data of `env` over HTTP; yield the base URL."""
    port = free_port()
    heritage = str(Path(sys.executable).with_name("heritage"))
    with log.open("wb") as out:
        process = subprocess.Popen(
            [heritage, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/collections", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"heritage serve did not start: {log.read_text(errors='replace')}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
