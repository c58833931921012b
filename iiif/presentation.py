"""IIIF Presentation API 3 manifests and collections, built with iiif-prezi3 (in this module only)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from iiif_prezi3 import Collection as PCollection
from iiif_prezi3 import Manifest, ServiceV3

from heritage.catalogue import core_of
from heritage.models import Collection, FileRole, Item, Level
from iiif import urls

LABELS = Path(__file__).parent / "data" / "labels.json"
RIGHTS_PREFIXES = ("http://rightsstatements.org/vocab/", "http://creativecommons.org/")
PAGED_LEVELS = {Level.VOLUME.value, Level.FILE.value}


@cache
def labels() -> dict[str, dict[str, str]]:
    return json.loads(LABELS.read_text(encoding="utf-8"))


def _lang(nl: str, en: str | None = None) -> dict[str, list[str]]:
    return {"nl": [nl], "en": [en or nl]}


def _pair(key: str, values: list[str]) -> dict[str, Any]:
    label = labels()[key]
    return {"label": {"nl": [label["nl"]], "en": [label["en"]]}, "value": {"none": values}}


def iiif_rights(uri: str | None) -> str | None:
    """Rights as the schema wants them: RightsStatements.org / Creative Commons, http form."""
    if not uri:
        return None
    uri = uri.strip().replace("https://", "http://", 1)
    if not uri.endswith("/"):
        uri += "/"
    return uri if uri.startswith(RIGHTS_PREFIXES) else None


def image_files(item: Item) -> list[Any]:
    return [f for f in item.files if f.role == FileRole.MASTER.value and f.is_image and f.derivatives_ready]


def has_manifest(item: Item) -> bool:
    return bool(image_files(item))


def build_manifest(item: Item, base: str) -> dict[str, Any]:
    """The manifest of one item: one canvas per page image, each with its IIIF Image service."""
    core = core_of(item)
    collection = item.collection
    unit = item.unit or collection.unit
    manifest = Manifest(id=urls.manifest(base, item.id), label=_lang(item.title, item.title_en))
    description = core.description_in("nl")
    if description:
        manifest.summary = _lang(description[:1000], (core.description_in("en") or description)[:1000])
    metadata = []
    if item.date_text:
        metadata.append(_pair("date", [item.date_text]))
    if core.agents:
        metadata.append(_pair("creator", [a.name for a in core.agents]))
    metadata.append(_pair("collection", [collection.title]))
    metadata.append(_pair("identifier", [item.local_id or item.id]))
    metadata.append(_pair("level", [item.level]))
    if core.extent:
        metadata.append(_pair("extent", [core.extent]))
    if core.subjects:
        metadata.append(_pair("subject", [t.label for t in core.subjects]))
    if core.places:
        metadata.append(_pair("place", [t.label for t in core.places]))
    if core.taxon:
        metadata.append(_pair("taxon", [core.taxon.scientific_name]))
    manifest.metadata = metadata
    institution = labels()["institution"]
    holder = f"{unit.name}, {collection.title}" if unit else collection.title
    manifest.requiredStatement = {
        "label": {"nl": [labels()["attribution"]["nl"]], "en": [labels()["attribution"]["en"]]},
        "value": {"nl": [f"{institution['nl']}: {holder}"], "en": [f"{institution['en']}: {holder}"]},
    }
    rights = iiif_rights(item.rights or collection.rights)
    if rights:
        manifest.rights = rights
    manifest.provider = [
        {
            "id": f"{base}/",
            "type": "Agent",
            "label": _lang(institution["nl"], institution["en"]),
            "homepage": [
                {
                    "id": f"{base}/",
                    "type": "Text",
                    "label": _lang(institution["nl"], institution["en"]),
                    "format": "text/html",
                }
            ],
        }
    ]
    manifest.homepage = [
        {
            "id": urls.item_page(base, item.id),
            "type": "Text",
            "label": _lang(item.title, item.title_en),
            "format": "text/html",
        }
    ]
    record = item.primary_record
    if record is not None and record.original:
        manifest.seeAlso = [
            {
                "id": urls.original_record(base, item.id),
                "type": "Dataset",
                "label": {"none": [f"{record.standard} record"]},
                "format": _record_format(record.standard),
            }
        ]
    files = image_files(item)
    if item.level in PAGED_LEVELS and len(files) > 1:
        manifest.behavior = ["paged"]
        manifest.viewingDirection = "left-to-right"
    page_label = labels()["page"]
    for n, file in enumerate(files, start=1):
        service_id = urls.image_service(base, file.id)
        canvas = manifest.make_canvas(
            id=urls.canvas(base, item.id, n),
            width=file.width,
            height=file.height,
            label={"nl": [f"{page_label['nl']} {n}"], "en": [f"{page_label['en']} {n}"]},
        )
        page = canvas.add_image(
            f"{service_id}/full/max/0/default.jpg",
            anno_id=f"{canvas.id}/annotation",
            anno_page_id=f"{canvas.id}/page",
            format="image/jpeg",
            width=file.width,
            height=file.height,
        )
        page.items[0].body.add_service(ServiceV3(id=service_id, type="ImageService3", profile="level2"))
    if files:
        first = files[0]
        manifest.thumbnail = [
            {
                "id": f"{urls.image_service(base, first.id)}/full/!200,200/0/default.jpg",
                "type": "Image",
                "format": "image/jpeg",
                "service": [{"id": urls.image_service(base, first.id), "type": "ImageService3", "profile": "level2"}],
            }
        ]
    return json.loads(manifest.json())


def _record_format(standard: str) -> str:
    return "text/csv" if standard == "csv" else "application/xml"


def build_collection(collection: Collection, items: list[Item], base: str) -> dict[str, Any]:
    """A IIIF Collection listing the manifests of a catalogue collection."""
    pc = PCollection(id=urls.collection(base, collection.slug), label=_lang(collection.title, collection.title_en))
    members = []
    for item in items:
        members.append(
            {"id": urls.manifest(base, item.id), "type": "Manifest", "label": _lang(item.title, item.title_en)}
        )
    pc.items = members
    return json.loads(pc.json())
