"""The SAA's official EAD3 Schematron rules, run with lxml's ISO Schematron.

`heritage schemas install` puts `ead3.sch` (and the code lists it reads with `document()`) into the
schemas folder beside the XSDs. The official rules are written for XSLT 2 (`matches()`, `exists()`,
`every $x in (...) satisfies ...`) while lxml runs XSLT 1.0, so when the rules are compiled those forms
become their XPath 1.0 + EXSLT equivalents (`regexp:test()`, `boolean()`, `not((...)[not(...)])`), and
declarations no active rule uses (the commented-out language-code lookup) are left out. Each failed
assertion is reported with the line of the element it is about.
"""

from __future__ import annotations

import copy
import logging
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree, isoschematron

from metadata_schemas.errors import Problem
from metadata_schemas.schemas import SchemaSet, sources

KEY = "ead3_schematron"
SCH = "http://purl.oclc.org/dsdl/schematron"
SVRL = "http://purl.oclc.org/dsdl/svrl"
XSL = "http://www.w3.org/1999/XSL/Transform"
REGEXP = "http://exslt.org/regular-expressions"
SKIPPED_NOTICE = (
    "EAD3 Schematron skipped: the SAA's ead3.sch is not in the schemas folder (run `heritage schemas install`)"
)
log = logging.getLogger("metadata_schemas")
_EXPRESSIONS = ("test", "context", "value", "select")
_EVERY = re.compile(r"every\s+\$([\w-]+)\s+in\s+\(([^()]*)\)\s+satisfies\s+(.+)$", re.S)
_notice_given = False


def rules_file(schema_set: SchemaSet | None) -> Path | None:
    """The installed official rules, or None."""
    if schema_set is None or KEY not in sources():
        return None
    local = schema_set.catalog.resolve(sources()[KEY].url)
    return local if local is not None and local.is_file() else None


def skipped() -> None:
    """Say once per process that the Schematron rules were not run."""
    global _notice_given
    if not _notice_given:
        _notice_given = True
        log.warning(SKIPPED_NOTICE)


def xpath1(expr: str, folder: Path) -> str:
    """An XPath 2 expression of the official rules in XPath 1.0 with EXSLT regular expressions."""
    expr = re.sub(r"\bmatches\(", "regexp:test(", expr)
    expr = re.sub(r"\bexists\(", "boolean(", expr)
    expr = re.sub(r"document\('([^'/:]+)'\)", lambda m: f"document('{(folder / m[1]).as_uri()}')", expr)
    every = _EVERY.search(expr)
    if every:
        name, items, condition = every.groups()
        each = re.sub(rf"\${re.escape(name)}\b", ".", condition.strip())
        expr = f"{expr[: every.start()]}not(({items.replace(',', ' |')})[not({each})])"
    return expr


def _declarations(root: etree._Element) -> list[etree._Element]:
    return [el for el in root.iter(f"{{{SCH}}}let", f"{{{XSL}}}variable") if el.get("name")]


def _missing_document(expr: str) -> bool:
    """The expression reads a code list that is not installed (so running it would fail)."""
    return any(
        not Path(unquote(urlsplit(uri).path)).is_file() for uri in re.findall(r"document\('(file:[^']+)'\)", expr)
    )


def _refers(expr: str, names: set[str]) -> bool:
    return any(re.search(rf"\${re.escape(name)}\b", expr) for name in names)


def _xpath2_declarations(root: etree._Element, namespaces: dict[str, str]) -> set[str]:
    """Names of the variables XSLT 1.0 cannot hold: typed (`as=`), XPath 2, or built on such a variable."""
    bad: set[str] = set()
    while True:
        more = {
            el.get("name", "")
            for el in _declarations(root)
            if el.get("name") not in bad
            and (
                el.get("as") is not None
                or not _compiles(el.get("value") or el.get("select") or "''", namespaces)
                or _missing_document(el.get("value") or el.get("select") or "")
                or _refers(el.get("value") or el.get("select") or "", bad)
            )
        }
        if not more:
            return bad
        bad |= more


def _drop_unused(root: etree._Element) -> None:
    """Leave out the variables nothing active refers to (and those only they referred to)."""
    while True:
        used = " ".join(
            el.get(attr, "")
            for el in root.iter()
            if isinstance(el.tag, str)
            for attr in _EXPRESSIONS
            if not (el.tag in (f"{{{SCH}}}let", f"{{{XSL}}}variable") and attr == "value")
        )
        used += " ".join(el.get("value", "") for el in _declarations(root))
        unused = [el for el in _declarations(root) if not re.search(rf"\${re.escape(el.get('name', ''))}\b", used)]
        if not unused:
            return
        for el in unused:
            el.getparent().remove(el)


def _inline_file_tables(root: etree._Element, folder: Path) -> None:
    """A code-list table (`<xsl:variable name="t"><file key="iso639-1">iso639-1.rdf</file>...`) spelled out in
    XPath 1.0 where it is used: `(X[.=$t/@key], 'd')[1]` picks a key, `document($t[@key = $k])//(a | b)` reads
    the list of that key."""
    for table in list(root.iter(f"{{{XSL}}}variable")):
        files = [(f.get("key", ""), (f.text or "").strip()) for f in table if local_name(f) == "file" and f.get("key")]
        if not files or not all((folder / file).is_file() for _, file in files):
            continue  # a code list is missing: the rules that read the table are left out
        name = re.escape(table.get("name", ""))
        pick = re.compile(rf"^\((.+)\[\.\s*=\s*\${name}/@key\]\s*,\s*'([^']*)'\)\[1\]$")
        read = re.compile(rf"^document\(\${name}\[@key\s*=\s*(\$[\w-]+)\]\)//\((.+)\)$")
        for el in root.iter(f"{{{SCH}}}let", f"{{{XSL}}}variable"):
            value = (el.get("value") or "").strip()
            if match := pick.match(value):
                known = f"{match[1]}[{' or '.join(f'. = {key!r}' for key, _ in files)}]"
                el.set("value", f"concat({known}, substring({match[2]!r}, 1, 999 * not({known})))")
            elif match := read.match(value):
                el.set(
                    "value",
                    " | ".join(
                        f"document('{(folder / file).as_uri()}')[{match[1]} = {key!r}]//{step.strip()}"
                        for key, file in files
                        for step in match[2].split("|")
                    ),
                )
        rest = " ".join(v for el in root.iter() if isinstance(el.tag, str) for v in map(el.get, _EXPRESSIONS) if v)
        if not re.search(rf"\${name}\b", rest):
            table.getparent().remove(table)


def local_name(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _compiles(expr: str, namespaces: dict[str, str]) -> bool:
    try:
        etree.XPath(expr, namespaces=namespaces)
    except etree.XPathSyntaxError:
        return False
    return True


def xslt1_rules(path: Path) -> tuple[etree._ElementTree, list[str]]:
    """The official rules rewritten for lxml's XSLT 1.0 Schematron, and the contexts of the rules left out
    because they still need XPath 2 (sequences such as the language-code lookup)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = copy.deepcopy(etree.parse(str(path), parser).getroot())
    root.set("queryBinding", "xslt")
    namespaces = {ns.get("prefix", ""): ns.get("uri", "") for ns in root.iter(f"{{{SCH}}}ns")}
    namespaces["regexp"] = REGEXP
    for el in root.iter():
        if isinstance(el.tag, str):
            for attr in _EXPRESSIONS:
                if el.get(attr):
                    el.set(attr, xpath1(el.get(attr, ""), path.parent))
    _inline_file_tables(root, path.parent)
    bad = _xpath2_declarations(root, namespaces)
    left_out = []
    for rule in list(root.iter(f"{{{SCH}}}rule")):
        expressions = [el.get(attr, "") for el in rule.iter() if isinstance(el.tag, str) for attr in _EXPRESSIONS]
        if not all(
            _compiles(e, namespaces) and not _refers(e, bad) and not _missing_document(e) for e in expressions if e
        ):
            left_out.append(rule.get("context", "?"))
            rule.getparent().remove(rule)
    for el in _declarations(root):
        if el.get("name") in bad:
            el.getparent().remove(el)
    _drop_unused(root)
    declared = root.findall(f"{{{SCH}}}ns")  # ISO Schematron wants every ns before the lets and patterns
    at = root.index(declared[-1]) + 1 if declared else 0
    root.insert(at, etree.Element(f"{{{SCH}}}ns", prefix="regexp", uri=REGEXP))
    return etree.ElementTree(root), left_out


@cache
def _compiled(path: Path, _mtime: float) -> etree.XSLT:
    """The rules as lxml's Schematron compiles them, with the location of an attribute made whole (the XSLT 1
    skeleton gives `/@era` without the element it is on, so its line could not be found)."""
    rules, left_out = xslt1_rules(path)
    if left_out:
        log.warning("EAD3 Schematron: %d rule(s) need XSLT 2 and are not run: %s", len(left_out), "; ".join(left_out))
    stylesheet = copy.deepcopy(isoschematron.Schematron(rules, store_xslt=True).validator_xslt.getroot())
    for template in stylesheet.iterfind(f"{{{XSL}}}template[@match='@*'][@mode='schematron-get-full-path']"):
        parent = etree.Element(f"{{{XSL}}}apply-templates", select="parent::*", mode="schematron-get-full-path")
        template.insert(0, parent)
    return etree.XSLT(stylesheet)


def check(rules: Path, tree: etree._ElementTree, source: str) -> list[Problem]:
    """Each failed assertion (and each report that fires) as `FILE:LINE: EAD3 Schematron: <its text>`."""
    report = _compiled(rules, rules.stat().st_mtime)(tree)
    problems = []
    for item in report.getroot().iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(item.find(f"{{{SVRL}}}text").itertext()).split())
        problems.append(Problem(source, _line(tree, item.get("location", "")), f"EAD3 Schematron: {text}"))
    return sorted(problems, key=lambda p: p.line or 0)  # in the order of the file, as the XSD's errors


def _line(tree: etree._ElementTree, location: str) -> int | None:
    try:
        found = tree.xpath(location)
    except etree.XPathError:
        return None
    node = found[0] if isinstance(found, list) and found else None
    if node is not None and not isinstance(node, etree._Element):
        node = node.getparent()  # an attribute: the line of its element
    return node.sourceline if node is not None else None
