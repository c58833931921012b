"""Dutch and English for every page: the reader's choice (a cookie set by the language links, or
`?lang=`), else the browser's Accept-Language, else Dutch.

Sentences of the interface are gettext messages (`web/translations/<lang>/LC_MESSAGES/messages.po`,
compiled into the data directory when the app starts, so the repository holds only text). Names of
vocabulary values (domains, levels, facets, roles) are data in `web/data/labels.csv`.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel, get_locale

from metadata_schemas.tables import language_tag

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
COOKIE = "lang"
SOURCE = Path(__file__).parent / "translations"
LABELS = Path(__file__).parent / "data" / "labels.csv"


def compile_catalogs(target: Path) -> Path:
    """Compile every .po into `target` (only when the .mo is missing or older); returns `target`."""
    for po in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as fh:
            catalog = read_po(fh)
        tmp = mo.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo)
    return target


def select_language() -> str:
    """`?lang=`, then the cookie, then the browser's preference, then Dutch."""
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_language() -> str:
    if "lang" not in g:
        g.lang = str(get_locale() or DEFAULT_LANGUAGE)
    return g.lang


@lru_cache(maxsize=1)
def labels_table() -> dict[str, dict[str, str]]:
    """labels.csv, read once: key -> label by language."""
    with LABELS.open(encoding="utf-8", newline="") as fh:
        return {row["key"]: {lang: row[lang] for lang in LANGUAGES} for row in csv.DictReader(fh)}


def label(kind: str, value: str, lang: str | None = None) -> str:
    """The name of a vocabulary value in the reader's language (the value itself when unknown)."""
    entry = labels_table().get(f"{kind}.{value}")
    return entry[lang or current_language()] if entry else value


@lru_cache(maxsize=8)
def _language_names(lang: str) -> Mapping[str, str]:
    """Babel's names of languages in `lang`, parsed once (a search page names up to twenty per request)."""
    return Locale.parse(lang).languages


def known_label(kind: str, value: str | None, fallback: str) -> str:
    """A vocabulary value's name in the reader's language, else `fallback` (the source's own heading or a
    general name): a page never shows an internal code such as `bioghist`."""
    entry = labels_table().get(f"{kind}.{(value or '').lower()}")
    return entry[current_language()] if entry else fallback


RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm"})
RTL_LANGUAGES = frozenset({"ar", "ara", "he", "heb", "fa", "per", "fas", "yi", "yid", "ur", "urd", "ps", "pus"})


def text_direction(script: str | None, lang: str | None) -> str | None:
    """ "rtl" for a value in a right-to-left script (ISO 15924) or language, else None (the page's own)."""
    if (script or "").lower() in RTL_SCRIPTS or (lang or "").lower() in RTL_LANGUAGES:
        return "rtl"
    return None


def language_name(code: str, lang: str | None = None) -> str:
    """ "fr" -> "Frans" / "French"."""
    try:
        name = _language_names(lang or current_language()).get(code)
    except (ValueError, TypeError):
        name = None
    return name or code


def century_name(value: str, lang: str | None = None) -> str:
    """ "1800" -> "19e eeuw" / "19th century"."""
    try:
        start = int(value)
    except ValueError:
        return value
    number = start // 100 + 1 if start >= 0 else start // 100
    if (lang or current_language()) == "nl":
        return f"{number}e eeuw" if number > 0 else f"{-number}e eeuw v.C."
    suffix = "th" if 10 <= abs(number) % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(abs(number) % 10, "th")
    return f"{number}{suffix} century" if number > 0 else f"{-number}{suffix} century BCE"


def init_app(app: Flask, translations: Path) -> None:
    Babel(app, locale_selector=select_language, default_translation_directories=str(translations))

    @app.after_request
    def _remember_choice(response):  # type: ignore[no-untyped-def]
        chosen = request.args.get("lang")
        if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=365 * 86400, samesite="Lax")
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response

    app.jinja_env.globals.update(
        label=label,
        known_label=known_label,
        text_direction=text_direction,
        language_tag=language_tag,
        language_name=language_name,
        century_name=century_name,
        LANGUAGES=LANGUAGES,
    )
