"""What an item becomes in the search index: its text by language, its facet values, its place links,
its dates and what a result line shows. The shape is the same for every backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from heritage.access import item_access
from heritage.authorities.unknown import known_names
from heritage.catalogue import ancestors, core_of, representative_image
from heritage.models import Authority, AuthorityLink, FileRole, Item
from heritage.runtime import Runtime, current_runtime
from heritage.search.places import labels_for
from heritage.search.vocabulary import TypeTerm, taxon_names, types_in_text, types_of_terms
from metadata_schemas.core import CoreRecord
from metadata_schemas.tables import language_tag

MAX_CENTURIES = 30
MAX_DECADES = 60
SNIPPET_SOURCE = 600


def century_of(year: int | None) -> str | None:
    """The century a year falls in, named by its first year: 1543 -> "1500", -50 -> "-100"."""
    if year is None:
        return None
    return str((year // 100) * 100)


def decade_of(year: int) -> str:
    return str((year // 10) * 10)


def date_buckets(start: int | None, end: int | None) -> tuple[list[str], list[str]]:
    """The centuries and decades a date range touches (a long range is capped, not expanded forever)."""
    if start is None:
        return [], []
    end = start if end is None or end < start else end
    centuries = [str(c) for c in range((start // 100) * 100, end + 1, 100)][:MAX_CENTURIES]
    decades = [str(d) for d in range((start // 10) * 10, end + 1, 10)][:MAX_DECADES]
    return centuries, decades


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def authority_names(item: Item) -> list[str]:
    """The names (preferred and variant) of the authorities the item links to: the item is found by any of
    them, so a renamed or merged authority's items are found by its new name once re-indexed."""
    session = object_session(item)
    if session is None:
        return []
    rows = session.execute(
        select(Authority.name, Authority.variants)
        .join(AuthorityLink, AuthorityLink.authority_id == Authority.id)
        .where(AuthorityLink.item_id == item.id)
    )
    return _unique([name for preferred, variants in rows for name in [preferred, *(variants or [])]])


def _parallels(core: CoreRecord) -> dict[str, list[str]]:
    """Alternate-script values (MARC 880 and the like) by the core field they stand beside."""
    out: dict[str, list[str]] = {}
    for p in core.parallels:
        if p.value and p.value.strip():
            out.setdefault(p.field, []).append(p.value)
    return out


def richer_texts(core: CoreRecord) -> list[tuple[str | None, str]]:
    """The words of the richer core record, with their language where known: typed notes, works inside,
    events, materials and techniques, containers, physical locations, every alternate-script value (so a
    search in the original script finds the record) and the taxon's classification and common names."""
    out: list[tuple[str | None, str]] = [(language_tag(n.lang), n.text) for n in core.typed_notes if n.text]
    for part in core.parts:
        out += [(None, v) for v in [part.title, part.note or "", part.extent or ""] if v]
        out += [(None, a.name) for a in part.agents if a.name]
    for event in core.events:
        out += [(None, t.label) for t in [*event.places, *event.materials, *event.techniques] if t.label]
        out += [(None, a.name) for a in event.agents if a.name]
        if event.note:
            out.append((None, event.note))
    out += [(None, t.label) for t in [*core.materials, *core.techniques] if t.label]
    out += [(None, " ".join(v for v in (c.type, c.value) if v)) for c in core.containers if c.value]
    out += [(None, loc) for loc in core.physical_locations if loc]
    out += [(language_tag(p.lang), p.value) for p in core.parallels if p.value]
    if core.taxon:
        ranks, vernacular = taxon_names(core.taxon)
        out += [(None, v) for v in ranks.values()]
        out += [(lang, v) for lang, names in vernacular.items() for v in names]
    return out


def _type_texts(found: list[TypeTerm]) -> list[tuple[str | None, str]]:
    """Every label of each type in its language (stemmed that way, so "kaart" meets "kaarten"), and its AAT URI."""
    out: list[tuple[str | None, str]] = []
    for term in found:
        out += [(lang, label) for lang in ("en", "nl") for label in term.labels(lang)]
    return out


def inherited_types(item: Item) -> list[TypeTerm]:
    """The types the item's collection description names ("Meubilair, portretten, kaarten ..."), and those
    an ancestor's title is exactly ("Briefwisseling": its files are letters): they describe its records too.
    An ancestor's title is an item column, so a change of it reindexes the items below (the search outbox)."""
    collection = item.collection
    found = [*types_in_text(collection.description, "nl"), *types_in_text(collection.description_en, "en")]
    for ancestor in ancestors(item):
        found += types_of_terms([], [ancestor.title, ancestor.title_en])
    return list(dict.fromkeys(found))


def page_texts(item: Item, images: list[Any], runtime: Runtime | None = None) -> list[tuple[int, str]]:
    """(page number, text) of each image page with text, numbered 1.. in the order the viewer shows pages
    (the ALTO lies in `runtime`'s storage; the job's runtime when none is given)."""
    session = object_session(item)
    if session is None or not images:
        return []
    from heritage.fulltext.alto import words
    from heritage.fulltext.store import alto_path, item_texts

    done = item_texts(session, item.id)
    if not done:
        return []
    runtime = runtime or current_runtime()
    out: list[tuple[int, str]] = []
    for number, file in enumerate(sorted(images, key=lambda f: (f.sequence, f.page, f.id)), start=1):
        if file.id not in done:
            continue
        path = alto_path(runtime, file.sha256, file.page)
        if not path.is_file():
            continue
        lines: dict[str, list[str]] = {}
        for word in words(path.read_bytes()):
            lines.setdefault(word.line, []).append(word.text)
        text = "\n".join(" ".join(line) for line in lines.values()).strip()
        if text:
            out.append((number, text))
    return out


def item_document(item: Item, runtime: Runtime | None = None) -> dict[str, Any]:
    """The index document for one item (its pages' text read from `runtime`'s storage)."""
    core = core_of(item)
    images = [f for f in item.files if f.role == FileRole.MASTER and f.is_image and f.derivatives_ready]
    unit = item.unit or item.collection.unit
    access = item_access(item).value  # a held-back item is indexed as closed: the public never finds it
    centuries, decades = date_buckets(item.date_from, item.date_to)
    titles = {lang: t for lang, t in core.titles.items() if t}
    part_titles = [p.title for p in core.parts if p.title]
    descriptions = {lang: d for lang, d in core.descriptions.items() if d}
    if item.title_en and "en" not in titles:
        titles["en"] = item.title_en
    # (language or None, text): stemmed by that language; None goes to every stemmer
    texts: list[tuple[str | None, str]] = [(None, core.title or item.title)]
    texts += [(lang, t) for lang, t in titles.items()]
    if core.description:
        texts.append((None, core.description))
    texts += [(lang, d) for lang, d in descriptions.items()]
    if core.extent:
        texts.append((None, core.extent))
    texts += [(lang, note) for lang, note in core.notes.items() if note]
    texts += [(None, detail) for detail in core.details.values() if detail]  # shelfmark, locality, material, ...
    texts += [(None, name) for name in authority_names(item)]
    texts += richer_texts(core)
    own_types = types_of_terms([*core.genres, *core.subjects], [core.type])
    inherited = [t for t in inherited_types(item) if t not in own_types]
    texts += _type_texts(own_types + inherited)
    parallel = _parallels(core)
    places = [{"label": p.label, "id": p.id} for p in core.places if p.label]
    event_places = [p.label for e in core.events for p in e.places if p.label]
    place_words = _unique(
        [p["label"] for p in places]
        + [alt for p in places for alt in labels_for(p["id"])]
        + event_places
        + parallel.get("places", [])
    )
    taxon_words: list[str] = []
    if core.taxon:
        ranks, vernacular = taxon_names(core.taxon)
        taxon_words = _unique([core.taxon.scientific_name, *ranks.values(), *vernacular["en"], *vernacular["nl"]])
    creators = _unique(
        [a.name for a in core.agents]
        + [a.name for p in core.parts for a in p.agents]
        + [a.name for e in core.events for a in e.agents]
        + parallel.get("agents", [])
    )
    subjects = _unique([t.label for t in core.subjects] + [g.label for g in core.genres] + parallel.get("subjects", []))
    # a type is a facet value by its English label (the page names it in its language: `vocabulary.type_label`)
    subjects = _unique(subjects + [t.en for t in own_types])
    identifiers = _unique([*core.identifiers, item.local_id or "", item.id])
    type_uris = [t.uri for t in own_types + inherited if t.uri]
    pages = page_texts(item, images, runtime)
    path = [{"id": a.id, "title": a.title, "title_en": a.title_en, "level": a.level} for a in ancestors(item)]
    return {
        "id": item.id,
        "title": item.title,
        # a title in its original script (MARC 880) and the titles of the works inside are titles too
        "titles": list(dict.fromkeys([item.title, *titles.values(), *parallel.get("title", []), *part_titles])),
        "texts": texts,
        "pages": pages,  # (page number, text) of the pages with full text
        "identifiers": identifiers + type_uris,
        "creators": creators,
        "subjects": subjects,
        "places": places,
        "place_words": place_words,
        "taxon_words": taxon_words,
        # the record's own types by every label: they weigh as subjects; inherited ones only as words of the text
        "type_words": _unique([label for t in own_types for lang in ("en", "nl") for label in t.labels(lang)]),
        "facets": {
            "domain": [item.collection.domain],
            "collection": [item.collection.slug],
            "unit": [unit.slug] if unit else [],
            "custody": (["central" if unit.central else "decentral"]) if unit else [],
            "level": [item.level],
            "century": centuries,
            "decade": decades,
            "creator": known_names(creators),  # "Onbekend" is no maker to narrow by
            "subject": _unique(subjects + [t.en for t in inherited]),
            "place": _unique([p["label"] for p in places]),
            "taxon": [core.taxon.scientific_name] if core.taxon else [],
            "language": _unique(core.languages),
            "has_images": ["yes" if images else "no"],
            "has_text": ["yes" if pages else "no"],
            "access": [access],
        },
        "parent": item.parent_id or "",
        "position": item.position or 0,
        "date_from": item.date_from,
        "date_to": item.date_to,
        "sort_title": (item.title or "").casefold()[:120],
        "display": {
            "title": item.title,
            "titles": titles,
            "date_text": item.date_text or "",
            "date_from": item.date_from,
            "date_to": item.date_to,
            "collection": item.collection.slug,
            "domain": item.collection.domain,
            "level": item.level,
            "access": access,
            "has_images": bool(images),
            "has_text": bool(pages),
            "unit": unit.slug if unit else "",
            "thumbnail": thumbnail.id if (thumbnail := representative_image(item, images)) else "",
            "path": path,
            "parent": item.parent_id or "",
            "creators": known_names(creators)[:3],
            "local_id": item.local_id or "",
            "description": (core.description or "")[:SNIPPET_SOURCE],
            "descriptions": {lang: d[:SNIPPET_SOURCE] for lang, d in descriptions.items()},
        },
    }
