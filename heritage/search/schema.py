"""The Whoosh schema of the catalogue index: searchable text, facet keywords, columns for sorting."""

from __future__ import annotations

from whoosh.fields import ID, STORED, Schema

from heritage.search import FACETS
from heritage.search.analyzers import folded, identifier, keywords, stemmed
from heritage.search.codec import CatalogueCodec
from heritage.search.fields import NO_DATE, BytesColumn, FastKeyword, FastText, NumberColumn, StringColumn
from heritage.search.fulltext import PagedText

# Fields the one search box looks in, with their weights: a word in a title counts more than one in a note.
DEFAULT_FIELDS: dict[str, float] = {
    "title": 3.0,
    "identifier": 4.0,
    "creator_text": 2.0,
    "subject_text": 1.5,
    "place_text": 1.5,
    "text": 1.0,
    "text_nl": 0.8,
    "text_en": 0.8,
    # the pages' full text (`fulltext`): below every field of the description; its stems come with it
    "fulltext": 0.5,
}
# The stemmed fields a word looked for in `fulltext` is looked for in too (`query.Parser`), by weight relative
# to its weight there; every field a search reads, for the arrays kept per segment.
TEXT_STEMS: dict[str, float] = {"fulltext_nl": 0.8, "fulltext_en": 0.8}
SEARCHED_FIELDS: tuple[str, ...] = (*DEFAULT_FIELDS, *TEXT_STEMS)

# Names a reader may put before a colon (`title:fabrica`, Dutch `titel:fabrica`) and the field they mean.
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "titel": "title",
    "creator": "creator_text",
    "maker": "creator_text",
    "author": "creator_text",
    "auteur": "creator_text",
    "subject": "subject_text",
    "onderwerp": "subject_text",
    "place": "place_text",
    "plaats": "place_text",
    "identifier": "identifier",
    "id": "identifier",
    "identificatie": "identifier",
    "text": "fulltext",  # the pages' full text only (their stems too: `query.Parser`)
    "tekst": "fulltext",
    "taxon": "taxon_text",
}


def codec() -> CatalogueCodec:
    """The codec every writer of the catalogue index uses (see `codec`)."""
    return CatalogueCodec()


def schema() -> Schema:
    """Positions are kept in `fulltext` (pages, see `fulltext`) and in `text`, which holds every word of a
    record: a phrase is checked there and its words looked up in the other fields (see `evaluate`). Dates,
    order and sort titles are columns."""
    # scorable keyword fields keep a length column; without one Whoosh stats a file for every posting it writes
    facet_fields = {name: FastKeyword(analyzer=keywords(), scorable=True) for name in FACETS}
    return Schema(
        id=ID(stored=True, unique=True),
        # searchable text
        title=FastText(analyzer=folded(), phrase=False),
        identifier=FastText(analyzer=identifier(), phrase=False),
        creator_text=FastText(analyzer=folded(), phrase=False),
        subject_text=FastText(analyzer=folded(), phrase=False),
        place_text=FastText(analyzer=folded(), phrase=False),
        taxon_text=FastText(analyzer=folded(), phrase=False),
        text=FastText(analyzer=folded(), spelling=True),
        text_nl=FastText(analyzer=stemmed("nl"), phrase=False),
        text_en=FastText(analyzer=stemmed("en"), phrase=False),
        # the pages' full text, page by page (`fulltext`), and the pages themselves for snippets: a column, read
        # only for the results whose line shows a page (as a stored field every result's stored record held them)
        fulltext=PagedText(analyzer=folded()),
        fulltext_nl=FastText(analyzer=stemmed("nl"), phrase=False),
        fulltext_en=FastText(analyzer=stemmed("en"), phrase=False),
        pages=BytesColumn(),
        # linked places: "leuven\x1e<authority id>" and the ids themselves
        place_link=FastKeyword(analyzer=keywords(), scorable=True),
        place_id=FastKeyword(analyzer=keywords(), scorable=True),
        # the tree
        parent=FastKeyword(analyzer=keywords(), scorable=True),
        position=NumberColumn(default=0),
        # dates and sorting
        date_from=NumberColumn(default=NO_DATE),
        date_to=NumberColumn(default=NO_DATE),
        sort_title=StringColumn(),
        # what a result line shows
        stored=STORED(),
        **facet_fields,
    )
