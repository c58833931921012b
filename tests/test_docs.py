"""The README is part of the contract: every setting and every command is documented there."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from heritage.cli import main
from heritage.settings import SETTINGS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in README]
    assert missing == []


def test_every_command_is_documented() -> None:
    names = main.list_commands(None)  # type: ignore[arg-type]
    assert {"serve", "demo", "ingest", "worker"} <= set(names)
    missing = [name for name in names if f"heritage {name}" not in README]
    assert missing == []


def test_quickstart_has_exactly_two_commands() -> None:
    section = re.search(r"^## Quickstart$(.*?)^## ", README, re.S | re.M)
    assert section is not None
    assert len(re.findall(r"```sh\n(.+?)```", section.group(1), re.S)) == 2


def test_help_lists_plugin_commands_without_error() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "ingest" in result.output and "serve" in result.output
