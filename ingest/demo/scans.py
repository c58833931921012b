"""Deterministic, realistic-looking scans for the demo: register pages in a clerk's hand, printed book
pages, specimen photographs with label and colour target, a large city map and museum objects.

Every image depends only on its seed, so the demo's checksums (and thus its ids) are the same on every
machine and every run. Pillow only; noise comes from `random.Random(seed)`, never from the C library.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

INK = (43, 32, 24)
FADED_INK = (92, 70, 52)
PRINT_INK = (28, 24, 22)
_WORDS = [
    "in",
    "het",
    "jaar",
    "der",
    "academie",
    "besloten",
    "de",
    "heeren",
    "professoren",
    "rector",
    "magnificus",
    "senaat",
    "vergadering",
    "brief",
    "aan",
    "den",
    "minister",
    "over",
    "de",
    "benoeming",
    "van",
    "den",
    "hoogleraar",
    "aangaande",
    "het",
    "reglement",
    "der",
    "studenten",
    "de",
    "faculteit",
    "der",
    "wetenschappen",
    "voorstel",
    "tot",
    "aankoop",
    "van",
    "instrumenten",
    "en",
    "boeken",
    "voor",
    "de",
    "bibliotheek",
    "examen",
    "promotie",
    "doctor",
    "graad",
    "hooggeleerde",
    "heer",
    "secretaris",
    "notulen",
    "gelezen",
    "en",
    "goedgekeurd",
]
_LATIN = [
    "de",
    "humani",
    "corporis",
    "fabrica",
    "libri",
    "septem",
    "ossium",
    "cartilaginum",
    "musculorum",
    "venarum",
    "arteriarum",
    "nervorum",
    "cerebri",
    "cordis",
    "hepatis",
    "caput",
    "primum",
    "quod",
    "ossa",
    "quae",
    "in",
    "corpore",
    "humano",
    "sunt",
    "et",
    "quae",
    "ad",
    "motum",
    "pertinent",
    "in",
    "qua",
    "singula",
    "describuntur",
    "ratione",
    "et",
    "ordine",
    "vesalius",
    "bruxellensis",
    "scholae",
    "medicorum",
    "patavinae",
    "professor",
]


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled scalable font, so the demo needs no system fonts."""
    return ImageFont.load_default(size=size)


def noise(rng: random.Random, size: tuple[int, int], scale: int = 4) -> Image.Image:
    """Grain from seeded bytes at 1/scale resolution, smoothed up: paper fibre without C randomness."""
    w, h = max(1, size[0] // scale), max(1, size[1] // scale)
    small = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    return small.resize(size, Image.Resampling.BILINEAR)


def paper(rng: random.Random, size: tuple[int, int], tone: tuple[int, int, int] = (232, 220, 194)) -> Image.Image:
    """Aged paper: a tone, fibre grain, foxing spots and a darker edge."""
    base = Image.new("RGB", size, tone)
    grain = noise(rng, size, 3).point(lambda v: 128 + (v - 128) // 6)
    base = ImageChops.overlay(base, Image.merge("RGB", (grain, grain, grain)))
    spots = Image.new("L", (size[0] // 8, size[1] // 8), 0)
    draw = ImageDraw.Draw(spots)
    for _ in range(rng.randint(6, 20)):
        x, y, r = rng.randrange(spots.width), rng.randrange(spots.height), rng.randint(1, 6)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(20, 70))
    spots = spots.filter(ImageFilter.GaussianBlur(2)).resize(size, Image.Resampling.BILINEAR)
    base = Image.composite(Image.new("RGB", size, (168, 128, 82)), base, spots)
    edge = Image.radial_gradient("L").resize(size).point(lambda v: max(0, v - 150) // 2)
    return Image.composite(Image.new("RGB", size, (150, 120, 80)), base, edge)


def _handwritten_line(
    draw: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int, width: int, height: int, ink: tuple[int, int, int]
) -> None:
    """A line of cursive-like script: words of loops joined by strokes, with a slight slant."""
    pen = max(2, height // 14)
    cursor = x
    while cursor < x + width - height:
        word = rng.randint(3, 9)
        points = []
        for i in range(word * 4):
            t = i / 4
            px = cursor + t * height * 0.42 + rng.uniform(-1, 1)
            rise = height * (0.55 if rng.random() < 0.15 else 0.28)
            py = y + height * 0.6 - abs(math.sin(t * math.pi)) * rise + rng.uniform(-2, 2)
            points.append((px, py))
        draw.line(points, fill=ink, width=pen, joint="curve")
        cursor = int(points[-1][0] + height * rng.uniform(0.5, 0.9))


def register_page(seed: int, size: tuple[int, int] = (2000, 2800), *, number: int = 1, year: int = 1860) -> Image.Image:
    """A page of minutes in a bound register: ruled margin, dated heading, clerk's hand, folio number."""
    rng = random.Random(seed)
    im = paper(rng, size)
    draw = ImageDraw.Draw(im)
    w, h = size
    margin = int(w * 0.16)
    draw.line([(margin, int(h * 0.05)), (margin, int(h * 0.95))], fill=(170, 90, 80), width=3)
    heading = font(int(h * 0.022))
    draw.text(
        (margin + 20, int(h * 0.06)),
        f"Zitting van {rng.randint(1, 28)} "
        f"{rng.choice(['januari', 'maart', 'mei', 'juli', 'october', 'december'])} {year}",
        font=heading,
        fill=INK,
    )
    line_h = int(h * 0.032)
    y = int(h * 0.11)
    while y < h * 0.9:
        if rng.random() < 0.12:
            draw.text((int(w * 0.03), y), f"{rng.randint(1, 40)}.", font=font(line_h // 2), fill=FADED_INK)
        _handwritten_line(
            draw,
            rng,
            margin + 20,
            y,
            int(w * 0.75) - rng.randint(0, int(w * 0.2)),
            line_h,
            INK if rng.random() > 0.2 else FADED_INK,
        )
        y += line_h + rng.randint(2, 8)
    draw.text((w - int(w * 0.1), int(h * 0.03)), f"f. {number}", font=font(int(h * 0.015)), fill=FADED_INK)
    return im.filter(ImageFilter.GaussianBlur(0.6))


def book_page(
    seed: int, size: tuple[int, int] = (2000, 3000), *, folio: int = 1, illustrated: bool = False
) -> Image.Image:
    """A printed page of an early modern book: running head, two text blocks, woodcut hatching."""
    rng = random.Random(seed)
    im = paper(rng, size, (236, 226, 204))
    draw = ImageDraw.Draw(im)
    w, h = size
    x0, x1 = int(w * 0.14), int(w * 0.86)
    draw.text((int(w * 0.4), int(h * 0.05)), "DE HVMANI CORPORIS", font=font(int(h * 0.016)), fill=PRINT_INK)
    draw.text((x1 - 60, int(h * 0.05)), str(folio), font=font(int(h * 0.016)), fill=PRINT_INK)
    body = font(int(h * 0.0125))
    y = int(h * 0.09)
    if illustrated:
        box = (x0, y, x1, int(h * 0.55))
        draw.rectangle(box, outline=PRINT_INK, width=4)
        cx, _cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        for i in range(0, box[2] - box[0], 9):  # hatching of the woodcut background
            draw.line([(box[0] + i, box[1]), (box[0], box[1] + i)], fill=(120, 105, 90), width=1)
        rx, ry = (box[2] - box[0]) // 5, (box[3] - box[1]) // 2.6
        draw.ellipse((cx - rx * 0.6, box[1] + 30, cx + rx * 0.6, box[1] + 30 + ry * 0.5), outline=PRINT_INK, width=5)
        draw.line([(cx, box[1] + 30 + ry * 0.5), (cx, box[3] - 80)], fill=PRINT_INK, width=7)
        for k in range(9):  # ribs
            yy = box[1] + 60 + ry * 0.55 + k * 28
            draw.arc((cx - rx, yy - 40, cx + rx, yy + 40), 200, 340, fill=PRINT_INK, width=4)
        y = int(h * 0.58)
    while y < h * 0.92:
        words, line = [], ""
        while len(line) < 62:
            words.append(rng.choice(_LATIN))
            line = " ".join(words)
        draw.text((x0, y), line, font=body, fill=PRINT_INK)
        y += int(h * 0.0185)
    return im.filter(ImageFilter.GaussianBlur(0.5))


def _colour_target(draw: ImageDraw.ImageDraw, x: int, y: int, cell: int) -> None:
    colours = [
        (115, 82, 68),
        (194, 150, 130),
        (98, 122, 157),
        (87, 108, 67),
        (133, 128, 177),
        (103, 189, 170),
        (214, 126, 44),
        (80, 91, 166),
        (193, 90, 99),
        (94, 60, 108),
        (157, 188, 64),
        (224, 163, 46),
        (243, 243, 242),
        (200, 200, 200),
        (160, 160, 160),
        (122, 122, 121),
        (85, 85, 85),
        (52, 52, 52),
    ]
    for i, colour in enumerate(colours):
        cx, cy = x + (i % 6) * cell, y + (i // 6) * cell
        draw.rectangle((cx, cy, cx + cell - 4, cy + cell - 4), fill=colour)


def specimen_photo(seed: int, size: tuple[int, int] = (3000, 2000), *, label: Sequence[str] = ()) -> Image.Image:
    """A pinned beetle on foam with its handwritten label, a scale bar and a colour target."""
    rng = random.Random(seed)
    w, h = size
    im = Image.linear_gradient("L").resize(size).point(lambda v: 205 + v // 12)
    im = Image.merge("RGB", (im, im, im.point(lambda v: v - 8)))
    im = ImageChops.add(im, Image.merge("RGB", [noise(rng, size, 2).point(lambda v: v // 24)] * 3))
    draw = ImageDraw.Draw(im)
    cx, cy = int(w * 0.42), int(h * 0.45)
    body_w, body_h = int(w * rng.uniform(0.12, 0.18)), int(h * rng.uniform(0.36, 0.46))
    shell = (rng.randint(20, 90), rng.randint(25, 70), rng.randint(10, 40))
    for side in (-1, 1):  # legs
        for k in range(3):
            y0 = cy - body_h // 6 + k * body_h // 6
            draw.line(
                [(cx, y0), (cx + side * body_w, y0 - 40 + k * 40), (cx + side * body_w * 1.4, y0 + 30 + k * 30)],
                fill=(30, 22, 15),
                width=9,
            )
    draw.ellipse((cx - body_w // 2, cy - body_h // 2, cx + body_w // 2, cy + body_h // 2), fill=shell)
    draw.ellipse(
        (cx - body_w // 3, cy - body_h // 2 - body_h // 6, cx + body_w // 3, cy - body_h // 2 + body_h // 10),
        fill=tuple(max(0, c - 15) for c in shell),
    )
    draw.line([(cx, cy - body_h // 2 + 10), (cx, cy + body_h // 2 - 10)], fill=(15, 10, 8), width=4)
    highlight = Image.new("L", size, 0)
    ImageDraw.Draw(highlight).ellipse((cx - body_w // 5, cy - body_h // 3, cx, cy), fill=90)
    im = Image.composite(Image.new("RGB", size, (240, 230, 200)), im, highlight.filter(ImageFilter.GaussianBlur(25)))
    draw = ImageDraw.Draw(im)
    draw.ellipse((cx - 8, cy - 8, cx + 8, cy + 8), fill=(200, 200, 205))  # the pin head
    lx, ly = int(w * 0.66), int(h * 0.55)
    draw.rectangle((lx, ly, lx + int(w * 0.26), ly + int(h * 0.2)), fill=(246, 242, 228), outline=(120, 110, 90))
    for i, text in enumerate(label[:4]):
        draw.text((lx + 20, ly + 20 + i * int(h * 0.04)), text, font=font(int(h * 0.03)), fill=INK)
    draw.rectangle((int(w * 0.06), int(h * 0.9), int(w * 0.06) + 400, int(h * 0.9) + 16), fill=(10, 10, 10))
    draw.text((int(w * 0.06), int(h * 0.86)), "10 mm", font=font(int(h * 0.025)), fill=(10, 10, 10))
    _colour_target(draw, int(w * 0.66), int(h * 0.08), int(h * 0.07))
    return im.filter(ImageFilter.GaussianBlur(0.8))


def city_map(seed: int, size: tuple[int, int] = (7200, 4800)) -> Image.Image:
    """A large hand-coloured city plan: river, streets, blocks, city wall, labels and a compass rose."""
    rng = random.Random(seed)
    w, h = size
    im = paper(rng, size, (226, 214, 180))
    draw = ImageDraw.Draw(im)
    river = [(0, h * 0.3)]
    for i in range(1, 13):
        river.append((w * i / 12, h * 0.3 + math.sin(i * 0.9) * h * 0.12 + rng.uniform(-40, 40)))
    draw.line(river, fill=(120, 150, 170), width=int(h * 0.025), joint="curve")
    cx, cy, r = w * 0.5, h * 0.52, h * 0.42
    wall = [
        (
            cx + r * 1.3 * math.cos(a / 40 * 2 * math.pi) + rng.uniform(-30, 30),
            cy + r * math.sin(a / 40 * 2 * math.pi) + rng.uniform(-30, 30),
        )
        for a in range(41)
    ]
    draw.line(wall, fill=(90, 60, 40), width=18, joint="curve")
    for _ in range(320):  # housing blocks, coloured by hand
        bx, by = rng.uniform(cx - r * 1.2, cx + r * 1.2), rng.uniform(cy - r * 0.9, cy + r * 0.9)
        if ((bx - cx) / (r * 1.3)) ** 2 + ((by - cy) / r) ** 2 > 0.85:
            continue
        bw, bh = rng.uniform(60, 220), rng.uniform(50, 180)
        draw.rectangle((bx, by, bx + bw, by + bh), fill=(200, 140, 120), outline=(110, 70, 60), width=3)
    for k in range(16):  # streets radiating from the market square
        a = k / 16 * 2 * math.pi + rng.uniform(-0.1, 0.1)
        draw.line(
            [(cx, cy), (cx + r * 1.35 * math.cos(a), cy + r * 1.05 * math.sin(a))], fill=(236, 226, 196), width=26
        )
    draw.ellipse((cx - 120, cy - 90, cx + 120, cy + 90), fill=(236, 226, 196), outline=(90, 60, 40), width=6)
    names = [
        "Grote Markt",
        "Sint-Pieterskerk",
        "Hallen",
        "Dijle",
        "Naamsestraat",
        "Brusselsestraat",
        "Tiensestraat",
        "Mechelsestraat",
        "Begijnhof",
        "Ladeuzeplein",
        "Vismarkt",
        "Oude Markt",
    ]
    label = font(int(h * 0.018))
    for name in names:
        draw.text((rng.uniform(w * 0.1, w * 0.8), rng.uniform(h * 0.1, h * 0.9)), name, font=label, fill=INK)
    draw.text((w * 0.05, h * 0.04), "LOVANIUM", font=font(int(h * 0.05)), fill=INK)
    rx, ry, rr = w * 0.9, h * 0.15, h * 0.08
    for k in range(16):
        a = k / 16 * 2 * math.pi
        length = rr if k % 4 == 0 else rr * 0.5
        draw.polygon(
            [
                (rx, ry),
                (rx + length * math.cos(a - 0.1), ry + length * math.sin(a - 0.1)),
                (rx + length * math.cos(a), ry + length * math.sin(a)),
            ],
            fill=INK,
        )
    return im


def museum_object(seed: int, size: tuple[int, int] = (2400, 3000), *, kind: str = "vase") -> Image.Image:
    """A studio photograph of an object on a grey sweep with soft light."""
    rng = random.Random(seed)
    w, h = size
    sweep = Image.linear_gradient("L").resize(size).point(lambda v: 70 + v // 3)
    im = Image.merge("RGB", (sweep, sweep, sweep.point(lambda v: v + 6)))
    draw = ImageDraw.Draw(im)
    cx = w // 2
    colour = (rng.randint(120, 200), rng.randint(80, 140), rng.randint(40, 90))
    if kind == "skull":
        draw.ellipse((cx - w * 0.25, h * 0.2, cx + w * 0.25, h * 0.62), fill=(226, 214, 188))
        draw.rectangle((cx - w * 0.14, h * 0.55, cx + w * 0.14, h * 0.72), fill=(218, 204, 176))
        for side in (-1, 1):
            draw.ellipse(
                (cx + side * w * 0.12 - 90, h * 0.4 - 80, cx + side * w * 0.12 + 90, h * 0.4 + 80), fill=(40, 30, 25)
            )
        for k in range(8):
            draw.rectangle(
                (cx - w * 0.12 + k * w * 0.03, h * 0.66, cx - w * 0.12 + k * w * 0.03 + 50, h * 0.71),
                fill=(240, 236, 220),
            )
    else:
        profile = [(0.05, 0.12), (0.1, 0.18), (0.3, 0.3), (0.34, 0.5), (0.25, 0.7), (0.12, 0.8), (0.14, 0.84)]
        left = [(cx - px * w, py * h) for px, py in profile]
        right = [(cx + px * w, py * h) for px, py in reversed(profile)]
        draw.polygon(left + right, fill=colour)
        for k in range(5):
            y = h * (0.35 + k * 0.07)
            draw.line([(cx - w * 0.3, y), (cx + w * 0.3, y)], fill=tuple(c // 2 for c in colour), width=8)
    shade = Image.new("L", size, 0)
    ImageDraw.Draw(shade).ellipse((cx - w * 0.3, h * 0.82, cx + w * 0.3, h * 0.9), fill=120)
    im = Image.composite(Image.new("RGB", size, (30, 30, 30)), im, shade.filter(ImageFilter.GaussianBlur(40)))
    return im.filter(ImageFilter.GaussianBlur(1.0))
