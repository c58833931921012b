"""What Dublin Core has no element of its own for, written where the LoC and LIDO to DC mappings put it.

Notes go to `dc:description`, materials, techniques and measurements to `dc:format`, coordinates to
`dc:coverage`, constituent works to `dc:relation`, each value behind a prefix ("Material: Papier",
"Note (bioghist): ...") that the rows of `crosswalks/dc.csv` tell from a plain description or format, so
they read back into the same core field.
"""

from __future__ import annotations

import re

from metadata_schemas.core import Coordinates, CoreRecord

# typed notes written elsewhere by dc.py (dc:source, dc:relation, a further dc:title)
OWN_ELEMENT = {"source", "relation", "alternative_title"}


# core field -> (DC element, prefix); `crosswalks/dc.csv` reads each prefix back into its field
PREFIXED = {
    "typed_notes": ("description", "Note"),
    "physical_locations": ("description", "Location"),
    "materials": ("format", "Material"),
    "techniques": ("format", "Technique"),
    "measurements": ("format", "Measurement"),
    "coordinates": ("coverage", "Coordinates"),
    "parts": ("relation", "Part"),
}


def values(core: CoreRecord) -> list[tuple[str, str, str | None]]:
    """(DC element, prefixed text, language) for what the core record holds beyond the DC elements."""
    out: list[tuple[str, str, str | None]] = []

    def put(field: str, text: str, kind: str | None = None, lang: str | None = None) -> None:
        element, prefix = PREFIXED[field]
        label = f"{prefix} ({kind})" if kind else prefix
        out.append((element, f"{label}: {text}", lang))

    for note in core.typed_notes:
        if note.type not in OWN_ELEMENT:
            put("typed_notes", note.text, None if note.type == "general" else note.type, note.lang)
    for location in core.physical_locations:
        put("physical_locations", location)
    displays: list[str] = []  # a display form ("Höhe: 58 mm, Breite: 92 mm") once, beside the dimensions
    for m in core.measurements:
        amount = " ".join(filter(None, [m.value, m.unit]))
        put("measurements", amount or m.text or "", m.type)
        if m.text and m.text != amount and m.text not in displays:
            displays.append(m.text)
    for text in displays:
        put("measurements", text)
    if core.coordinates is not None:
        c = core.coordinates
        put("coordinates", coordinates_text(c))
    return out  # materials, techniques and parts with their ids: dc.py


_POINT = re.compile(r"^(-?\d+(?:\.\d+)?)(?:,\s*|\s+)(-?\d+(?:\.\d+)?)((?:; [a-z]+ [^;]+)*)$")


def coordinates_text(c: Coordinates) -> str:
    """ "41.8981, 12.4731" (or the source's own text), then "; elevation 225.0-750.0 m", "; uncertainty 30.0 m",
    "; datum WGS84" where the point has them (Darwin Core)."""
    text = c.text if c.text and _POINT.match(c.text) else f"{c.latitude}, {c.longitude}"
    if c.elevation is not None:
        top = f"-{c.elevation_max}" if c.elevation_max is not None else ""
        text += f"; elevation {c.elevation}{top} m"
    if c.uncertainty is not None:
        text += f"; uncertainty {c.uncertainty} m"
    if c.datum:
        text += f"; datum {c.datum}"
    return text


def parse_coordinates(text: str) -> Coordinates | None:
    """The point `coordinates_text` wrote, or None when the text is no decimal point."""
    m = _POINT.match(text)
    if not m:
        return None
    point = Coordinates(float(m[1]), float(m[2]))
    extra = m[3] or ""
    point.text = text[: len(text) - len(extra)] if extra else text
    for part in filter(None, extra.split("; ")):
        key, _, value = part.partition(" ")
        value = value.removesuffix(" m")
        low, sep, high = value.partition("-") if key == "elevation" and not value.startswith("-") else (value, "", "")
        try:
            if key == "elevation":
                point.elevation, point.elevation_max = float(low), float(high) if sep else None
            elif key == "uncertainty":
                point.uncertainty = float(value)
            elif key == "datum":
                point.datum = value
        except ValueError:
            return None
    return point
