"""The official IIIF Image API validator (iiif-validator on PyPI) passes at level 2 against our server.

The test image is ingested like any batch (`heritage ingest DIR --collection iiif-validator`), found
through the JSON API like a harvester would, and served by `heritage serve` over real HTTP. The validator
runs from its own venv (tests/run sets it up: it needs Pillow 13 and python-magic).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from heritage.cli import main
from tests.conftest import required_tool, shared_path
from tests.iiif.live_server import live_server

pytestmark = pytest.mark.db
TEST_IMAGE = "67352ccc-d1b0-11e1-89ae-279075081939.png"


def _get_json(url: str) -> dict:  # type: ignore[type-arg]
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_official_validator_passes_at_level_2(cli_env: dict[str, str], tmp_path: Path) -> None:
    image = shared_path("fixtures", "iiif", TEST_IMAGE)
    script = shared_path("tools", "run_image_validator.sh")
    validator = os.environ.get("HERITAGE_TEST_VALIDATOR")
    python = required_tool(Path(validator) if validator else None, "the iiif-validator venv")
    batch = tmp_path / "validator-batch"
    batch.mkdir()
    shutil.copy(image, batch / TEST_IMAGE)
    result = CliRunner(env=cli_env).invoke(main, ["ingest", str(batch), "--collection", "iiif-validator"])
    assert result.exit_code == 0, result.output

    with live_server(cli_env, tmp_path / "server.log") as base:
        found = _get_json(f"{base}/api/items?collection=iiif-validator")
        assert found["total"] == 1
        item = _get_json(found["items"][0]["api"])
        service = item["files"][0]["iiif"]
        prefix, identifier = service.rsplit("/", 1)
        assert prefix == f"{base}/iiif/image/3"
        run = subprocess.run(
            ["bash", str(script), prefix, identifier, "--level", "2", "--venv", str(python.parent.parent)],
            capture_output=True,
            text=True,
            timeout=300,
        )
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    assert " 0 failed" in report and "FAIL" not in report, report
