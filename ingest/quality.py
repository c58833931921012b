"""Quality checks of a master against a digitisation guideline (masterplan 3a/3b: Metamorfoze, FADGI).

The guidelines are data (`data/digitisation_guidelines.json`, or a file the setting names). A failed
check marks the file (its `quality` record and a `validation` event with outcome failure); it never
stops the batch. Colour accuracy, MTF and noise need a target per session (masterplan 3b.6) and are
not measured here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heritage.errors import ConfigurationError

GUIDELINES = Path(__file__).parent / "data" / "digitisation_guidelines.json"
MM_PER_INCH = 25.4
_UNITS = {"mm": 1.0, "cm": 10.0, "in": MM_PER_INCH, "inch": MM_PER_INCH, "inches": MM_PER_INCH, '"': MM_PER_INCH}
_SIZE = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(mm|cm|in|inch|inches|\")?\s*[x×]\s*(\d+(?:[.,]\d+)?)\s*(mm|cm|inches|inch|in|\")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Guideline:
    name: str
    label: str
    formats: tuple[str, ...]
    compression: tuple[str, ...]
    bits_per_channel: tuple[int, ...]
    icc: tuple[str, ...]
    ppi: float
    ppi_small_object: float | None
    ppi_tolerance_percent: float
    blank_max_stddev: float
    small_object_long_edge_mm: float

    def required_ppi(self, object_mm: tuple[float, float] | None) -> float:
        """The nominal ppi for this object: more for objects smaller than A5 where the guideline says so."""
        if object_mm and self.ppi_small_object and max(object_mm) < self.small_object_long_edge_mm:
            return self.ppi_small_object
        return self.ppi

    def minimum_ppi(self, object_mm: tuple[float, float] | None) -> float:
        return round(self.required_ppi(object_mm) * (1 - self.ppi_tolerance_percent / 100), 2)


def load_guideline(spec: str | None) -> Guideline:
    """A guideline by profile name, or from a JSON file (`path` or `path#profile`) of the same shape.

    Raises:
        ConfigurationError: the file or the profile does not exist, or the file is malformed.
    """
    path, name = GUIDELINES, spec
    if spec and (spec.endswith(".json") or ".json#" in spec or "/" in spec):
        file_part, _, name = spec.partition("#")
        path = Path(file_part).expanduser()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        name = name or data["default"]
        profile = data["profiles"][name]
        return Guideline(
            name=name,
            label=profile.get("label", name),
            formats=tuple(profile["formats"]),
            compression=tuple(profile["compression"]),
            bits_per_channel=tuple(int(b) for b in profile["bits_per_channel"]),
            icc=tuple(profile["icc"]),
            ppi=float(profile["ppi"]),
            ppi_small_object=float(profile["ppi_small_object"]) if profile.get("ppi_small_object") else None,
            ppi_tolerance_percent=float(profile.get("ppi_tolerance_percent", 0)),
            blank_max_stddev=float(data.get("blank_max_stddev", 2.0)),
            small_object_long_edge_mm=float(data.get("small_object_long_edge_mm", 210)),
        )
    except OSError as exc:
        raise ConfigurationError(f"digitisation guideline file {path}: {exc.strerror}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"digitisation guideline {spec or name!r} (HERITAGE_DIGITISATION_GUIDELINE) in {path}: "
            f"no such profile or malformed ({exc})"
        ) from None


def object_size_mm(text: str | None) -> tuple[float, float] | None:
    """Physical size of the object from a description such as '21 x 29,7 cm' or '210 × 297 mm'."""
    if not text:
        return None
    match = _SIZE.search(text)
    if not match:
        return None
    a, unit_a, b, unit_b = match.groups()
    factor_b = _UNITS[unit_b.lower()]
    factor_a = _UNITS[unit_a.lower()] if unit_a else factor_b
    return float(a.replace(",", ".")) * factor_a, float(b.replace(",", ".")) * factor_b


def _check(name: str, passed: bool | None, detail: str) -> dict[str, Any]:
    return {"check": name, "passed": passed, "detail": detail}


def check_image(
    guideline: Guideline,
    format_key: str,
    technical: dict[str, Any],
    stats: dict[str, Any],
    object_mm: tuple[float, float] | None,
) -> dict[str, Any]:
    """Every check of the guideline on one decoded master page; `passed` is False when any check failed."""
    checks = []
    checks.append(
        _check(
            "format",
            format_key in guideline.formats,
            f"{technical.get('format')} ({format_key}); allowed: {', '.join(guideline.formats)}",
        )
    )
    compression = technical.get("compression") or "unknown"
    checks.append(
        _check(
            "compression",
            compression in guideline.compression,
            f"{compression}; allowed: {', '.join(guideline.compression)}",
        )
    )
    bits = technical.get("bit_depth")
    checks.append(
        _check(
            "bit_depth",
            bits in guideline.bits_per_channel,
            f"{bits} bits per channel; allowed: {', '.join(map(str, guideline.bits_per_channel))}",
        )
    )
    icc = technical.get("icc_profile")
    checks.append(_check("colour_profile_present", icc is not None, icc or "no embedded ICC profile"))
    if icc is not None:
        allowed = any(name.lower() in icc.lower() for name in guideline.icc)
        checks.append(_check("colour_profile_allowed", allowed, f"{icc}; allowed: {', '.join(guideline.icc)}"))
    minimum = guideline.minimum_ppi(object_mm)
    dpi = technical.get("dpi")
    if not dpi or technical.get("resolution_unit") not in ("inch", "cm"):
        checks.append(_check("resolution", False, f"no resolution declared; at least {minimum:g} ppi required"))
    else:
        x, y = float(dpi[0]), float(dpi[1])
        square = abs(x - y) <= 0.005 * max(x, y)
        ok = square and min(x, y) >= minimum
        checks.append(
            _check("resolution", ok, f"{x:g} x {y:g} ppi declared; at least {minimum:g} ppi required, X equal to Y")
        )
    if object_mm:
        long_px = max(int(technical.get("width") or 0), int(technical.get("height") or 0))
        effective = long_px / (max(object_mm) / MM_PER_INCH)
        declared = float(dpi[0]) if dpi else None
        consistent = declared is None or abs(declared - effective) <= 0.01 * effective
        checks.append(
            _check(
                "resolution_for_object",
                effective >= minimum and consistent,
                f"{effective:.0f} ppi effective for an object of {object_mm[0]:g} x {object_mm[1]:g} mm; "
                f"at least {minimum:g} required"
                + ("" if consistent else f", declared {declared:g} differs by over 1%"),
            )
        )
    checks.append(_check("not_truncated", True, "every row decoded"))
    stddev = float(stats.get("stddev", 0.0))
    checks.append(
        _check(
            "not_blank",
            stddev > guideline.blank_max_stddev,
            f"luminance spread {stddev:g} (blank at or below {guideline.blank_max_stddev:g})",
        )
    )
    failed = [c["check"] for c in checks if c["passed"] is False]
    return {
        "guideline": guideline.name,
        "label": guideline.label,
        "passed": not failed,
        "failed": failed,
        "checks": checks,
        "luminance": stats,
    }


def failed_reasons(quality: dict[str, Any]) -> list[str]:
    """Every failed check of a quality record (`check_image`'s result) as `check: why`."""
    return [f"{c['check']}: {c['detail']}" for c in quality.get("checks", []) if c.get("passed") is False]
