"""The demo's exhibitions: each TOML file in `data/exhibitions/` saved through the exhibitions service."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from heritage.museum.exhibitions import read_spec, save
from heritage.runtime import Runtime

FOLDER = Path(__file__).parent / "data" / "exhibitions"


def apply_exhibitions(runtime: Runtime, log: Callable[[str], None]) -> None:
    """Create or update the demo exhibitions (idempotent: an unchanged file records nothing)."""
    for path in sorted(FOLDER.glob("*.toml")):
        with runtime.transaction() as session:
            exhibition, changed = save(session, read_spec(path), agent="demo")
            log(f"exhibition {exhibition.slug}: {'saved' if changed else 'unchanged'}")
