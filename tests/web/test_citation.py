"""Citations per domain on the demo catalogue: an archival unit, a book, a specimen and a museum object are each
cited as their domain cites them, in the footnote, in BibTeX (which must parse) and in CSL-JSON."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from lxml import html

pytestmark = pytest.mark.slow

BIBTEX_TYPES = {"article", "book", "booklet", "inbook", "incollection", "manual", "misc", "unpublished"}
_ENTRY = re.compile(r"^@(?P<type>[a-z]+)\{(?P<key>[A-Za-z0-9_:-]+),\n(?P<body>.*)\n\}\n$", re.S)
_FIELD = re.compile(r"\s*(?P<name>[a-z]+) = \{")


def parse_bibtex(text: str) -> tuple[str, dict[str, str]]:
    """A strict reading of one entry as this catalogue writes it: a known type, a key, `name = {value}` fields
    with balanced braces, separated by commas, no field twice, no unescaped % & $ # _ in a value."""
    m = _ENTRY.match(text)
    assert m, f"not one BibTeX entry: {text!r}"
    body, fields, pos = m.group("body"), {}, 0
    while pos < len(body):
        f = _FIELD.match(body, pos)
        assert f, f"no field at {body[pos:]!r}"
        depth, i = 1, f.end()
        while depth:
            assert i < len(body), f"unbalanced braces in {f.group('name')}"
            if body[i] == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(body[i], 0)
            i += 1
        value = body[f.end() : i - 1]
        assert not re.search(r"(?<!\\)[%&$#_]", value), f"unescaped character in {value!r}"
        assert f.group("name") not in fields, f"{f.group('name')} twice"
        fields[f.group("name")] = value
        pos = i
        if pos < len(body):
            assert body[pos] == ",", f"no comma after {f.group('name')}"
            pos += 1
    assert m.group("type") in BIBTEX_TYPES
    return m.group("type"), fields


def test_the_strict_reading_refuses_what_bibtex_refuses() -> None:
    assert parse_bibtex("@book{a1,\n  title = {A {nested} title},\n  year = {1543}\n}\n")[1]["year"] == "1543"
    for bad in ("@book{a1,\n  title = {Open\n}\n", "@book{a1,\n  title = {A & B}\n}\n", "@nonsense{a,\n  x = {1}\n}\n"):
        with pytest.raises(AssertionError):
            parse_bibtex(bad)


def _item(client: Any, local_id: str) -> str:
    found = client.get(f'/api/items?q=identifier:"{local_id}"').get_json()
    assert found["total"] == 1, local_id
    return found["items"][0]["id"]


def _cite(client: Any, item_id: str, lang: str) -> tuple[str, tuple[str, dict[str, str]], dict[str, Any]]:
    doc = html.fromstring(client.get(f"/items/{item_id}?lang={lang}").data)
    text = " ".join(doc.cssselect(".citation")[0].text_content().split())
    bib = parse_bibtex(client.get(f"/items/{item_id}/citation.bib?lang={lang}").data.decode())
    csl = json.loads(client.get(f"/items/{item_id}/citation.json?lang={lang}").data)[0]
    return text, bib, csl


def test_a_book_is_cited_with_place_publisher_and_shelfmark(demo_client) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(demo_client, "BC-VES-1543")
    text, (kind, bib), csl = _cite(demo_client, item_id, "en")
    assert text.startswith("Andreas Vesalius. De humani corporis fabrica libri septem. Basel: Johannes Oporinus, 1543.")
    assert "shelfmark BC-VES-1543" in text and "On the fabric" not in text
    assert kind == "book" and "number" not in bib
    assert (bib["author"], bib["publisher"], bib["address"], bib["year"]) == (
        "Andreas Vesalius", "Johannes Oporinus", "Basel", "1543"
    )  # fmt: skip
    assert "BC-VES-1543" in bib["note"]
    assert csl["type"] == "book" and csl["title"] == "De humani corporis fabrica libri septem"
    assert (csl["publisher"], csl["publisher-place"], csl["call-number"]) == (
        "Johannes Oporinus",
        "Basel",
        "BC-VES-1543",
    )
    nl_text, _bib, _csl = _cite(demo_client, item_id, "nl")
    assert "signatuur BC-VES-1543" in nl_text


def test_an_archival_unit_is_cited_by_repository_collection_and_reference_code(demo_client) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(demo_client, "BE-KUL-UA-R.1.3")
    text, (kind, bib), csl = _cite(demo_client, item_id, "en")
    assert text.startswith(
        "University Archives, KU Leuven, Records of the Rector's Office. Reference code BE-KUL-UA-R.1.3. "
        "Register van de notulen van de Academische Raad, 1845-1849. 1845-1849."
    )
    assert kind == "misc" and "BE-KUL-UA-R.1.3" in bib["howpublished"] and "number" not in bib
    assert (bib["year"], bib["date"]) == ("1845", "1845/1849")
    assert csl["type"] == "manuscript" and csl["archive_location"] == "BE-KUL-UA-R.1.3"
    assert (csl["archive"], csl["collection-title"]) == (
        "University Archives, KU Leuven",
        "Records of the Rector's Office",
    )
    fonds = _item(demo_client, "BE-KUL-UA-R")
    text, (_kind, bib), _csl = _cite(demo_client, fonds, "nl")
    assert text.count("Archief van het Rectoraat") == 1  # the fonds that is the collection is named once
    assert bib["author"] == "{Rectoraat Katholieke Universiteit Leuven}"  # one corporate name, not Mr Leuven


def test_a_specimen_is_cited_by_collection_and_catalogue_number_with_its_collector(demo_client) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(demo_client, "ZOO-COL-0005")
    doc = demo_client.get(f"/api/items/{item_id}").get_json()
    collector = next(a["name"] for a in doc["metadata"]["agents"] if a["role"] == "collector")
    text, (kind, bib), csl = _cite(demo_client, item_id, "en")
    assert not text.startswith(collector) and f"Collected by {collector}" in text
    assert "catalogue number ZOO-COL-0005" in text and "Zoological collection: beetles (Coleoptera)" in text
    assert kind == "misc" and "author" not in bib and collector in bib["note"]
    assert "ZOO-COL-0005" in bib["howpublished"]
    assert "author" not in csl and csl["collection-number"] == "ZOO-COL-0005" and collector in csl["note"]
    assert csl["collection-title"] == "Zoological collection: beetles (Coleoptera)"
    nl_text, _bib, _csl = _cite(demo_client, item_id, "nl")
    assert f"Verzameld door {collector}" in nl_text and "catalogusnummer ZOO-COL-0005" in nl_text


def test_an_object_by_an_unknown_maker_has_no_author(demo_client) -> None:  # type: ignore[no-untyped-def]
    item_id = _item(demo_client, "ARB-0001")  # "Onbekend (maker)", "19e eeuw"
    text, (kind, bib), csl = _cite(demo_client, item_id, "en")
    assert text.startswith("Anatomisch model van een schedel. 19th century. Inventory number ARB-0001.")
    assert "Onbekend" not in text and "author" not in bib and "author" not in csl
    assert kind == "misc" and "ARB-0001" in bib["howpublished"] and csl["archive_location"] == "ARB-0001"
    nl_text, _bib, _csl = _cite(demo_client, item_id, "nl")
    assert nl_text.startswith("Anatomisch model van een schedel. 19e eeuw. Inventarisnummer ARB-0001.")
