"""Index documents for search tests, in the shape `heritage.search.documents.item_document` makes."""

from __future__ import annotations

from typing import Any

from heritage.search.documents import date_buckets


def doc(
    item_id: str,
    title: str,
    *,
    lang: str | None = None,
    title_en: str | None = None,
    description: str = "",
    domain: str = "archive",
    collection: str = "rectoraat",
    level: str = "file",
    creators: tuple[str, ...] = (),
    subjects: tuple[str, ...] = (),
    places: tuple[tuple[str, str | None], ...] = (),
    languages: tuple[str, ...] = ("nl",),
    dates: tuple[int, int] | None = None,
    access: str = "public",
    parent: str = "",
    position: int = 0,
    images: bool = False,
    pages: tuple[tuple[int, str], ...] = (),
    unit: str = "central-archive",
) -> dict[str, Any]:
    centuries, decades = date_buckets(*(dates or (None, None)))
    texts: list[tuple[str | None, str]] = [(lang, title)]
    titles = {"en": title_en} if title_en else {}
    if title_en:
        texts.append(("en", title_en))
    if description:
        texts.append((lang, description))
    place_list = [{"label": label, "id": pid} for label, pid in places]
    return {
        "id": item_id,
        "title": title,
        "titles": [title, *titles.values()],
        "texts": texts,
        "pages": list(pages),
        "identifiers": [item_id],
        "creators": list(creators),
        "subjects": list(subjects),
        "places": place_list,
        "place_words": [label for label, _ in places],
        "taxon_words": [],
        "facets": {
            "domain": [domain],
            "collection": [collection],
            "unit": [unit],
            "custody": ["central"],
            "level": [level],
            "century": centuries,
            "decade": decades,
            "creator": list(creators),
            "subject": list(subjects),
            "place": [label for label, _ in places],
            "taxon": [],
            "language": list(languages),
            "has_images": ["yes" if images else "no"],
            "has_text": ["yes" if pages else "no"],
            "access": [access],
        },
        "parent": parent,
        "position": position,
        "date_from": dates[0] if dates else None,
        "date_to": dates[1] if dates else None,
        "sort_title": title.casefold(),
        "display": {
            "title": title,
            "titles": titles,
            "date_text": f"{dates[0]}-{dates[1]}" if dates else "",
            "date_from": dates[0] if dates else None,
            "date_to": dates[1] if dates else None,
            "collection": collection,
            "domain": domain,
            "level": level,
            "access": access,
            "has_images": images,
            "has_text": bool(pages),
            "unit": unit,
            "thumbnail": "",
            "path": [],
            "parent": parent,
            "creators": list(creators),
            "local_id": item_id,
            "description": description,
            "descriptions": {},
        },
    }
