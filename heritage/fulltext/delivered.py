"""Text that comes with a batch (ALTO, hOCR or PAGE XML beside the scan, with the same stem) is taken instead
of running OCR, converted to the one stored form, ALTO 4, with word boxes in the master's pixels.

A scan of several pages (a multi-page TIFF or PDF) may come with one text file of several pages: the Nth
`ocr_page` of an hOCR file (by its `ppageno` where it gives one), the Nth `Page` of an ALTO or PAGE file, is
the text of the scan's Nth page. A page the text file does not have is read by OCR (`NoSuchPage`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from heritage.fulltext.alto import PARSER, V4, V4_XSD

SUFFIXES = (".alto.xml", ".page.xml", ".hocr", ".hocr.html", ".xml", ".html")
_BBOX = re.compile(r"bbox\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)")
_WCONF = re.compile(r"x_wconf\s+([\d.]+)")


class NotText(Exception):
    """The file beside the scan is not ALTO, hOCR or PAGE XML, or cannot be read."""


class NoSuchPage(Exception):
    """The delivered text has fewer pages than the scan: this page has none in it."""


def _nth(pages: list[etree._Element], page: int, path_name: str) -> etree._Element:
    """Raises: NoSuchPage."""
    if page >= len(pages):
        raise NoSuchPage(f"{path_name} has {len(pages)} page(s), not page {page + 1}")
    return pages[page]


@dataclass(frozen=True)
class Box:
    text: str
    x: int
    y: int
    w: int
    h: int
    confidence: float | None = None  # 0-1, as ALTO's WC


def sidecar(scan: Path) -> Path | None:
    """The text file lying beside the scan with the same stem, if any."""
    for suffix in SUFFIXES:
        candidate = scan.with_name(scan.stem + suffix)
        if candidate.is_file() and candidate != scan:
            return candidate
    return None


METS_NS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"


def mets_fulltext(mets_file: Path, root: Path) -> dict[Path, Path]:
    """Scan -> its text, by the METS file's page divs: a div pointing at one file of `fileGrp USE="FULLTEXT"`
    and at scans. Paths resolved; a text outside the batch folder `root` is ignored.

    Raises:
        NotText: the METS file cannot be read.
    """
    try:
        mets = etree.parse(str(mets_file), PARSER).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise NotText(f"{mets_file.name}: {exc}") from None
    q = lambda name: f"{{{METS_NS}}}{name}"  # noqa: E731
    href: dict[str, str] = {}
    texts: set[str] = set()
    for group in mets.iter(q("fileGrp")):
        for file in group.iter(q("file")):
            location = file.find(q("FLocat"))
            target = (location.get(f"{{{XLINK}}}href") or "").strip() if location is not None else ""
            if target and file.get("ID"):
                href[file.get("ID", "")] = target.removeprefix("file://")
                if group.get("USE", "").upper() == "FULLTEXT":
                    texts.add(file.get("ID", ""))
    base, inside = mets_file.parent, root.resolve()
    out: dict[Path, Path] = {}
    for div in mets.iter(q("div")):
        ids = [p.get("FILEID", "") for p in div.findall(q("fptr")) if p.get("FILEID") in href]
        text_ids = [i for i in ids if i in texts]
        if len(text_ids) != 1:
            continue
        text = (base / href[text_ids[0]]).resolve()
        if not text.is_relative_to(inside):
            continue
        for scan in (i for i in ids if i not in texts):
            out[(base / href[scan]).resolve()] = text
    return out


def _union(boxes: list[Box]) -> tuple[int, int, int, int]:
    x0, y0 = min(b.x for b in boxes), min(b.y for b in boxes)
    x1, y1 = max(b.x + b.w for b in boxes), max(b.y + b.h for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def build_alto(lines: list[list[Box]], width: int, height: int, file_name: str, software: str) -> bytes:
    """ALTO 4 of these lines of words (one TextBlock: the source's regions are not kept)."""
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    root = etree.Element(f"{{{V4}}}alto", nsmap={None: V4, "xsi": xsi})
    root.set(f"{{{xsi}}}schemaLocation", f"{V4} {V4_XSD}")
    description = etree.SubElement(root, f"{{{V4}}}Description")
    etree.SubElement(description, f"{{{V4}}}MeasurementUnit").text = "pixel"
    source = etree.SubElement(description, f"{{{V4}}}sourceImageInformation")
    etree.SubElement(source, f"{{{V4}}}fileName").text = file_name
    processing = etree.SubElement(description, f"{{{V4}}}Processing", ID="PROC_0")
    soft = etree.SubElement(processing, f"{{{V4}}}processingSoftware")
    etree.SubElement(soft, f"{{{V4}}}softwareName").text = software
    page = etree.SubElement(
        etree.SubElement(root, f"{{{V4}}}Layout"),
        f"{{{V4}}}Page",
        ID="page_0",
        WIDTH=str(width),
        HEIGHT=str(height),
        PHYSICAL_IMG_NR="0",
    )
    space = etree.SubElement(page, f"{{{V4}}}PrintSpace", HPOS="0", VPOS="0", WIDTH=str(width), HEIGHT=str(height))
    lines = [line for line in lines if line]
    if lines:
        x, y, w, h = _union([b for line in lines for b in line])
        block = etree.SubElement(
            space, f"{{{V4}}}TextBlock", ID="block_0", HPOS=str(x), VPOS=str(y), WIDTH=str(w), HEIGHT=str(h)
        )
        n = 0
        for i, line in enumerate(lines):
            x, y, w, h = _union(line)
            el = etree.SubElement(
                block, f"{{{V4}}}TextLine", ID=f"line_{i}", HPOS=str(x), VPOS=str(y), WIDTH=str(w), HEIGHT=str(h)
            )
            for j, word in enumerate(line):
                attrs = {"ID": f"string_{n}", "HPOS": str(word.x), "VPOS": str(word.y)}
                attrs |= {"WIDTH": str(word.w), "HEIGHT": str(word.h), "CONTENT": word.text}
                if word.confidence is not None:
                    attrs["WC"] = f"{max(0.0, min(1.0, word.confidence)):.2f}"
                etree.SubElement(el, f"{{{V4}}}String", attrs)
                n += 1
                if j < len(line) - 1:
                    etree.SubElement(el, f"{{{V4}}}SP")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _from_alto(root: etree._Element, file_name: str, dpi: float, number: int, path_name: str) -> tuple[bytes, str]:
    ns = etree.QName(root).namespace or ""
    unit = (root.findtext(f".//{{{ns}}}MeasurementUnit") or "pixel").strip()
    scale = {"pixel": 1.0, "mm10": dpi / 254.0, "inch1200": dpi / 1200.0}.get(unit)
    if scale is None:
        raise NotText(f"ALTO measurement unit {unit!r} is not pixel, mm10 or inch1200")
    pages = list(root.iter(f"{{{ns}}}Page"))
    page = _nth(pages, number, path_name) if pages or number else None
    width = round(float(page.get("WIDTH", 0)) * scale) if page is not None else 0
    height = round(float(page.get("HEIGHT", 0)) * scale) if page is not None else 0
    lines = []
    for line in (page if page is not None else root).iter(f"{{{ns}}}TextLine"):
        words = []
        for s in line.iter(f"{{{ns}}}String"):
            wc = s.get("WC")
            words.append(
                Box(
                    s.get("CONTENT") or "",
                    *(round(float(s.get(a) or 0) * scale) for a in ("HPOS", "VPOS", "WIDTH", "HEIGHT")),
                    float(wc) if wc else None,
                )
            )
        lines.append(words)
    return build_alto(lines, width, height, file_name, "ALTO delivered with the batch"), "alto"


def _points(el: etree._Element | None) -> tuple[int, int, int, int] | None:
    if el is None or not el.get("points"):
        return None
    pairs = [tuple(int(float(v)) for v in p.split(",")) for p in el.get("points", "").split()]
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _from_page(root: etree._Element, file_name: str, number: int, path_name: str) -> tuple[bytes, str]:
    ns = etree.QName(root).namespace or ""
    q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
    pages = root.findall(q("Page"))
    if not pages:
        raise NotText("PAGE XML without a Page")
    page = _nth(pages, number, path_name)
    regions = {r.get("id"): r for r in page.iter(q("TextRegion"))}
    order = sorted((int(r.get("index", 0)), r.get("regionRef")) for r in page.iter(q("RegionRefIndexed")))
    ordered = [regions[ref] for _, ref in order if ref in regions]
    ordered += [r for r in page if r.tag == q("TextRegion") and r not in ordered]

    def text_of(el: etree._Element) -> tuple[str, float | None]:
        equivs = sorted(el.findall(q("TextEquiv")), key=lambda e: int(e.get("index", 0)))
        if not equivs:
            return "", None
        conf = equivs[0].get("conf")
        return equivs[0].findtext(q("Unicode")) or "", float(conf) if conf else None

    lines: list[list[Box]] = []
    seen: set[int] = set()
    for region in ordered:
        for line in region.iter(q("TextLine")):
            if id(line) in seen:
                continue
            seen.add(id(line))
            words = []
            for word in line.findall(q("Word")):
                box, (text, conf) = _points(word.find(q("Coords"))), text_of(word)
                if box and text.strip():
                    words.append(Box(text.strip(), *box, conf))
            if not words:  # line level only: spread the line's box over its words by their length
                box, (text, conf) = _points(line.find(q("Coords"))), text_of(line)
                tokens = text.split()
                if box and tokens:
                    x, y, w, h = box
                    total = sum(len(t) + 1 for t in tokens)
                    for t in tokens:
                        span = round(w * len(t) / total)
                        words.append(Box(t, x, y, span, h, conf))
                        x += round(w * (len(t) + 1) / total)
            lines.append(words)
    width, height = int(page.get("imageWidth", 0)), int(page.get("imageHeight", 0))
    return build_alto(lines, width, height, file_name, "PAGE XML delivered with the batch"), "page"


_PPAGENO = re.compile(r"ppageno\s+(\d+)")


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split()) if isinstance(el.tag, str) else set()


def _hocr_page(root: etree._Element, number: int, path_name: str) -> etree._Element:
    """The hOCR element of page `number` (0-based): the `ocr_page` whose `ppageno` says so where they say,
    else the Nth `ocr_page`; a file without `ocr_page` is one page.

    Raises:
        NoSuchPage.
    """
    pages = [el for el in root.iter() if "ocr_page" in _classes(el)]
    if not pages:
        return _nth([root], number, path_name)
    numbered = {int(m.group(1)): el for el in pages if (m := _PPAGENO.search(el.get("title") or ""))}
    if len(numbered) == len(pages):
        if number not in numbered:
            raise NoSuchPage(f"{path_name} has no page {number + 1} (ppageno {number})")
        return numbered[number]
    return _nth(pages, number, path_name)


def _from_hocr(root: etree._Element, file_name: str, number: int, path_name: str) -> tuple[bytes, str]:
    classes = _classes
    root = _hocr_page(root, number, path_name)
    width = height = 0
    lines: list[list[Box]] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        cls = classes(el)
        box = _BBOX.search(el.get("title") or "")
        if "ocr_page" in cls and box:
            width, height = int(box.group(3)), int(box.group(4))
        if cls & {"ocr_line", "ocrx_line", "ocr_textfloat", "ocr_caption", "ocr_header"}:
            words = []
            for word in el.iter():
                if isinstance(word.tag, str) and "ocrx_word" in classes(word):
                    wbox = _BBOX.search(word.get("title") or "")
                    text = "".join(word.itertext()).strip()
                    if wbox and text:
                        x0, y0, x1, y1 = (int(v) for v in wbox.groups())
                        conf = _WCONF.search(word.get("title") or "")
                        words.append(Box(text, x0, y0, x1 - x0, y1 - y0, float(conf.group(1)) / 100 if conf else None))
            if words:
                lines.append(words)
    return build_alto(lines, width, height, file_name, "hOCR delivered with the batch"), "hocr"


def to_alto(path: Path, file_name: str, dpi: float = 300.0, page: int = 0) -> tuple[bytes, str]:
    """The delivered text of the scan's page `page` (0-based) as ALTO 4, and its kind (alto, hocr, page).

    Raises:
        NotText: not ALTO, hOCR or PAGE XML, or unreadable.
        NoSuchPage: the file has no text for that page.
    """
    try:
        data = path.read_bytes()
        if path.suffix in (".html", ".hocr") or b"ocr_page" in data[:4096]:
            root = (
                etree.fromstring(data, etree.HTMLParser())
                if b"<?xml" not in data[:100]
                else etree.fromstring(data, PARSER)
            )
            return _from_hocr(root, file_name, page, path.name)
        root = etree.fromstring(data, PARSER)
    except (OSError, etree.XMLSyntaxError, ValueError) as exc:
        raise NotText(f"{path.name}: {exc}") from None
    name = etree.QName(root).localname
    if name == "alto":
        return _from_alto(root, file_name, dpi, page, path.name)
    if name == "PcGts":
        return _from_page(root, file_name, page, path.name)
    if name == "html":
        return _from_hocr(root, file_name, page, path.name)
    raise NotText(f"{path.name}: <{name}> is not ALTO, hOCR or PAGE XML")
