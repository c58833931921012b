"""Letters of many scripts made comparable: what a record writes and what a reader types meet in one form.

- Before words are split, text is composed (NFC) and its combining marks are dropped: Hebrew points
  (niqqud, cantillation), Arabic harakat, and the Latin, Cyrillic and Syriac marks left uncomposed.
  Python's `\\w` does not match a combining mark, so without this "שָׁלוֹם" fell apart into three "words".
  Tatweel goes, alef forms become a bare alef, Persian yeh and keheh the Arabic letters.
- Old letters and ligatures get their usual transliteration: æ -> ae, œ -> oe, þ -> th, ð -> d (the
  Icelandic and library romanisation, and what Whoosh's accent map already did), ƿ -> w, ß -> ss.
  Þ once folded to "t", so "Þone" met "ton".
- A German umlaut is indexed twice, as the plain vowel and as its digraph ("Aufklärung" -> "aufklarung"
  and "aufklaerung"), and a query word with an umlaut asks for both: "Aufklärung", "Aufklaerung" and
  "Aufklarung" all find a record that writes "Aufklärung", and "Aufklärung" finds one that writes either
  other form. A written digraph is NOT reduced to its vowel: that would make Dutch "goed" find "god" and
  "boek" find "bok", so "Aufklarung" and "Aufklaerung" do not find each other.
- Chinese, Japanese and Korean are written without spaces between words: a run of Han, kana or Hangul
  becomes its overlapping pairs of characters (bigrams; a lone character stays itself), so a query finds
  the run by the pairs it shares. Letters of other scripts in the same word stay one word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Filter, RegexTokenizer

_ARABIC = re.compile("[\u0600-\u06ff]")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]+")  # harakat, dagger alef, tatweel
# alef with madda or hamza and alef wasla are a bare alef; alef maqsura and Farsi yeh are yeh, keheh is kaf
# (Persian records and keyboards write ی and ک where Arabic ones write ي/ى and ك)
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0622": "\u0627",
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u06cc": "\u064a",
        "\u06a9": "\u0643",
    }
)
_LETTERS = str.maketrans({"æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ƿ": "w", "ß": "ss", "ẞ": "ss"})
_UMLAUT_DIGRAPH = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_UMLAUT_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
_UMLAUTS = frozenset("äöü")
_CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ffff"
)
_CJK_RUN = re.compile(f"[{_CJK}]+|[^{_CJK}]+")
_CJK_CHAR = re.compile(f"[{_CJK}]")


# Combining marks that NFC leaves loose and `\w` does not match: the combining blocks (diacritics, their
# extensions and supplements, marks for symbols, half marks), Cyrillic titlos, Hebrew points and cantillation
# (not maqaf, paseq, sof pasuq), Arabic and Syriac vowel signs. A short class: a regex drops them at C speed.
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f"
    "\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0711\u0730-\u074a\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f]+"
)


def prepare(text: str) -> str:
    """Text as words are split from it: composed, without points, harakat, tatweel or loose combining marks."""
    if text.isascii():
        return text
    text = _MARKS.sub("", unicodedata.normalize("NFC", text))
    if _ARABIC.search(text):
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    return text


def letters(word: str) -> str:
    """A lowercased word with its old letters and ligatures transliterated (umlauts kept)."""
    return word.translate(_LETTERS)


def forms(word: str, variants: bool = True) -> list[str]:
    """The index terms of one lowercased word, before accent folding: its bigrams when it holds CJK,
    else the word and (with `variants`) its umlaut digraph form."""
    word = letters(word)
    if _CJK_CHAR.search(word):
        out: list[str] = []
        for run in _CJK_RUN.findall(word):
            if not _CJK_CHAR.match(run) or len(run) == 1:
                out.append(run)
            else:
                out += [run[i : i + 2] for i in range(len(run) - 1)]
        return list(dict.fromkeys(out))
    if variants and not _UMLAUTS.isdisjoint(word):
        return [word.translate(_UMLAUT_PLAIN), word.translate(_UMLAUT_DIGRAPH)]
    return [word]


def has_cjk(word: str) -> bool:
    """Whether a word holds Han, kana or Hangul (and so is indexed as bigrams)."""
    return _CJK_CHAR.search(word) is not None


def script_of(word: str) -> str:
    """The script of a word's first letter ("LATIN", "HEBREW", "CJK", ...), "" for digits and marks."""
    for char in word:
        if _CJK_CHAR.match(char):
            return "CJK"
        if char.isalpha():
            name = unicodedata.name(char, "")
            return name.split(" ", 1)[0] if name else ""
    return ""


class PreparedTokenizer(RegexTokenizer):
    """A RegexTokenizer that splits `prepare`d text (see the module docstring)."""

    def __call__(self, value: str, **kwargs: Any) -> Any:
        return super().__call__(prepare(value), **kwargs)


class ScriptFilter(Filter):
    """Each (lowercased) token as `forms` makes it: old letters transliterated, CJK as bigrams, umlaut words
    also in their digraph form. Every form keeps the token's position, so phrases and the indexing fast
    path (`fields.FastIndexing`) see one word. In query mode the digraph form is given only when asked
    (`variants=True`, as `query.Parser.term_query` does, marking it `variant`): a phrase looks for the
    plain forms in a row."""

    keeps_position = True

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        for t in tokens:
            variants = t.mode != "query" or getattr(t, "variants", False)
            text = t.text
            for i, form in enumerate(forms(text, variants)):
                t.text = form
                t.variant = i > 0 and not _CJK_CHAR.search(text)
                yield t
