"""The Whoosh backend as a researcher meets it: words, fields, operators, languages, linked places,
facets with counts, date ranges, sorting, paging, and an index that is rebuilt without a gap."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from heritage.errors import BadRequest
from heritage.search import FACETS, SearchIndex, SearchQuery, facets_for
from heritage.search.whoosh_index import WhooshIndex
from tests.heritage.search.builders import doc

LEUVEN = "http://vocab.getty.edu/tgn/7007874"
PUBLIC = ("public", "restricted")
CATALOGUE = [
    doc(
        "reg1",
        "Règlement organique de l'Université",
        lang=None,
        dates=(1834, 1834),
        languages=("fr",),
        subjects=("Reglementen",),
    ),
    doc(
        "reg2",
        "Reglement voor de studenten",
        lang="nl",
        title_en="Regulations for students",
        dates=(1836, 1836),
        subjects=("Reglementen", "Studenten"),
    ),
    doc("reg3", "Reglementen van de universiteitshallen", lang="nl", dates=(1921, 1921), subjects=("Reglementen",)),
    doc(
        "min1",
        "Notulen van de Academische Raad",
        lang="nl",
        dates=(1835, 1968),
        level="series",
        creators=("Pierre de Ram",),
        places=(("Leuven", LEUVEN),),
    ),
    doc(
        "map1",
        "Carte de la ville",
        lang=None,
        domain="library",
        collection="bc",
        level="item",
        dates=(1650, 1699),
        places=(("Louvain", LEUVEN),),
        languages=("fr",),
        images=True,
    ),
    doc(
        "tit1",
        "Chronique de Louvain",
        lang=None,
        domain="library",
        collection="bc",
        level="volume",
        dates=(1750, 1760),
        languages=("fr",),
    ),
    doc(
        "ves1",
        "De humani corporis fabrica",
        lang=None,
        domain="library",
        collection="bc",
        level="volume",
        dates=(1543, 1543),
        creators=("Andreas Vesalius",),
        languages=("la",),
        images=True,
        description="Eerste uitgave van het anatomische hoofdwerk van Vesalius <script>alert(1)</script>",
    ),
    doc(
        "bee1",
        "Carabus auratus",
        domain="science",
        collection="kevers",
        level="specimen",
        dates=(1901, 1901),
        places=(("Heverlee", "http://vocab.getty.edu/tgn/7008070"),),
    ),
    doc("bee2", "Cetonia aurata", domain="science", collection="kevers", level="specimen", dates=(1911, 1911)),
    doc(
        "per1",
        "Personeelsdossier Jan Peeters",
        lang="nl",
        dates=(1900, 1950),
        access="closed",
        subjects=("Reglementen",),
    ),
    doc("res1", "Brief over het reglement", lang="nl", dates=(1890, 1890), access="restricted"),
    doc("und1", "Ongedateerd stuk", lang="nl"),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    ix = WhooshIndex(tmp_path_factory.mktemp("search") / "index")
    ix.rebuild(CATALOGUE)
    return ix


def ids(index: WhooshIndex, q: str = "", **kwargs: object) -> set[str]:
    result = index.search(SearchQuery(q=q, access=kwargs.pop("access", PUBLIC), per_page=100, **kwargs))  # type: ignore[arg-type]
    return {hit["id"] for hit in result.hits}


def test_the_whoosh_index_meets_the_search_index_protocol(index: WhooshIndex) -> None:
    assert isinstance(index, SearchIndex)
    assert index.count() == len(CATALOGUE)


def test_accent_folding_and_dutch_stemming(index: WhooshIndex) -> None:
    assert {"reg1", "reg2", "reg3", "res1"} <= ids(index, "reglement")  # "Règlement", "Reglementen"
    assert {"reg2", "reg3"} <= ids(index, "reglementen")


def test_english_stemming_finds_the_english_title(index: WhooshIndex) -> None:
    assert ids(index, "regulation") == {"reg2"}


def test_leuven_finds_louvain_only_through_a_linked_place(index: WhooshIndex) -> None:
    found = ids(index, "Leuven")
    assert "map1" in found  # its place is "Louvain" with Leuven's authority id
    assert "tit1" not in found  # "Louvain" only in its title: not linked to anything
    assert {"map1", "tit1", "min1"} <= ids(index, "Louvain")


def test_fields_phrases_prefixes_fuzzy_and_boolean(index: WhooshIndex) -> None:
    assert ids(index, "title:fabrica") == {"ves1"}
    assert ids(index, "titel:fabrica") == {"ves1"}
    assert ids(index, "creator:vesalius") == {"ves1"}
    assert ids(index, "maker:ram") == {"min1"}
    assert ids(index, "identifier:bee*") == {"bee1", "bee2"}
    assert ids(index, '"academische raad"') == {"min1"}
    assert ids(index, '"raad academische"') == set()
    assert ids(index, "carab*") == {"bee1"}
    assert ids(index, "vesalus~") == {"ves1"}
    assert ids(index, "carabus OR cetonia") == {"bee1", "bee2"}
    assert ids(index, "carabus OF cetonia") == {"bee1", "bee2"}
    assert ids(index, "reglement NOT studenten") == ids(index, "reglement NIET studenten") == {"reg1", "reg3", "res1"}
    assert ids(index, "reglement studenten") == {"reg2"}  # every word must occur


def test_closed_items_are_not_found_nor_counted_for_the_public(index: WhooshIndex) -> None:
    public = index.search(SearchQuery(q="reglement", access=PUBLIC))
    assert "per1" not in {h["id"] for h in public.hits}
    assert "access" not in public.facets
    assert dict(public.facets["subject"])["Reglementen"] == 3  # reg1..reg3, not per1
    staff = index.search(SearchQuery(q="reglement", access=None))
    assert dict(staff.facets["access"]) == {"public": 3, "closed": 1, "restricted": 1}
    assert dict(staff.facets["subject"])["Reglementen"] == 4


def test_every_facet_is_counted(index: WhooshIndex) -> None:
    result = index.search(SearchQuery(access=PUBLIC))
    assert list(result.facets) == list(facets_for(False))
    assert dict(result.facets["domain"]) == {"archive": 6, "library": 3, "science": 2}
    assert dict(result.facets["language"])["fr"] == 3
    assert dict(result.facets["has_images"]) == {"yes": 2, "no": 9}
    assert dict(result.facets["century"])["1800"] == 4  # 1834, 1836, 1835-1968, 1890
    assert result.facets["century"] == sorted(result.facets["century"], key=lambda kv: int(kv[0]))
    assert ("1830", 3) in result.facets["decade"]
    assert dict(result.facets["place"]) == {"Leuven": 1, "Louvain": 1, "Heverlee": 1}


def test_two_facets_narrow_and_the_counts_follow(index: WhooshIndex) -> None:
    result = index.search(SearchQuery(access=PUBLIC, filters={"domain": ["library"], "level": ["volume"]}))
    assert {h["id"] for h in result.hits} == {"tit1", "ves1"}
    assert dict(result.facets["domain"]) == {"library": 2}
    assert dict(result.facets["level"]) == {"volume": 2}
    assert dict(result.facets["language"]) == {"fr": 1, "la": 1}
    either = index.search(SearchQuery(access=PUBLIC, filters={"domain": ["library", "science"]}))
    assert either.total == 5


def test_date_range_keeps_items_whose_dates_overlap(index: WhooshIndex) -> None:
    assert ids(index, year_from=1500, year_to=1700) == {"ves1", "map1"}
    assert ids(index, year_from=1950) == {"min1"}
    assert "und1" not in ids(index, year_to=3000)


def test_sorting_and_stable_paging(index: WhooshIndex) -> None:
    by_date = index.search(SearchQuery(access=PUBLIC, sort="date", per_page=3))
    assert [h["id"] for h in by_date.hits] == ["ves1", "map1", "tit1"]
    newest = index.search(SearchQuery(access=PUBLIC, sort="-date", per_page=2))
    assert [h["id"] for h in newest.hits] == ["reg3", "bee2"]
    titles = [
        h["title"]
        for p in (1, 2, 3, 4)
        for h in index.search(SearchQuery(access=PUBLIC, sort="title", per_page=3, page=p)).hits
    ]
    assert titles == sorted(titles, key=str.casefold) and len(titles) == 11
    past = index.search(SearchQuery(access=PUBLIC, page=50))
    assert past.hits == [] and past.total == 11 and not past.beyond_window
    deep = index.search(SearchQuery(access=PUBLIC, page=501))  # past the 10,000 results any search pages through
    assert deep.hits == [] and deep.total == 11 and deep.beyond_window and deep.facets["domain"]


def test_snippets_mark_the_words_found_and_escape_the_rest(index: WhooshIndex) -> None:
    hit = index.search(SearchQuery(q="vesalius", access=PUBLIC)).hits[0]
    assert "<mark>Vesalius</mark>" in hit["snippet"]
    assert "<script>" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ('"academische raad', {"min1"}),
        ("(reglement studenten", {"reg2"}),
        ("studenten)", {"reg2"}),
        ("NOT NOT studenten", {"reg2"}),
        ("studenten OR OR reglement", {"reg2"}),
        ("reglement studenten AND ", {"reg2"}),
        ("NIET NIET NIET", set()),
        ("raad ANDNOT ANDNOT academische", {"min1"}),
        ("title:", set()),
        ('"', set()),
    ],
)
def test_a_query_the_syntax_cannot_read_is_searched_as_plain_words(index: WhooshIndex, q: str, found: set[str]) -> None:
    result = index.search(SearchQuery(q=q, access=PUBLIC))
    assert {h["id"] for h in result.hits} == found


def test_only_a_query_past_the_length_limit_is_refused(index: WhooshIndex) -> None:
    with pytest.raises(BadRequest, match="characters"):
        index.search(SearchQuery(q="x" * 1001, access=PUBLIC))


def test_unknown_and_staff_only_filters_are_refused_for_the_public(index: WhooshIndex) -> None:
    with pytest.raises(BadRequest, match="colour"):
        index.search(SearchQuery(access=PUBLIC, filters={"colour": ["red"]}))
    with pytest.raises(BadRequest, match="access"):
        index.search(SearchQuery(access=PUBLIC, filters={"access": ["closed"]}))
    assert set(FACETS) - set(facets_for(False)) == {"access"}


def test_a_word_nobody_wrote_gets_a_suggestion(index: WhooshIndex) -> None:
    result = index.search(SearchQuery(q="studentn", access=PUBLIC))
    assert result.total == 0 and result.suggestion == "studenten"


def test_the_tree_lists_children_in_order_with_their_own_counts(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild(
        [doc("f", "Fonds", level="fonds"), doc("s", "Reeks", level="series", parent="f")]
        + [doc(f"d{n:03d}", f"Dossier {n}", parent="s", position=n) for n in range(120, 0, -1)]
        + [doc("x", "Gesloten dossier", parent="s", position=0, access="closed")]
    )
    first = ix.search(SearchQuery(access=PUBLIC, filters={"parent": ["s"]}, sort="position", per_page=50))
    assert first.total == 120 and [h["id"] for h in first.hits[:2]] == ["d001", "d002"]
    third = ix.search(SearchQuery(access=PUBLIC, filters={"parent": ["s"]}, sort="position", per_page=50, page=3))
    assert [h["id"] for h in third.hits][-1] == "d120" and len(third.hits) == 20
    top = ix.search(SearchQuery(access=PUBLIC, filters={"parent": ["f"]}, sort="position"))
    assert top.hits[0]["children"] == 120


def test_updates_and_deletions_change_results_and_counts(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild([doc("a", "Eerste brief"), doc("b", "Tweede brief", domain="library")])
    assert ix.search(SearchQuery(q="brief")).total == 2
    ix.update([doc("a", "Eerste kaart", domain="museum")])
    after = ix.search(SearchQuery(q="brief"))
    assert {h["id"] for h in after.hits} == {"b"} and dict(after.facets["domain"]) == {"library": 1}
    assert dict(ix.search(SearchQuery()).facets["domain"]) == {"museum": 1, "library": 1}
    ix.delete(["b"])
    assert ix.search(SearchQuery()).total == 1 and dict(ix.search(SearchQuery()).facets["domain"]) == {"museum": 1}


def test_a_rebuild_swaps_in_whole_and_replays_what_changed_meanwhile(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild([doc("a", "Oude titel")])
    seen_during: list[int] = []
    updated = {"a": doc("a", "Nieuwe titel"), "c": doc("c", "Later toegevoegd")}

    def documents():  # type: ignore[no-untyped-def]
        yield doc("a", "Oude titel")
        # while the new generation is written, the current one still answers, and a change comes in
        seen_during.append(ix.search(SearchQuery(q="oude")).total)
        other = WhooshIndex(tmp_path / "index")  # another process's view
        other.update([updated["a"], updated["c"]])
        yield doc("b", "Tweede")

    count = ix.rebuild(documents(), refresh=lambda changed: [updated[i] for i in changed if i in updated])
    assert count == 2 and seen_during == [1]
    assert {h["id"] for h in ix.search(SearchQuery(q="nieuwe")).hits} == {"a"}
    assert ix.search(SearchQuery(q="oude")).total == 0
    assert ix.count() == 3
    generations = [p for p in (tmp_path / "index").iterdir() if p.is_dir() and p.name.startswith("g-")]
    assert len(generations) == 1 and (tmp_path / "index" / "CURRENT").read_text() == generations[0].name


def test_a_failed_rebuild_leaves_the_current_index_in_place(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild([doc("a", "Blijft vindbaar")])

    def broken():  # type: ignore[no-untyped-def]
        yield doc("b", "Half")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        ix.rebuild(broken())
    assert ix.search(SearchQuery(q="vindbaar")).total == 1
    assert not (tmp_path / "index" / "BUILDING").exists()


def test_concurrent_searches_share_the_index_safely(index: WhooshIndex) -> None:
    queries = ("reglement", "leuven", "carabus OR cetonia", "")
    expected = [index.search(SearchQuery(q=q, access=PUBLIC)).total for q in queries]
    errors: list[BaseException] = []
    totals: list[list[int]] = []

    def worker() -> None:
        try:
            totals.append([index.search(SearchQuery(q=q, access=PUBLIC)).total for q in queries])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and totals == [expected] * 8


HOLD_WRITE_LOCK = """
import sys, time
from whoosh import index
writer = index.open_dir(sys.argv[1]).writer()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
writer.cancel()
"""

UPDATE_THEN_EXIT_LIKE_AN_RQ_WORK_HORSE = """
import json, os, sys
from pathlib import Path
from heritage.search.whoosh_index import WhooshIndex
WhooshIndex(Path(sys.argv[1])).update([json.loads(sys.argv[2])])
os._exit(0)
"""


def test_an_update_waits_for_another_writer_and_is_not_lost_when_its_process_ends(tmp_path: Path) -> None:
    """Two workers indexing at once: the second waits for the first's lock. (Whoosh's AsyncWriter wrote
    later on a thread, which an rq work horse's `os._exit` killed: the update vanished without a word.)"""
    index = WhooshIndex(tmp_path / "index")
    index.rebuild([doc("a", "Eerste stuk")])
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(index.current_dir()), "1.5"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    second = doc("b", "Tweede stuk")
    updater = subprocess.run(
        [sys.executable, "-c", UPDATE_THEN_EXIT_LIKE_AN_RQ_WORK_HORSE, str(tmp_path / "index"), json.dumps(second)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert holder.wait(timeout=60) == 0
    assert updater.returncode == 0, updater.stderr
    assert WhooshIndex(tmp_path / "index").search(SearchQuery(q="tweede")).total == 1


def test_a_rebuild_prepares_the_search_arrays_before_the_swap(tmp_path: Path) -> None:
    """Facet columns and common-word arrays are written by the rebuild, so the first search reads them."""
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild(doc(f"d{i}", f"brief {i} aan de raad", subjects=("Brieven",)) for i in range(1200))
    facets = ix.current_dir() / "facets"
    saved = {str(p.relative_to(facets)): p.stat().st_mtime_ns for p in facets.rglob("*") if p.is_file()}
    assert any(name.endswith(".postings/words.json") for name in saved)  # common words' arrays
    assert any(name.endswith(".npz") for name in saved)  # facet columns
    fresh = WhooshIndex(tmp_path / "index")  # a server started after the rebuild
    assert fresh.search(SearchQuery(q='"de raad"')).total == 1200
    assert {str(p.relative_to(facets)): p.stat().st_mtime_ns for p in facets.rglob("*") if p.is_file()} == saved


def test_the_arrays_of_segments_merged_away_are_removed(tmp_path: Path) -> None:
    ix = WhooshIndex(tmp_path / "index")
    ix.rebuild(doc(f"a{i}", f"brief {i}") for i in range(50))
    ix.update([doc("b1", "tweede brief")])  # a second segment
    assert ix.search(SearchQuery(q="brief")).total == 51
    facets = ix.current_dir() / "facets"
    before = {p.name.split(".")[0] for p in facets.iterdir()}
    assert len(before) == 2
    ix._index().optimize()  # the two merged into one
    assert ix.search(SearchQuery(q="brief")).total == 51
    assert ix.search(SearchQuery(q="tweede")).total == 1  # later searches leave the folder as it is
    after = {p.name.split(".")[0] for p in facets.iterdir()}
    assert len(after) == 1 and not after & before
