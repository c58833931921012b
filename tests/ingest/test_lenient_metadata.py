"""Lenient in, strict on demand (issue 17): a real finding aid with one schema error is ingested with the
error as a located warning, as `heritage metadata convert` converts it; `strict` refuses it, storing nothing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from heritage.models import Item
from heritage.runtime import Runtime
from heritage.settings import Settings
from ingest.pipeline import ingest
from metadata_schemas import schemas
from metadata_schemas.errors import InvalidMetadata
from tests.conftest import shared_path

pytestmark = pytest.mark.db


@pytest.fixture
def strict_runtime(tmp_path: Path, database_url: str) -> Iterator[Runtime]:
    """A runtime whose settings point at the official XSDs, so that schema errors are seen."""
    xsd = shared_path("fixtures", "real", "xsd")
    settings = Settings.load(
        {"data_dir": tmp_path / "data", "database_url": database_url, "schemas_dir": xsd}, environ={}
    )
    rt = Runtime.open(settings)
    yield rt
    rt.close()
    schemas.activate(None)


def _batch(tmp_path: Path) -> Path:
    batch = tmp_path / "nlm"
    batch.mkdir()
    shutil.copyfile(shared_path("fixtures", "real", "ead", "nlm_alphaomegaalpha_ead2002.xml"), batch / "ead.xml")
    return batch


def _items(runtime: Runtime) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(Item)) or 0


def test_a_finding_aid_with_one_schema_error_is_ingested_with_a_located_warning(
    strict_runtime: Runtime, tmp_path: Path
) -> None:
    report = ingest(strict_runtime, _batch(tmp_path), "nlm")
    assert report.exit_code == 0, (report.problems, report.failed)
    assert any(w.startswith("ead.xml:594: ") and "originalsloc" in w for w in report.warnings), report.warnings
    assert _items(strict_runtime) == 39


def test_strict_refuses_it_and_stores_nothing(strict_runtime: Runtime, tmp_path: Path) -> None:
    with pytest.raises(InvalidMetadata) as caught:
        ingest(strict_runtime, _batch(tmp_path), "nlm", strict=True)
    assert [p.line for p in caught.value.problems] == [594]
    assert _items(strict_runtime) == 0
