"""Darwin Core Archives: a zip (or a folder) with `meta.xml`, a core data file and extensions.

Read with zipfile and csv as `meta.xml` describes them (TDWG Darwin Core text guide): each core row
is a record; Multimedia extensions (GBIF or Audubon Core) add its files. Written as a valid archive:
`meta.xml`, an occurrence (or taxon) core and `eml.xml`. A truncated or damaged zip, a missing data
file, a descriptor that maps columns the data does not have: each is a clear problem, never a crash.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO

from lxml import etree

from metadata_schemas import dwc_terms, schemas
from metadata_schemas.core import CoreRecord, Note
from metadata_schemas.dwc_terms import DCTERMS
from metadata_schemas.errors import InvalidMetadata, Problem
from metadata_schemas.registry import ParsedRecord
from metadata_schemas.xmlsafe import XSI, fromstring, syntax_problem

TEXT = "http://rs.tdwg.org/dwc/text/"
OCCURRENCE = "http://rs.tdwg.org/dwc/terms/Occurrence"
TAXON = "http://rs.tdwg.org/dwc/terms/Taxon"
MULTIMEDIA = ("http://rs.gbif.org/terms/1.0/Multimedia", "http://rs.tdwg.org/ac/terms/Multimedia")
DESCRIPTION = "http://rs.gbif.org/terms/1.0/Description"  # GBIF's extension: typed texts about a taxon
DESCRIPTION_COLUMNS = (DCTERMS + "type", DCTERMS + "description", DCTERMS + "language")
MEDIA_TERMS = ("identifier", "accessURI")
MAX_META_BYTES = 5_000_000
MAX_NESTED_BYTES = 200_000_000  # a zip inside the zip is read into memory: up to this size
csv.field_size_limit(16 * 1024 * 1024)


def _unescape(value: str | None, default: str) -> str:
    if value is None:
        return default
    return codecs.decode(value, "unicode_escape") if "\\" in value else value


@dataclass
class DataFile:
    """One `core` or `extension` of meta.xml."""

    element: etree._Element
    location: str | None
    row_type: str
    encoding: str
    delimiter: str
    quote: str
    header_lines: int
    id_index: int | None
    fields: dict[int, str] = field(default_factory=dict)  # index -> term (simple name)
    defaults: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, el: etree._Element) -> DataFile:
        q = f"{{{TEXT}}}"
        location = el.findtext(f"{q}files/{q}location")
        id_el = el.find(f"{q}id") if el.find(f"{q}id") is not None else el.find(f"{q}coreid")
        out = cls(
            element=el,
            location=location.strip() if location else None,
            row_type=el.get("rowType", ""),
            encoding=el.get("encoding", "UTF-8"),
            delimiter=_unescape(el.get("fieldsTerminatedBy"), ","),
            quote=_unescape(el.get("fieldsEnclosedBy"), '"'),
            header_lines=int(el.get("ignoreHeaderLines", "0") or 0),
            id_index=int(id_el.get("index")) if id_el is not None and (id_el.get("index") or "").isdigit() else None,
        )
        for f in el.findall(f"{q}field"):
            term = dwc_terms.canonical(f.get("term", "")) or dwc_terms.simple(f.get("term", ""))
            if (f.get("index") or "").isdigit():
                out.fields[int(f.get("index"))] = term
            elif f.get("default") is not None:
                out.defaults[term] = f.get("default", "")
        return out


def archive_root(zf: zipfile.ZipFile) -> str | None:
    """The folder of the zip that holds `meta.xml` ("" at the top, "checklist/" one level down), or None.

    Zips made by hand often hold the archive in a folder (the one that was zipped); the shallowest
    `meta.xml` is the descriptor. macOS resource forks (`__MACOSX/`) are not archives.
    """
    names = [n for n in zf.namelist() if not n.startswith("__MACOSX/")]
    if "meta.xml" in names:
        return ""
    found = sorted((n for n in names if n.endswith("/meta.xml")), key=lambda n: (n.count("/"), n))
    return found[0][: -len("meta.xml")] if found else None


def nested_archive(zf: zipfile.ZipFile) -> str | None:
    """The name of a zip inside this zip that is itself a Darwin Core Archive (a zip sent zipped again)."""
    for info in zf.infolist():
        if not info.filename.lower().endswith(".zip") or info.file_size > MAX_NESTED_BYTES:
            continue
        try:
            with zipfile.ZipFile(io.BytesIO(zf.read(info))) as inner:
                if archive_root(inner) is not None:
                    return info.filename
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
            continue
    return None


class Source:
    """An archive as a zip (its descriptor at the top, in a folder, or in a zip inside it), a folder, or a
    meta.xml beside its data files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.meta_name = "meta.xml"
        self.prefix = ""  # the zip's folder that holds the archive ("checklist/")
        self.label_prefix = ""  # "inner.zip!" when the archive is a zip inside the zip
        if path.is_dir():
            self.folder = path
        elif not path.read_bytes()[:4].startswith(b"PK"):  # a descriptor beside its data files
            self.folder = path.parent
            self.meta_name = path.name
        else:
            self.folder = None
            try:
                self.zip = zipfile.ZipFile(path)
                self._find_root()
            except (zipfile.BadZipFile, OSError) as exc:
                raise InvalidMetadata([Problem(str(path), None, f"not a readable zip archive: {exc}")]) from None

    def _find_root(self) -> None:
        assert self.zip is not None
        root = archive_root(self.zip)
        if root is None and (inner := nested_archive(self.zip)) is not None:
            self.zip = zipfile.ZipFile(io.BytesIO(self.zip.read(inner)))
            root = archive_root(self.zip)
            self.label_prefix = f"{inner}!"
        self.prefix = root or ""

    def label(self, name: str) -> str:
        if self.zip:
            return f"{self.path}!{self.label_prefix}{self.prefix}{name}"
        return str((self.folder or self.path.parent) / name)

    def names(self) -> set[str]:
        if self.zip is not None:
            start = len(self.prefix)
            return {n[start:] for n in self.zip.namelist() if n.startswith(self.prefix)}
        return {p.name for p in (self.folder or self.path.parent).iterdir()}

    def open(self, name: str) -> IO[bytes]:
        """A member as a binary stream.

        Raises:
            KeyError / FileNotFoundError: it is not there; zipfile.BadZipFile: it is damaged.
        """
        if self.zip is not None:
            return self.zip.open(self.prefix + name)
        folder = (self.folder or self.path.parent).resolve()
        target = (folder / name).resolve()
        if not target.is_relative_to(folder):
            raise FileNotFoundError(name)
        return target.open("rb")

    def meta(self) -> etree._Element:
        with self.open(self.meta_name) as fh:
            data = fh.read(MAX_META_BYTES + 1)
        if len(data) > MAX_META_BYTES:
            raise InvalidMetadata([Problem(self.label("meta.xml"), None, "meta.xml is too large to be a descriptor")])
        try:
            return fromstring(data, self.label("meta.xml"))
        except etree.XMLSyntaxError as exc:
            raise InvalidMetadata([syntax_problem(Path(self.label("meta.xml")), exc)]) from None

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _rows(source: Source, data: DataFile) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of a data file, after its header lines, decoded as meta.xml says."""
    assert data.location is not None
    raw = source.open(data.location)
    text = io.TextIOWrapper(raw, encoding=data.encoding, errors="strict", newline="")
    quoting = csv.QUOTE_NONE if not data.quote else csv.QUOTE_MINIMAL
    reader = csv.reader(text, delimiter=data.delimiter, quotechar=data.quote or None, quoting=quoting, strict=False)
    try:
        for number, cells in enumerate(reader, start=1):
            if number <= data.header_lines or not any(c.strip() for c in cells):
                continue
            yield reader.line_num, cells
    finally:
        text.close()


def _header(source: Source, data: DataFile) -> list[str] | None:
    if not data.header_lines or data.location is None:
        return None
    raw = source.open(data.location)
    text = io.TextIOWrapper(raw, encoding=data.encoding, errors="replace", newline="")
    quoting = csv.QUOTE_NONE if not data.quote else csv.QUOTE_MINIMAL
    try:
        return next(csv.reader(text, delimiter=data.delimiter, quotechar=data.quote or None, quoting=quoting), [])
    finally:
        text.close()


def _descriptor(source: Source) -> tuple[etree._Element, DataFile, list[DataFile]]:
    try:
        meta = source.meta()
    except (KeyError, FileNotFoundError):
        raise InvalidMetadata([Problem(str(source.path), None, "no meta.xml: not a Darwin Core Archive")]) from None
    except zipfile.BadZipFile as exc:
        raise InvalidMetadata([Problem(str(source.path), None, f"damaged zip archive: {exc}")]) from None
    if meta.tag != f"{{{TEXT}}}archive":
        raise InvalidMetadata(
            [Problem(source.label("meta.xml"), 1, f"document element is {meta.tag}, not <archive> in {TEXT}")]
        )
    core_el = meta.find(f"{{{TEXT}}}core")
    if core_el is None:
        raise InvalidMetadata([Problem(source.label("meta.xml"), meta.sourceline, "meta.xml has no <core>")])
    return meta, DataFile.read(core_el), [DataFile.read(e) for e in meta.findall(f"{{{TEXT}}}extension")]


class DwcArchive:
    name = "dwc"
    schema_keys = ("dwc_text",)
    label = "Darwin Core Archive"

    def detect(self, path: Path, head: bytes) -> bool:
        if path.is_dir():
            return (path / "meta.xml").is_file()
        if head.startswith(b"PK\x03\x04"):
            try:
                with zipfile.ZipFile(path) as zf:
                    return archive_root(zf) is not None or nested_archive(zf) is not None
            except (zipfile.BadZipFile, OSError):
                return path.suffix.lower() == ".zip"  # a damaged archive: let validate say what is wrong
        return b"http://rs.tdwg.org/dwc/text/" in head and b"<archive" in head

    # --- validation --------------------------------------------------------------------------------

    def validate(self, path: Path) -> list[Problem]:
        try:
            source = Source(path)
        except InvalidMetadata as exc:
            return exc.problems
        try:
            return self._validate(source)
        except InvalidMetadata as exc:
            return exc.problems
        finally:
            source.close()

    def _validate(self, source: Source) -> list[Problem]:
        meta, core, extensions = _descriptor(source)
        meta_label = source.label(source.meta_name)
        problems: list[Problem] = []
        schema_set = schemas.active()
        if schema_set is not None and schema_set.has("dwc_text"):
            problems += schema_set.check("dwc_text", meta, meta_label)
        elif schema_set is None:
            schemas.skipped(self.name)
        names = source.names()
        metadata = meta.get("metadata")
        if metadata and metadata not in names:
            problems.append(
                Problem(meta_label, meta.sourceline, f"meta.xml names metadata {metadata!r}, which is missing")
            )
        elif metadata:
            problems += self._metadata_problems(source, metadata)
        for data in [core, *extensions]:
            where = data.element.sourceline
            kind = "core" if data is core else "extension"
            if data is not core and data.id_index is None:
                problems.append(Problem(meta_label, where, f"extension {data.location!r} has no <coreid index>"))
            if data.location is None:
                problems.append(Problem(meta_label, where, f"{kind} has no <files><location>"))
                continue
            if data.location not in names:
                problems.append(Problem(meta_label, where, f"{kind} data file {data.location!r} is missing"))
                continue
            if data is not core and data.row_type not in (*MULTIMEDIA, OCCURRENCE):
                continue  # extensions that are not read are not checked row by row
            try:
                codecs.lookup(data.encoding)
            except LookupError:
                problems.append(Problem(meta_label, where, f"unknown encoding {data.encoding!r}"))
                continue
            problems += self._data_problems(source, data, strict=data is core)
        return problems

    def _metadata_problems(self, source: Source, name: str) -> list[Problem]:
        try:
            with source.open(name) as fh:
                fromstring(fh.read(), source.label(name))
        except etree.XMLSyntaxError as exc:
            return [syntax_problem(Path(source.label(name)), exc)]
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            return [Problem(source.label(name), None, f"damaged in the zip: {exc}")]
        return []

    def _data_problems(self, source: Source, data: DataFile, *, strict: bool) -> list[Problem]:
        label = source.label(data.location or "")
        problems: list[Problem] = []
        highest = max([*data.fields, data.id_index or 0])
        try:
            header = _header(source, data)
            if header is not None and len(header) <= highest:
                problems.append(
                    Problem(
                        source.label(source.meta_name),
                        data.element.sourceline,
                        f"meta.xml maps column {highest + 1} but {data.location} has {len(header)} columns",
                    )
                )
            for line, cells in _rows(source, data):
                if strict and len(cells) <= highest:
                    problems.append(
                        Problem(label, line, f"row has {len(cells)} fields; meta.xml maps field index {highest}")
                    )
                if len(problems) > 100:
                    problems.append(Problem(label, line, "more than 100 problems; stopped looking"))
                    break
        except UnicodeDecodeError as exc:
            problems.append(Problem(label, None, f"not {data.encoding} text as meta.xml declares ({exc.reason})"))
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
            problems.append(Problem(label, None, f"damaged or truncated in the archive: {exc}"))
        except csv.Error as exc:
            problems.append(Problem(label, None, f"not readable as delimited text: {exc}"))
        return problems

    # --- reading -----------------------------------------------------------------------------------

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        source = Source(path)
        try:
            _meta, core, extensions = _descriptor(source)
            where = source.label(source.meta_name), core.element.sourceline
            if core.location is None:
                raise InvalidMetadata([Problem(*where, "core has no <files><location>: no data file to read")])
            if core.location not in source.names():
                raise InvalidMetadata([Problem(*where, f"core data file {core.location!r} is missing")])
            media = self._media(source, extensions)
            notes = self._descriptions(source, extensions)
            label = source.label(core.location)
            position = 0
            names: dict[str, str] = {}  # the title of each taxon, for its occurrences that name none
            for position, (line, cells) in enumerate(_rows(source, core), start=1):
                values = dict(core.defaults)
                values.update({term: cells[i] for i, term in core.fields.items() if i < len(cells) and cells[i]})
                record_id = (
                    cells[core.id_index].strip() if core.id_index is not None and core.id_index < len(cells) else None
                )
                record, fields = dwc_terms.to_core(values, record_id, notes.get(record_id or ""))
                names[record_id or ""] = record.title
                for ref in media.get(record_id or "", []):
                    if dwc_terms.is_url(ref):
                        fields["links"] = f"{fields['links']} {ref}" if fields.get("links") else ref
                    elif ref not in record.files:
                        record.files.append(ref)
                problems = []
                if message := dwc_terms.coordinate_problem(fields):
                    problems.append(Problem(label, line, message, position))
                if len(cells) <= max([*core.fields, core.id_index or 0]):
                    problems.append(Problem(label, line, f"row has {len(cells)} fields; meta.xml maps more", position))
                yield ParsedRecord(
                    core=record,
                    standard=self.name,
                    position=position,
                    line=line,
                    original=core.delimiter.join(cells),
                    local_id=record.local_id,
                    parent_local_id=record.parent,
                    files=list(record.files),
                    fields=fields,
                    problems=problems,
                )
            for ext in extensions:
                if core.row_type == TAXON and ext.row_type == OCCURRENCE and ext.location and ext.id_index is not None:
                    for record in self._occurrences(source, ext, position, names):
                        position = record.position
                        yield record
        except KeyError as exc:
            raise InvalidMetadata([Problem(str(path), None, f"data file {exc} is missing from the archive")]) from None
        except FileNotFoundError as exc:
            raise InvalidMetadata([Problem(str(path), None, f"data file {exc.filename or exc} is missing")]) from None
        except UnicodeDecodeError as exc:
            raise InvalidMetadata(
                [Problem(str(path), None, f"a data file is not in its declared encoding ({exc.reason})")]
            ) from None
        except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
            raise InvalidMetadata([Problem(str(path), None, f"damaged or truncated zip archive: {exc}")]) from None
        finally:
            source.close()

    def _occurrences(self, source: Source, ext: DataFile, after: int, names: dict[str, str]) -> Iterator[ParsedRecord]:
        """A checklist's occurrences (its Occurrence extension): each a record of its own under its taxon,
        so that where, when and by whom each specimen was collected is kept."""
        assert ext.location is not None and ext.id_index is not None
        for n, (line, cells) in enumerate(_rows(source, ext), start=1):
            values = dict(ext.defaults)
            values.update({term: cells[i] for i, term in ext.fields.items() if i < len(cells) and cells[i]})
            taxon_id = cells[ext.id_index].strip() if ext.id_index < len(cells) else ""
            own = (values.get("occurrenceID") or "").strip() or f"{taxon_id}:occurrence:{n}"
            record, fields = dwc_terms.to_core(values, own)
            record.parent = taxon_id or None
            message = dwc_terms.coordinate_problem(fields)
            if not record.title:
                number = record.identifiers[0] if record.identifiers else own
                record.title = f"{names[taxon_id]} ({number})" if names.get(taxon_id) else number
            yield ParsedRecord(
                core=record,
                standard=self.name,
                position=after + n,
                line=line,
                original=ext.delimiter.join(cells),
                local_id=record.local_id,
                parent_local_id=record.parent,
                files=list(record.files),
                fields=fields,
                problems=[Problem(source.label(ext.location), line, message, after + n)] if message else [],
            )

    def _descriptions(self, source: Source, extensions: list[DataFile]) -> dict[str, list[Note]]:
        """GBIF Description rows (diagnosis, distribution, materials examined, ...) as typed notes of their row."""
        notes: dict[str, list[Note]] = {}
        for ext in extensions:
            if ext.row_type != DESCRIPTION or ext.location is None or ext.id_index is None:
                continue
            where = {term: i for i, term in ext.fields.items()}
            for _line, cells in _rows(source, ext):
                text, kind, lang = (_cell(cells, where.get(t)) for t in ("description", "type", "language"))
                if text and ext.id_index < len(cells):
                    note = Note(kind or "general", text, lang or None)
                    notes.setdefault(cells[ext.id_index].strip(), []).append(note)
        return notes

    def _media(self, source: Source, extensions: list[DataFile]) -> dict[str, list[str]]:
        media: dict[str, list[str]] = {}
        for ext in extensions:
            if ext.row_type not in MULTIMEDIA or ext.location is None or ext.id_index is None:
                continue
            link = next((i for i, t in ext.fields.items() if t in MEDIA_TERMS), None)
            if link is None:
                continue
            for _line, cells in _rows(source, ext):
                if link < len(cells) and ext.id_index < len(cells) and cells[link].strip():
                    media.setdefault(cells[ext.id_index].strip(), []).append(cells[link].strip())
        return media

    # --- writing -----------------------------------------------------------------------------------

    def serialise(self, records: Iterable[CoreRecord], out: BinaryIO) -> None:
        items = list(records)
        # a checklist: taxa (no basis of record, not collected), and any specimens beneath them
        is_taxon = [not r.type and not _observed(r) for r in items]
        taxa = [r for r, yes in zip(items, is_taxon, strict=True) if yes]
        occurrences = [r for r, yes in zip(items, is_taxon, strict=True) if not yes]
        ids = {r.local_id for r in taxa}
        named = all(r.taxon is not None for r in taxa) if not occurrences else any(r.taxon for r in taxa)
        if not taxa or not named or any(r.parent not in ids for r in occurrences):
            taxa, occurrences = [], items
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            extensions: list[tuple[str, str, Sequence[str]]] = []
            if taxa:
                zf.writestr("taxon.txt", _table(taxa, "taxonID", parents=False))
                if occurrences:
                    zf.writestr("occurrence.txt", _table(occurrences, "occurrenceID", parents=True))
                    extensions.append((OCCURRENCE, "occurrence.txt", ["occurrenceID", *dwc_terms.COLUMNS]))
                core = (TAXON, "taxon.txt", ["taxonID", *dwc_terms.TAXON_COLUMNS])
            else:
                zf.writestr("occurrence.txt", _table(occurrences, "occurrenceID", parents=False))
                core = (OCCURRENCE, "occurrence.txt", ["occurrenceID", *dwc_terms.COLUMNS])
            described = _descriptions(taxa or occurrences)
            if described:
                zf.writestr("description.txt", described)
                extensions.append((DESCRIPTION, "description.txt", DESCRIPTION_COLUMNS))
            meta = meta_xml(*core, extensions)
            zf.writestr("meta.xml", meta)
            zf.writestr("eml.xml", _eml(items))


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _descriptions(items: list[CoreRecord]) -> str:
    """The GBIF Description extension: each typed note no Darwin Core column holds (a diagnosis, an EAD
    biographical note), by the id of its core row."""
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
    count = 0
    done: set[str] = set()  # rows that share an id share its descriptions: written once
    for n, core in enumerate(items, start=1):
        if (core.local_id or f"record-{n}") in done:
            continue
        done.add(core.local_id or f"record-{n}")
        for note in core.typed_notes:
            if note.type not in dwc_terms.NOTE_TERMS:
                writer.writerow(
                    [cell(core.local_id or f"record-{n}"), cell(note.type), cell(note.text), note.lang or ""]
                )
                count += 1
    return f"coreid\ttype\tdescription\tlanguage\n{rows.getvalue()}" if count else ""


def _table(items: list[CoreRecord], id_term: str, *, parents: bool) -> str:
    """A tab-separated data file: the id (an extension's: its core row's, the record's parent), the record's
    own id, then its columns (a taxon's with parentNameUsageID, the parent taxon)."""
    columns = dwc_terms.TAXON_COLUMNS if id_term == "taxonID" else dwc_terms.COLUMNS
    rows = io.StringIO()
    writer = csv.writer(rows, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
    writer.writerow(["coreid" if parents else "id", id_term, *columns])
    for n, core in enumerate(items, start=1):
        row = dwc_terms.from_core(core, part_of=id_term == "occurrenceID" and not parents)
        record_id = core.local_id or f"record-{n}"
        first = (core.parent or "") if parents else record_id
        writer.writerow([cell(first), cell(record_id), *(cell(row[c]) for c in columns)])
    return rows.getvalue()


def _observed(core: CoreRecord) -> bool:
    """Collected somewhere, by someone, on a date: an occurrence, even without a basis of record."""
    collected = any(d.type == "collected" for d in core.dates) or any(a.role == "collector" for a in core.agents)
    return collected or core.coordinates is not None


def cell(value: str) -> str:
    """Tabs and line breaks cannot stand in a tab-separated cell without quotes: they become spaces."""
    return " ".join(value.replace("\t", " ").splitlines()) if value else ""


def meta_xml(
    row_type: str,
    data_name: str,
    columns: Sequence[str],
    extensions: Sequence[tuple[str, str, Sequence[str]]] = (),
) -> bytes:
    """The `meta.xml` of an archive whose core file has an `id` column, then `columns` (Darwin Core terms);
    each extension (row type, file, columns: terms or term URIs) has its core row's id first."""
    archive = etree.Element(f"{{{TEXT}}}archive", nsmap={None: TEXT, "xsi": XSI}, metadata="eml.xml")
    archive.set(f"{{{XSI}}}schemaLocation", f"{TEXT} http://rs.tdwg.org/dwc/text/tdwg_dwc_text.xsd")
    _data_file(archive, "core", row_type, data_name, columns)
    for extension in extensions:
        _data_file(archive, "extension", *extension)
    etree.indent(archive, space="  ")
    return etree.tostring(archive, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _data_file(archive: etree._Element, kind: str, row_type: str, data_name: str, columns: Sequence[str]) -> None:
    core = etree.SubElement(
        archive,
        f"{{{TEXT}}}{kind}",
        encoding="UTF-8",
        fieldsTerminatedBy="\\t",
        linesTerminatedBy="\\n",
        fieldsEnclosedBy="",
        ignoreHeaderLines="1",
        rowType=row_type,
    )
    etree.SubElement(etree.SubElement(core, f"{{{TEXT}}}files"), f"{{{TEXT}}}location").text = data_name
    etree.SubElement(core, f"{{{TEXT}}}{'id' if kind == 'core' else 'coreid'}", index="0")
    for n, column in enumerate(columns, start=1):
        etree.SubElement(
            core, f"{{{TEXT}}}field", index=str(n), term=column if "/" in column else dwc_terms.uri(column)
        )


def _eml(items: list[CoreRecord]) -> bytes:
    eml_ns = "eml://ecoinformatics.org/eml-2.1.1"
    root = etree.Element(
        f"{{{eml_ns}}}eml",
        nsmap={"eml": eml_ns},
        packageId=f"heritage-{datetime.now(UTC):%Y%m%d%H%M%S}",
        system="heritage",
    )
    dataset = etree.SubElement(root, "dataset")
    title = items[0].title if len(items) == 1 else f"{len(items)} records exported by heritage"
    etree.SubElement(dataset, "title").text = title or "heritage export"
    creator = etree.SubElement(dataset, "creator")
    etree.SubElement(creator, "organizationName").text = "heritage"
    contact = etree.SubElement(dataset, "contact")
    etree.SubElement(contact, "organizationName").text = "heritage"
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


STANDARD = DwcArchive()
