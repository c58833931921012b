"""schema.org JSON-LD for a record page, so that search engines and aggregators understand the item."""

from __future__ import annotations

from typing import Any

from heritage.authorities.unknown import is_unknown_agent
from heritage.models import File, Item
from iiif import urls
from metadata_schemas.core import CoreRecord

TYPES = {"archive": "ArchiveComponent", "library": "Book", "science": "CreativeWork", "museum": "VisualArtwork"}
LEVEL_TYPES = {"fonds": "ArchiveComponent", "series": "ArchiveComponent", "file": "ArchiveComponent", "volume": "Book"}


def _thing(label: str, uri: str | None, kind: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": kind, "name": label} if kind else {"name": label}
    if uri:
        data["sameAs"] = uri
    return data


def item(item: Item, core: CoreRecord, base: str, manifest: str | None, images: list[File]) -> dict[str, Any]:
    url = urls.item_page(base, item.id)
    kind = LEVEL_TYPES.get(item.level) or TYPES.get(item.collection.domain, "CreativeWork")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": url,
        "url": url,
        "name": core.title or item.title,
        "identifier": [i for i in [item.local_id, item.id] if i],
        "isPartOf": (
            {"@id": urls.item_page(base, item.parent_id)}
            if item.parent_id
            else {
                "@type": "Collection",
                "name": item.collection.title,
                "url": f"{base}/search?collection={item.collection.slug}",
            }
        ),
    }
    alternates = [t for lang, t in core.titles.items() if t and t != data["name"]]
    if alternates:
        data["alternateName"] = alternates
    if core.description or core.descriptions:
        data["description"] = core.description or next(iter(core.descriptions.values()))
    if item.date_text:
        data["temporalCoverage"] = item.date_text
    if item.date_from is not None:
        data["dateCreated"] = (
            str(item.date_from) if item.date_to in (None, item.date_from) else f"{item.date_from}/{item.date_to}"
        )
    # the core record does not say whether an agent is a person or an organisation, so neither is claimed
    creators = [_thing(a.name, a.id, None) for a in core.agents if not is_unknown_agent(a.name)]
    if creators:
        data["creator"] = creators
    if core.subjects:
        data["about"] = [_thing(t.label, t.id, "DefinedTerm") for t in core.subjects]
    if core.places:
        data["spatialCoverage"] = [_thing(p.label, p.id, "Place") for p in core.places]
    if core.languages:
        data["inLanguage"] = core.languages
    if core.extent:
        data["size"] = core.extent
    rights = item.rights or item.collection.rights
    if rights:
        data["license"] = rights
    if item.collection.domain == "archive":
        data["holdingArchive"] = {"@type": "ArchiveOrganization", "name": item.collection.unit.name}
    if images:
        data["image"] = f"{urls.image_service(base, images[0].id)}/full/!1200,1200/0/default.jpg"
        data["thumbnailUrl"] = f"{urls.image_service(base, images[0].id)}/full/!200,200/0/default.jpg"
    if manifest:
        data["subjectOf"] = {"@type": "CreativeWork", "encodingFormat": "application/ld+json", "url": manifest}
    return data
