"""The pages' full text in the catalogue search: its own field (`text:`), folded and stemmed, a lower weight
than the description, phrases within one page, the page number and snippet of a hit, the `has_text` facet,
and no text of an item whose images the asker may not see (restricted, closed) found, counted or shown."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from heritage.search import SearchQuery, fulltext
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

PUBLIC = ("public", "restricted")
REGISTER_PAGES = (
    (1, "Register der inschrijvingen van de Universiteit"),
    (2, "Jan Verhulst student in de rechten, geboren te Mechelen"),
    (37, "Petrus Vandermeulen uit Tienen ingeschreven in de geneeskunde"),
)


@pytest.fixture
def index(tmp_path: Path) -> WhooshIndex:
    ix = WhooshIndex(tmp_path / "index")
    ix.update(
        [
            doc("reg", "Inschrijvingsregister 1835", images=True, pages=REGISTER_PAGES),
            doc("desc", "Vandermeulen, Petrus: brieven", description="Brieven van Petrus Vandermeulen"),
            doc("secret", "Register (beperkt)", images=True, access="restricted", pages=((1, "Zebulon Kwakernaak"),)),
            doc("shut", "Register (gesloten)", images=True, access="closed", pages=((1, "Zebulon Kwakernaak"),)),
            doc("plain", "Foto van de hallen", images=True),
        ]
    )
    return ix


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [h["id"] for h in result.hits]


def test_a_word_on_a_page_finds_the_item_with_page_number_and_marked_snippet(index: WhooshIndex) -> None:
    result = index.search(SearchQuery(q="Tienen", access=PUBLIC))
    assert ids(result) == ["reg"]
    assert result.hits[0]["text_hits"] == [
        {"page": 37, "snippet": "Petrus Vandermeulen uit <mark>Tienen</mark> ingeschreven in de geneeskunde"}
    ]


def test_the_description_ranks_above_the_pages(index: WhooshIndex) -> None:
    result = index.search(SearchQuery(q="Vandermeulen", access=PUBLIC))
    assert ids(result) == ["desc", "reg"]
    assert result.hits[0]["text_hits"] == []  # found by its title and description, it has no pages


def test_text_field_searches_the_pages_only_and_stems_them(index: WhooshIndex) -> None:
    assert ids(index.search(SearchQuery(q="text:Vandermeulen", access=PUBLIC))) == ["reg"]
    assert ids(index.search(SearchQuery(q="tekst:brieven", access=PUBLIC))) == []
    # "inschrijving" meets "inschrijvingen" by its Dutch stem; accents folded
    found = index.search(SearchQuery(q="text:inschrijving", access=PUBLIC))
    assert ids(found) == ["reg"] and found.hits[0]["text_hits"][0]["page"] == 1
    assert ids(index.search(SearchQuery(q="text:Tiénen", access=PUBLIC))) == ["reg"]


def test_a_phrase_never_spans_two_pages(index: WhooshIndex) -> None:
    assert ids(index.search(SearchQuery(q='text:"uit Tienen"', access=PUBLIC))) == ["reg"]
    # "Mechelen" ends page 2 and "Petrus" begins page 37: not a phrase
    assert ids(index.search(SearchQuery(q='text:"Mechelen Petrus"', access=PUBLIC))) == []
    assert ids(index.search(SearchQuery(q='"Mechelen Petrus"', access=PUBLIC))) == []


def test_has_text_facet_counts_and_filters_text_the_asker_may_search(index: WhooshIndex) -> None:
    # the public: the restricted register's text lies behind images they may not see, so it counts as none
    result = index.search(SearchQuery(access=PUBLIC))
    assert dict(result.facets["has_text"]) == {"yes": 1, "no": 3}
    only = index.search(SearchQuery(access=PUBLIC, filters={"has_text": ["yes"]}))
    assert ids(only) == ["reg"]
    without = index.search(SearchQuery(access=PUBLIC, filters={"has_text": ["no"]}))
    assert sorted(ids(without)) == ["desc", "plain", "secret"]
    # a reader granted it, the unit's staff and staff everywhere know its text
    granted = index.search(SearchQuery(access=PUBLIC, granted=("secret",), filters={"has_text": ["yes"]}))
    assert sorted(ids(granted)) == ["reg", "secret"] and dict(granted.facets["has_text"]) == {"yes": 2}
    unit_staff = index.search(SearchQuery(access=PUBLIC, units=("central-archive",)))
    assert dict(unit_staff.facets["has_text"]) == {"yes": 3, "no": 2}
    assert dict(index.search(SearchQuery()).facets["has_text"]) == {"yes": 3, "no": 2}


def test_text_of_restricted_and_closed_items_never_reaches_the_public(index: WhooshIndex) -> None:
    public = index.search(SearchQuery(q="Kwakernaak", access=PUBLIC))
    assert public.total == 0 and public.hits == []
    assert all(count == 0 for values in public.facets.values() for _v, count in values)
    assert public.suggestion is None
    # found by its description, the restricted item shows no snippet of its pages
    described = index.search(SearchQuery(q="Register beperkt", access=PUBLIC))
    assert ids(described) == ["secret"] and described.hits[0]["text_hits"] == []
    # staff of its unit, and staff everywhere, find and see it
    unit_staff = index.search(SearchQuery(q="Kwakernaak", access=PUBLIC, units=("central-archive",)))
    assert sorted(ids(unit_staff)) == ["secret", "shut"]
    staff = index.search(SearchQuery(q="Kwakernaak"))
    assert sorted(ids(staff)) == ["secret", "shut"]
    assert staff.hits[0]["text_hits"][0]["snippet"] == "Zebulon <mark>Kwakernaak</mark>"
    other_staff = index.search(SearchQuery(q="Kwakernaak", access=PUBLIC, units=("museum",)))
    assert other_staff.total == 0


def test_a_grant_opens_a_restricted_items_text_never_a_closed_ones(index: WhooshIndex) -> None:
    granted = index.search(SearchQuery(q="Kwakernaak", access=PUBLIC, granted=("secret", "shut")))
    assert ids(granted) == ["secret"]
    assert granted.hits[0]["text_hits"][0]["page"] == 1
    found_by_title = index.search(SearchQuery(q="beperkt", access=PUBLIC, granted=("secret",)))
    assert found_by_title.hits[0]["text_hits"] == []  # nothing of its pages matched the query


def test_pages_are_found_from_the_index_exact_words_first(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "pages")
    pages = ((1, "brieven aan de rector"), (4, "een brief van de pedel"), (9, "de rekeningen van de pedel"))
    ix.update([doc("reg", "Register van de pedel", images=True, pages=pages)])
    # the word as written on page 4 comes before a page where only its stem occurs (page 1)
    assert [h["page"] for h in ix.search(SearchQuery(q="text:brief", access=PUBLIC)).hits[0]["text_hits"]] == [4]
    assert [h["page"] for h in ix.search(SearchQuery(q="text:brieven", access=PUBLIC)).hits[0]["text_hits"]] == [1]
    # only a stem occurs ("rekeningen" on page 9): every page is read for it
    found = ix.search(SearchQuery(q="text:rekening", access=PUBLIC)).hits[0]["text_hits"]
    assert [h["page"] for h in found] == [9]
    # found by its title, the word on two pages too: both pages, in order
    assert [h["page"] for h in ix.search(SearchQuery(q="pedel", access=PUBLIC)).hits[0]["text_hits"]] == [4, 9]
    # found by its title alone: no page is read, none shown
    assert ix.search(SearchQuery(q="register", access=PUBLIC)).hits[0]["text_hits"] == []


def test_stored_pages_are_decompressed_only_where_the_positions_point() -> None:
    pages = [(1, "Register der inschrijvingen"), (2, "Jan Verhulst uit Mechelen"), (37, "Petrus uit Tienen")]
    packed = fulltext.pack(pages)
    assert fulltext.unpack(packed) == pages
    # page 2's blob spoilt: a snippet of page 37 never decompresses it, a snippet of page 2 would
    start = packed.index(zlib.compress(pages[1][1].encode("utf-8"), 6))
    spoilt = packed[:start] + b"\0" * 8 + packed[start + 8 :]
    words = {"folded": {"tienen"}, "nl": set(), "en": set()}
    hits = fulltext.text_hits(spoilt, words, 80, candidates={37})
    assert hits == [{"page": 37, "snippet": "Petrus uit <mark>Tienen</mark>"}]
    with pytest.raises(zlib.error):
        fulltext.text_hits(spoilt, words, 80, candidates={2, 37})


def test_pages_stored_in_the_first_format_are_still_read() -> None:
    pages = [(1, "Register"), (3, "Tienen")]
    first_format = zlib.compress(json.dumps([[n, t] for n, t in pages]).encode("utf-8"), 6)
    assert fulltext.unpack(first_format) == pages
    words = {"folded": {"tienen"}, "nl": set(), "en": set()}
    assert fulltext.text_hits(first_format, words, 80)[0]["page"] == 3


def test_pages_are_a_column_read_only_for_the_results_that_show_them(index: WhooshIndex) -> None:
    """A result's stored record does not hold its pages (reading it would decompress a book's text for every
    result line): they are a column of their own."""
    with index._index().searcher() as searcher:
        reader = searcher.reader()
        assert reader.has_column("pages") and "pages" not in reader.stored_fields(0)
        column = reader.column_reader("pages")
        packed = {reader.stored_fields(n)["id"]: column[n] for n in range(reader.doc_count_all())}
    assert fulltext.unpack(packed["reg"]) == list(REGISTER_PAGES) and packed["plain"] == b""


def test_an_index_whose_pages_are_stored_fields_still_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index built before the pages were a column (analysis 4, pages a stored field) gives the same snippets."""
    from whoosh.fields import STORED

    from heritage.search import schema as schema_module

    made = schema_module.schema

    def with_stored_pages():  # type: ignore[no-untyped-def]
        old = made()
        old.remove("pages")
        old.add("pages", STORED())
        return old

    monkeypatch.setattr(schema_module, "schema", with_stored_pages)
    monkeypatch.setattr("heritage.search.whoosh_index.schema", with_stored_pages)
    ix = WhooshIndex(tmp_path / "old")
    ix.update([doc("reg", "Inschrijvingsregister 1835", images=True, pages=REGISTER_PAGES)])
    monkeypatch.undo()
    with ix._index().searcher() as searcher:
        assert not searcher.reader().has_column("pages") and searcher.reader().stored_fields(0)["pages"]
    result = WhooshIndex(tmp_path / "old").search(SearchQuery(q="Tienen", access=PUBLIC))
    assert result.hits[0]["text_hits"] == [
        {"page": 37, "snippet": "Petrus Vandermeulen uit <mark>Tienen</mark> ingeschreven in de geneeskunde"}
    ]


def test_pages_are_read_in_an_index_of_segments_with_and_without_them(tmp_path: Path) -> None:
    """A segment where no document has pages has no pages column: the documents of the segments after it still
    show their own pages (Whoosh's multi-segment column reader gave them another segment's)."""
    ix = WhooshIndex(tmp_path / "segments")
    ix.update([doc(f"plain{n}", f"Foto {n} van de hallen", images=True) for n in range(3)])
    ix.update([doc("reg", "Inschrijvingsregister 1835", images=True, pages=REGISTER_PAGES)])
    with ix._index().searcher() as searcher:
        segments = searcher.reader().leaf_readers()
        assert len(segments) == 2 and not segments[0][0].has_column("pages")
    hits = {h["id"]: h["text_hits"] for h in ix.search(SearchQuery(q="van", access=PUBLIC)).hits}
    assert len(hits) == 4 and [h["page"] for h in hits["reg"]] == [1] and hits["plain0"] == []
