"""How text becomes index terms: accent-folded words for exact, prefix, fuzzy and phrase matching, and
Dutch and English stems so that "reglementen" finds "reglement" and "regulations" finds "regulation".

Stemming happens in separate fields, one per language (`text_nl`, `text_en`): a stem is only right for
the language it was made for, so a record's Dutch text is stemmed the Dutch way and its English text the
English way; text of unknown or other languages goes to both. The unstemmed, folded `text` field keeps
exact forms, so a phrase, a prefix or a fuzzy term still matches what was written.
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.support.charset import accent_map

from heritage.search.scripts import PreparedTokenizer, ScriptFilter

WORD = r"\w+(\.?\w+)*"
MULTI_SEPARATOR = "\x1f"  # between the values of a multi-valued keyword field
STEMMED_LANGUAGES = ("nl", "en")
# Bumped whenever a word is analysed differently: an index built by another version is refused until
# rebuilt (`heritage reindex`), since its words would no longer meet the queries' (see `whoosh_index`).
# 2: scripts (`scripts.py`): umlaut digraphs, ligatures, þ/ð/ß, CJK bigrams, Hebrew and Arabic marks.
# 3: documents carry the vocabularies (`vocabulary.py`): types in both languages, higher taxa and their
#    vernacular names, the types a collection's description names; older indexes lack those words.
# 4: the pages' full text (`fulltext.py`): fields `fulltext`, `fulltext_nl`, `fulltext_en`, facet `has_text`.
ANALYSIS_VERSION = 4


def folded() -> Any:
    """Words, lowercased, scripts folded (`scripts`), accents folded ("Règlement" -> "reglement");
    no stop words, no stems."""
    return PreparedTokenizer(WORD) | LowercaseFilter() | ScriptFilter() | CharsetFilter(accent_map)


def stemmed(lang: str) -> Any:
    """Words of one language: lowercased, scripts folded, stop words dropped, stemmed, then accent-folded."""
    return (
        PreparedTokenizer(WORD)
        | LowercaseFilter()
        | ScriptFilter()
        | StopFilter(lang=lang)
        | StemFilter(lang=lang, cachesize=200_000)
        | CharsetFilter(accent_map)
    )


def identifier() -> Any:
    """Whole identifiers ("BE-KUL-UA-R.1.3"), lowercased, so that `identifier:be-kul-ua-r.1*` works."""
    return RegexTokenizer(r"[^\s,;|]+") | LowercaseFilter() | CharsetFilter(accent_map)


def keywords() -> Any:
    """Exact facet values, several per field, separated by MULTI_SEPARATOR."""
    return RegexTokenizer(r"[^\x1f]+")


_FOLDED = folded()


def fold(text: str) -> str:
    """One word or label as the folded analyzer would index it, words joined by spaces."""
    return " ".join(t.text for t in _FOLDED(text))
