"""Folding and scripts (issue 17): umlaut digraphs, ligatures, old letters, CJK bigrams, Hebrew and Arabic
marks, did-you-mean in the query's script, and an index of an older analysis refused until rebuilt.

Titles are real ones (MARC 245/880 of the fixtures: a Japanese, a Hebrew and a Persian title) and the
values the issue names."""

from __future__ import annotations

from pathlib import Path

import pytest

from heritage.errors import ConfigurationError
from heritage.search import SearchQuery
from heritage.search.scripts import forms, prepare
from heritage.search.whoosh_index import ANALYSIS_FILE, WhooshIndex
from tests.heritage.search.builders import doc

CATALOGUE = [
    doc("de1", "Die Aufklärung in Berlin", lang="de"),
    doc("de2", "Geschichte der Aufklaerung", lang="de"),
    doc("oe1", "Ælfric's Grammar", lang="en"),
    doc("oe2", "Þone halgan gast", lang="en"),
    doc("gr1", "Ton logon", lang="nl"),  # romanised Greek "τὸν λόγον"
    doc("ja1", "久保栄 「火山灰地」 を読む", lang="ja"),
    doc("ja2", "東京の歴史", lang="ja"),
    doc("he1", "משנה ברורה", lang="he"),
    doc("fa1", "گفت و گوى اکبر گنجى", lang="fa"),
    doc("nl1", "Maatschappij tot Nut van 't Algemeen", lang="nl"),
    doc("nl2", "Een goed boek", lang="nl"),
    doc("nl3", "God en de bok", lang="nl"),
    doc("ss1", "Die Straße", lang="de"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    ix = WhooshIndex(tmp_path_factory.mktemp("scripts") / "index")
    ix.rebuild(CATALOGUE)
    return ix


def ids(index: WhooshIndex, q: str) -> set[str]:
    return {hit["id"] for hit in index.search(SearchQuery(q=q, per_page=100)).hits}


@pytest.mark.parametrize("q", ["Aufklärung", "Aufklaerung", "Aufklarung", "aufklärung"])
def test_umlaut_forms_find_the_umlaut(index: WhooshIndex, q: str) -> None:
    assert "de1" in ids(index, q)


def test_an_umlaut_query_finds_the_digraph_spelling(index: WhooshIndex) -> None:
    assert ids(index, "Aufklärung") == {"de1", "de2"}
    assert ids(index, "Aufklaerung") == {"de1", "de2"}


def test_a_written_digraph_is_not_its_plain_vowel_so_dutch_words_stay_apart(index: WhooshIndex) -> None:
    assert ids(index, "goed") == {"nl2"}
    assert ids(index, "god") == {"nl3"}
    assert ids(index, "boek") == {"nl2"}
    assert ids(index, "maatschappij") == {"nl1"}


def test_ligatures_and_old_letters(index: WhooshIndex) -> None:
    assert ids(index, "Aelfric") == {"oe1"}
    assert ids(index, "Ælfric") == {"oe1"}
    assert ids(index, "thone") == {"oe2"}
    assert ids(index, "Strasse") == {"ss1"}
    assert ids(index, "Straße") == {"ss1"}


def test_thorn_does_not_meet_ton(index: WhooshIndex) -> None:
    assert ids(index, "Þone") == {"oe2"}
    assert ids(index, "ton") == {"gr1"}


def test_cjk_is_found_by_its_bigrams(index: WhooshIndex) -> None:
    assert ids(index, "火山灰地") == {"ja1"}
    assert ids(index, "火山") == {"ja1"}
    assert ids(index, "東京") == {"ja2"}
    assert ids(index, "歴史") == {"ja2"}
    assert ids(index, "京都") == set()  # a bigram the titles do not hold
    assert ids(index, '"火山灰地"') == {"ja1"}  # quoted: its bigrams share one position, so all are asked for


def test_pointed_hebrew_finds_the_unpointed_title(index: WhooshIndex) -> None:
    assert ids(index, "מִשְׁנָה בְּרוּרָה") == {"he1"}
    assert ids(index, "משנה") == {"he1"}


def test_arabic_harakat_and_tatweel_are_ignored(index: WhooshIndex) -> None:
    assert ids(index, "گنـجى") == {"fa1"}
    assert ids(index, "گنجی") == {"fa1"}  # typed on a Persian keyboard: Farsi yeh, where the record has alef maqsura
    assert prepare("كِتَاب") == "كتاب"
    assert prepare("أحمد") == prepare("احمد")


def test_words_with_marks_are_not_split() -> None:
    assert forms(prepare("שָׁלוֹם")) == ["שלום"]
    assert forms(prepare("a\u0308rger")) == ["arger", "aerger"]  # a decomposed umlaut composes first


def test_suggestions_stay_in_the_script_of_the_query(index: WhooshIndex) -> None:
    cjk = index.search(SearchQuery(q="東西", per_page=10))
    assert cjk.total == 0
    assert cjk.suggestion is None or all(not c.isascii() for c in cjk.suggestion)
    hebrew = index.search(SearchQuery(q="משנו", per_page=10))
    assert hebrew.suggestion is None or not any(c.isascii() and c.isalpha() for c in hebrew.suggestion)
    assert index.search(SearchQuery(q="Aufklarunk", per_page=10)).suggestion == "aufklaerung"  # the more frequent form


def test_an_index_of_an_older_analysis_is_refused_until_rebuilt(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild(CATALOGUE[:2])
    (ix.current_dir() / ANALYSIS_FILE).unlink()  # as an index built before versions were recorded
    stale = WhooshIndex(tmp_path / "index")
    with pytest.raises(ConfigurationError, match="heritage reindex"):
        stale.search(SearchQuery(q="Aufklärung"))
    stale.rebuild(CATALOGUE[:2])
    assert {h["id"] for h in stale.search(SearchQuery(q="Aufklaerung")).hits} == {"de1", "de2"}
