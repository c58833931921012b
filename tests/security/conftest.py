"""The hostile catalogue, built once per module on the configured database (SQLite, or PostgreSQL in a schema
of its own), with an app and a staff member to look at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from heritage.runtime import Runtime
from heritage.settings import Settings
from tests.conftest import fresh_database_url
from tests.helpers import add_user
from tests.security import hostile


@pytest.fixture(scope="module")
def module_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database_url(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="module")
def site(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[hostile.Hostile]:
    root = tmp_path_factory.mktemp("hostile")
    settings = Settings.load({"data_dir": root / "data", "database_url": module_database_url}, environ={})
    runtime = Runtime.open(settings)
    try:
        built = hostile.build(runtime, root / "batch")
        add_user(runtime, "beheerder", "administrator")
        yield built
    finally:
        runtime.close()


@pytest.fixture(scope="module")
def site_app(site: hostile.Hostile):  # type: ignore[no-untyped-def]
    from web import create_app

    app = create_app(runtime=site.runtime)
    app.testing = True
    return app


@pytest.fixture
def public(site_app):  # type: ignore[no-untyped-def]
    """A browser of the public (a client of its own per test)."""
    return site_app.test_client()


@pytest.fixture
def staff(site_app):  # type: ignore[no-untyped-def]
    from tests.helpers import sign_in

    client = site_app.test_client()
    assert sign_in(client, "beheerder").status_code == 303
    return client


def data_dir(site: hostile.Hostile) -> Path:
    return site.runtime.settings.data_dir
