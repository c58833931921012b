"""Shared fixtures: a fresh runtime on a temporary data directory, on SQLite or (with
HERITAGE_TEST_DATABASE_URL) on PostgreSQL in a schema of its own; the app, its client and a CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from heritage.runtime import Runtime
from heritage.settings import Settings

SHARED = Path(os.environ.get("HERITAGE_SHARED_DIR") or Path(__file__).resolve().parents[1].parent / "shared")
POSTGRES_URL = os.environ.get("HERITAGE_TEST_DATABASE_URL")
OCR_OFF = Path(__file__).with_name("ocr_rules_off.yaml")  # every domain `skip`
REDIS_URL = os.environ.get("HERITAGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not here ({path} missing): the real fixtures live there")
    return path


REQUIRE_SERVICES = os.environ.get("HERITAGE_REQUIRE_SERVICES") == "1"


def pytest_report_header(config: pytest.Config) -> str:
    return f"database suite runs on: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite'}"


def _redis_reachable() -> str | None:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (RedisError, OSError) as exc:
        return str(exc)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `redis` skip (or, in CI, fail) with the reason when Redis is not running."""
    if not any(item.get_closest_marker("redis") for item in items):
        return
    problem = _redis_reachable()
    if problem is None:
        return
    reason = f"Redis at {REDIS_URL} is unreachable: {problem}"
    marker = pytest.mark.usefixtures("_require_redis") if REQUIRE_SERVICES else pytest.mark.skip(reason=reason)
    for item in items:
        if item.get_closest_marker("redis"):
            item.add_marker(marker)


@pytest.fixture
def _require_redis() -> None:
    problem = _redis_reachable()
    if problem:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable and HERITAGE_REQUIRE_SERVICES=1: {problem}")


@contextmanager
def fresh_database_url(folder: Path) -> Iterator[str]:
    """SQLite in `folder`, or a fresh PostgreSQL schema dropped afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{folder / 'heritage.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def migrated_database_url(folder: Path) -> Iterator[str]:
    """A database with every migration applied: a copy of a template migrated once per run (tests/databases.py);
    SQLite in `folder`, or a PostgreSQL database of its own dropped afterwards."""
    from tests.databases import migrated_postgres, migrated_sqlite

    with migrated_postgres(POSTGRES_URL) if POSTGRES_URL else migrated_sqlite(folder) as url:
        yield url


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The test's database, migrated (SQLite in its folder, or PostgreSQL dropped afterwards); empty for a
    test marked `empty_database` (of the migrations themselves)."""
    if request.node.get_closest_marker("empty_database") is not None:
        with fresh_database_url(tmp_path / "data") as url:
            yield url
        return
    # beside the data folder, not in it: a test may make the data folder itself, as a new installation does
    with migrated_database_url(tmp_path / "database") as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """A test's settings: its own data folder and database; OCR only where the test asks for it (OCR_OFF)."""
    return Settings.load(
        {"data_dir": tmp_path / "data", "database_url": database_url, "ocr_rules": OCR_OFF}, environ={}
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    rt = Runtime.open(settings)
    yield rt
    rt.close()


@pytest.fixture
def app(runtime: Runtime):  # type: ignore[no-untyped-def]
    from web import create_app

    application = create_app(runtime=runtime)
    application.testing = True
    return application


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """The environment a `heritage` command needs to act on this test's data."""
    return {**settings.as_env(), "REDIS_URL": ""}


@pytest.fixture
def runner(cli_env: dict[str, str]) -> CliRunner:
    return CliRunner(env=cli_env)


@pytest.fixture(scope="session")
def demo_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The demo catalogue, built once per test session on SQLite."""
    from ingest.demo.dataset import build_demo

    data = tmp_path_factory.mktemp("demo")
    rt = Runtime.open(Settings.load({"data_dir": data}, environ={}))
    build_demo(rt, log=lambda _line: None)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def demo_app(demo_runtime: Runtime):  # type: ignore[no-untyped-def]
    from web import create_app

    application = create_app(runtime=demo_runtime)
    application.testing = True
    return application


@pytest.fixture(scope="session")
def demo_client(demo_app):  # type: ignore[no-untyped-def]
    return demo_app.test_client()


def required_tool(path: Path | None, what: str) -> Path:
    """A tool that `tests/run` sets up (validator venv, viewer assets): skip without it, or fail in CI."""
    if path is not None and path.exists():
        return path
    message = f"{what} is not set up ({path}); tests/run installs it"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def viewer_assets_dir() -> Path:
    """The viewer assets folder (OpenSeadragon, Mirador) that tests/run installs into its cache."""
    value = os.environ.get("HERITAGE_TEST_ASSETS")
    path = Path(value).absolute() if value else None
    required_tool(path / "node_modules" / "mirador" / "dist" / "mirador.min.js" if path else None, "viewer assets")
    assert path is not None
    return path
