"""Search that meets people halfway (issue 18): object types and genres in Dutch and English, specimens by
every rank of their classification and by vernacular names, the types a collection's description names
reaching its records, queries the syntax cannot read searched as words, and "Did you mean" that offers only
what the asker may find. On the demo catalogue, as a researcher would search it, and on the tables alone."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from heritage.access import public_search_statuses
from heritage.runtime import Runtime
from heritage.search import SearchQuery, SearchResult
from heritage.search.vocabulary import taxon_names, type_label, type_of, types_in_text
from heritage.search.whoosh_index import WhooshIndex
from metadata_schemas.core import Taxon
from tests.heritage.search.builders import doc


def search(runtime: Runtime, q: str, staff: bool = False, **kwargs: object) -> SearchResult:
    access = None if staff else public_search_statuses()
    return runtime.index.search(SearchQuery(q=q, access=access, per_page=100, **kwargs))  # type: ignore[arg-type]


def levels(result: SearchResult) -> Counter[str]:
    return Counter(h["level"] for h in result.hits)


# -- the tables ------------------------------------------------------------------------------------


def test_a_type_is_known_by_its_aat_id_or_any_label_in_either_language() -> None:
    maps = type_of("Stadsplattegronden", "http://vocab.getty.edu/aat/300028094")
    assert maps is not None and (maps.en, maps.nl) == ("maps", "kaarten")
    assert type_of("kaart") is maps and type_of("Maps.") is maps
    assert type_of("Correspondence -- 20th century.") is type_of("brief") is type_of("Letters")
    assert type_of("x", "http://vocab.getty.edu/page/aat/300027015") is type_of("receipts (financial records)")
    assert type_of("Negatives (photographs)") is type_of("negatief")
    assert type_of("Stadsplattegronden") is maps and type_of("Stadsgezichten") is None  # no entry has that label
    assert type_label("maps", "nl") == "kaarten" and type_label("maps", "en") == "maps"
    assert type_label("kaarten", "en") is None  # a facet value is an English preferred label


def test_a_description_names_types_in_its_own_language_as_whole_words() -> None:
    found = types_in_text("Meubilair, portretten, kaarten en anatomische modellen.", "nl")
    assert {t.en for t in found} == {"furniture", "portraits", "maps", "anatomical models"}
    assert types_in_text("Meubilair", "en") == ()  # a Dutch label in English text is not read
    assert types_in_text("Kaartenbak en kaartspel", "nl") == ()  # parts of words are not labels


def test_a_specimen_gets_the_ranks_above_the_names_its_record_gives_and_their_vernacular_names() -> None:
    ranks, names = taxon_names(Taxon("Carabus auratus"))
    assert ranks == {
        "genus": "Carabus",
        "family": "Carabidae",
        "order": "Coleoptera",
        "class": "Insecta",
        "phylum": "Arthropoda",
        "kingdom": "Animalia",
    }
    assert "beetles" in names["en"] and "kevers" in names["nl"] and "loopkevers" in names["nl"]
    ranks, names = taxon_names(Taxon("Puma concolor", classification={"order": "CARNIVORA"}, vernacular_names=["X"]))
    assert ranks["order"] == "CARNIVORA" and ranks["family"] == "Felidae"  # the record's own rank is kept
    assert names["en"][0] == "X" and "poema" in names["nl"]
    assert taxon_names(Taxon("Nomen ignotum")) == ({}, {"en": [], "nl": []})


# -- the demo, as a researcher searches it ---------------------------------------------------------


@pytest.mark.parametrize("q", ["kever", "kevers", "beetle", "beetles", "Coleoptera", "Insecta", "insecten"])
def test_beetles_are_found_by_rank_and_vernacular_name_in_both_languages(demo_runtime: Runtime, q: str) -> None:
    result = search(demo_runtime, q)
    assert levels(result)["specimen"] >= 50, (q, levels(result))


@pytest.mark.parametrize(
    ("q", "family"), [("Lucanidae", "Lucanidae"), ("vliegend hert", "Lucanidae"), ("loopkever", "Carabidae")]
)
def test_a_family_and_its_vernacular_name_find_its_specimens_only(demo_runtime: Runtime, q: str, family: str) -> None:
    result = search(demo_runtime, q)
    assert result.total and all(family in h["title"] for h in result.hits), (q, [h["title"] for h in result.hits])


@pytest.mark.parametrize("q", ["kaart", "kaarten", "map", "maps", "plattegrond"])
def test_maps_are_found_in_both_languages(demo_runtime: Runtime, q: str) -> None:
    result = search(demo_runtime, q)
    assert result.hits and result.hits[0]["local_id"] == "BC-KAART-LEUVEN", (q, [h["title"] for h in result.hits])
    assert result.suggestion is None


@pytest.mark.parametrize("q", ["meubilair", "furniture", "meubels"])
def test_a_collection_description_reaches_its_objects(demo_runtime: Runtime, q: str) -> None:
    result = search(demo_runtime, q)
    assert levels(result)["object"] >= 20, (q, levels(result))
    assert {h["collection"] for h in result.hits} == {"kasteel-arenberg"}


def test_types_are_facet_values(demo_runtime: Runtime) -> None:
    furniture = search(demo_runtime, "", filters={"subject": ["furniture"]})
    assert furniture.total >= 20 and {h["collection"] for h in furniture.hits} == {"kasteel-arenberg"}
    subjects = dict(search(demo_runtime, "kaart").facets["subject"])
    assert subjects.get("maps", 0) >= 1


@pytest.mark.parametrize("q", ["letters", "brieven", "brief", "correspondence"])
def test_letters_are_found_by_the_series_they_are_in(demo_runtime: Runtime, q: str) -> None:
    result = search(demo_runtime, q)
    assert sum("Briefwisseling" in h["title"] or "Correspondence" in h["title"] for h in result.hits) >= 5, q
    assert result.suggestion is None


@pytest.mark.parametrize(
    "q", ['"academische raad', "(academische raad", "academische OR OR raad", "NOT", "title:", "AND"]
)
def test_a_query_the_syntax_cannot_read_is_searched(demo_runtime: Runtime, q: str) -> None:
    result = search(demo_runtime, q)  # no BadRequest
    assert result.total >= 0
    if "raad" in q:
        assert result.total > 0


def test_did_you_mean_never_offers_a_word_only_closed_items_hold(tmp_path: Path) -> None:
    index = WhooshIndex(tmp_path / "index")
    index.rebuild(
        [
            doc("open1", "Briefwisseling met de stad", description="Brieven over de bibliotheek"),
            doc("shut1", "Geheimhoudingsclausule van de rector", access="closed"),
        ]
    )
    typo = "geheimhoudingsclausle"
    staff = index.search(SearchQuery(q=typo))
    assert staff.suggestion == "geheimhoudingsclausule"  # the word is there to be offered: staff see it
    public = index.search(SearchQuery(q=typo, access=public_search_statuses()))
    assert public.total == 0 and public.suggestion is None


def test_did_you_mean_offers_a_word_that_finds_something(demo_runtime: Runtime) -> None:
    result = search(demo_runtime, "vesalivs")
    assert result.total == 0 and result.suggestion == "vesalius"
    assert search(demo_runtime, result.suggestion).total > 0
