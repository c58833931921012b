"""Read an XML document's prolog (declaration, DOCTYPE, first start tag) without an XML parser.

Two things must not depend on the libxml2 release that lxml bundles: whether a document's entity
declarations are refused as an attack, and what its document element is. libxml2 2.14 (lxml 6.2) stops a
billion-laughs document at its DOCTYPE, before the first element, where 2.13 stopped inside it; a reader
that learnt the document element from the parser then saw "not XML" and let the file through as a plain
file. This module answers both questions from the text itself, so a refusal is ours, not the parser's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROLOG_BYTES = 1 << 20  # a DOCTYPE longer than this is refused: no real record needs a megabyte of DTD

_NAME = re.compile(r"[^\s/>=\"'\[\]%;&<]+")
_REFERENCE = re.compile(r"(?:&(?!#)|%)[^\s;&%<>\"']+;")  # entity references; character references are harmless
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass(frozen=True)
class Prolog:
    """What the text before the document element says."""

    attack: str | None  # why the DOCTYPE is refused, or None
    root: str  # the document element as {namespace}local ('' when not found in the bytes read)
    line: int = 1  # where the refused declaration is


def decode_head(data: bytes) -> str:
    """The bytes as text for scanning markup: UTF-16 by its byte order mark, else byte for byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("latin-1")  # markup is ASCII; other bytes only ever sit inside names and strings


def read(text: str) -> Prolog:
    """The prolog of a document's text (its first `PROLOG_BYTES` at least)."""
    scanner = _Scanner(text)
    try:
        return scanner.prolog()
    except _Truncated:
        if len(text) >= PROLOG_BYTES:
            return Prolog("refused: the DOCTYPE is longer than a megabyte (entity expansion attack?)", "", 1)
        return Prolog(scanner.attack, "", scanner.attack_line)


class _Truncated(Exception):
    """The text ended inside the prolog."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text.lstrip("\ufeff")
        self.at = 0
        self.attack: str | None = None
        self.attack_line = 1

    def prolog(self) -> Prolog:
        while True:
            self._space()
            if self._starts("<?"):
                self._past("?>")
            elif self._starts("<!--"):
                self._past("-->")
            elif self._starts("<!DOCTYPE"):
                self.at += len("<!DOCTYPE")
                self._doctype()
            elif self._starts("<") and not self._starts("<!"):
                return Prolog(self.attack, self._root(), self.attack_line)
            else:
                return Prolog(self.attack, "", self.attack_line)

    # --- the DOCTYPE ----------------------------------------------------------------------------

    def _doctype(self) -> None:
        while True:
            self._space()
            char = self._char()
            if char == ">":
                self.at += 1
                return
            if char == "[":
                self.at += 1
                self._internal_subset()
            elif char in "\"'":
                self._quoted()
            else:
                self.at += 1

    def _internal_subset(self) -> None:
        while True:
            self._space()
            if self._starts("]"):
                self.at += 1
                return
            if self._starts("<!--"):
                self._past("-->")
            elif self._starts("<?"):
                self._past("?>")
            elif self._starts("<!ENTITY"):
                self.at += len("<!ENTITY")
                self._entity()
            elif self._starts("<!"):
                self._declaration()
            elif self._starts("%"):
                self._refuse("refused: a parameter entity reference in the DOCTYPE (it would load or expand a DTD)")
                self._past(";")
            else:
                self.at += 1

    def _entity(self) -> None:
        start = self.at
        self._space()
        if self._starts("%"):
            self._refuse("refused: a parameter entity declaration in the DOCTYPE (external DTD or expansion attack)")
            self.at += 1
            self._space()
        self._name()
        self._space()
        external = False
        unparsed = False
        values: list[str] = []
        while True:
            self._space()
            char = self._char()
            if char == ">":
                self.at += 1
                break
            if char in "\"'":
                values.append(self._quoted())
                continue
            word = self._name()
            if not word:
                self.at += 1
            elif word in ("SYSTEM", "PUBLIC"):
                external = True
            elif word == "NDATA":
                unparsed = True
        if external and not unparsed:
            self._refuse(
                "refused: an external entity (XXE) is declared in the DOCTYPE; entities are never loaded", start
            )
        elif not external and values and _REFERENCE.search(values[0]):
            self._refuse("refused: entity expansion attack (billion laughs): an entity refers to other entities", start)

    def _declaration(self) -> None:
        """Skip <!ELEMENT, <!ATTLIST, <!NOTATION ... > with their quoted strings."""
        self.at += 2
        while True:
            char = self._char()
            if char == ">":
                self.at += 1
                return
            if char in "\"'":
                self._quoted()
            else:
                self.at += 1

    # --- the document element -------------------------------------------------------------------

    def _root(self) -> str:
        self.at += 1
        name = self._name()
        end = self.text.find(">", self.at)
        if end < 0:
            raise _Truncated
        attributes = {
            m.group(1): m.group(2) if m.group(2) is not None else m.group(3) or ""
            for m in _ATTRIBUTE.finditer(self.text, self.at, end)
        }
        prefix, _, local = name.rpartition(":")
        uri = attributes.get(f"xmlns:{prefix}" if prefix else "xmlns", "")
        return f"{{{uri}}}{local}" if uri else local

    # --- lexing ---------------------------------------------------------------------------------

    def _refuse(self, reason: str, at: int | None = None) -> None:
        if self.attack is None:
            self.attack = reason
            self.attack_line = self.text.count("\n", 0, self.at if at is None else at) + 1

    def _char(self) -> str:
        if self.at >= len(self.text):
            raise _Truncated
        return self.text[self.at]

    def _starts(self, token: str) -> bool:
        rest = self.text[self.at : self.at + len(token)]
        if len(rest) < len(token) and token.startswith(rest):
            raise _Truncated  # the text ends where the token might begin
        return self.text.startswith(token, self.at)

    def _space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in " \t\r\n":
            self.at += 1

    def _past(self, token: str) -> None:
        end = self.text.find(token, self.at)
        if end < 0:
            raise _Truncated
        self.at = end + len(token)

    def _quoted(self) -> str:
        quote = self._char()
        end = self.text.find(quote, self.at + 1)
        if end < 0:
            raise _Truncated
        value = self.text[self.at + 1 : end]
        self.at = end + 1
        return value

    def _name(self) -> str:
        match = _NAME.match(self.text, self.at)
        if not match:
            return ""
        self.at = match.end()
        return match.group(0)
