"""What Dublin Core has no element of its own for, written where the LoC and LIDO to DC mappings put it.

Notes go to `dc:description`, materials, techniques and measurements to `dc:format`, coordinates to
`dc:coverage`, constituent works to `dc:relation`, each value behind a prefix ("Material: Papier",
"Note (bioghist): ...") that the rows of `crosswalks/dc.csv` tell from a plain description or format, so
they read back into the same core field.
"""

from __future__ import annotations

from metadata_schemas.core import CoreRecord

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
        put("coordinates", c.text or f"{c.latitude}, {c.longitude}")
    return out  # materials, techniques and parts with their ids: dc.py
