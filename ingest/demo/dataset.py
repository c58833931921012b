"""The demo catalogue: a few hundred records across archives, library, science and museum, a few dozen
generated scans (one master of 7200 x 4800), built as ordinary batches (CSV sheet + scans) and ingested
through the real pipeline. Deterministic and idempotent: a second run finds everything in place.
"""

from __future__ import annotations

import csv
import datetime
import json
import random
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms
from sqlalchemy import func, select

from heritage import catalogue
from heritage.models import File, FileRole, Item, Location
from heritage.runtime import Runtime
from ingest.demo import scans
from ingest.demo.exhibitions import apply_exhibitions
from ingest.demo.masterplan import apply_masterplan
from ingest.pipeline import IngestReport, ingest

CONTENT = Path(__file__).parent / "data" / "catalogue.json"
YEAR = datetime.date.today().year
COLUMNS = [
    "identifier",
    "parent",
    "level",
    "title",
    "title_en",
    "creator",
    "date",
    "description",
    "description_en",
    "subject",
    "place",
    "language",
    "rights",
    "extent",
    "access",
    "closed_until",
    "taxon",
    "files",
]
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


@dataclass
class Scan:
    """One scan to generate: which painter, its seed and keyword arguments, and how it is saved."""

    path: str
    painter: str
    seed: int
    kwargs: dict[str, Any] = field(default_factory=dict)
    fmt: str = "JPEG"


@dataclass
class DemoBatch:
    slug: str
    rows: list[dict[str, str]] = field(default_factory=list)
    scans: list[Scan] = field(default_factory=list)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)  # policy facts per local identifier

    def add(self, **row: Any) -> dict[str, str]:
        clean = {k: str(v) for k, v in row.items() if v not in (None, "")}
        self.rows.append(clean)
        return clean


def content() -> dict[str, Any]:
    return json.loads(CONTENT.read_text(encoding="utf-8"))


def _person(rng: random.Random, vocab: dict[str, list[Any]]) -> str:
    return f"{rng.choice(vocab['first_names'])} {rng.choice(vocab['surnames'])}"


def rectoraat(vocab: dict[str, Any]) -> DemoBatch:
    """The central archive's fonds: minutes, correspondence, personnel and student files, regulations."""
    rng = random.Random(1834)
    b = DemoBatch("rectoraat")
    fonds = "BE-KUL-UA-R"
    b.add(
        identifier=fonds,
        level="fonds",
        title="Archief van het Rectoraat",
        title_en="Records of the Rector's Office",
        creator="Rectoraat Katholieke Universiteit Leuven (creator)",
        date="1834-1968",
        extent="412 strekkende meter",
        language="nl|fr|la",
        description="Archief van de rector magnificus en van de academische raad sinds de heroprichting van de "
        "universiteit in 1834: notulen, briefwisseling, personeels- en studentendossiers, reglementen.",
        description_en="Records of the rector and the academic council since the re-foundation of the university "
        "in 1834: minutes, correspondence, personnel and student files, regulations.",
    )
    series = [
        ("1", "Notulen van de Academische Raad", "Minutes of the Academic Council", "1835-1968"),
        ("2", "Briefwisseling", "Correspondence", "1834-1968"),
        ("3", "Personeelsdossiers", "Personnel files", "1880-1968"),
        ("4", "Studentendossiers", "Student files", "1900-1968"),
        ("5", "Reglementen en statuten", "Regulations and statutes", "1834-1960"),
    ]
    for code, title, title_en, date in series:
        b.add(
            identifier=f"{fonds}.{code}",
            parent=fonds,
            level="series",
            title=title,
            title_en=title_en,
            date=date,
            subject=rng.choice(vocab["subjects"]),
        )
    for n, start in enumerate(range(1835, 1968, 5), start=1):
        end = min(start + 4, 1968)
        ident = f"{fonds}.1.{n}"
        row = b.add(
            identifier=ident,
            parent=f"{fonds}.1",
            level="file",
            title=f"Register van de notulen van de Academische Raad, {start}-{end}",
            title_en=f"Register of the minutes of the Academic Council, {start}-{end}",
            date=f"{start}-{end}",
            extent="1 register",
            language="nl|fr",
            creator=f"{rng.choice(vocab['rectors'])} (rector)",
            subject="Academische raad <http://vocab.getty.edu/aat/300025932>|" + rng.choice(vocab["subjects"]),
            place="Leuven <http://vocab.getty.edu/tgn/7007874>",
        )
        if start == 1860:
            # scanned into one folder per year: the manifest's ranges (sections) follow the folders
            pages = [f"registers/{ident}/{1860 + p // 3}/p{p:03d}.jpg" for p in range(1, 13)]
            row["files"] = "|".join(pages)
            row["description"] = (
                "Gebonden register met de notulen van de zittingen van de Academische Raad, "
                "in de hand van de secretaris. Gedigitaliseerd in 2024."
            )
            b.scans += [
                Scan(p, "register_page", 186000 + i, {"number": i, "year": 1860 + i // 3})
                for i, p in enumerate(pages, start=1)
            ]
    for n in range(1, 41):
        year = rng.randint(1834, 1968)
        who = rng.choice(vocab["correspondents"])
        ident = f"{fonds}.2.{n}"
        row = b.add(
            identifier=ident,
            parent=f"{fonds}.2",
            level="file",
            title=f"Briefwisseling met {who}, {year}",
            title_en=f"Correspondence with {who}, {year}",
            date=str(year),
            creator=f"{who} (correspondent)",
            language="nl|fr",
            subject=rng.choice(vocab["subjects"]),
            place=rng.choice(vocab["places"]),
        )
        if n in (3, 17):
            path = f"letters/{ident}.jpg"
            row["files"] = path
            b.scans.append(Scan(path, "register_page", 200000 + n, {"number": 1, "year": year}))
    for n in range(1, 31):
        born = rng.randint(1840, 1935)
        name = _person(rng, vocab)
        b.add(
            identifier=f"{fonds}.3.{n}",
            parent=f"{fonds}.3",
            level="file",
            title=f"Personeelsdossier {name} (°{born})",
            title_en=f"Personnel file of {name} (born {born})",
            date=f"{born + 25}-{min(born + 65, 1968)}",
            access="closed",
            closed_until=f"{born + 100}-01-01",
            description="Persoonsgegevens: gesloten tot 100 jaar na de geboorte.",
        )
        b.attributes[f"{fonds}.3.{n}"] = {"dates": {"date_of_birth": f"{born}-01-01"}}
    for n in range(1, 31):
        year = rng.randint(1900, 1968)
        name = _person(rng, vocab)
        b.add(
            identifier=f"{fonds}.4.{n}",
            parent=f"{fonds}.4",
            level="file",
            title=f"Studentendossier {name}, ingeschreven {year}",
            title_en=f"Student file of {name}, enrolled {year}",
            date=f"{year}-{year + 5}",
            access="closed",
            closed_until=f"{year + 75}-01-01",
            description="Studentendossier: gesloten tot 75 jaar na de inschrijving.",
        )
    regulations = [
        (
            "Règlement organique de l'Université catholique de Louvain",
            "Organic regulation of the Catholic University",
            "1834",
            "fr",
        ),
        ("Reglement voor de studenten", "Regulations for students", "1836", "nl"),
        ("Statuten van de Academische Raad", "Statutes of the Academic Council", "ca. 1850", "nl"),
        ("Règlement de la bibliothèque universitaire", "Regulations of the university library", "1865", "fr"),
        ("Reglement op de examens en promoties", "Regulations on examinations and doctorates", "1890", "nl"),
        ("Reglement van de universiteitshallen", "Regulations of the University Halls", "1921", "nl"),
        (
            "Statuten van de Stichting Universitaire Gebouwen",
            "Statutes of the University Buildings Foundation",
            "1927",
            "nl",
        ),
        ("Tucht- en ordereglement", "Disciplinary regulations", "1936", "nl"),
        ("Reglement voor het personeel", "Staff regulations", "1948", "nl"),
        ("Taalreglement van de universiteit", "Language regulations of the university", "1960", "nl"),
    ]
    for n, (title, title_en, date, lang) in enumerate(regulations, start=1):
        b.add(
            identifier=f"{fonds}.5.{n}",
            parent=f"{fonds}.5",
            level="item",
            title=title,
            title_en=title_en,
            date=date,
            language=lang,
            subject="Reglementen",
            extent="1 stuk",
        )
    b.add(
        identifier=f"{fonds}.6",
        parent=fonds,
        level="series",
        title="Audiovisueel materiaal",
        title_en="Audiovisual material",
        date="1925-1968",
    )
    b.add(
        identifier=f"{fonds}.6.1",
        parent=f"{fonds}.6",
        level="item",
        title="Film van de jubileumfeesten, 1925 (nitraatfilm)",
        title_en="Film of the jubilee celebrations, 1925 (nitrate film)",
        date="1925",
        extent="3 spoelen 35 mm",
    )
    b.add(
        identifier=f"{fonds}.6.2",
        parent=f"{fonds}.6",
        level="item",
        title="Film van de opening van de Universiteitsbibliotheek, 1928 (acetaatkopie)",
        title_en="Film of the opening of the University Library, 1928 (acetate copy)",
        date="1928",
        extent="1 spoel 16 mm",
    )
    return b


def faculteit(vocab: dict[str, Any]) -> DemoBatch:
    rng = random.Random(1930)
    b = DemoBatch("faculteit-wetenschappen")
    fonds = "BE-KUL-FW"
    b.add(
        identifier=fonds,
        level="fonds",
        title="Archief Faculteit Wetenschappen",
        title_en="Records of the Faculty of Science",
        date="1930-1995",
        extent="36 strekkende meter",
        creator="Faculteit Wetenschappen (creator)",
    )
    b.add(
        identifier=f"{fonds}.1",
        parent=fonds,
        level="series",
        title="Notulen van de faculteitsraad",
        title_en="Minutes of the faculty council",
        date="1930-1990",
    )
    b.add(
        identifier=f"{fonds}.2",
        parent=fonds,
        level="series",
        title="Laboratoriumjournalen",
        title_en="Laboratory notebooks",
        date="1935-1995",
    )
    for n, start in enumerate(range(1930, 1990, 3), start=1):
        b.add(
            identifier=f"{fonds}.1.{n}",
            parent=f"{fonds}.1",
            level="file",
            title=f"Notulen van de faculteitsraad, {start}-{start + 2}",
            date=f"{start}-{start + 2}",
            title_en=f"Minutes of the faculty council, {start}-{start + 2}",
            subject="Onderwijs",
        )
    for n in range(1, 11):
        year = rng.randint(1935, 1990)
        lab = rng.choice(["fysica", "scheikunde", "dierkunde", "plantkunde", "sterrenkunde"])
        b.add(
            identifier=f"{fonds}.2.{n}",
            parent=f"{fonds}.2",
            level="file",
            title=f"Laboratoriumjournaal {lab}, {year}",
            title_en=f"Laboratory notebook ({lab}), {year}",
            date=str(year),
            creator=f"{_person(rng, vocab)} (creator)",
            subject="Laboratoria",
        )
    b.add(
        identifier=f"{fonds}.3",
        parent=fonds,
        level="series",
        title="Examenkopijen",
        title_en="Written exam papers",
        date=f"{YEAR - 7}-{YEAR}",
    )
    # Recent series are dated relative to today, so that their retention periods keep running in the demo
    # (exam papers: some still within their period, some due) whatever year the demo is built.
    for n, year in enumerate((YEAR - 7, YEAR - 5, YEAR - 3, YEAR - 1, YEAR), start=1):
        b.add(
            identifier=f"{fonds}.3.{n}",
            parent=f"{fonds}.3",
            level="file",
            title=f"Examenkopijen academiejaar {year - 1}-{year}",
            title_en=f"Exam papers, academic year {year - 1}-{year}",
            date=str(year),
        )
    b.add(
        identifier=f"{fonds}.4",
        parent=fonds,
        level="series",
        title="Boekhoudstukken",
        title_en="Accounting records",
        date=f"{YEAR - 16}-{YEAR - 4}",
    )
    for n, year in enumerate((YEAR - 16, YEAR - 12, YEAR - 8, YEAR - 4), start=1):
        b.add(
            identifier=f"{fonds}.4.{n}",
            parent=f"{fonds}.4",
            level="file",
            title=f"Boekhoudstukken en bewijsstukken {year}",
            title_en=f"Accounting records and vouchers {year}",
            date=str(year),
        )
    return b


def kulak(vocab: dict[str, Any]) -> DemoBatch:
    b = DemoBatch("kulak-archief")
    fonds = "BE-KUL-KULAK"
    b.add(
        identifier=fonds,
        level="fonds",
        title="Archief Campus Kulak",
        title_en="Records of Kulak Campus",
        date="1965-2000",
        creator="Kulak (creator)",
        place="Kortrijk <http://vocab.getty.edu/tgn/7007858>",
    )
    b.add(
        identifier=f"{fonds}.1",
        parent=fonds,
        level="series",
        title="Stichting en bouw van de campus",
        title_en="Foundation and construction of the campus",
        date="1965-1975",
    )
    b.add(
        identifier=f"{fonds}.2",
        parent=fonds,
        level="series",
        title="Jaarverslagen",
        title_en="Annual reports",
        date="1970-2000",
    )
    for n, (title, date) in enumerate(
        [
            ("Stichtingsakte", "1965"),
            ("Bouwplannen campus Etienne Sabbelaan", "1968-1971"),
            ("Briefwisseling met de stad Kortrijk", "1966-1972"),
            ("Inhuldiging van de campus", "1972"),
            ("Persknipsels", "1965-1975"),
        ],
        start=1,
    ):
        b.add(identifier=f"{fonds}.1.{n}", parent=f"{fonds}.1", level="file", title=title, date=date)
    for n, year in enumerate(range(1970, 2000, 3), start=1):
        b.add(
            identifier=f"{fonds}.2.{n}",
            parent=f"{fonds}.2",
            level="file",
            title=f"Jaarverslag {year}",
            title_en=f"Annual report {year}",
            date=str(year),
        )
    return b


BOOKS = [
    ("Justus Lipsius", "De constantia libri duo", "Antwerpen: Plantin, 1584"),
    ("Desiderius Erasmus", "Moriae encomium, id est Stultitiae laus", "Basel: Froben, 1515"),
    ("Gerardus Mercator", "Atlas sive cosmographicae meditationes", "Duisburg, 1595"),
    ("Rembert Dodoens", "Cruydeboeck", "Antwerpen: Jan van der Loe, 1554"),
    ("Thomas More", "Utopia", "Leuven: Dirk Martens, 1516"),
    ("Cornelius Jansenius", "Augustinus", "Leuven: Jacobus Zegers, 1640"),
    ("Joannes Molanus", "Historiae Lovaniensium libri XIV", "Leuven, ca. 1580"),
    ("Andreas Vesalius", "Tabulae anatomicae sex", "Venetië, 1538"),
    ("Jan Baptist van Helmont", "Ortus medicinae", "Amsterdam: Elzevier, 1648"),
    ("Philip Verheyen", "Corporis humani anatomia", "Leuven: Aegidius Denique, 1693"),
    ("Rembertus Dodonaeus", "Stirpium historiae pemptades sex", "Antwerpen: Plantin, 1583"),
    ("Nicolaus Clenardus", "Institutiones in linguam Graecam", "Leuven: Rutger Rescius, 1530"),
    ("Joannes Ludovicus Vives", "De disciplinis libri XX", "Antwerpen: Michiel Hillen, 1531"),
    ("Gemma Frisius", "De principiis astronomiae et cosmographiae", "Antwerpen, 1530"),
    ("Pierre-Joseph van Beneden", "Recherches sur la faune littorale de Belgique", "Brussel, 1860"),
    ("Georges Lemaître", "L'hypothèse de l'atome primitif", "Neuchâtel, 1946"),
    ("Jean-Baptiste Carnoy", "La biologie cellulaire", "Lier: Van In, 1884"),
    ("Charles de Lannoy", "Chronique de la ville de Louvain", "Leuven, 18e eeuw"),
    ("Anonymus", "Getijdenboek van Leuven", "Leuven, ca. 1470"),
    ("Anonymus", "Almanach de l'Université de Louvain", "Leuven, 1840"),
]


def library(vocab: dict[str, Any]) -> DemoBatch:
    b = DemoBatch("bijzondere-collecties")
    books = {1: "Titelblad", 2: "Liber I", 5: "Liber II", 8: "Liber III"}  # first page of each section
    pages = [f"vesalius-1543/{books[max(k for k in books if k <= p)]}/p{p:03d}.jpg" for p in range(1, 11)]
    b.add(
        identifier="BC-VES-1543",
        level="volume",
        title="De humani corporis fabrica libri septem",
        title_en="On the fabric of the human body, in seven books",
        creator="Andreas Vesalius (author)|Johannes Oporinus (printer) <http://viaf.org/viaf/59087226>",
        date="1543",
        language="la",
        extent="[12], 659, [37] p.: ill.; fol.",
        subject="Anatomie <http://vocab.getty.edu/aat/300054266>",
        place="Basel",
        description="Eerste uitgave van het anatomische hoofdwerk van Vesalius, gedrukt door "
        "Oporinus te Basel. Exemplaar met houtsneden.",
        description_en="First edition of Vesalius' anatomical "
        "masterpiece, printed by Oporinus in Basel. Copy with woodcuts.",
        files="|".join(pages),
    )
    b.scans += [
        Scan(p, "book_page", 154300 + i, {"folio": i, "illustrated": i in (1, 4, 7)})
        for i, p in enumerate(pages, start=1)
    ]
    b.add(
        identifier="BC-KAART-LEUVEN",
        level="item",
        title="Plattegrond van Leuven (Lovanium)",
        title_en="Plan of Leuven (Lovanium)",
        creator="Onbekende cartograaf (cartographer)",
        date="17e eeuw",
        extent="1 kaart: handgekleurd",
        place="Leuven <http://vocab.getty.edu/tgn/7007874>",
        subject="Stadsplattegronden <http://vocab.getty.edu/aat/300028094>",
        files="maps/lovanium.tif",
        description="Grote handgekleurde stadsplattegrond van Leuven met stadsmuur, Dijle en straten.",
        description_en="Large hand-coloured plan of Leuven showing the city wall, the Dijle and the streets.",
    )
    b.scans.append(Scan("maps/lovanium.tif", "city_map", 1640, {}, "TIFF"))
    for n, (author, title, imprint) in enumerate(BOOKS, start=1):
        date = imprint.rsplit(", ", 1)[-1]
        b.add(
            identifier=f"BC-{n:04d}",
            level="volume",
            title=title,
            creator=f"{author} (author)",
            date=date,
            extent="1 vol.",
            description=f"Impressum: {imprint}.",
            language="la",
        )
    return b


def zoology(vocab: dict[str, Any]) -> DemoBatch:
    rng = random.Random(1880)
    b = DemoBatch("zoologie-coleoptera")
    b.add(
        identifier="ZOO-COL",
        level="collection",
        title="Collectie Coleoptera (kevers)",
        title_en="Coleoptera (beetles) collection",
        date="1880-1960",
        extent="60 specimens in 12 laden",
        description="Genaalde kevers, verzameld in België en Centraal-Afrika.",
    )
    photographed = {1, 9, 23, 41}
    for n in range(1, 61):
        name, family = vocab["beetles"][(n * 7) % len(vocab["beetles"])]
        locality = rng.choice(vocab["localities"])
        year = rng.randint(1880, 1960)
        collector = _person(rng, vocab)
        ident = f"ZOO-COL-{n:04d}"
        row = b.add(
            identifier=ident,
            parent="ZOO-COL",
            level="specimen",
            title=f"{name} ({family})",
            title_en=f"{name} ({family})",
            taxon=name,
            date=f"{year}-{rng.randint(4, 9):02d}",
            creator=f"{collector} (collector)",
            place=locality,
            extent="1 specimen",  # how it is prepared is said in each language, not in the one extent
            description=f"Genaald exemplaar, verzameld te {locality} door {collector}.",
            description_en=f"Pinned specimen, collected at {locality} by {collector}.",
        )
        if n in photographed:
            path = f"specimens/{ident}.jpg"
            row["files"] = path
            b.scans.append(
                Scan(
                    path,
                    "specimen_photo",
                    300000 + n,
                    {"label": [f"{name} L.", f"{locality}, {year}", f"leg. {collector}"]},
                )
            )
    return b


def museum(vocab: dict[str, Any]) -> DemoBatch:
    rng = random.Random(1514)
    b = DemoBatch("kasteel-arenberg")
    objects = [
        ("Anatomisch model van een schedel", "Anatomical model of a skull", "19e eeuw", "skull"),
        ("Apothekerspot met deksel", "Apothecary jar with lid", "ca. 1700", "vase"),
        ("Portret van Andreas Vesalius", "Portrait of Andreas Vesalius", "tweede helft 16de eeuw", None),
        ("Portret van hertog Karel van Arenberg", "Portrait of Duke Charles of Arenberg", "ca. 1600", None),
        ("Wandtapijt met jachttafereel", "Tapestry with a hunting scene", "17e eeuw", None),
        ("Scharnierkast uit het kasteel", "Hinged cabinet from the castle", "18e eeuw", None),
        ("Anatomisch wasmodel van het hart", "Anatomical wax model of the heart", "ca. 1850", None),
        ("Microscoop van Van Leeuwenhoek (replica)", "Van Leeuwenhoek microscope (replica)", "1930", None),
        ("Chirurgische instrumentenset", "Set of surgical instruments", "1780-1820", None),
        ("Rectorsketen", "Rector's chain of office", "1909", None),
        ("Toga van een hoogleraar", "Professor's gown", "ca. 1920", None),
        ("Globe van Gemma Frisius (replica)", "Globe after Gemma Frisius (replica)", "1950", None),
        ("Wapenschild van de hertogen van Arenberg", "Coat of arms of the Dukes of Arenberg", "17e eeuw", None),
        ("Schilderij: gezicht op het kasteel van Heverlee", "Painting: view of Heverlee castle", "ca. 1650", None),
        ("Skelet van een kind (studiemateriaal)", "Skeleton of a child (teaching material)", "19e eeuw", None),
        ("Vitrinekast van het Vesaliusmuseum", "Display case of the Vesalius museum", "1920s", None),
        ("Kandelaar", "Candlestick", "18e eeuw", None),
        ("Zegelstempel van de universiteit", "Seal die of the university", "1834", None),
        ("Mortier en stamper", "Mortar and pestle", "17e eeuw", None),
        ("Leerstoel van de aula", "Lecture chair of the aula", "ca. 1780", None),
        ("Portret van rector Pierre de Ram", "Portrait of rector Pierre de Ram", "ca. 1860", None),
        ("Anatomische plaat (handgekleurd)", "Anatomical plate (hand-coloured)", "1543", None),
        ("Bureau van de rentmeester", "Desk of the steward", "18e eeuw", None),
        ("Klok uit de grote zaal", "Clock from the great hall", "ca. 1790", None),
        ("Medaille 500 jaar universiteit", "Medal for the university's 500th anniversary", "1925", None),
        (
            "Anatomisch nat preparaat van een hart (in alcohol)",
            "Anatomical wet preparation of a heart (in spirit)",
            "ca. 1880",
            None,
        ),
        ("Schaal in uraniumglas", "Bowl in uranium glass", "ca. 1900", None),
    ]
    for n, (title, title_en, date, kind) in enumerate(objects, start=1):
        ident = f"ARB-{n:04d}"
        row = b.add(
            identifier=ident,
            level="object",
            title=title,
            title_en=title_en,
            date=date,
            extent="1 object",
            creator=f"{rng.choice(['Onbekend', 'Atelier te Leuven', 'Atelier te Antwerpen'])} (maker)",
            place="Heverlee <http://vocab.getty.edu/tgn/7008070>",
        )
        if kind:
            path = f"objects/{ident}.jpg"
            row["files"] = path
            b.scans.append(Scan(path, "museum_object", 400000 + n, {"kind": kind}))
    return b


BUILDERS: dict[str, Callable[[dict[str, Any]], DemoBatch]] = {
    "rectoraat": rectoraat,
    "faculteit-wetenschappen": faculteit,
    "kulak-archief": kulak,
    "bijzondere-collecties": library,
    "zoologie-coleoptera": zoology,
    "kasteel-arenberg": museum,
}


def paint(scan: Scan, folder: str) -> str:
    """Generate and save one scan (in a worker process); returns its path."""
    image: Image.Image = getattr(scans, scan.painter)(scan.seed, **scan.kwargs)
    target = Path(folder) / scan.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if scan.fmt == "TIFF":
        image.save(target, "TIFF", dpi=(400, 400), icc_profile=SRGB_ICC)
    else:
        image.save(target, "JPEG", quality=92, dpi=(400, 400), icc_profile=SRGB_ICC)
    return scan.path


def write_batch(batch: DemoBatch, folder: Path, workers: int = 2) -> None:
    with (folder / "metadata.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in batch.rows:
            writer.writerow(row)
    if batch.scans:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(paint, batch.scans, [str(folder)] * len(batch.scans)))


def _complete(runtime: Runtime, batch: DemoBatch) -> bool:
    """The collection already holds every record and every scan, with derivatives made."""
    expected_files = sum(len(row.get("files", "").split("|")) for row in batch.rows if row.get("files"))
    with runtime.sessions() as session:
        try:
            coll = catalogue.get_collection(session, batch.slug)
        except Exception:
            return False
        items = session.scalar(select(func.count()).select_from(Item).where(Item.collection_id == coll.id))
        ready = session.scalar(
            select(func.count())
            .select_from(File)
            .join(Item)
            .where(Item.collection_id == coll.id, File.role == FileRole.MASTER.value, File.derivatives_ready.is_(True))
        )
    return items == len(batch.rows) and ready == expected_files


def _ensure_structure(runtime: Runtime, data: dict[str, Any]) -> None:
    with runtime.transaction() as session:
        for u in data["units"]:
            unit = catalogue.ensure_unit(
                session, u["slug"], u["name"], name_en=u["name_en"], kind=u["kind"], central=u["central"]
            )
            unit.name, unit.name_en = u["name"], u["name_en"]

        def add(node: dict[str, Any], parent: Location | None) -> None:
            loc = session.scalar(select(Location).where(Location.code == node["code"]))
            if loc is None:
                loc = Location(code=node["code"])
                session.add(loc)
            loc.parent, loc.name, loc.name_en = parent, node["name"], node.get("name_en")
            loc.kind, loc.function = node["kind"], node.get("function")
            measured = (loc.attributes or {}).get("measured")  # logger readings outlive a rebuild
            loc.attributes = {**node.get("attributes", {}), **({"measured": measured} if measured else {})}
            if node.get("unit"):
                loc.unit_id = catalogue.ensure_unit(session, node["unit"]).id
            session.flush()
            for child in node.get("children", []):
                add(child, loc)

        for root in data["locations"]:
            add(root, None)
        for c in data["collections"]:
            catalogue.ensure_collection(
                session,
                c["slug"],
                title=c["title"],
                title_en=c["title_en"],
                domain=c["domain"],
                unit_slug=c["unit"],
                description=c["description"],
                description_en=c["description_en"],
                rights=c["rights"],
            )


def _place_collection(runtime: Runtime, slug: str, location_code: str) -> None:
    """Put the collection's top-level items on their shelf location (the rest inherit it)."""
    with runtime.transaction() as session:
        coll = catalogue.get_collection(session, slug)
        loc = session.scalar(select(Location).where(Location.code == location_code))
        for item in session.scalars(select(Item).where(Item.collection_id == coll.id, Item.parent_id.is_(None))):
            item.location_id = loc.id if loc else None


def build_demo(runtime: Runtime, log: Callable[[str], None] = print) -> list[IngestReport]:
    """Build (or finish) the demo catalogue; returns the reports of the batches that had work to do."""
    data = content()
    _ensure_structure(runtime, data)
    reports = []
    batches = []
    for c in data["collections"]:
        batch = BUILDERS[c["slug"]](data["vocabulary"])
        batches.append(batch)
        if _complete(runtime, batch):
            log(f"{c['slug']}: complete ({len(batch.rows)} records)")
            continue
        with tempfile.TemporaryDirectory(prefix=f"heritage-demo-{c['slug']}-") as tmp:
            log(f"{c['slug']}: {len(batch.rows)} records, {len(batch.scans)} scans to generate and ingest")
            write_batch(batch, Path(tmp))
            report = ingest(runtime, Path(tmp), c["slug"], unit=c["unit"], domain=c["domain"])
            reports.append(report)
            for failure in report.failed:
                log(f"  failed: {failure.path}: {failure.reason}")
        _place_collection(runtime, c["slug"], c["location"])
    apply_masterplan(runtime, data, [(b.slug, b.attributes) for b in batches], log)
    apply_exhibitions(runtime, log)
    ensure_demo_users(runtime)
    return reports


DEMO_USERS = Path(__file__).parent / "data" / "users.csv"


def demo_users() -> list[dict[str, str]]:
    """The demo's accounts with their documented passwords (for trying the roles, never for production)."""
    with DEMO_USERS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def ensure_demo_users(runtime: Runtime) -> None:
    """Create the demo accounts that do not exist yet (idempotent)."""
    from heritage import auth
    from heritage.errors import NotFound

    with runtime.transaction() as session:
        for row in demo_users():
            try:
                auth.get_user(session, row["username"])
            except NotFound:
                auth.add_user(
                    session,
                    row["username"],
                    row["password"],
                    row["role"],
                    row["unit"] or None,
                    display_name=row["name"],
                )
