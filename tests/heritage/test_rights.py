"""Rights statements are named and drawn, in Dutch and English, whatever form of their URI a source writes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from heritage.editing.fields import vocabulary
from heritage.rights import RIGHTS, rights_statement

RS_CODES = {"InC", "InC-OW-EU", "InC-EDU", "InC-NC", "InC-RUU", "NoC-CR", "NoC-NC", "NoC-OKLR", "NoC-US", "CNE",
            "UND", "NKC"}  # fmt: skip
LICENCES = ("BY", "BY-SA", "BY-ND", "BY-NC", "BY-NC-SA", "BY-NC-ND")
ICONS = Path(__file__).parents[2] / "web" / "static" / "rights"


def _rows() -> list[dict[str, str]]:
    with RIGHTS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_table_holds_every_statement_and_licence_with_a_drawn_icon() -> None:
    rows = _rows()
    assert {r["code"] for r in rows if "rightsstatements.org" in r["uri"]} == RS_CODES
    codes = {r["code"] for r in rows}
    for licence in ("BY", "BY-SA", "BY-ND", "BY-NC", "BY-NC-SA", "BY-NC-ND"):
        assert {f"CC-{licence}-{v}" for v in ("4.0", "3.0", "2.5", "2.0")} <= codes
    assert {"CC0-1.0", "PDM-1.0"} <= codes
    assert len(codes) == len(rows)  # one row per statement
    for row in rows:
        assert row["nl"] and row["en"] and row["nl"] != row["uri"]
        assert (ICONS / row["icon"]).read_text().startswith("<svg")


def test_the_edit_form_offers_the_current_statements_named_as_the_record_page_names_them() -> None:
    choices = {choice.value: choice for choice in vocabulary("rights")}
    codes = {rights_statement(uri, "en").code for uri in choices}  # type: ignore[union-attr]
    assert codes == RS_CODES | {"PDM-1.0", "CC0-1.0"} | {f"CC-{c}-4.0" for c in LICENCES}, codes
    for uri, choice in choices.items():
        for lang in ("nl", "en"):
            found = rights_statement(uri, lang)
            assert found is not None and found.known and found.label == choice.labels[lang], uri


@pytest.mark.parametrize(
    ("uri", "code", "en"),
    [
        ("http://rightsstatements.org/vocab/NoC-NC/1.0/", "NoC-NC", "No Copyright - Non-Commercial Use Only"),
        ("https://rightsstatements.org/page/InC/1.0/?language=nl", "InC", "In Copyright"),
        ("http://creativecommons.org/publicdomain/mark/1.0/", "PDM-1.0", "Public Domain Mark 1.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0", "CC0-1.0", "CC0 1.0 - No Rights Reserved"),
        ("https://www.creativecommons.org/licenses/by/4.0/deed.nl", "CC-BY-4.0", "CC BY 4.0 - Attribution"),
        ("http://creativecommons.org/licenses/by-nc-sa/2.0/legalcode", "CC-BY-NC-SA-2.0",
         "CC BY-NC-SA 2.0 - Attribution-NonCommercial-ShareAlike"),
        ("https://creativecommons.org/licenses/by-sa/3.0/nl/", "CC-BY-SA-3.0",
         "CC BY-SA 3.0 - Attribution-ShareAlike (NL)"),
    ],
)  # fmt: skip
def test_a_statement_is_known_in_the_forms_sources_write(uri: str, code: str, en: str) -> None:
    english, dutch = rights_statement(uri, "en"), rights_statement(uri, "nl")
    assert english is not None and dutch is not None
    assert (english.code, english.label, english.uri) == (code, en, uri)
    assert dutch.label != en and dutch.icon == english.icon and english.icon


@pytest.mark.parametrize("uri", ["http://example.org/our-own-licence", "Alle rechten voorbehouden"])
def test_an_unknown_statement_is_shown_as_written(uri: str) -> None:
    found = rights_statement(uri, "en")
    assert found is not None and not found.known and found.label == uri and found.icon is None


def test_no_statement_is_none() -> None:
    assert rights_statement(None, "nl") is None and rights_statement("  ", "en") is None
