"""A century the record writes in one language is said in the page's language; other dates as written."""

from __future__ import annotations

import pytest

from web.date_labels import date_label


@pytest.mark.parametrize(
    ("text", "en", "nl"),
    [
        ("19e eeuw", "19th century", "19e eeuw"),
        ("17de eeuw", "17th century", "17de eeuw"),
        ("tweede helft 16de eeuw", "second half of the 16th century", "tweede helft 16de eeuw"),
        ("eind 18e eeuw", "end of the 18th century", "eind 18e eeuw"),
        ("18th century", "18th century", "18e eeuw"),
        ("first half of the 17th century", "first half of the 17th century", "eerste helft van de 17e eeuw"),
        ("3e eeuw v.C.", "3rd century BCE", "3e eeuw v.C."),
        ("ca. 1700", "ca. 1700", "ca. 1700"),
        ("1920s", "1920s", "1920s"),
        ("Leuven, 18e eeuw", "Leuven, 18e eeuw", "Leuven, 18e eeuw"),
        ("sommige deel 18e eeuw", "sommige deel 18e eeuw", "sommige deel 18e eeuw"),
        ("", "", ""),
    ],
)
def test_centuries_follow_the_page_language(text: str, en: str, nl: str) -> None:
    assert (date_label(text, "en"), date_label(text, "nl")) == (en, nl)
