"""Which pages are read by OCR and with which Tesseract models: the collection's rule, the record's languages
and script. The rules are data (heritage/data/ocr_rules.yaml, ocr_languages.csv), never guessed per image."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from heritage.errors import ConfigurationError
from heritage.models import Collection, Item

DATA = Path(__file__).resolve().parents[1] / "data"
RULES = DATA / "ocr_rules.yaml"
LANGUAGES = DATA / "ocr_languages.csv"
MODS_NS = "http://www.loc.gov/mods/v3"


@dataclass(frozen=True)
class Rules:
    default_languages: str
    min_confidence: float
    binarise_min_short_edge: int | None
    scripts: dict[str, str]
    domains: dict[str, dict[str, Any]]
    collections: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Plan:
    """What the OCR of an item's pages does: skip them (and why) or read them with `languages`."""

    skip: bool
    languages: str
    why: str


@functools.cache
def _load(path: Path) -> Rules:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"OCR rules {path}: {exc}") from None
    if data.get("schema") != "heritage-ocr-rules/1":
        raise ConfigurationError(f"OCR rules {path}: schema must be heritage-ocr-rules/1")
    return Rules(
        default_languages=str(data.get("default_languages") or "nld+fra+eng"),
        min_confidence=float(data.get("min_confidence", 60)),
        binarise_min_short_edge=int(data["binarise_min_short_edge"]) if data.get("binarise_min_short_edge") else None,
        scripts={str(k): str(v) for k, v in (data.get("scripts") or {}).items()},
        domains={str(k): dict(v or {}) for k, v in (data.get("domains") or {}).items()},
        collections={str(k): dict(v or {}) for k, v in (data.get("collections") or {}).items()},
    )


def load(path: Path | None = None) -> Rules:
    """The OCR rules in force (HERITAGE_OCR_RULES, else the shipped file).

    Raises:
        ConfigurationError: the file cannot be read or is not an OCR rules file.
    """
    return _load(path or RULES)


@functools.cache
def language_table() -> dict[str, str]:
    """ISO 639-1/2/3 code (lower case) -> Tesseract model name."""
    with LANGUAGES.open(encoding="utf-8", newline="") as fh:
        return {row["code"].strip().lower(): row["tesseract"].strip() for row in csv.DictReader(fh)}


def tesseract_languages(codes: list[str]) -> str | None:
    """The Tesseract models for these language codes ("nld+lat"), None when none is known; BCP 47 regions
    (`nl-BE`) and unknown codes are left out."""
    table = language_table()
    models: list[str] = []
    for code in codes:
        model = table.get(code.strip().lower().split("-")[0])
        if model and model not in models:
            models.append(model)
    return "+".join(models) or None


def _collection_rule(rules: Rules, collection: Collection) -> dict[str, Any]:
    return {**rules.domains.get(collection.domain, {}), **rules.collections.get(collection.slug, {})}


def _record_scripts(item: Item) -> list[str]:
    """ISO 15924 codes the item's records name: a sheet's `script` (kept in attributes or details), MODS
    `language/scriptTerm`."""
    found: list[str] = []
    own = (item.attributes or {}).get("script")
    if own:
        found += [s.strip() for s in str(own).split("|")]
    for record in item.records:
        details = (record.core or {}).get("details") or {}
        if details.get("script"):
            found += [s.strip() for s in str(details["script"]).split("|")]
        text = (record.original or "").lstrip("\ufeff \r\n\t")
        if record.standard == "mods" and text.startswith("<") and "scriptTerm" in text:
            try:
                root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
            except etree.XMLSyntaxError:
                continue
            found += [(el.text or "").strip() for el in root.iter(f"{{{MODS_NS}}}scriptTerm")]
    return [s for s in found if s]


def plan(item: Item, rules: Rules, *, lang: str | None = None) -> Plan:
    """How the item's pages are read: the collection's skip rule first (images only, whatever is asked);
    then `lang` (the command's --lang), the record's script and languages, the collection's defaults, the
    rules' default."""
    rule = _collection_rule(rules, item.collection)
    if str(rule.get("ocr", "auto")) == "skip":
        return Plan(True, "", f"collection {item.collection.slug} ({item.collection.domain}): ocr skip")
    if lang:
        return Plan(False, lang, "--lang")
    scripts = _record_scripts(item) or ([str(rule["script"])] if rule.get("script") else [])
    for script in scripts:
        if script in rules.scripts:
            return Plan(False, rules.scripts[script], f"script {script}")
    record = item.primary_record
    from_record = tesseract_languages(list((record.core or {}).get("languages") or [])) if record else None
    if from_record:
        return Plan(False, from_record, "record language")
    if rule.get("languages"):
        return Plan(False, str(rule["languages"]), f"collection {item.collection.slug}")
    return Plan(False, rules.default_languages, "default")
