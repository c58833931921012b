"""Every location flag, security level and material the default policy, the location rules and the demo use has a
name in Dutch and in English (web/data/labels.csv), so that no page shows one as its code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from heritage.locations.tree import DEDICATED_FLAGS
from web.i18n import labels_table

ROOT = Path(__file__).resolve().parents[2]


def _policy() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "heritage" / "policy" / "data" / "default.yaml").read_text("utf-8"))


def _demo_locations(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield node
        yield from _demo_locations(node.get("children") or [])


def _named(kind: str, codes: set[str]) -> list[str]:
    """The codes without a name of their own in both languages."""
    table = labels_table()
    return sorted(
        c
        for c in codes
        if not (entry := table.get(f"{kind}.{c}")) or c in (entry["nl"], entry["en"]) or not all(entry.values())
    )


def test_every_location_flag_in_use_has_a_name() -> None:
    policy = _policy()
    flags = set(DEDICATED_FLAGS)
    flags |= {f for h in policy["hazards"].values() for f in h.get("location_flags") or []}
    for material in policy["material_types"]:
        flags |= set(material.get("required_location_flags") or []) | set(
            material.get("forbidden_location_flags") or []
        )
    demo = json.loads((ROOT / "ingest" / "demo" / "data" / "catalogue.json").read_text("utf-8"))
    flags |= {f for loc in _demo_locations(demo["locations"]) for f in (loc.get("attributes") or {}).get("flags") or []}
    assert len(flags) >= 14
    assert _named("location_flag", flags) == []


def test_every_security_level_and_material_of_the_policy_has_a_name() -> None:
    policy = _policy()
    assert _named("security_level", set(policy["security_levels"])) == []
    assert _named("material", {m["id"] for m in policy["material_types"]}) == []
