"""IIIF Presentation API 3 manifests and collections, built with iiif-prezi3 (in this module only).

A manifest per item with images: one canvas per page with its Image API 3 service, and ranges for the
sections of an item (the sub-folders its pages were scanned into: a register's years, a book's chapters).
Collections: one per catalogue collection, nested down the archival tree (fonds > series > file) to the
items with images, paged when a level has more members than fit on a page, and one of all collections.
Only what the viewer may see fully is listed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from iiif_prezi3 import Collection as PCollection
from iiif_prezi3 import Manifest, ServiceV3
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from heritage.access import AccessFacts, Viewer, Visibility, item_access, visibility
from heritage.catalogue import core_of, representative_image
from heritage.models import Collection, File, FileRole, Item, Level
from iiif import auth, urls
from iiif.text_annotations import alto_link, annotations_link, search_services
from iiif.text_layer import pages_with_text
from metadata_schemas.core import CoreRecord
from metadata_schemas.tables import language_tag

DATA = Path(__file__).parent / "data"
RIGHTS_PREFIXES = ("http://rightsstatements.org/vocab/", "http://creativecommons.org/")
PAGED_LEVELS = {Level.VOLUME.value, Level.FILE.value}
PAGE_SIZE = 100  # members of one collection page
THUMBNAIL_SIZE = "!200,200"


@cache
def labels() -> dict[str, dict[str, str]]:
    return json.loads((DATA / "labels.json").read_text(encoding="utf-8"))


@cache
def record_formats() -> dict[str, dict[str, str | None]]:
    return json.loads((DATA / "record_formats.json").read_text(encoding="utf-8"))


def _lang(nl: str, en: str | None = None) -> dict[str, list[str]]:
    return {"nl": [nl], "en": [en or nl]}


def record_language(core: CoreRecord) -> str | None:
    """The language of the described material as a BCP 47 tag, when the record names exactly one."""
    tags = list(dict.fromkeys(t for t in (language_tag(c) for c in core.languages) if t))
    return tags[0] if len(tags) == 1 else None


def _values(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, list[str]]:
    """A language map of values in the language the record gives them, "none" where it gives none."""
    out: dict[str, list[str]] = {}
    for lang, text in pairs:
        if text:
            texts = out.setdefault(lang or "none", [])
            if text not in texts:
                texts.append(text)
    return out


def item_label(item: Item, core: CoreRecord | None = None) -> dict[str, list[str]]:
    """An item's title under its own language: the `core.titles` key it is found under, else the language of
    the material when the record names one, else "none"; its English title (the catalogue's) under "en".
    Not under "nl" and "en" both: a German title is neither (the interface's labels are, see `_label`)."""
    core = core or core_of(item)
    titles = {language_tag(k): v for k, v in core.titles.items() if v}
    lang = next((k for k, v in titles.items() if v == item.title), None) or record_language(core)
    return _values([(lang, item.title), ("en", item.title_en)])


def item_summary(core: CoreRecord) -> dict[str, list[str]] | None:
    """The descriptions, each under the language the record gives it ("none" for the one it does not)."""
    keyed = [(language_tag(k), d[:1000]) for k, d in core.descriptions.items() if d]
    plain = core.description[:1000] if core.description else None
    pairs = keyed if any(text == plain for _k, text in keyed) else [(None, plain), *keyed]
    return _values(pairs) or None


def _label(key: str, suffix: str = "") -> dict[str, list[str]]:
    label = labels()[key]
    return {"nl": [label["nl"] + suffix], "en": [label["en"] + suffix]}


def _pair(key: str, values: list[str]) -> dict[str, Any]:
    return {"label": _label(key), "value": {"none": values}}


def iiif_rights(uri: str | None) -> str | None:
    """Rights as the schema wants them: RightsStatements.org / Creative Commons, http form."""
    if not uri:
        return None
    uri = uri.strip().replace("https://", "http://", 1)
    if not uri.endswith("/"):
        uri += "/"
    return uri if uri.startswith(RIGHTS_PREFIXES) else None


def image_files(item: Item) -> list[File]:
    return [f for f in item.files if f.role == FileRole.MASTER.value and f.is_image and f.derivatives_ready]


def has_manifest(item: Item) -> bool:
    return bool(image_files(item))


def is_paged(item: Item, files: list[File]) -> bool:
    """Whether the item's pages are leaves of a bound volume (behavior `paged`: viewers show spreads)."""
    return item.level in PAGED_LEVELS and len(files) > 1


def _provider(base: str) -> list[dict[str, Any]]:
    institution = labels()["institution"]
    name = _lang(institution["nl"], institution["en"])
    return [
        {
            "id": f"{base}/",
            "type": "Agent",
            "label": name,
            "homepage": [{"id": f"{base}/", "type": "Text", "label": name, "format": "text/html"}],
        }
    ]


def _image_service(base: str, file: File) -> dict[str, Any]:
    """The image service of a page; one whose item is not public declares the IIIF Authorization Flow (by the
    item's access status alone, not the asker's: the manifest may be cached)."""
    service: dict[str, Any] = {"id": urls.image_service(base, file.id), "type": "ImageService3", "profile": "level2"}
    if auth.needs_auth(item_access(file.item)):
        service["service"] = auth.services(base, file.id)
    return service


def _thumbnail(base: str, file: File) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{urls.image_service(base, file.id)}/full/{THUMBNAIL_SIZE}/0/default.jpg",
            "type": "Image",
            "format": "image/jpeg",
            "service": [_image_service(base, file)],
        }
    ]


def sections(files: list[File]) -> list[tuple[str, list[int]]]:
    """Consecutive pages that share a sub-folder, as (label, page numbers from 1), when there are two or more.

    The folder is taken below the folder all of the item's pages share, so `register/1860/p001.jpg`
    and `register/1861/p004.jpg` make the sections `1860` and `1861`.
    """
    folders = [PurePosixPath(f.original_name.replace("\\", "/")).parent for f in files]
    if len(folders) < 2:
        return []
    common = folders[0]
    while any(not folder.is_relative_to(common) for folder in folders):
        common = common.parent
    runs: list[tuple[str, list[int]]] = []
    for n, folder in enumerate(folders, start=1):
        name = " / ".join(folder.relative_to(common).parts)
        if runs and runs[-1][0] == name:
            runs[-1][1].append(n)
        else:
            runs.append((name, [n]))
    if len(runs) < 2 or any(not name for name, _ in runs):
        return []
    return runs


def record_format(standard: str) -> dict[str, str | None]:
    """The media type, profile and label of an original record in `standard` (data/record_formats.json)."""
    formats = record_formats()
    return formats.get(standard) or formats["_default"]


def _record_link(base: str, item: Item) -> list[dict[str, Any]]:
    record = item.primary_record
    if record is None or not record.original:
        return []
    spec = record_format(record.standard)
    link: dict[str, Any] = {
        "id": urls.original_record(base, item.id),
        "type": "Dataset",
        "label": {"none": [f"{spec.get('label') or record.standard} record"]},
        "format": spec["format"],
    }
    if spec.get("profile"):
        link["profile"] = spec["profile"]
    return [link]


def _metadata(item: Item) -> list[dict[str, Any]]:
    core = core_of(item)
    metadata = []
    if item.date_text:
        metadata.append(_pair("date", [item.date_text]))
    if core.agents:
        metadata.append(_pair("creator", [a.name for a in core.agents]))
    metadata.append(_pair("collection", [item.collection.title]))
    metadata.append(_pair("identifier", [item.local_id or item.id]))
    metadata.append(_pair("level", [item.level]))
    if core.extent:
        metadata.append(_pair("extent", [core.extent]))
    if core.languages:
        metadata.append(_pair("language", core.languages))
    if core.subjects:
        metadata.append(_pair("subject", [t.label for t in core.subjects]))
    if core.places:
        metadata.append(_pair("place", [t.label for t in core.places]))
    if core.taxon:
        metadata.append(_pair("taxon", [core.taxon.scientific_name]))
    rights = item.rights or item.collection.rights
    if rights:
        metadata.append(_pair("rights", [rights]))
    return metadata


def _summary(descriptions: dict[str, str | None]) -> dict[str, list[str]] | None:
    texts = {lang: [text[:1000]] for lang, text in descriptions.items() if text}
    return texts or None


def attribution(item: Item) -> dict[str, str]:
    """The line every reuse must show (the manifest's requiredStatement, the embed page), in Dutch and English."""
    collection = item.collection
    unit = item.unit or collection.unit
    institution = labels()["institution"]
    holder = f"{unit.name}, {collection.title}" if unit else collection.title
    return {"nl": f"{institution['nl']}: {holder}", "en": f"{institution['en']}: {holder}"}


def build_manifest(item: Item, base: str) -> dict[str, Any]:
    """The manifest of one item: one canvas per page image, each with its IIIF Image service."""
    core = core_of(item)
    collection = item.collection
    manifest = Manifest(id=urls.manifest(base, item.id), label=item_label(item, core))
    summary = item_summary(core)
    if summary:
        manifest.summary = summary
    manifest.metadata = _metadata(item)
    manifest.requiredStatement = {
        "label": _label("attribution"),
        "value": {lang: [text] for lang, text in attribution(item).items()},
    }
    rights = iiif_rights(item.rights or collection.rights)
    if rights:
        manifest.rights = rights
    manifest.provider = _provider(base)
    manifest.homepage = [
        {
            "id": urls.item_page(base, item.id),
            "type": "Text",
            "label": item_label(item, core),
            "format": "text/html",
            "language": ["nl"],
        }
    ]
    see_also = _record_link(base, item)
    if see_also:
        manifest.seeAlso = see_also
    if item.date_from is not None and 1 <= item.date_from <= 9999:
        manifest.navDate = f"{item.date_from:04d}-01-01T00:00:00Z"
    parent_collection = (
        urls.item_collection(base, item.parent_id) if item.parent_id else urls.collection(base, collection.slug)
    )
    manifest.partOf = [{"id": parent_collection, "type": "Collection"}]
    files = image_files(item)
    if is_paged(item, files):
        manifest.behavior = ["paged"]
        manifest.viewingDirection = "left-to-right"
    page = labels()["page"]
    for n, file in enumerate(files, start=1):
        service = _image_service(base, file)
        canvas = manifest.make_canvas(
            id=urls.canvas(base, item.id, n),
            width=file.width,
            height=file.height,
            label={"none": [file.label]} if file.label else {"nl": [f"{page['nl']} {n}"], "en": [f"{page['en']} {n}"]},
            thumbnail=_thumbnail(base, file),
        )
        annotation_page = canvas.add_image(
            f"{service['id']}/full/max/0/default.jpg",
            anno_id=f"{canvas.id}/annotation",
            anno_page_id=f"{canvas.id}/page",
            format="image/jpeg",
            width=file.width,
            height=file.height,
        )
        annotation_page.items[0].body.add_service(ServiceV3(**service))
    if files:
        manifest.thumbnail = _thumbnail(base, representative_image(item, files) or files[0])
    document = json.loads(manifest.json())
    _add_text(document, item, files, base)
    parts = sections(files)
    if parts:
        document["structures"] = [
            {
                "id": urls.range_(base, item.id, k),
                "type": "Range",
                "label": {"none": [name]},
                "items": [{"id": urls.canvas(base, item.id, n), "type": "Canvas"} for n in pages],
            }
            for k, (name, pages) in enumerate(parts, start=1)
        ]
    if files and auth.needs_auth(item_access(item)):  # the auth terms' context first, presentation's last
        document["@context"] = [auth.CONTEXT, document["@context"]]
    return document


def _add_text(document: dict[str, Any], item: Item, files: list[File], base: str) -> None:
    """Link each canvas with text to its ALTO and its line annotations; offer Content Search when any has."""
    session = object_session(item)
    with_text = pages_with_text(session, item, files) if session is not None else {}
    if not with_text:
        return
    for n, canvas in enumerate(document.get("items", []), start=1):
        if n in with_text:
            canvas["seeAlso"] = [alto_link(base, item.id, n)]
            canvas["annotations"] = [annotations_link(base, item.id, n)]
    document["service"] = search_services(base, item.id)


@dataclass
class ImageTree:
    """The items of one catalogue collection that lead to images the viewer may see.

    `manifests` holds the items that have a manifest; `children[parent]` the members below an item
    (None: the collection's top), in catalogue order, kept only when they lead to a manifest.
    """

    items: dict[str, Item] = field(default_factory=dict)
    manifests: set[str] = field(default_factory=set)
    children: dict[str | None, list[str]] = field(default_factory=dict)

    def is_branch(self, item_id: str) -> bool:
        return bool(self.children.get(item_id))


def image_tree(session: Session, collection: Collection, viewer: Viewer) -> ImageTree:
    """Walk a collection once: which items lead to images `viewer` may see (closed branches are cut)."""
    items = list(
        session.scalars(select(Item).where(Item.collection_id == collection.id).order_by(Item.position, Item.id))
    )
    with_images = set(
        session.scalars(
            select(File.item_id)
            .join(Item, Item.id == File.item_id)
            .where(
                Item.collection_id == collection.id,
                File.role == FileRole.MASTER.value,
                File.derivatives_ready.is_(True),
                File.width.is_not(None),
                File.height.is_not(None),
            )
            .distinct()
        )
    )
    by_id = {i.id: i for i in items}
    seen = {i.id: visibility(viewer, AccessFacts.of(i)) for i in items}

    def reachable(item: Item) -> bool:
        """The item and all its ancestors are visible: a closed fonds hides its whole tree."""
        node: Item | None = item
        while node is not None:
            if seen.get(node.id, Visibility.NONE) == Visibility.NONE:
                return False
            node = by_id.get(node.parent_id) if node.parent_id else None
        return True

    tree = ImageTree(items=by_id)
    tree.manifests = {i for i in with_images if i in by_id and seen[i] >= Visibility.FULL and reachable(by_id[i])}
    keep: set[str] = set()
    for item_id in tree.manifests:
        node: str | None = item_id
        while node is not None and node not in keep:
            keep.add(node)
            node = by_id[node].parent_id if node in by_id else None
    for item in items:
        if item.id in keep:
            parent = item.parent_id if item.parent_id in by_id else None
            tree.children.setdefault(parent, []).append(item.id)
    return tree


def _member(tree: ImageTree, item_id: str, base: str) -> dict[str, Any]:
    item = tree.items[item_id]
    member: dict[str, Any] = {"label": item_label(item)}
    if tree.is_branch(item_id):
        member.update(id=urls.item_collection(base, item_id), type="Collection")
    else:
        member.update(id=urls.manifest(base, item_id), type="Manifest")
        files = image_files(item)
        if files:
            member["thumbnail"] = _thumbnail(base, representative_image(item, files) or files[0])
    return member


def _paged(
    collection_id: str,
    label: dict[str, list[str]],
    members: list[dict[str, Any]],
    page: int | None,
    page_size: int,
) -> tuple[str, dict[str, list[str]], list[dict[str, Any]]]:
    """Split members over nested page collections (`<id>/page/<n>`) when there are more than fit on one.

    Raises:
        LookupError: `page` does not exist.
    """
    pages = max(1, -(-len(members) // page_size))
    if page is None:
        if pages == 1:
            return collection_id, label, members
        part = labels()["page_of"]
        refs = []
        for n in range(1, pages + 1):
            first, last = (n - 1) * page_size + 1, min(n * page_size, len(members))
            refs.append(
                {
                    "id": f"{collection_id}/page/{n}",
                    "type": "Collection",
                    "label": {
                        lang: [f"{_title_for(label, lang)} ({part[lang].lower()} {n}: {first}-{last})"]
                        for lang in ("nl", "en")
                    },
                }
            )
        return collection_id, label, refs
    if not 1 <= page <= pages or pages == 1:
        raise LookupError(f"page {page} does not exist (1 to {pages})" if pages > 1 else "this collection has no pages")
    part = labels()["page_of"]
    page_label = {lang: [f"{_title_for(label, lang)} ({part[lang].lower()} {page})"] for lang in ("nl", "en")}
    return f"{collection_id}/page/{page}", page_label, members[(page - 1) * page_size : page * page_size]


def _title_for(label: dict[str, list[str]], lang: str) -> str:
    """The title in a label for a page label in the interface language `lang` (the page words are nl/en)."""
    return (label.get(lang) or label.get("none") or next(iter(label.values())))[0]


def _collection_document(
    collection_id: str,
    label: dict[str, list[str]],
    members: list[dict[str, Any]],
    base: str,
    *,
    page: int | None,
    page_size: int,
    summary: dict[str, list[str]] | None = None,
    rights: str | None = None,
    homepage: str | None = None,
    part_of: str | None = None,
) -> dict[str, Any]:
    own_id, own_label, listed = _paged(collection_id, label, members, page, page_size)
    pc = PCollection(id=own_id, label=own_label)
    if summary:
        pc.summary = summary
    if rights:
        pc.rights = rights
    pc.provider = _provider(base)
    if homepage:
        pc.homepage = [{"id": homepage, "type": "Text", "label": label, "format": "text/html"}]
    parent = collection_id if page is not None else part_of
    if parent:
        pc.partOf = [{"id": parent, "type": "Collection"}]
    document = json.loads(pc.json())
    document["items"] = listed
    return document


def build_collection(
    collection: Collection, tree: ImageTree, base: str, *, page: int | None = None, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    """A catalogue collection as a IIIF Collection: its top items with images, nested down the tree.

    Raises:
        LookupError: `page` does not exist.
    """
    return _collection_document(
        urls.collection(base, collection.slug),
        _lang(collection.title, collection.title_en),
        [_member(tree, i, base) for i in tree.children.get(None, [])],
        base,
        page=page,
        page_size=page_size,
        summary=_summary({"nl": collection.description, "en": collection.description_en}),
        rights=iiif_rights(collection.rights),
        homepage=f"{base}/search?collection={collection.slug}",
        part_of=urls.collections(base),
    )


def build_item_collection(
    item: Item, tree: ImageTree, base: str, *, page: int | None = None, page_size: int = PAGE_SIZE
) -> dict[str, Any]:
    """One level of the archival tree (a fonds, a series, a file with parts) as a IIIF Collection.

    Raises:
        LookupError: the item leads to no images, or `page` does not exist.
    """
    if not tree.is_branch(item.id):
        raise LookupError(f"item {item.id!r} has no parts with images")
    members = [_member(tree, i, base) for i in tree.children[item.id]]
    if item.id in tree.manifests:  # an item with its own pages as well as parts: its manifest first
        members.insert(0, {"id": urls.manifest(base, item.id), "type": "Manifest", "label": item_label(item)})
    parent = (
        urls.item_collection(base, item.parent_id) if item.parent_id else urls.collection(base, item.collection.slug)
    )
    core = core_of(item)
    return _collection_document(
        urls.item_collection(base, item.id),
        item_label(item, core),
        members,
        base,
        page=page,
        page_size=page_size,
        summary=item_summary(core),
        rights=iiif_rights(item.rights or item.collection.rights),
        homepage=urls.item_page(base, item.id),
        part_of=parent,
    )


def build_collections(collections: Iterable[Collection], base: str) -> dict[str, Any]:
    """The collection of all catalogue collections that have images."""
    members = [
        {"id": urls.collection(base, c.slug), "type": "Collection", "label": _lang(c.title, c.title_en)}
        for c in collections
    ]
    collections_label = labels()["collections"]
    return _collection_document(
        urls.collections(base),
        _lang(collections_label["nl"], collections_label["en"]),
        members,
        base,
        page=None,
        page_size=max(1, len(members)),
        summary=_label("collections_summary"),
    )
