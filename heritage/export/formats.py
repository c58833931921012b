"""The export formats, in one table that `heritage export` reads.

A format is written from a tree (a whole collection, or the tree under one item): `scope="tree"`; or
from one item alone (`scope="item"`, such as a METS/PREMIS package). `passes` says how many times the
writer walks the tree, so the progress bar knows its length. Another package adds a format with
`register(ExportFormat(...))`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from heritage.export import bag, dwca, premis, tabular, xml_writers
from heritage.export.source import ExportSource
from heritage.storage import Storage

FileWriter = Callable[[ExportSource, BinaryIO], int]
FolderWriter = Callable[[ExportSource, Path, Storage], int]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    scope: str = "tree"  # "tree" (--collection, or --item and what lies under it) or "item" (--item only)
    write_file: FileWriter | None = None  # writes one file
    write_folder: FolderWriter | None = None  # writes a folder (a bag)
    passes: int = 1


EXPORTS: dict[str, ExportFormat] = {}


def register(fmt: ExportFormat) -> ExportFormat:
    EXPORTS[fmt.name] = fmt
    return fmt


for _fmt in (
    ExportFormat(
        "ead",
        "one EAD 2002 finding aid, the items as nested components",
        write_file=partial(xml_writers.write_finding_aid, standard="ead"),
    ),
    ExportFormat(
        "ead3",
        "one EAD3 finding aid, the items as nested components",
        write_file=partial(xml_writers.write_finding_aid, standard="ead3"),
    ),
    ExportFormat("marcxml", "a MARCXML collection, one record per item", write_file=xml_writers.write_marcxml),
    ExportFormat("mods", "a MODS modsCollection, one record per item", write_file=xml_writers.write_mods),
    ExportFormat("lido", "a LIDO lidoWrap, one record per item", write_file=xml_writers.write_lido),
    ExportFormat(
        "dc", "Dublin Core (oai_dc) records in an OAI-PMH ListRecords document", write_file=xml_writers.write_dc
    ),
    ExportFormat(
        "dwca",
        "a Darwin Core Archive (zip: meta.xml, eml.xml, occurrence.txt) for a GBIF IPT",
        write_file=dwca.write_dwca,
    ),
    ExportFormat("csv", "a CSV in the batch sheet's columns", write_file=tabular.write_csv),
    ExportFormat(
        "bagit", "a BagIt bag (folder): masters, metadata and the event log", write_folder=bag.write_bag, passes=2
    ),
    ExportFormat(
        "mets-premis",
        "one item (--item) as METS with its files, events and agents in PREMIS 3",
        scope="item",
        write_file=premis.write_mets_premis,
    ),
):
    register(_fmt)
