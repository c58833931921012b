"""Bad configuration: one clear line naming the problem and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def heritage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "HERITAGE_DATA")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "heritage", *args], env=full_env, capture_output=True, text=True, timeout=60
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_data_directory_whose_parent_is_missing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "data"
    result = heritage("reindex", env={"HERITAGE_DATA": str(missing)})
    assert_one_clear_line(result, str(missing), "does not exist")
    assert not missing.exists()


def test_data_directory_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    assert_one_clear_line(heritage("reindex", env={"HERITAGE_DATA": str(path)}), str(path), "not a directory")


def test_unwritable_data_directory() -> None:
    assert_one_clear_line(heritage("reindex", env={"HERITAGE_DATA": "/proc/heritage-test"}), "/proc/heritage-test")


def test_unreachable_database(tmp_path: Path) -> None:
    url = "postgresql://nobody@127.0.0.1:1/nothing"
    result = heritage("reindex", env={"HERITAGE_DATA": str(tmp_path), "DATABASE_URL": url})
    assert_one_clear_line(result, "database", "127.0.0.1:1", "unreachable")


def test_malformed_database_url(tmp_path: Path) -> None:
    result = heritage("reindex", env={"HERITAGE_DATA": str(tmp_path), "DATABASE_URL": "not a url"})
    assert_one_clear_line(result, "DATABASE_URL")


def test_unreachable_redis(tmp_path: Path) -> None:
    result = heritage("reindex", env={"HERITAGE_DATA": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert_one_clear_line(result, "Redis", "127.0.0.1:1", "unreachable")


def test_worker_without_redis(tmp_path: Path) -> None:
    assert_one_clear_line(heritage("worker", "--burst", env={"HERITAGE_DATA": str(tmp_path)}), "REDIS_URL")


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_port_in_use(tmp_path: Path, command: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = heritage(command, "--port", port, env={"HERITAGE_DATA": str(tmp_path)})
    assert_one_clear_line(result, f"port {port}", "in use")


def test_bad_numeric_setting(tmp_path: Path) -> None:
    result = heritage("reindex", env={"HERITAGE_DATA": str(tmp_path), "HERITAGE_TILE_SIZE": "big"})
    assert_one_clear_line(result, "HERITAGE_TILE_SIZE")
