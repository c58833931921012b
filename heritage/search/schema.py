"""The Whoosh schema of the catalogue index: searchable text, facet keywords, columns for sorting."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from heritage.search import FACETS
from heritage.search.analyzers import folded, identifier, keywords, stemmed

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
}

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
    "text": "text",
    "tekst": "text",
    "taxon": "taxon_text",
}


def schema() -> Schema:
    # scorable keyword fields keep a length column; without one Whoosh stats a file for every posting it writes
    facet_fields = {name: KEYWORD(analyzer=keywords(), scorable=True) for name in FACETS}
    return Schema(
        id=ID(stored=True, unique=True),
        # searchable text
        title=TEXT(analyzer=folded(), field_boost=1.0),
        identifier=TEXT(analyzer=identifier()),
        creator_text=TEXT(analyzer=folded()),
        subject_text=TEXT(analyzer=folded()),
        place_text=TEXT(analyzer=folded()),
        taxon_text=TEXT(analyzer=folded()),
        text=TEXT(analyzer=folded(), spelling=True),
        text_nl=TEXT(analyzer=stemmed("nl")),
        text_en=TEXT(analyzer=stemmed("en")),
        # linked places: "leuven\x1e<authority id>" and the ids themselves
        place_link=KEYWORD(analyzer=keywords(), scorable=True),
        place_id=KEYWORD(analyzer=keywords(), scorable=True),
        # the tree
        parent=KEYWORD(analyzer=keywords(), scorable=True),
        position=NUMERIC(sortable=True, signed=True, bits=32),
        # dates and sorting
        date_from=NUMERIC(sortable=True, signed=True, bits=32),
        date_to=NUMERIC(sortable=True, signed=True, bits=32),
        sort_title=ID(sortable=True),
        # what a result line shows
        stored=STORED(),
        **facet_fields,
    )
