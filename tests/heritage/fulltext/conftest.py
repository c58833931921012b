"""The OCR tests read pages with the shipped OCR rules (the suite's other tests skip OCR: tests/ocr_rules_off.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings.load({"data_dir": tmp_path / "data", "database_url": database_url}, environ={})
