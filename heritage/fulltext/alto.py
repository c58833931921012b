"""ALTO 4 as the one stored form of a page's text, and reading words with their boxes back from it.

Tesseract 5.3 writes ALTO 3; ALTO 4 keeps every element and attribute it uses, so the namespace and schema
location are all that change. Coordinates stay in the pixels of the image Tesseract read (the master).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

V3 = "http://www.loc.gov/standards/alto/ns-v3#"
V4 = "http://www.loc.gov/standards/alto/ns-v4#"
V4_XSD = "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
V3_XSD = "http://www.loc.gov/alto/v3/alto-3-0.xsd"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True)
class Word:
    """One word of a page: its text, box (x, y, width, height in master pixels), confidence 0-100 (None
    when the source gave none) and the id of its line."""

    text: str
    x: int
    y: int
    w: int
    h: int
    confidence: float | None
    line: str


def to_alto4(alto: bytes, file_name: str) -> bytes:
    """Tesseract's ALTO 3 as ALTO 4, naming `file_name` (the master) as its source image."""
    text = alto.replace(V3.encode(), V4.encode()).replace(V3_XSD.encode(), V4_XSD.encode())
    root = etree.fromstring(text, PARSER)
    for name in root.iter(f"{{{V4}}}fileName"):
        name.text = file_name
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def words(alto: bytes) -> list[Word]:
    """Every String of an ALTO (3 or 4) page, in reading order."""
    root = etree.fromstring(alto, PARSER)
    ns = root.nsmap.get(None) or V4
    out: list[Word] = []
    for line in root.iter(f"{{{ns}}}TextLine"):
        line_id = line.get("ID") or ""
        for string in line.iter(f"{{{ns}}}String"):
            wc = string.get("WC")
            out.append(
                Word(
                    string.get("CONTENT") or "",
                    round(float(string.get("HPOS") or 0)),
                    round(float(string.get("VPOS") or 0)),
                    round(float(string.get("WIDTH") or 0)),
                    round(float(string.get("HEIGHT") or 0)),
                    round(float(wc) * 100, 1) if wc else None,
                    line_id,
                )
            )
    return out


def plain_text(alto: bytes) -> str:
    """The page's text, a line per TextLine (what search indexes and the benchmark scores)."""
    root = etree.fromstring(alto, PARSER)
    ns = root.nsmap.get(None) or V4
    lines = []
    for line in root.iter(f"{{{ns}}}TextLine"):
        lines.append(" ".join(s.get("CONTENT") or "" for s in line.iter(f"{{{ns}}}String")))
    return "\n".join(lines)


def mean_confidence(found: list[Word]) -> float | None:
    scored = [w.confidence for w in found if w.confidence is not None]
    return round(sum(scored) / len(scored), 1) if scored else None
