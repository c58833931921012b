"""Validation against the official XSDs in ../shared/fixtures/real/xsd, offline through its catalog.

OAI-PMH wraps records in a strict wildcard, so a response validates against a small driver schema that
imports OAI-PMH.xsd together with the schema of every metadata format it may carry.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

from metadata_schemas.schemas import Catalog
from tests.conftest import shared_path


class _Resolver(etree.Resolver):
    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def, override]
        local = self.catalog.resolve(system_url)
        return self.resolve_filename(str(local), context) if local is not None else None


@cache
def _compiled(imports: tuple[tuple[str, str], ...], folder: Path) -> etree.XMLSchema:
    catalog = Catalog(folder / "catalog.xml")
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        + "".join(f'<xs:import namespace="{ns}" schemaLocation="{url}"/>' for ns, url in imports)
        + "</xs:schema>"
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_Resolver(catalog))
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser, base_url=str(folder / "driver.xsd")))


def schema(*imports: tuple[str, str]) -> etree.XMLSchema:
    """A schema importing each (namespace, official schema URL), resolved offline."""
    return _compiled(tuple(imports), shared_path("fixtures", "real", "xsd"))


def errors(document: bytes | etree._Element, *imports: tuple[str, str]) -> list[str]:
    """Every validation error of the document (empty when valid)."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    checker = schema(*imports)
    if checker.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]  # type: ignore[attr-defined]
