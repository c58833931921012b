"""Write a large XML document one element at a time, its namespaces declared once on the root.

`lxml.etree.xmlfile` repeats every namespace declaration on each element written into it; at 100,000
records that doubles a file. Here each fragment is serialised by lxml (so escaping stays lxml's) inside
a holder that carries the root's namespaces (so records built without a prefix map take the root's
prefixes), and the declarations the root already makes are dropped from its first tag.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from lxml import etree


class XmlStream:
    def __init__(self, out: BinaryIO, root: etree._Element, skip: Iterable[etree._Element] = ()) -> None:
        """Open the document with `root` and write its children, except those in `skip`."""
        self.out = out
        self._holder = etree.Element(root.tag, nsmap=root.nsmap)
        self._declared = [
            (f' xmlns="{uri}"' if prefix is None else f' xmlns:{prefix}="{uri}"').encode("utf-8")
            for prefix, uri in root.nsmap.items()
        ]
        self._open: list[bytes] = []
        out.write(b"<?xml version='1.0' encoding='UTF-8'?>\n")
        self.start(root, skip=skip, declare=True)

    def _serialise(self, element: etree._Element, declare: bool = False) -> bytes:
        if element.getparent() is None and element is not self._holder:
            self._holder.append(element)
            try:
                text = etree.tostring(element, encoding="UTF-8", with_tail=False)
            finally:
                self._holder.remove(element)
        else:
            text = etree.tostring(element, encoding="UTF-8", with_tail=False)
        if declare:
            return text
        end = text.index(b">") + 1
        head = text[:end]
        for declaration in self._declared:
            head = head.replace(declaration, b"", 1)
        return head + text[end:]

    def start(self, element: etree._Element, skip: Iterable[etree._Element] = (), declare: bool = False) -> None:
        """Open `element` and write its children (except `skip`); it stays open for more."""
        shell = etree.Element(element.tag, dict(element.attrib), nsmap=self._holder.nsmap)
        head = self._serialise(shell, declare=True) if declare else self._serialise(shell)
        if head.endswith(b"/>"):
            head = head[:-2].rstrip() + b">"
        self.out.write(head)
        self._open.append(head[1:].split(b">", 1)[0].split(b" ", 1)[0])
        skipped = set(map(id, skip))
        for child in element:
            if id(child) not in skipped:
                self.write(child)

    def write(self, element: etree._Element) -> None:
        """Write a whole element (without its tail)."""
        self.out.write(self._serialise(element))

    def newline(self) -> None:
        self.out.write(b"\n")

    def end(self) -> None:
        self.out.write(b"</" + self._open.pop() + b">")

    def close(self) -> None:
        while self._open:
            self.end()
        self.out.write(b"\n")
