"""Offline XSD validation through an OASIS XML catalog, and the optional download of the official XSDs.

The official schemas are not ours to ship: a schemas folder holds them with a `catalog.xml` that maps
each official URL to a local file (`HERITAGE_SCHEMAS`, or `<data>/schemas` after
`heritage schemas install`). Schemas are found by namespace through `data/schemas.csv`, never by an
instance's own `xsi:schemaLocation`, and loading them can never reach the network: an import the
catalog does not resolve is simply not loaded.
"""

from __future__ import annotations

import csv
import logging
import re
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from metadata_schemas.errors import MetadataError, Problem

CATALOG_NS = "urn:oasis:names:tc:entity:xmlns:xml:catalog"
SCHEMAS_TABLE = Path(__file__).parent / "data" / "schemas.csv"
SKIPPED_NOTICE = (
    "XSD validation skipped: no schemas folder (set HERITAGE_SCHEMAS=DIR to a folder with catalog.xml, "
    "or run `heritage schemas install [--from DIR]`); checked well-formedness and structure only"
)
log = logging.getLogger("metadata_schemas")


class SchemaError(MetadataError):
    """A schemas folder is missing, has no usable catalog, or a schema cannot be compiled."""


@dataclass(frozen=True)
class SchemaSource:
    key: str
    namespace: str
    url: str
    publisher: str
    meaning: str


@cache
def sources() -> dict[str, SchemaSource]:
    """The official XSDs by key, as listed in `data/schemas.csv`."""
    with SCHEMAS_TABLE.open(encoding="utf-8", newline="") as fh:
        return {row["key"]: SchemaSource(**row) for row in csv.DictReader(fh)}


class Catalog:
    """An OASIS XML catalog (`system`, `uri`, `rewriteSystem`, `rewriteURI`, `nextCatalog` entries)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.exact: dict[str, Path] = {}
        self.prefixes: list[tuple[str, str]] = []
        self._read(path, set())

    def _read(self, path: Path, seen: set[Path]) -> None:
        if path in seen:
            return
        seen.add(path)
        try:
            root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except (OSError, etree.XMLSyntaxError) as exc:
            raise SchemaError(f"{path}: not a readable XML catalog ({exc})") from None
        base = path.parent
        for el in root.getroot().iter(f"{{{CATALOG_NS}}}*"):
            name = etree.QName(el).localname
            if name == "system":
                self.exact[el.get("systemId", "")] = (base / el.get("uri", "")).resolve()
            elif name == "uri":
                self.exact[el.get("name", "")] = (base / el.get("uri", "")).resolve()
            elif name in ("rewriteSystem", "rewriteURI"):
                start = el.get("systemIdStartString") or el.get("uriStartString") or ""
                self.prefixes.append((start, str((base / el.get("rewritePrefix", "")).resolve())))
            elif name == "nextCatalog":
                self._read((base / el.get("catalog", "")).resolve(), seen)

    def resolve(self, url: str) -> Path | None:
        """The local file for an official URL (http and https alike), or None."""
        variants = [url]
        if url.startswith("https://"):
            variants.append("http://" + url[len("https://") :])
        elif url.startswith("http://"):
            variants.append("https://" + url[len("http://") :])
        for candidate in variants:
            if candidate in self.exact:
                return self.exact[candidate]
            for start, prefix in sorted(self.prefixes, key=lambda p: -len(p[0])):
                if candidate.startswith(start):
                    return Path(prefix + candidate[len(start) :])
        return None


class _CatalogResolver(etree.Resolver):
    """Answers schema imports from the catalog; anything else falls through to a no-network loader."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def, override]
        local = self.catalog.resolve(system_url) if system_url else None
        if local is not None and local.is_file():
            return self.resolve_filename(str(local), context)
        return None


class SchemaSet:
    """A schemas folder: compiles (and caches) the XSD of each standard, offline."""

    def __init__(self, folder: Path) -> None:
        catalog = folder / "catalog.xml"
        if not catalog.is_file():
            raise SchemaError(f"{folder}: no catalog.xml here, so it is not a schemas folder")
        self.folder = folder
        self.catalog = Catalog(catalog)
        self._compiled: dict[str, etree.XMLSchema] = {}

    def schema(self, key: str) -> etree.XMLSchema:
        """The compiled XSD for a key of `data/schemas.csv`.

        Raises:
            SchemaError: the catalog lacks it or it does not compile offline.
        """
        if key in self._compiled:
            return self._compiled[key]
        source = sources()[key]
        local = self._local(source.url)
        if local is None:
            raise SchemaError(f"{self.folder}/catalog.xml does not map {source.url} ({source.meaning}) to a file")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        parser.resolvers.add(_CatalogResolver(self.catalog))
        try:
            compiled = etree.XMLSchema(etree.parse(str(local), parser))
        except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise SchemaError(f"{local}: the {source.meaning} schema does not compile offline: {exc}") from None
        self._compiled[key] = compiled
        return compiled

    def has(self, key: str) -> bool:
        return self._local(sources()[key].url) is not None

    def _local(self, url: str) -> Path | None:
        """The file the catalog maps the URL to; else the one file of the folder named as the URL's file
        (a folder may hold an official XSD its catalog does not list, e.g. ead3_undeprecated.xsd)."""
        local = self.catalog.resolve(url)
        if local is not None:
            return local if local.is_file() else None
        named = sorted(self.folder.rglob(url.rsplit("/", 1)[-1]))
        return named[0] if len(named) == 1 else None

    def check(self, key: str, element: etree._Element, source: str, record: int | None = None) -> list[Problem]:
        """Validate one element (a record or a whole document) in place; lines are the file's."""
        schema = self.schema(key)
        prefix = f"record {record}: " if record is not None else ""
        try:
            if schema.validate(element):
                return []
        except etree.XMLSchemaValidateError as exc:  # libxml2 gives up, e.g. on unexpanded entity references
            message = f"{prefix}cannot be validated against the {sources()[key].meaning} schema ({exc})"
            return [Problem(source, element.sourceline, message, record)]
        return [
            Problem(source, err.line or None, f"{prefix}{sources()[key].meaning} schema: {err.message}", record)
            for err in schema.error_log  # type: ignore[attr-defined]
        ]


_active: SchemaSet | None = None
_notice_given = False
_compiled_sets: dict[tuple[Path, float], SchemaSet] = {}


def activate(folder: Path | None) -> SchemaSet | None:
    """Use this schemas folder for validation from now on (None: structural checks only).

    Raises:
        SchemaError: the folder has no catalog.xml.
    """
    global _active, _notice_given
    if folder is None:
        _active = None
    else:
        catalog = folder / "catalog.xml"
        key = (folder.resolve(), catalog.stat().st_mtime if catalog.is_file() else 0.0)
        if key not in _compiled_sets:  # compiled schemas are kept: activating again costs nothing
            _compiled_sets[key] = SchemaSet(folder)
        _active = _compiled_sets[key]
    _notice_given = False
    return _active


def active() -> SchemaSet | None:
    return _active


def notice_once() -> str | None:
    """The skipped-XSD notice the first time it is asked for in this process, then None."""
    global _notice_given
    if _notice_given:
        return None
    _notice_given = True
    return SKIPPED_NOTICE


def skipped(standard: str) -> None:
    """Say once per process (on the `metadata_schemas` logger) that XSD validation was skipped, and how to enable it."""
    notice = notice_once()
    if notice:
        log.warning("%s (first met for %s)", notice, standard)


# --- installing a schemas folder -------------------------------------------------------------------

Fetch = Callable[[str], bytes]


def copy_folder(source: Path, dest: Path) -> list[str]:
    """Copy a schemas folder (with its catalog.xml) into `dest`; returns the keys it can validate.

    Raises:
        SchemaError: the source is not a schemas folder or lacks every known schema.
    """
    SchemaSet(source)  # a catalog must be there and readable
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    installed = SchemaSet(dest)
    keys = [k for k in sources() if installed.has(k)]
    if not keys:
        raise SchemaError(f"{source}: its catalog maps none of the official schema URLs in {SCHEMAS_TABLE.name}")
    return keys


def _fetch_url(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "heritage-schemas-install"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()  # type: ignore[no-any-return]


_DOCUMENT_REF = re.compile(r"document\('([^'$]+)'\)|<xsl:variable[^>]*>\s*(?:<file [^>]*>[^<]+</file>\s*)+")
_TABLE_FILE = re.compile(r"<file [^>]*>([^<]+)</file>")


def _local_name(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.netloc}{parts.path}".strip("/")


def download(dest: Path, fetch: Fetch = _fetch_url, keys: list[str] | None = None, progress=None) -> list[str]:  # type: ignore[no-untyped-def]
    """Download the official XSDs and every schema they import, and write a catalog for them.

    Only ever called on the user's explicit request (`heritage schemas install`).

    Raises:
        SchemaError: a schema could not be fetched or is not XML.
    """
    wanted = [sources()[k] for k in (keys or list(sources()))]
    staging = dest.with_name(dest.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    fetched: dict[str, str] = {}
    queue = [s.url for s in wanted]
    while queue:
        url = queue.pop(0)
        if url in fetched:
            continue
        if progress:
            progress(url)
        try:
            data = fetch(url)
            tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except (OSError, ValueError, etree.XMLSyntaxError) as exc:
            shutil.rmtree(staging)
            raise SchemaError(f"{url}: could not be downloaded as an XSD ({exc})") from None
        name = _local_name(url)
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        fetched[url] = name
        for el in tree.iter("{http://www.w3.org/2001/XMLSchema}import", "{http://www.w3.org/2001/XMLSchema}include"):
            location = el.get("schemaLocation")
            if location:
                queue.append(urllib.parse.urljoin(url, location))
        if name.endswith(".sch"):  # Schematron rules: the code lists they read beside them (`document('x.xml')`)
            text = data.decode("utf-8", "replace")
            for ref in _DOCUMENT_REF.finditer(text):
                names = [ref[1]] if ref[1] else _TABLE_FILE.findall(ref[0])  # document('x') or a table of files
                queue += [urllib.parse.urljoin(url, name.strip()) for name in names]
    catalog = etree.Element(f"{{{CATALOG_NS}}}catalog", nsmap={None: CATALOG_NS})
    catalog.set("prefer", "system")
    for url, name in fetched.items():
        etree.SubElement(catalog, f"{{{CATALOG_NS}}}system", systemId=url, uri=name)
        etree.SubElement(catalog, f"{{{CATALOG_NS}}}uri", name=url, uri=name)
    (staging / "catalog.xml").write_bytes(
        etree.tostring(catalog, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)
    installed = SchemaSet(dest)
    return [k for k in sources() if installed.has(k)]
