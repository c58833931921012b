"""A date the record writes as a century ("19e eeuw", "second half of the 16th century") in the page's language.

Such a date is a value we can read (metadata_schemas.dates reads it into years), so an English page says
"19th century" where the record says "19e eeuw", and a Dutch page the reverse. Any other date text (a year,
"ca. 1700", "1920s") is the record's own and shown as written. The parts of a century are labels
(labels.csv, `date_part.`), the century's name is `century_name`.
"""

from __future__ import annotations

import re
from functools import cache

from web.i18n import century_name, labels_table

_CENTURY = re.compile(
    r"^(?:(?P<part>[a-z0-9 ]+?)\s+(?:(?:of\s+)?the\s+|van\s+de\s+)?)?(?P<n>\d{1,2})\s*(?:e|de|ste|th|st|nd|rd)\s+"
    r"(?:eeuw|century)(?P<bce>\s+(?:v\.?\s?c(?:hr)?\.?|bce?))?$"
)


@cache
def _parts() -> dict[str, tuple[str, dict[str, str]]]:
    """Every way of writing a part of a century -> (its key, its label by language)."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    for key, names in labels_table().items():
        if key.startswith("date_part."):
            for written in names.values():
                out[_bare(written)] = (key, names)
    return out


def _bare(text: str) -> str:
    """Without the linking words a part takes before the century ("eerste helft van de" -> "eerste helft")."""
    return re.sub(r"\s+(?:of the|van de)$", "", " ".join(text.casefold().split()))


def date_label(text: str | None, lang: str) -> str | None:
    """`text` in `lang` when it is a century or a part of one; else `text` as written."""
    if not text:
        return text
    m = _CENTURY.match(" ".join(text.casefold().split()))
    if not m or ("eeuw" in m.group(0)) == (lang == "nl"):  # written in the page's language: as written
        return text
    number = int(m.group("n"))
    if not 1 <= number <= 21:
        return text
    start = -number * 100 if m.group("bce") else (number - 1) * 100
    name = century_name(str(start), lang)
    part = m.group("part")
    if not part:
        return name
    known = _parts().get(_bare(part))
    return f"{known[1][lang]} {name}" if known else text
