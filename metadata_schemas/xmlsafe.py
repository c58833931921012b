"""Hardened, streaming XML reading: no entity expansion, no DTD loading, no network, bounded memory.

Every XML standard reads through here so that XXE (`<!ENTITY x SYSTEM "file:///etc/passwd">`),
billion laughs and remote DTDs can never read a local file or touch the network, and so that a
200 MB collection is read one record at a time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from metadata_schemas import xmlprolog
from metadata_schemas.errors import Problem

# Wrappers around the records of a standard: OAI-PMH responses and SRU searchRetrieve responses.
OAI = "http://www.openarchives.org/OAI/2.0/"
SRW = "http://www.loc.gov/zing/srw/"
WRAPPERS = {OAI, SRW, "http://docs.oasis-open.org/ns/search-ws/sruResponse"}
XML_NS = "http://www.w3.org/XML/1998/namespace"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SNIFF_ELEMENTS = 400

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}


def parser() -> etree.XMLParser:
    """A parser that never expands entities, loads a DTD or reaches the network."""
    return etree.XMLParser(remove_comments=False, **_PARSER_OPTIONS)  # type: ignore[arg-type]


class RefusedXml(etree.XMLSyntaxError):
    """A document refused for what its DOCTYPE declares (an attack), whatever the parser would have done."""


@lru_cache(maxsize=256)
def _prolog_of(path: str, _mtime: float, _size: int) -> xmlprolog.Prolog:
    with open(path, "rb") as fh:
        return xmlprolog.read(xmlprolog.decode_head(fh.read(xmlprolog.PROLOG_BYTES)))


def prolog(path: Path) -> xmlprolog.Prolog:
    """The prolog of a file (cached per file version).

    Raises:
        OSError: the file cannot be read.
    """
    stat = path.stat()
    return _prolog_of(str(path), stat.st_mtime, stat.st_size)


def refuse_attacks(path: Path) -> None:
    """Raise `RefusedXml` when the file's DOCTYPE declares an entity attack (XXE, expansion, parameter entities).

    Raises:
        RefusedXml: the DOCTYPE is refused; OSError: the file cannot be read.
    """
    found = prolog(path)
    if found.attack:
        raise RefusedXml(found.attack, 0, found.line, 1, str(path))


def _refuse_attacks_in(data: bytes, source: str) -> None:
    found = xmlprolog.read(xmlprolog.decode_head(data[: xmlprolog.PROLOG_BYTES]))
    if found.attack:
        raise RefusedXml(found.attack, 0, found.line, 1, source)


_progress: ContextVar[Callable[[int], object] | None] = ContextVar("metadata_progress", default=None)


@contextmanager
def reporting(callback: Callable[[int], object]) -> Iterator[None]:
    """Report the bytes each streaming read consumes to `callback` (a progress bar's `update`)."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


class _Counting:
    """A file whose reads are reported, so that long streaming work can show its progress."""

    def __init__(self, path: Path, callback: Callable[[int], object]) -> None:
        self._file = path.open("rb")
        self._callback = callback

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._callback(len(data))
        return data

    def close(self) -> None:
        self._file.close()


def iterparse(path: Path, events: tuple[str, ...] = ("end",), tag: Iterable[str] | None = None) -> Iterator:
    """`lxml.etree.iterparse` with the hardened options (its reads reported inside `reporting`)."""
    refuse_attacks(path)
    callback = _progress.get()
    tags = list(tag) if tag is not None else None
    if callback is None:
        return etree.iterparse(str(path), events=events, tag=tags, **_PARSER_OPTIONS)  # type: ignore[call-overload, no-any-return]
    return _counted(path, callback, events, tags)


def _counted(
    path: Path, callback: Callable[[int], object], events: tuple[str, ...], tags: list[str] | None
) -> Iterator:
    source = _Counting(path, callback)
    try:
        yield from etree.iterparse(source, events=events, tag=tags, **_PARSER_OPTIONS)  # type: ignore[call-overload]
    finally:
        source.close()


def parse(path: Path) -> etree._ElementTree:
    """Parse a whole (small) document with the hardened parser.

    Raises:
        etree.XMLSyntaxError: not well-formed, or refused (`RefusedXml`).
    """
    refuse_attacks(path)
    return etree.parse(str(path), parser())


def fromstring(data: bytes, source: str) -> etree._Element:
    """Parse a document held in memory with the hardened parser, its DOCTYPE checked first.

    Raises:
        etree.XMLSyntaxError: not well-formed, or refused (`RefusedXml`).
    """
    _refuse_attacks_in(data, source)
    return etree.fromstring(data, parser())


def syntax_problem(path: Path, exc: etree.XMLSyntaxError | etree.XMLSchemaParseError) -> Problem:
    """A parser error (or a refusal) as a `FILE:LINE: message` problem."""
    if isinstance(exc, RefusedXml):
        return Problem(str(path), exc.lineno, str(exc.msg))
    message = str(exc.msg if getattr(exc, "msg", None) else exc)
    message = re.sub(r"\s*\(.*?, line \d+\)\s*$", "", message)
    line = getattr(exc, "lineno", None) or getattr(getattr(exc, "position", None), "__getitem__", lambda _: None)(0)
    if "Unsupported encoding" in message:
        message = f"{message} (declare UTF-8, UTF-16 or ISO-8859-1 in the XML declaration)"
    elif "amplification" in message or ("entity" in message.lower() and "loop" in message.lower()):
        message = f"refused: entity expansion attack (billion laughs) - {message}"
    return Problem(str(path), line, f"not well-formed XML: {message}")


def local(tag: object) -> str:
    """The local name of a tag (`{ns}name` or `name`); '' for comments and processing instructions."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1:].split("}", 1)[0]


def clean(text: str | None) -> str:
    """Whitespace collapsed and Unicode composed (NFC, as MARC's decomposed diacritics are not), as catalogue text."""
    text = " ".join((text or "").split())
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# Elements that stand apart from their neighbours even inside running text: paragraphs, list entries,
# headings, table cells and line breaks (EAD, TEI, MODS and HTML names).
BLOCKS = frozenset(
    [
        "p",
        "item",
        "head",
        "list",
        "chronlist",
        "chronitem",
        "event",
        "eventgrp",
        "defitem",
        "label",
        "entry",
        "row",
        "address",
        "addressline",
        "blockquote",
        "lb",
        "br",
        "li",
        "dd",
        "dt",
        "tr",
        "td",
        "th",
        "div",
    ]
)


def text_of(element: etree._Element | str | None) -> str:
    """The element's whole text (descendants included), whitespace collapsed; strings pass through.

    Inline markup in running text (`<title>Crop Sciences</title>, vol 21`) joins as the source spaces it,
    so no stray space appears before the comma; children of an element without text of its own
    (`namePart`s, `part`s) and blocks (`p`, `item`, `lb`) are separated by a space.
    """
    if element is None:
        return ""
    if isinstance(element, str):
        return clean(element)
    if len(element) == 0:
        return clean(element.text) if isinstance(element.tag, str) else ""
    pieces: list[str] = []
    _collect(element, pieces)
    return clean("".join(pieces))


def _collect(element: etree._Element, pieces: list[str]) -> None:
    if element.text:
        pieces.append(element.text)
    mixed = bool(element.text and element.text.strip()) or any(c.tail and c.tail.strip() for c in element)
    for child in element:
        if isinstance(child.tag, str):  # comments and processing instructions give no text, only their tail
            apart = not mixed or local(child.tag) in BLOCKS
            pieces.append(" " if apart else "")
            _collect(child, pieces)
            pieces.append(" " if apart else "")
        if child.tail:
            pieces.append(child.tail)


def release(element: etree._Element) -> None:
    """Free a processed record and the siblings before it (and its ancestors'), so memory stays bounded."""
    element.clear(keep_tail=True)
    node = element
    while node is not None:
        parent = node.getparent()
        if parent is None:
            break
        while node.getprevious() is not None:
            del parent[0]
        node = parent


def declared_entities(path: Path) -> list[str]:
    """Names of the entities a file's DOCTYPE declares, read from its prolog only."""
    try:
        for _event, element in iterparse(path, events=("start",)):
            return entity_declarations(element)
    except (etree.XMLSyntaxError, OSError):
        return []
    return []


def entity_declarations(element: etree._Element) -> list[str]:
    """Names of entities the document declares in its DOCTYPE (never expanded here)."""
    dtd = element.getroottree().docinfo.internalDTD
    return [e.name for e in dtd.iterentities()] if dtd is not None else []


def undefined_entities(element: etree._Element, source: str, position: int) -> list[Problem]:
    """References to entities only an external DTD would define: the DTD is never loaded, so say what is lost."""
    declared = set(entity_declarations(element))
    names = list(dict.fromkeys(e.name for e in element.iter(etree.Entity) if e.name not in declared))
    if not names:
        return []
    return [
        Problem(
            source,
            element.sourceline,
            f"record {position}: refers to entities ({', '.join(names[:5])}) that only an external DTD would "
            "define; DTDs are never loaded or fetched, so their text is missing",
            position,
            lost=True,
        )
    ]


@dataclass(frozen=True)
class Sniff:
    """What a file looks like from its first elements: the root and the first payload element."""

    root: str
    payload: str  # first element outside OAI-PMH / SRU wrappers ({ns}local)
    seen: frozenset[str]  # every {ns}local met in the first elements

    def has(self, tag: str) -> bool:
        return tag in self.seen


@lru_cache(maxsize=64)
def _sniff(path: str, _mtime: float, _size: int) -> Sniff | None:
    root = payload = ""
    seen: set[str] = set()
    try:
        for count, (_event, element) in enumerate(iterparse(Path(path), events=("start",))):
            tag = element.tag if isinstance(element.tag, str) else ""
            if not root:
                root = tag
            if not payload and namespace(tag) not in WRAPPERS:
                payload = tag
            seen.add(tag)
            if count >= SNIFF_ELEMENTS:
                break
    except (etree.XMLSyntaxError, OSError, ValueError):
        if not root:
            # Refused or broken before the document element (where libxml2 2.14 stops a billion-laughs
            # document): the element is read from the text, so the file is still known for what it is.
            try:
                root = payload = prolog(Path(path)).root
            except OSError:
                return None
            if not root:
                return None
            seen.add(root)
    return Sniff(root, payload, frozenset(seen)) if root else None


def sniff(path: Path, head: bytes) -> Sniff | None:
    """The shape of an XML file, or None when it is not XML (cached per file version)."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not (stripped.startswith(b"<") or stripped.startswith(b"\xff\xfe") or stripped.startswith(b"\xfe\xff")):
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    return _sniff(str(path), stat.st_mtime, stat.st_size)


def tostring(element: etree._Element) -> str:
    """The element as XML text (its namespace declarations included), for the verbatim original."""
    return etree.tostring(element, encoding="unicode", with_tail=False)


def write_tree(root: etree._Element, out, *, doctype: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Write a document as indented UTF-8 with an XML declaration."""
    etree.indent(root, space="  ")
    out.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=doctype))
