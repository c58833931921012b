"""Fixtures of the standards tests: the real records in ../shared and their XSDs, activated per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from metadata_schemas import schemas
from tests.conftest import shared_path


@pytest.fixture
def real() -> Path:
    """../shared/fixtures/real (skips with the reason when ../shared is absent)."""
    return shared_path("fixtures", "real")


@pytest.fixture
def xsd(real: Path) -> Iterator[schemas.SchemaSet]:
    """The official XSDs with their offline catalog, active for this test."""
    active = schemas.activate(real / "xsd")
    assert active is not None
    yield active
    schemas.activate(None)


@pytest.fixture
def no_xsd() -> Iterator[None]:
    schemas.activate(None)
    yield
    schemas.activate(None)
