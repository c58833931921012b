"""The DOCTYPE is judged by our own reading of the text, not by the parser's limits: a document refused for an
entity attack stays refused, and its document element stays known, whatever libxml2 release lxml bundles."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from metadata_schemas import checking, registry, xmlprolog
from metadata_schemas.errors import InvalidMetadata
from metadata_schemas.xmlsafe import parser

MODS = '<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>{}</title></titleInfo></mods>'


@pytest.mark.parametrize(
    ("doctype", "reason"),
    [
        ('<!ENTITY a "ha"><!ENTITY b "&a;&a;">', "entity expansion attack"),
        ('<!ENTITY x SYSTEM "file:///etc/passwd">', "external entity (XXE)"),
        ('<!ENTITY x PUBLIC "-//x//EN" "http://127.0.0.1:9/x">', "external entity (XXE)"),
        ('<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd">', "parameter entity"),
        ("<!ENTITY % p \"<!ENTITY b 'x'>\"> %p;", "parameter entity"),
    ],
)
def test_an_attack_in_the_doctype_is_refused_before_any_parser_reads_it(
    doctype: str, reason: str, tmp_path: Path
) -> None:
    path = tmp_path / "record.xml"
    path.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE mods [\n{doctype}\n]>\n' + MODS.format("t"), encoding="utf-8")
    report = checking.check(path)
    assert report.standard is not None and report.standard.name == "mods"
    assert report.problems and reason in report.problems[0].message, report.problems
    assert str(report.problems[0]).startswith(f"{path}:3: refused:")
    with pytest.raises(InvalidMetadata, match="refused"):
        list(checking.records(path))


def test_a_nested_entity_libxml2_itself_accepts_is_still_refused(tmp_path: Path) -> None:
    text = '<?xml version="1.0"?><!DOCTYPE mods [<!ENTITY a "ha"><!ENTITY b "&a;&a;">]>' + MODS.format("&b;")
    etree.fromstring(text.encode(), parser())  # the parser alone lets it through
    path = tmp_path / "small-laughs.xml"
    path.write_text(text, encoding="utf-8")
    assert "entity expansion attack" in checking.check(path).problems[0].message


def test_a_billion_laughs_document_is_known_by_its_element_though_the_parser_stops_in_its_doctype(
    tmp_path: Path,
) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE mods [<!ENTITY l0 "lol">{laughs}]>' + MODS.format("&l9;"))
    assert registry.detect(path).name == "mods"


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE ead PUBLIC "+//ISBN 1-931666-00-8//DTD ead.dtd (Encoded Archival Description (EAD) Version 2002)'
        '//EN" "ead.dtd">',
        '<!DOCTYPE ead [<!ENTITY logo SYSTEM "logo.gif" NDATA gif><!ENTITY amp2 "&#38;"><!-- a ] and > -->]>',
        '<!DOCTYPE ead [<!ATTLIST ead audience CDATA "external"><!ENTITY kul "KU Leuven">]>',
    ],
)
def test_what_real_finding_aids_declare_is_not_an_attack(doctype: str) -> None:
    prolog = xmlprolog.read(f'<?xml version="1.0"?>\n{doctype}\n<ead xmlns="urn:isbn:1-931666-22-9"><eadheader/>')
    assert prolog.attack is None and prolog.root == "{urn:isbn:1-931666-22-9}ead"


def test_the_document_element_with_a_prefix_and_after_comments() -> None:
    text = '\ufeff<?xml version="1.0"?>\n<!-- c -->\n<?pi x?>\n<lido:lidoWrap xmlns:lido="http://www.lido-schema.org">'
    assert xmlprolog.read(text).root == "{http://www.lido-schema.org}lidoWrap"
    assert xmlprolog.read(xmlprolog.decode_head(text.encode("utf-16"))).root == "{http://www.lido-schema.org}lidoWrap"


def test_a_doctype_longer_than_a_megabyte_is_refused() -> None:
    text = "<!DOCTYPE a [" + '<!ENTITY x "y">' * (xmlprolog.PROLOG_BYTES // 15 + 1)
    assert "longer than a megabyte" in (xmlprolog.read(text[: xmlprolog.PROLOG_BYTES]).attack or "")


@given(st.text(alphabet=st.sampled_from(list("<!-?>[]%&;\"' \nDOCTYPENTIYSMabx:=#")) | st.characters(), max_size=300))
def test_any_text_reads_as_a_prolog(text: str) -> None:
    prolog = xmlprolog.read(text)
    assert isinstance(prolog.root, str) and prolog.line >= 1
