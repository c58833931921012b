"""Controlled vocabularies the search reads in Dutch and English, shipped as data beside this module.

- `data/aat_types.csv`: object types and genres (Getty AAT id where known, English and Dutch labels and
  their alternates and plurals). A record's genre, type and subject terms that name one (by AAT id or by
  label) make the record findable by every label of it in both languages, and by the AAT URI.
- `data/taxa.csv`: higher taxa with their parent and vernacular names in both languages. A specimen is
  found by every rank its record gives and by the ranks above them the table knows (a record naming only
  the genus "Carabus" is still a beetle), and by the vernacular names of each.

Why data and not code: a cataloguer adds a type or a taxon by adding a line, and reindexes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from metadata_schemas.core import Taxon, Term

DATA = Path(__file__).parent / "data"
AAT = "http://vocab.getty.edu/aat/"
_AAT_ID = re.compile(r"aat/(?:page/aat/)?(\d{9})\b|^(?:aat:)?(\d{9})$")
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")  # "Negatives (photographs)" -> "negatives"
_SUBDIVISION = re.compile(r"\s*--.*$")  # "Correspondence -- 20th century." -> "correspondence"
MAX_DEPTH = 12  # a taxon chain longer than this is a loop in the table


@dataclass(frozen=True)
class TypeTerm:
    """One object type or genre: its AAT id (or "" when unsure) and its labels by language."""

    aat: str
    en: str
    nl: str
    en_alternates: tuple[str, ...]
    nl_alternates: tuple[str, ...]

    @property
    def uri(self) -> str:
        return f"{AAT}{self.aat}" if self.aat else ""

    def labels(self, lang: str) -> list[str]:
        if lang == "en":
            return [self.en, *self.en_alternates]
        return [self.nl, *self.nl_alternates]

    def label(self, lang: str) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class TaxonEntry:
    name: str
    rank: str
    parent: str
    vernacular: dict[str, tuple[str, ...]]


def _key(label: str) -> str:
    """A label as it is matched: case and a final full stop ignored, spaces normalised."""
    return " ".join(label.casefold().strip().rstrip(".").split())


def _split(cell: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in (cell or "").split("|") if v.strip())


@cache
def types() -> tuple[TypeTerm, ...]:
    with (DATA / "aat_types.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(
            TypeTerm(
                row["aat"].strip(),
                row["en"].strip(),
                row["nl"].strip(),
                _split(row["en_alternates"]),
                _split(row["nl_alternates"]),
            )
            for row in csv.DictReader(fh)
        )


@cache
def _by_label() -> dict[str, TypeTerm]:
    out: dict[str, TypeTerm] = {}
    for term in types():
        for lang in ("en", "nl"):
            for label in term.labels(lang):
                out.setdefault(_key(label), term)
    return out


@cache
def _by_id() -> dict[str, TypeTerm]:
    return {t.aat: t for t in types() if t.aat}


def aat_id(uri: str | None) -> str | None:
    """The nine-digit AAT id in a URI ("http://vocab.getty.edu/page/aat/300027015") or "aat:300028094"."""
    if not uri:
        return None
    m = _AAT_ID.search(uri.strip())
    return (m.group(1) or m.group(2)) if m else None


def type_of(label: str | None, uri: str | None = None) -> TypeTerm | None:
    """The vocabulary entry a term names, by its AAT id first, else by its label (a trailing qualifier
    or subdivision dropped when the whole label is not known)."""
    found = _by_id().get(aat_id(uri) or "")
    if found or not label:
        return found
    key = _key(label)
    for candidate in (key, _key(_SUBDIVISION.sub("", key)), _key(_QUALIFIER.sub("", key))):
        if candidate in _by_label():
            return _by_label()[candidate]
    return None


def types_of_terms(terms: Sequence[Term], kinds: Sequence[str | None] = ()) -> list[TypeTerm]:
    """The vocabulary entries that terms (genres, subjects) and bare type strings name, once each."""
    found = [type_of(t.label, t.id) for t in terms] + [type_of(k) for k in kinds if k]
    return list(dict.fromkeys(t for t in found if t is not None))


@cache
def _by_label_in(lang: str) -> dict[str, TypeTerm]:
    return {_key(label): term for term in reversed(types()) for label in term.labels(lang)}


@lru_cache(maxsize=1024)  # every record of a collection asks about the same description
def types_in_text(text: str | None, lang: str) -> tuple[TypeTerm, ...]:
    """The entries a free text in `lang` (a collection's description) names by a label of that language, as
    whole words: "Meubilair, portretten, kaarten ..." names furniture, portraits and maps."""
    if not text:
        return ()
    words = " ".join(re.findall(r"\w+(?:[-']\w+)*", text.casefold()))
    found = []
    for key, term in _by_label_in(lang).items():
        if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", words):
            found.append(term)
    return tuple(dict.fromkeys(found))


def type_label(value: str, lang: str) -> str | None:
    """A facet value (an entry's English label) named in `lang`; None when it is no entry's label."""
    term = _by_label().get(_key(value))
    return term.label(lang) if term and _key(term.en) == _key(value) else None


@cache
def taxa() -> dict[str, TaxonEntry]:
    with (DATA / "taxa.csv").open(encoding="utf-8", newline="") as fh:
        return {
            _key(row["name"]): TaxonEntry(
                row["name"].strip(),
                row["rank"].strip(),
                row["parent"].strip(),
                {"en": _split(row["en"]), "nl": _split(row["nl"])},
            )
            for row in csv.DictReader(fh)
        }


def taxon_names(taxon: Taxon) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every rank of a specimen's classification and the vernacular names by language.

    The record's own ranks come first and are kept as given; the table adds the ranks above the names the
    record gives (species, genus from the binomial, family, ...) and the vernacular names of each.
    """
    ranks: dict[str, str] = {k: v for k, v in taxon.classification.items() if v}
    if taxon.kingdom:
        ranks.setdefault("kingdom", taxon.kingdom)
    if taxon.family:
        ranks.setdefault("family", taxon.family)
    vernacular: dict[str, list[str]] = {"en": [], "nl": []}
    if taxon.vernacular_names:
        vernacular["en"] += taxon.vernacular_names  # the record's own; of unknown language, stemmed both ways
        vernacular["nl"] += taxon.vernacular_names
    name = " ".join(taxon.scientific_name.split()[:2])
    starts = [name, name.split(" ")[0] if name else "", *ranks.values()]
    table = taxa()
    for start in starts:
        entry = table.get(_key(start)) if start else None
        for _ in range(MAX_DEPTH):
            if entry is None:
                break
            ranks.setdefault(entry.rank, entry.name)
            for lang in ("en", "nl"):
                vernacular[lang] += entry.vernacular[lang]
            entry = table.get(_key(entry.parent)) if entry.parent else None
    return ranks, {lang: list(dict.fromkeys(names)) for lang, names in vernacular.items()}
